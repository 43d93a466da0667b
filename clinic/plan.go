package clinic

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PlanStatus is where a treatment plan stands in its lifecycle.
type PlanStatus string

// Plan statuses. Completed, referred, changed, discontinued, cancelled and
// entered-in-error end a plan; everything else can still move.
const (
	PlanDraft          PlanStatus = "draft"
	PlanActive         PlanStatus = "active"
	PlanReassessDue    PlanStatus = "reassess_due"
	PlanCompleted      PlanStatus = "completed"
	PlanExtended       PlanStatus = "extended" // active again, running its one extension course
	PlanReferred       PlanStatus = "referred"
	PlanChanged        PlanStatus = "changed" // replaced by a new plan with a different approach
	PlanOnHold         PlanStatus = "on_hold"
	PlanDiscontinued   PlanStatus = "discontinued"
	PlanCancelled      PlanStatus = "cancelled" // abandoned before it started
	PlanEnteredInError PlanStatus = "entered_in_error"
)

var planStatusLabels = map[PlanStatus]string{
	PlanDraft:          "Draft",
	PlanActive:         "Active",
	PlanReassessDue:    "Reassessment due",
	PlanCompleted:      "Completed",
	PlanExtended:       "Extended",
	PlanReferred:       "Referred",
	PlanChanged:        "Changed approach",
	PlanOnHold:         "On hold",
	PlanDiscontinued:   "Discontinued",
	PlanCancelled:      "Cancelled",
	PlanEnteredInError: "Entered in error",
}

// Label is the status as a person reads it; unknown statuses echo their code.
func (s PlanStatus) Label() string {
	if l, ok := planStatusLabels[s]; ok {
		return l
	}
	return string(s)
}

// Valid reports whether s is one of the plan statuses.
func (s PlanStatus) Valid() bool {
	_, ok := planStatusLabels[s]
	return ok
}

// Terminal reports whether no event other than a correction can move s.
func (s PlanStatus) Terminal() bool {
	switch s {
	case PlanCompleted, PlanReferred, PlanChanged, PlanDiscontinued, PlanCancelled, PlanEnteredInError:
		return true
	}
	return false
}

// PlanEvent is something that happens to a plan and may move its status.
type PlanEvent string

// Plan events.
const (
	PlanEventStart           PlanEvent = "start"
	PlanEventReassessmentDue PlanEvent = "reassessment_due"
	PlanEventGoalMet         PlanEvent = "goal_met"
	PlanEventExtend          PlanEvent = "extend"
	PlanEventRefer           PlanEvent = "refer"
	PlanEventChangeApproach  PlanEvent = "change_approach"
	PlanEventHold            PlanEvent = "hold"
	PlanEventResume          PlanEvent = "resume"
	PlanEventDiscontinue     PlanEvent = "discontinue"
	PlanEventAbandon         PlanEvent = "abandon"
	PlanEventMarkError       PlanEvent = "mark_error"
	// PlanEventSessionUndone takes back a reassessment-due move when the completion that made
	// it is undone (TreatmentPlan.DueTakenBack decides when); no one chooses it on a page.
	PlanEventSessionUndone PlanEvent = "session_undone"
)

// MaxPlanExtensions caps extension courses so a plan cannot drift into
// indefinite weekly sessions; a second partial response is a referral prompt.
const MaxPlanExtensions = 1

// PlanFlag is an open contraindication flag as the plan rules see it.
// Action is the flag's safety action (emergency, urgent_medical,
// refer_before_treatment, defer, clearance_required, local_avoid, modify,
// flag_only).
type PlanFlag struct {
	Code   string
	Action string
}

// blocksStart reports whether a flag with this action must be resolved
// before a plan may start; local_avoid, modify and flag_only only shape it.
func (f PlanFlag) blocksStart() bool {
	switch f.Action {
	case "emergency", "urgent_medical", "refer_before_treatment", "defer", "clearance_required":
		return true
	}
	return false
}

// PlanFacts is what the plan rules need to know about a plan and its client.
// The caller adds one to ExtensionsUsed after PlanEventExtend succeeds.
type PlanFacts struct {
	Status              PlanStatus
	Layers              []PlanLayer
	OpenFlags           []PlanFlag // flags not cleared or expired
	HasTreatmentConsent bool
	ReferralRecorded    bool // a referral for the rehab layer has been sent
	ExtensionsUsed      int
}

// ErrPlanTransition says an event does not apply to a plan in its status.
type ErrPlanTransition struct {
	From  PlanStatus
	Event PlanEvent
}

