package clinic

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// GoalMeasure is the instrument a goal is tracked with.
type GoalMeasure string

// Goal measures. All three run 0 to 10.
const (
	MeasurePain     GoalMeasure = "pain_0_10" // NPRS: 0 no pain, 10 worst imaginable
	MeasurePSFS     GoalMeasure = "psfs"      // one PSFS activity: 0 unable, 10 as before
	MeasurePSFSMean GoalMeasure = "psfs_mean" // mean of the client's PSFS activities
)

// changeRule is the smallest change a measure treats as real. Percent is
// relative to the baseline and only counts where the measure has one.
type changeRule struct {
	label         string
	points        float64
	percent       float64
	lowerIsBetter bool
}

// Pain: about 2 points or 30% is the change clients call "much better".
// PSFS: below 3 points for one activity, or 2 for the mean, is within the
// instrument's measurement error.
var measureRules = map[GoalMeasure]changeRule{
	MeasurePain:     {label: "Pain (0-10)", points: 2, percent: 30, lowerIsBetter: true},
	MeasurePSFS:     {label: "Activity (PSFS)", points: 3},
	MeasurePSFSMean: {label: "Activities, mean (PSFS)", points: 2},
}

// GoalMeasures lists the measures in the order a form shows them.
func GoalMeasures() []GoalMeasure {
	return []GoalMeasure{MeasurePain, MeasurePSFS, MeasurePSFSMean}
}

// Valid reports whether m is a known measure.
func (m GoalMeasure) Valid() bool {
	_, ok := measureRules[m]
	return ok
}

// Label is the measure's name as a person reads it.
func (m GoalMeasure) Label() string {
	if r, ok := measureRules[m]; ok {
		return r.label
	}
	return string(m)
}

// Range is the lowest and highest score the measure allows.
func (m GoalMeasure) Range() (lo, hi float64) { return 0, 10 }

// LowerIsBetter reports whether a falling score is progress (pain).
func (m GoalMeasure) LowerIsBetter() bool { return measureRules[m].lowerIsBetter }

// gain is the change from baseline to now, positive when it is progress.
func (m GoalMeasure) gain(baseline, now float64) float64 {
	if m.LowerIsBetter() {
		return baseline - now
	}
	return now - baseline
}

func (m GoalMeasure) better(a, b float64) bool { return m.gain(b, a) > 0 }

// ChangeVerdict is how a score moved against its baseline.
type ChangeVerdict string

// Change verdicts.
const (
	ChangeImproved ChangeVerdict = "improved"
	ChangeNone     ChangeVerdict = "no_meaningful_change"
	ChangeWorse    ChangeVerdict = "worse"
)

// CompareScores applies the measure's meaningful-change rule to a baseline
// and a current score. A change counts when it reaches the point threshold
// or, for pain, 30% of the baseline; anything smaller is noise either way.
func CompareScores(m GoalMeasure, baseline, now float64) ChangeVerdict {
	g := m.gain(baseline, now)
	switch {
	case g > 0 && m.meaningful(g, baseline):
		return ChangeImproved
	case g < 0 && m.meaningful(-g, baseline):
		return ChangeWorse
	}
	return ChangeNone
}

func (m GoalMeasure) meaningful(delta, baseline float64) bool {
	const eps = 1e-9 // 0.3*10 is not exactly 3 in floating point
	r := measureRules[m]
	if delta >= r.points-eps {
		return true
	}
	return r.percent > 0 && baseline > 0 && delta*100 >= r.percent*baseline-eps
}

// GoalProgress is one goal's state at a reassessment.
type GoalProgress struct {
	Goal      Goal
	Current   float64
	Gain      float64 // positive is progress, in the measure's points
	Verdict   ChangeVerdict
	TargetMet bool
}

// AssessGoal compares a goal's baseline with the current score.
func AssessGoal(g Goal, current float64) GoalProgress {
	return GoalProgress{
		Goal:      g,
		Current:   current,
		Gain:      g.Measure.gain(g.Baseline, current),
		Verdict:   CompareScores(g.Measure, g.Baseline, current),
		TargetMet: g.Measure.gain(g.Target, current) >= 0,
	}
}

