package clinic

import (
	"fmt"
	"slices"
	"time"
)

// SmallSample is the number of plans or sessions below which a report's
// figure is flagged: a share of 3 out of 4 says little about a therapist.
const SmallSample = 10

// ReportPeriod is the span of civil dates a report covers, both ends included.
type ReportPeriod struct {
	From, To Date
}

// maxReportDays keeps a typo ("2062") from asking for decades of history.
const maxReportDays = 3 * 366

// ParseReportPeriod reads a report's from and to dates. Empty fields mean the
// twelve months up to today. Messages are keyed by field for the form.
func ParseReportPeriod(from, to string, today Date) (ReportPeriod, map[string]string) {
	p := ReportPeriod{From: today.AddDays(-364), To: today}
	errs := map[string]string{}
	if from != "" {
		d, err := ParseDate(from)
		if err != nil {
			errs["from"] = "Enter a date such as 2026-01-31."
		}
		p.From = d
	}
	if to != "" {
		d, err := ParseDate(to)
		if err != nil {
			errs["to"] = "Enter a date such as 2026-12-31."
		}
		p.To = d
	}
	if len(errs) == 0 {
		switch {
		case p.To.Before(p.From):
			errs["to"] = "The end must be on or after the start."
		case p.From.DaysUntil(p.To) >= maxReportDays:
			errs["to"] = "Choose a period of at most three years."
		}
	}
	return p, errs
}

// Bounds are the period's instants in loc: from the first day's midnight to
// the midnight after the last day, so a DST change inside it costs nothing.
func (p ReportPeriod) Bounds(loc *time.Location) (from, to time.Time) {
	loc = orUTC(loc)
	return time.Date(p.From.Y, p.From.M, p.From.D, 0, 0, 0, 0, loc),
		time.Date(p.To.Y, p.To.M, p.To.D+1, 0, 0, 0, 0, loc)
}

func (p ReportPeriod) String() string { return p.From.String() + " to " + p.To.String() }

// Share is a count out of a total, kept whole so a page can show both.
type Share struct {
	Count, Of int
}

// Ratio is the share as a fraction; 0 when there is nothing to count.
func (s Share) Ratio() float64 {
	if s.Of == 0 {
		return 0
	}
	return float64(s.Count) / float64(s.Of)
}

// Percent is the share rounded to a whole percent, "-" with nothing to count.
func (s Share) Percent() string {
	if s.Of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*s.Ratio())
}

// Small reports whether the figure rests on too few to read much into.
func (s Share) Small() bool { return s.Of < SmallSample }

// AttendanceFact is one session in a report's period, as the attendance report
// needs it: who it was with, when, and how it ended.
type AttendanceFact struct {
	TherapistID   int64
	TherapistName string
	StartsAt      time.Time
	NoShow        bool
	LateCancel    bool
}

// AttendanceRow is one therapist's or one weekday's line: the sessions that
// were due to happen, and those missed or cancelled too late to fill.
type AttendanceRow struct {
	Label       string
	Sessions    int
	NoShows     Share
	LateCancels Share
	Lost        Share // no-shows and late cancellations together
}

// AttendanceReport is the no-show and late-cancellation report.
type AttendanceReport struct {
	Period      ReportPeriod
	Total       AttendanceRow
	ByTherapist []AttendanceRow
	ByWeekday   []AttendanceRow // Monday first; days without sessions are left out
}

// Attendance sums the facts. A session counts once it was not cancelled in
// good time (the store leaves those out): a late cancellation is a lost hour
// just as a no-show is. Weekdays are the clinic's, in loc.
func Attendance(p ReportPeriod, facts []AttendanceFact, loc *time.Location) AttendanceReport {
	r := AttendanceReport{Period: p, Total: AttendanceRow{Label: "All sessions"}}
	byT := map[int64]*AttendanceRow{}
	var byW [7]AttendanceRow
	for _, f := range facts {
		t := byT[f.TherapistID]
		if t == nil {
			t = &AttendanceRow{Label: f.TherapistName}
			byT[f.TherapistID] = t
		}
		w := &byW[(int(f.StartsAt.In(orUTC(loc)).Weekday())+6)%7]
		for _, row := range []*AttendanceRow{&r.Total, t, w} {
			row.add(f)
		}
	}
	for _, t := range byT {
		r.ByTherapist = append(r.ByTherapist, *t)
	}
	slices.SortFunc(r.ByTherapist, func(a, b AttendanceRow) int { return compareStrings(a.Label, b.Label) })
	for i, w := range byW {
		if w.Sessions > 0 {
			w.Label = time.Weekday((i + 1) % 7).String()
			r.ByWeekday = append(r.ByWeekday, w)
		}
	}
	return r
}

