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

// AttendanceFact is one therapist's sessions on one day of the period (the
// store counts them: a year is a hundred thousand sessions): how many were due,
// how many were missed and how many cancelled late.
type AttendanceFact struct {
	TherapistID   int64
	TherapistName string
	Day           Date
	Sessions      int
	NoShows       int
	LateCancels   int
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
// just as a no-show is.
func Attendance(p ReportPeriod, facts []AttendanceFact) AttendanceReport {
	r := AttendanceReport{Period: p, Total: AttendanceRow{Label: "All sessions"}}
	byT := map[int64]*AttendanceRow{}
	var byW [7]AttendanceRow
	for _, f := range facts {
		t := byT[f.TherapistID]
		if t == nil {
			t = &AttendanceRow{Label: f.TherapistName}
			byT[f.TherapistID] = t
		}
		w := &byW[(int(f.Day.Weekday())+6)%7]
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
	row.Sessions += f.Sessions
	row.NoShows.Count += f.NoShows
	row.LateCancels.Count += f.LateCancels
	row.Lost.Count += f.NoShows + f.LateCancels
	row.NoShows.Of, row.LateCancels.Of, row.Lost.Of = row.Sessions, row.Sessions, row.Sessions
}

// ZoneSpan is a stretch of time over which loc keeps one UTC offset.
type ZoneSpan struct {
	Until  time.Time // the first instant after the span; zero for the last one
	Offset int       // seconds east of UTC
}

// ZoneSpans splits [from, to) where loc's offset changes, so a query can
// turn instants into the clinic's days with plain arithmetic. Offsets are
// sampled daily and each change found to the second; zones do not change
// twice in a day.
func ZoneSpans(loc *time.Location, from, to time.Time) []ZoneSpan {
	loc = orUTC(loc)
	offset := func(t time.Time) int { _, o := t.In(loc).Zone(); return o }
	var out []ZoneSpan
	cur := offset(from)
	for t := from; t.Before(to); {
		next := t.Add(24 * time.Hour)
		if o := offset(next); o != cur {
			lo, hi := t.Unix(), next.Unix() // offset(lo) == cur, offset(hi) != cur
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if offset(time.Unix(mid, 0)) == cur {
					lo = mid
				} else {
					hi = mid
				}
			}
			out = append(out, ZoneSpan{Until: time.Unix(hi, 0).UTC(), Offset: cur})
			cur = o
		}
		t = next
	}
	return append(out, ZoneSpan{Offset: cur})
}

// DayNumber is the clinic's date of day n counted from 1970-01-01, as a query
// computes it from (unix seconds + offset) / 86400.
func DayNumber(n int64) Date {
	y, m, d := time.Unix(n*86400, 0).UTC().Date()
	return Date{y, m, d}
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

// UtilTherapist is one therapist's working week and time off, for utilisation.
type UtilTherapist struct {
	ID      int64
	Name    string
	Hours   WeeklyHours
	TimeOff []Interval
}

// UtilRoom is one treatment room.
type UtilRoom struct {
	ID   int64
	Name string
}

// UtilBooked is the time a therapist's sessions held in one room (RoomID 0:
// none) within the period, in minutes; no-shows count, since the hour was
// held for them. The store sums it: a year is a hundred thousand sessions.
type UtilBooked struct {
	TherapistID, RoomID int64
	Minutes             int
}

// UtilisationFacts is everything the utilisation report sums.
type UtilisationFacts struct {
	Therapists []UtilTherapist
	Rooms      []UtilRoom
	Booked     []UtilBooked
}

// UtilRow is one therapist's or room's booked minutes out of the minutes
// available.
type UtilRow struct {
	Label  string
	Booked Share // minutes
}

// Hours formats minutes as hours with one decimal.
func Hours(minutes int) string { return fmt.Sprintf("%.1f", float64(minutes)/60) }

// UtilisationReport is booked against available time, by therapist and room.
type UtilisationReport struct {
	Period      ReportPeriod
	Total       UtilRow
	ByTherapist []UtilRow
	ByRoom      []UtilRow
}

// Utilisation sums booked time against available time. A therapist is
// available in their working hours on each day of the period, less time off;
// a room is available whenever at least one therapist is, since a room is
// only used with someone to work in it. Shifts are wall-clock times in loc
// and count the time that passes: 00:00-06:00 on the night the clocks go
// forward is five hours.
func Utilisation(p ReportPeriod, f UtilisationFacts, loc *time.Location) UtilisationReport {
	loc = orUTC(loc)
	r := UtilisationReport{Period: p, Total: UtilRow{Label: "All therapists"}}
	booked := map[int64]int{}
	roomBooked := map[int64]int{}
	for _, b := range f.Booked {
		booked[b.TherapistID] += b.Minutes
		if b.RoomID != 0 {
			roomBooked[b.RoomID] += b.Minutes
		}
	}
	// Spans in Unix seconds, worked out a day at a time for every therapist: a year of 20
	// therapists is 10,000 shifts, and building them as time.Time intervals, slice by slice,
	// cost more than the report's SQL; so did turning each shift's wall clock into an instant
	// with time.Date and sorting the year's shifts to find when anyone works.
	avail := make([]int, len(f.Therapists))
	off := make([][]span, len(f.Therapists))
	for i, t := range f.Therapists {
		off[i] = unionSpans(t.TimeOff)
	}
	var anyone, day []span
	for _, d := range p.days(loc) {
		day = day[:0]
		for i, t := range f.Therapists {
			for _, sh := range t.Hours[d.weekday] {
				s, e := d.at(sh.Start), d.at(sh.End)
				// Time off that ended before this shift ended before every later one too.
				for len(off[i]) > 0 && off[i][0].e <= s {
					off[i] = off[i][1:]
				}
				n := len(day)
				day = subtractSpans(day, s, e, off[i])
				avail[i] += spanMinutes(day[n:])
			}
		}
		// Merged a day at a time, the days' spans come in order and the year's merge below
		// does not sort.
		anyone = append(anyone, mergeSpans(day)...)
	}
	for i, t := range f.Therapists {
		row := UtilRow{Label: t.Name, Booked: Share{Count: booked[t.ID], Of: avail[i]}}
		r.ByTherapist = append(r.ByTherapist, row)
		r.Total.Booked.Count += row.Booked.Count
		r.Total.Booked.Of += row.Booked.Of
	}
	slices.SortFunc(r.ByTherapist, func(a, b UtilRow) int { return compareStrings(a.Label, b.Label) })
	roomAvail := spanMinutes(mergeSpans(anyone))
	for _, rm := range f.Rooms {
		r.ByRoom = append(r.ByRoom, UtilRow{Label: rm.Name, Booked: Share{Count: roomBooked[rm.ID], Of: roomAvail}})
	}
	slices.SortFunc(r.ByRoom, func(a, b UtilRow) int { return compareStrings(a.Label, b.Label) })
	return r
}

// reportDay is one day of a report's period with what its shifts need: the weekday, and the
// day's wall clock as instants.
type reportDay struct {
	date    Date
	weekday time.Weekday
	loc     *time.Location
	// midnight is the day's start in Unix seconds. even: the zone's offset does not change
	// within a day either side of the day, so each minute of its wall clock is sixty seconds
	// after midnight.
	midnight int64
	even     bool
}

// days lists the period's days in loc.
func (p ReportPeriod) days(loc *time.Location) []reportDay {
	var out []reportDay
	for d := p.From; !d.After(p.To); d = d.AddDays(1) {
		t := time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
		mid := t.Unix()
		start, end := t.ZoneBounds()
		even := (start.IsZero() || start.Unix() <= mid-2*86400) && (end.IsZero() || end.Unix() > mid+3*86400)
		out = append(out, reportDay{date: d, weekday: d.Weekday(), loc: loc, midnight: mid, even: even})
	}
	return out
}

// at is the instant of a wall-clock time of the day, in Unix seconds, as time.Date gives it:
// on the day the clocks go forward, 06:00 is five hours after midnight.
func (d reportDay) at(c ClockTime) int64 {
	if d.even {
		return d.midnight + int64(c)*60
	}
	return time.Date(d.date.Y, d.date.M, d.date.D, 0, int(c), 0, 0, d.loc).Unix()
}

// subtractSpans appends [s, e) less the sorted, disjoint spans off.
func subtractSpans(out []span, s, e int64, off []span) []span {
	for _, o := range off {
		if o.s >= e {
			break
		}
		if o.e <= s {
			continue
		}
		if o.s > s {
			out = append(out, span{s, o.s})
		}
		s = max(s, o.e)
	}
	if s < e {
		out = append(out, span{s, e})
	}
	return out
}

// spanMinutes is the whole minutes of each span, added up.
func spanMinutes(spans []span) int {
	m := 0
	for _, sp := range spans {
		m += int((sp.e - sp.s) / 60)
	}
	return m
}

// ClientsSeen counts the clients seen in the period (a session held, not
// missed or cancelled) and, of them, those whose first session at the clinic
// fell in it. The store counts them: a year is eighty thousand sessions.
type ClientsSeen struct {
	Seen, New int
}

// ConversionFact is one assessment submitted in the period: its class and
// whether the person booked within ConversionDays of submitting it.
type ConversionFact struct {
	Class  string
	Booked bool
}

// ConversionDays is how long after an assessment a booking counts as its result.
const ConversionDays = 30

// CourseFact is one course whose last session fell in the period.
type CourseFact struct {
	ClientID int64
	Kind     ServiceKind // the kind of the service booked
	Sessions int         // sessions the course was booked for
	Attended int         // sessions the client came to
	// Rebooked: the client booked again within the longest spacing after the course's last
	// session: the plan's where the course belongs to one, else the course's own.
	Rebooked bool
}

// CountRow is a labelled share: a group and how many of it did the thing.
type CountRow struct {
	Label string
	Share Share
}

// ClientsReport is new and returning clients, assessment conversion, course
// completion and rebooking for a period.
type ClientsReport struct {
	Period               ReportPeriod
	Seen, New, Returning int
	Conversion           []CountRow // by class, then a total line
	Completion           []CountRow // courses, by the kind of service booked, then a total line
	Rebooking            []CountRow // clients, by the kind of service of their courses, then a total line
}

// Clients sums the facts. A client is new when their first session at the
// clinic falls in the period, returning when they had one before.
func Clients(p ReportPeriod, seen ClientsSeen, conv []ConversionFact, courses []CourseFact) ClientsReport {
	r := ClientsReport{Period: p, Seen: seen.Seen, New: seen.New, Returning: seen.Seen - seen.New}
	byClass := map[string]*Share{}
	var convAll Share
	for _, c := range conv {
		class := c.Class
		if class == "" {
			class = "Not classified"
		}
		s := byClass[class]
		if s == nil {
			s = &Share{}
			byClass[class] = s
		}
		for _, x := range []*Share{s, &convAll} {
			x.Of++
			if c.Booked {
				x.Count++
			}
		}
	}
	r.Conversion = countRows(byClass, "All assessments", convAll)
	r.Completion, r.Rebooking = courseRows(courses)
	return r
}

// courseRows sums completion per course and rebooking per client: a client with
// two courses that ended in the period is one client who did or did not come
// back, and counts as rebooked when they booked again after either.
func courseRows(courses []CourseFact) (completion, rebooking []CountRow) {
	done := map[ServiceKind]*Share{}
	again := map[ServiceKind]map[int64]bool{}
	var doneAll Share
	againAll := map[int64]bool{}
	for _, c := range courses {
		if done[c.Kind] == nil {
			done[c.Kind], again[c.Kind] = &Share{}, map[int64]bool{}
		}
		for _, x := range []*Share{done[c.Kind], &doneAll} {
			x.Of++
			if c.Attended >= c.Sessions {
				x.Count++
			}
		}
		for _, m := range []map[int64]bool{again[c.Kind], againAll} {
			m[c.ClientID] = m[c.ClientID] || c.Rebooked
		}
	}
	clients := func(m map[int64]bool) Share {
		s := Share{Of: len(m)}
		for _, yes := range m {
			if yes {
				s.Count++
			}
		}
		return s
	}
	for _, k := range kindsIn(done) {
		completion = append(completion, CountRow{Label: k.Label(), Share: *done[k]})
		rebooking = append(rebooking, CountRow{Label: k.Label(), Share: clients(again[k])})
	}
	completion = append(completion, CountRow{Label: "All courses", Share: doneAll})
	rebooking = append(rebooking, CountRow{Label: "All clients", Share: clients(againAll)})
	return completion, rebooking
}

// kindsIn lists the kinds present in m in the order the owner's form offers
// them, any kind it does not know after them.
func kindsIn(m map[ServiceKind]*Share) []ServiceKind {
	var out []ServiceKind
	for _, k := range ServiceKinds {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	var rest []ServiceKind
	for k := range m {
		if !slices.Contains(ServiceKinds, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

func countRows(m map[string]*Share, totalLabel string, total Share) []CountRow {
	var out []CountRow
	for k, s := range m {
		out = append(out, CountRow{Label: k, Share: *s})
	}
	slices.SortFunc(out, func(a, b CountRow) int { return compareStrings(a.Label, b.Label) })
	return append(out, CountRow{Label: totalLabel, Share: total})
}