func (e *ErrPlanTransition) Error() string {
	return fmt.Sprintf("plan transition: %q does not apply to a plan that is %q", e.Event, e.From)
}

// ErrPlanOpenFlag says a plan cannot start while safety flags are open.
type ErrPlanOpenFlag struct {
	Flags []PlanFlag
}

func (e *ErrPlanOpenFlag) Error() string {
	parts := make([]string, len(e.Flags))
	for i, f := range e.Flags {
		parts[i] = f.Code + " (" + f.Action + ")"
	}
	return "plan start: open safety flags must be resolved first: " + strings.Join(parts, ", ")
}

// ErrPlanNeedsConsent says a plan cannot start without treatment consent.
type ErrPlanNeedsConsent struct{}

func (e *ErrPlanNeedsConsent) Error() string {
	return "plan start: the client has not given treatment consent"
}

// ErrPlanNeedsReferral says a plan with a rehab layer cannot complete until
// its referral has been recorded, because massage is only the adjunct there.
type ErrPlanNeedsReferral struct{}

func (e *ErrPlanNeedsReferral) Error() string {
	return "plan completion: the plan has a rehab referral layer and no referral has been recorded"
}

// ErrPlanExtensionUsed says the plan has already had its extension course.
type ErrPlanExtensionUsed struct {
	Used, Max int
}

func (e *ErrPlanExtensionUsed) Error() string {
	return fmt.Sprintf("plan extension: %d of %d extensions already used; consider a referral or a change of approach", e.Used, e.Max)
}

type planTransition struct {
	from  []PlanStatus
	event PlanEvent
	to    PlanStatus
	guard func(PlanFacts) error
}

var (
	planRunning     = []PlanStatus{PlanActive, PlanExtended}
	planStoppable   = []PlanStatus{PlanActive, PlanExtended, PlanReassessDue, PlanOnHold}
	planAllStatuses = []PlanStatus{PlanDraft, PlanActive, PlanReassessDue, PlanCompleted, PlanExtended, PlanReferred, PlanChanged, PlanOnHold, PlanDiscontinued, PlanCancelled}
	planMachine     = []planTransition{
		{[]PlanStatus{PlanDraft}, PlanEventStart, PlanActive, planGuardStart},
		{[]PlanStatus{PlanDraft}, PlanEventAbandon, PlanCancelled, nil},
		{planRunning, PlanEventReassessmentDue, PlanReassessDue, nil},
		{[]PlanStatus{PlanReassessDue}, PlanEventSessionUndone, PlanActive, nil},
		{[]PlanStatus{PlanReassessDue}, PlanEventGoalMet, PlanCompleted, planGuardComplete},
		{[]PlanStatus{PlanReassessDue}, PlanEventExtend, PlanExtended, planGuardExtend},
		{[]PlanStatus{PlanReassessDue}, PlanEventChangeApproach, PlanChanged, nil},
		// A new red flag can force a referral at any point, not only at review.
		{planStoppable, PlanEventRefer, PlanReferred, nil},
		{planRunning, PlanEventHold, PlanOnHold, nil},
		{[]PlanStatus{PlanOnHold}, PlanEventResume, PlanActive, nil},
		{planStoppable, PlanEventDiscontinue, PlanDiscontinued, nil},
		{planAllStatuses, PlanEventMarkError, PlanEnteredInError, nil},
	}
)

func planGuardStart(p PlanFacts) error {
	var open []PlanFlag
	for _, f := range p.OpenFlags {
		if f.blocksStart() {
			open = append(open, f)
		}
	}
	if len(open) > 0 {
		return &ErrPlanOpenFlag{Flags: open}
	}
	if !p.HasTreatmentConsent {
		return &ErrPlanNeedsConsent{}
	}
	return nil
}

func planGuardComplete(p PlanFacts) error {
	if slices.Contains(p.Layers, PlanLayerRehabReferral) && !p.ReferralRecorded {
		return &ErrPlanNeedsReferral{}
	}
	return nil
}

func planGuardExtend(p PlanFacts) error {
	if p.ExtensionsUsed >= MaxPlanExtensions {
		return &ErrPlanExtensionUsed{Used: p.ExtensionsUsed, Max: MaxPlanExtensions}
	}
	return nil
}