// ReassessDecision is what the therapist decides at a reassessment.
type ReassessDecision string

// Reassessment decisions.
const (
	DecisionGoalMet        ReassessDecision = "goal_met"
	DecisionMaintenance    ReassessDecision = "maintenance_monthly"
	DecisionExtend         ReassessDecision = "extend"
	DecisionChangeApproach ReassessDecision = "change_approach"
	DecisionRefer          ReassessDecision = "refer"
)

// SuggestDecision proposes a decision from the goals' progress, with the
// reason to show beside it. The therapist decides; this only pre-selects.
// It returns "" when there is nothing to judge yet.
func SuggestDecision(progress []GoalProgress, extensionsUsed int) (ReassessDecision, string) {
	if len(progress) == 0 {
		return "", "Record the goals' current scores first."
	}
	met, improved := 0, 0
	for _, p := range progress {
		if p.Verdict == ChangeWorse {
			return DecisionRefer, fmt.Sprintf("%q is worse than at the start.", p.Goal.Description)
		}
		if p.TargetMet {
			met++
		}
		if p.TargetMet || p.Verdict == ChangeImproved {
			improved++
		}
	}
	switch {
	case met == len(progress):
		return DecisionGoalMet, "Every goal reached its target."
	case extensionsUsed >= MaxPlanExtensions:
		return DecisionRefer, "The extension course ended without reaching the goals."
	case improved > 0:
		return DecisionExtend, "Partial response: some goals improved but not all reached their targets."
	}
	return DecisionChangeApproach, "No goal changed meaningfully."
}

// Maintenance spacing: monthly by default, every 2 to 6 weeks allowed.
const (
	DefaultMaintenanceDays = 28
	MinMaintenanceDays     = 14
	MaxMaintenanceDays     = 42
)

// ReassessmentOutcome is what follows a decision: the plan event to apply
// and the dates and records it calls for. Zero dates mean "none".
type ReassessmentOutcome struct {
	Decision          ReassessDecision
	Event             PlanEvent
	ExtensionSessions int       // extend: sessions in the new course
	NextReassessment  time.Time // extend: review at the end of the new course
	MaintenanceDue    time.Time // maintenance: when the first visit is due
	NeedsReferral     bool      // refer: write a referral
	NeedsNewPlan      bool      // change approach: draft a plan with other layers
}

// PlanReassessment turns a decision taken on day `on` into its plan event and
// next dates. targetDays is the plan's spacing; maintenanceDays 0 means monthly.
func PlanReassessment(d ReassessDecision, on time.Time, targetDays, maintenanceDays int) (ReassessmentOutcome, error) {
	day := planDay(on)
	out := ReassessmentOutcome{Decision: d}
	switch d {
	case DecisionGoalMet:
		out.Event = PlanEventGoalMet
	case DecisionMaintenance:
		if maintenanceDays == 0 {
			maintenanceDays = DefaultMaintenanceDays
		}
		if maintenanceDays < MinMaintenanceDays || maintenanceDays > MaxMaintenanceDays {
			return out, fmt.Errorf("plan reassessment: maintenance every %d days is outside %d-%d", maintenanceDays, MinMaintenanceDays, MaxMaintenanceDays)
		}
		out.Event = PlanEventGoalMet
		out.MaintenanceDue = day.AddDate(0, 0, maintenanceDays)
	case DecisionExtend:
		out.Event = PlanEventExtend
		out.ExtensionSessions = DefaultPlannedSessions
		first := day.AddDate(0, 0, targetDays)
		out.NextReassessment = DefaultReassessmentDate(first, DefaultPlannedSessions, targetDays)
	case DecisionChangeApproach:
		out.Event, out.NeedsNewPlan = PlanEventChangeApproach, true
	case DecisionRefer:
		out.Event, out.NeedsReferral = PlanEventRefer, true
	default:
		return out, fmt.Errorf("plan reassessment: unknown decision %q", d)
	}
	return out, nil
}

// ChartReading is one score on a goal's progress chart. Session numbers
// label the x axis; the date labels it when there is no session number.
type ChartReading struct {
	Session int
	Taken   time.Time
	Value   float64
}