func (row *AttendanceRow) add(f AttendanceFact) {
	row.Sessions++
	if f.NoShow {
		row.NoShows.Count++
	}
	if f.LateCancel {
		row.LateCancels.Count++
	}
	if f.NoShow || f.LateCancel {
		row.Lost.Count++
	}
	row.NoShows.Of, row.LateCancels.Of, row.Lost.Of = row.Sessions, row.Sessions, row.Sessions
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// OutcomeFact is one plan's goal as it stood at the plan's first
// reassessment: the score it started from and the score then.
type OutcomeFact struct {
	PlanID   int64
	Class    string // the assessment class the plan treated; "" when there was none
	Layers   []PlanLayer
	Position int // the goal's place in the plan; the first goal of a kind stands for the plan
	Measure  GoalMeasure
	Baseline float64
	Current  float64
}

// OutcomeRow is the "did the courses work?" line of one class or modality.
// Pain and function are counted over the plans that track them; Meaningful is
// over every plan in the row: a plan counts when one of its goals improved by
// the measure's meaningful change (the plan page's rule) and none got worse.
type OutcomeRow struct {
	Label          string
	Plans          int
	PainPlans      int
	PainChange     float64 // mean points gained on 0-10 pain, positive is less pain
	FunctionPlans  int
	FunctionChange float64 // mean PSFS points gained, positive is better function
	Meaningful     Share
}

// Small reports whether the row rests on too few plans to read much into.
func (r OutcomeRow) Small() bool { return r.Plans < SmallSample }

// OutcomeReport answers "did the courses work?" for a period: plans
// reassessed in it, by assessment class and by modality (plan layer).
type OutcomeReport struct {
	Period     ReportPeriod
	Total      OutcomeRow
	ByClass    []OutcomeRow
	ByModality []OutcomeRow
}

// NoClass labels plans made without an assessment class.
const NoClass = "No assessment"

// planOutcome is one plan's figures before they are summed.
type planOutcome struct {
	class            string
	layers           []PlanLayer
	pain, function   *float64
	improved, worse  bool
	painPos, funcPos int
}

// Outcomes sums the facts into the report. A plan on several layers counts in
// each of its modalities, so the modality rows may add up to more than the total.
func Outcomes(p ReportPeriod, facts []OutcomeFact) OutcomeReport {
	plans := map[int64]*planOutcome{}
	var order []int64
	for _, f := range facts {
		po := plans[f.PlanID]
		if po == nil {
			class := f.Class
			if class == "" {
				class = NoClass
			}
			po = &planOutcome{class: class, layers: f.Layers}
			plans[f.PlanID] = po
			order = append(order, f.PlanID)
		}
		gain := f.Measure.gain(f.Baseline, f.Current)
		switch CompareScores(f.Measure, f.Baseline, f.Current) {
		case ChangeImproved:
			po.improved = true
		case ChangeWorse:
			po.worse = true
		}
		if f.Measure == MeasurePain {
			if po.pain == nil || f.Position < po.painPos {
				po.pain, po.painPos = &gain, f.Position
			}
		} else if po.function == nil || f.Position < po.funcPos {
			po.function, po.funcPos = &gain, f.Position
		}
	}
	r := OutcomeReport{Period: p, Total: OutcomeRow{Label: "All plans"}}
	var total outcomeSum
	byClass, byLayer := map[string]*outcomeSum{}, map[PlanLayer]*outcomeSum{}
	for _, id := range order {
		po := plans[id]
		total.add(po)
		sumFor(byClass, po.class).add(po)
		for _, l := range po.layers {
			sumFor(byLayer, l).add(po)
		}
	}
	r.Total = total.row("All plans")
	for class, s := range byClass {
		r.ByClass = append(r.ByClass, s.row(class))
	}
	slices.SortFunc(r.ByClass, func(a, b OutcomeRow) int { return compareStrings(a.Label, b.Label) })
	for _, l := range PlanLayers() {
		if s := byLayer[l]; s != nil {
			r.ByModality = append(r.ByModality, s.row(l.Label()))
		}
	}
	return r
}

type outcomeSum struct {
	plans, painN, funcN, meaningful int
	pain, function                  float64
}

func sumFor[K comparable](m map[K]*outcomeSum, k K) *outcomeSum {
	if m[k] == nil {
		m[k] = &outcomeSum{}
	}
	return m[k]
}

func (s *outcomeSum) add(po *planOutcome) {
	s.plans++
	if po.pain != nil {
		s.painN++
		s.pain += *po.pain
	}
	if po.function != nil {
		s.funcN++
		s.function += *po.function
	}
	if po.improved && !po.worse {
		s.meaningful++
	}
}

func (s *outcomeSum) row(label string) OutcomeRow {
	r := OutcomeRow{Label: label, Plans: s.plans, PainPlans: s.painN, FunctionPlans: s.funcN,
		Meaningful: Share{Count: s.meaningful, Of: s.plans}}
	if s.painN > 0 {
		r.PainChange = s.pain / float64(s.painN)
	}
	if s.funcN > 0 {
		r.FunctionChange = s.function / float64(s.funcN)
	}
	return r
}

var layerLabels = map[PlanLayer]string{
	PlanLayerRemedialTriggerPoint: "Remedial and trigger point",
	PlanLayerTuiNa:                "Tui na",
	PlanLayerSportsRecovery:       "Sports recovery",
	PlanLayerRelaxation:           "Relaxation",
	PlanLayerRehabReferral:        "Rehabilitation referral",
}

// Label is the layer's name as a report shows it.
func (l PlanLayer) Label() string {
	if s, ok := layerLabels[l]; ok {
		return s
	}
	return string(l)
}