// NextPlanStatus applies ev to a plan and returns its new status. It returns
// *ErrPlanTransition when ev does not apply to the current status, and the
// guard's error (*ErrPlanOpenFlag, *ErrPlanNeedsConsent, *ErrPlanNeedsReferral,
// *ErrPlanExtensionUsed) when it applies but may not happen yet.
func NextPlanStatus(p PlanFacts, ev PlanEvent) (PlanStatus, error) {
	for _, t := range planMachine {
		if t.event != ev || !slices.Contains(t.from, p.Status) {
			continue
		}
		if t.guard != nil {
			if err := t.guard(p); err != nil {
				return p.Status, err
			}
		}
		// A plan held, or taken back from its review, during its extension course goes back
		// to that course.
		if (ev == PlanEventResume || ev == PlanEventSessionUndone) && p.ExtensionsUsed > 0 {
			return PlanExtended, nil
		}
		return t.to, nil
	}
	return p.Status, &ErrPlanTransition{From: p.Status, Event: ev}
}

// AllowedPlanEvents lists the events that would succeed now, in table order,
// so a page can offer only the buttons that work. Corrections, and the undoing of a session
// that follows only from the desk's undo, are left out.
func AllowedPlanEvents(p PlanFacts) []PlanEvent {
	var evs []PlanEvent
	for _, t := range planMachine {
		if t.event == PlanEventMarkError || t.event == PlanEventSessionUndone || slices.Contains(evs, t.event) {
			continue
		}
		if _, err := NextPlanStatus(p, t.event); err == nil {
			evs = append(evs, t.event)
		}
	}
	return evs
}

// PlanLayer is one strand of a plan's approach.
type PlanLayer string

// Plan layers. A rehab referral runs alongside a massage layer, never alone.
const (
	PlanLayerRemedialTriggerPoint PlanLayer = "remedial_trigger_point"
	PlanLayerTuiNa                PlanLayer = "tui_na"
	PlanLayerSportsRecovery       PlanLayer = "sports_recovery"
	PlanLayerRelaxation           PlanLayer = "relaxation"
	PlanLayerRehabReferral        PlanLayer = "rehab_referral"
)

// layerAliases maps the self-assessment's layer names onto plan layers, so
// a suggested layer from an intake can seed a plan draft.
var layerAliases = map[string]PlanLayer{
	"remedial_trigger_point":     PlanLayerRemedialTriggerPoint,
	"remedial_trp":               PlanLayerRemedialTriggerPoint,
	"tui_na":                     PlanLayerTuiNa,
	"eastern_systemic":           PlanLayerTuiNa,
	"sports_recovery":            PlanLayerSportsRecovery,
	"relaxation":                 PlanLayerRelaxation,
	"relaxation_parasympathetic": PlanLayerRelaxation,
	"rehab_referral":             PlanLayerRehabReferral,
}

// ParsePlanLayer reads a layer code, accepting the self-assessment's names.
func ParsePlanLayer(s string) (PlanLayer, bool) {
	l, ok := layerAliases[strings.ToLower(strings.TrimSpace(s))]
	return l, ok
}

// PlanLayers lists the layers in the order a form shows them.
func PlanLayers() []PlanLayer {
	return []PlanLayer{PlanLayerRemedialTriggerPoint, PlanLayerTuiNa, PlanLayerSportsRecovery, PlanLayerRelaxation, PlanLayerRehabReferral}
}

// Goal is one thing the client wants back, with the measure that shows it.
// Activity names the PSFS activity; it is empty for pain goals.
type Goal struct {
	Description string
	Measure     GoalMeasure
	Activity    string
	Baseline    float64
	Target      float64
}

// Plan defaults and allowed ranges. Several sessions close together beat
// occasional ones, and a gap past ten days loses the course's momentum.
const (
	DefaultPlannedSessions = 4
	MinPlannedSessions     = 3
	MaxPlannedSessions     = 6
	DefaultTargetDays      = 7
	DefaultMinDays         = 3 // lets post-treatment soreness settle
	DefaultMaxDays         = 10
	ReassessByDay          = 28
)

// TreatmentPlanDraft is a plan as a therapist fills it in, before it starts.
// Dates are calendar days: only their year, month and day are read.
type TreatmentPlanDraft struct {
	Layers           []PlanLayer
	Goals            []Goal
	PlannedSessions  int
	TargetDays       int
	MinDays          int
	MaxDays          int
	StartDate        time.Time
	ReassessmentDate time.Time // zero means the default
}

// NewTreatmentPlanDraft returns a draft starting on start with the default dose.
func NewTreatmentPlanDraft(start time.Time) TreatmentPlanDraft {
	return TreatmentPlanDraft{
		PlannedSessions: DefaultPlannedSessions,
		TargetDays:      DefaultTargetDays,
		MinDays:         DefaultMinDays,
		MaxDays:         DefaultMaxDays,
		StartDate:       start,
	}
}