// ChartTick is one labelled mark on an axis, at X or Y in viewBox units.
type ChartTick struct {
	At    float64
	Label string
}

// ChartDot is one reading placed on the chart.
type ChartDot struct {
	X, Y  float64
	Label string
	Value float64
}

// ProgressChart is everything a template needs to draw a goal's progress as
// SVG in a fixed viewBox: plot edges, the polyline, dots, the baseline and
// target lines, and axis ticks. Empty is true when there is nothing to plot.
type ProgressChart struct {
	ViewBox                  string
	Left, Right, Top, Bottom float64
	Points                   string // for <polyline points="...">
	Dots                     []ChartDot
	BaselineY, TargetY       float64
	YTicks, XTicks           []ChartTick
	LowerIsBetter, Empty     bool
}

// Chart geometry: a 320x180 box with room on the left for y labels and
// below for session labels.
const (
	chartW, chartH = 320.0, 180.0
	chartLeft      = 28.0
	chartRight     = chartW - 8
	chartTop       = 8.0
	chartBottom    = chartH - 24
	chartMaxXTicks = 8
)

// NewProgressChart lays out readings for measure m. Readings are spaced
// evenly in the order given; one reading sits in the middle; values outside
// the scale are drawn at its edge.
func NewProgressChart(m GoalMeasure, readings []ChartReading, baseline, target float64) ProgressChart {
	c := ProgressChart{
		ViewBox: fmt.Sprintf("0 0 %g %g", chartW, chartH),
		Left:    chartLeft, Right: chartRight, Top: chartTop, Bottom: chartBottom,
		BaselineY: chartY(m, baseline), TargetY: chartY(m, target),
		LowerIsBetter: m.LowerIsBetter(), Empty: len(readings) == 0,
	}
	lo, hi := m.Range()
	for v := lo; v <= hi; v += 2 {
		c.YTicks = append(c.YTicks, ChartTick{At: chartY(m, v), Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	pts := make([]string, len(readings))
	for i, r := range readings {
		d := ChartDot{X: chartX(i, len(readings)), Y: chartY(m, r.Value), Label: chartReadingLabel(i, r), Value: r.Value}
		c.Dots = append(c.Dots, d)
		pts[i] = chartNum(d.X) + "," + chartNum(d.Y)
	}
	c.Points = strings.Join(pts, " ")
	for _, i := range chartXTickIndexes(len(readings)) {
		c.XTicks = append(c.XTicks, ChartTick{At: c.Dots[i].X, Label: c.Dots[i].Label})
	}
	return c
}

func chartX(i, n int) float64 {
	if n == 1 {
		return chartRound((chartLeft + chartRight) / 2)
	}
	return chartRound(chartLeft + float64(i)*(chartRight-chartLeft)/float64(n-1))
}

func chartY(m GoalMeasure, v float64) float64 {
	lo, hi := m.Range()
	v = math.Max(lo, math.Min(hi, v))
	return chartRound(chartBottom - (v-lo)/(hi-lo)*(chartBottom-chartTop))
}

// chartXTickIndexes thins labels to at most chartMaxXTicks, always keeping the
// first and the latest reading, which are the two a client looks for.
func chartXTickIndexes(n int) []int {
	if n == 0 {
		return nil
	}
	step := max(1, (n-1+chartMaxXTicks-2)/(chartMaxXTicks-1))
	var idx []int
	for i := 0; i < n-1; i += step {
		idx = append(idx, i)
	}
	if k := len(idx) - 1; k > 0 && 2*(n-1-idx[k]) < step+1 {
		idx = idx[:k] // too close to the last label to be readable
	}
	return append(idx, n-1)
}

func chartReadingLabel(i int, r ChartReading) string {
	switch {
	case r.Session > 0:
		return "S" + strconv.Itoa(r.Session)
	case !r.Taken.IsZero():
		return r.Taken.Format("2 Jan")
	}
	return strconv.Itoa(i + 1)
}

func chartRound(x float64) float64 { return math.Round(x*10) / 10 }

func chartNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