// DefaultReassessmentDate is the day of the last planned session at the
// target spacing, or 28 days after the start, whichever comes first: the
// review happens at the end of the course but never drifts past four weeks.
func DefaultReassessmentDate(start time.Time, plannedSessions, targetDays int) time.Time {
	last := planDay(start).AddDate(0, 0, (plannedSessions-1)*targetDays)
	byDay := planDay(start).AddDate(0, 0, ReassessByDay)
	if last.Before(byDay) {
		return last
	}
	return byDay
}

// EffectiveReassessmentDate is the draft's reassessment date, or the default.
func (d TreatmentPlanDraft) EffectiveReassessmentDate() time.Time {
	if !d.ReassessmentDate.IsZero() {
		return planDay(d.ReassessmentDate)
	}
	return DefaultReassessmentDate(d.StartDate, d.PlannedSessions, d.TargetDays)
}

// Validate checks a draft and returns a message per field that is wrong,
// keyed by form field name (goals as "goals.0.target"); empty means valid.
func (d TreatmentPlanDraft) Validate() map[string]string {
	errs := map[string]string{}
	d.validateLayers(errs)
	d.validateDose(errs)
	if len(d.Goals) == 0 {
		errs["goals"] = "Add at least one goal."
	}
	for i, g := range d.Goals {
		g.validate(fmt.Sprintf("goals.%d.", i), errs)
	}
	return errs
}

func (d TreatmentPlanDraft) validateLayers(errs map[string]string) {
	massage := false
	for i, l := range d.Layers {
		if !slices.Contains(PlanLayers(), l) {
			errs["layers"] = fmt.Sprintf("%q is not a plan layer.", l)
			return
		}
		if slices.Contains(d.Layers[:i], l) {
			errs["layers"] = fmt.Sprintf("%q is chosen twice.", l)
			return
		}
		massage = massage || l != PlanLayerRehabReferral
	}
	if !massage {
		errs["layers"] = "Choose at least one massage layer; a rehab referral runs alongside one."
	}
}

func (d TreatmentPlanDraft) validateDose(errs map[string]string) {
	if d.PlannedSessions < MinPlannedSessions || d.PlannedSessions > MaxPlannedSessions {
		errs["planned_sessions"] = fmt.Sprintf("A course has %d to %d sessions.", MinPlannedSessions, MaxPlannedSessions)
	}
	switch {
	case d.MinDays < DefaultMinDays:
		errs["min_days"] = fmt.Sprintf("Leave at least %d days between sessions.", DefaultMinDays)
	case d.TargetDays < d.MinDays:
		errs["target_days"] = "The target spacing cannot be shorter than the minimum."
	case d.MaxDays < d.TargetDays:
		errs["max_days"] = "The maximum spacing cannot be shorter than the target."
	case d.MaxDays > MaxSpacingDays:
		errs["max_days"] = fmt.Sprintf("Keep sessions within %d days of each other.", MaxSpacingDays)
	}
	if d.StartDate.IsZero() {
		errs["start_date"] = "Choose a start date."
		return
	}
	if !d.ReassessmentDate.IsZero() && !planDay(d.ReassessmentDate).After(planDay(d.StartDate)) {
		errs["reassessment_date"] = "The reassessment must come after the start."
	}
}

func (g Goal) validate(prefix string, errs map[string]string) {
	if strings.TrimSpace(g.Description) == "" {
		errs[prefix+"description"] = "Describe the goal in the client's words."
	}
	if !g.Measure.Valid() {
		errs[prefix+"measure"] = "Choose how the goal is measured."
		return
	}
	if g.Measure == MeasurePSFS && strings.TrimSpace(g.Activity) == "" {
		errs[prefix+"activity"] = "Name the activity the client rates."
	}
	lo, hi := g.Measure.Range()
	switch {
	case g.Baseline < lo || g.Baseline > hi:
		errs[prefix+"baseline"] = fmt.Sprintf("Use a value from %g to %g.", lo, hi)
	case g.Target < lo || g.Target > hi:
		errs[prefix+"target"] = fmt.Sprintf("Use a value from %g to %g.", lo, hi)
	case !g.Measure.better(g.Target, g.Baseline):
		errs[prefix+"target"] = "The target must be better than the baseline."
	}
}

// planDay keeps a value's calendar fields and drops the time of day.
func planDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
