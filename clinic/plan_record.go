package clinic

import "time"

// TreatmentPlan is a plan with its goals, readings, sessions and history. Its status moves
// only through NextPlanStatus, inside the store's transaction.
type TreatmentPlan struct {
	ID                int64
	ClientID          int64
	ClientName        string
	TherapistID       int64
	TherapistName     string
	AssessmentID      int64
	FindingsID        int64
	PreviousPlanID    int64
	Status            PlanStatus
	Layers            []PlanLayer
	Goals             []PlanGoal
	PlannedSessions   int // the first course
	ExtensionSessions int // the extension course, 0 until extended
	TargetDays        int
	MinDays           int
	MaxDays           int
	StartDate         Date
	ReassessmentDate  Date
	MaintenanceDue    Date // zero unless the plan ended in monthly maintenance
	ExtensionsUsed    int
	HomeCare          string
	Version           int
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Sessions          []PlanSession // the plan's appointments, in time order
	SessionsDone      int
	Events            []PlanEventRecord
	Reassessments     []ReassessmentRecord
	Facts             PlanFacts // what the plan rules need, for the buttons a page offers
}

// TotalSessions is the number of sessions planned, the extension course included.
func (p TreatmentPlan) TotalSessions() int { return p.PlannedSessions + p.ExtensionSessions }

// Running reports whether the plan's sessions are under way.
func (p TreatmentPlan) Running() bool {
	return p.Status == PlanActive || p.Status == PlanExtended
}

// Due reports whether a running plan has reached its review: the planned sessions are done, or
// the reassessment date has come.
func (p TreatmentPlan) Due(today Date) bool {
	return p.Running() && (p.SessionsDone >= p.TotalSessions() || !today.Before(p.ReassessmentDate))
}

// DueTakenBack reports whether undoing a session's completion, recorded at completedAt, takes
// the plan back from reassessment due to its course (PlanEventSessionUndone). The plan is read
// as it stands once the completion is undone, so SessionsDone no longer counts that session.
// Due, the rule that moved the plan forward, decides the way back: the plan returns only when
// Due no longer holds without the session; a plan whose review date has come, or whose session
// still counts through its signed note, stays due. Only the rules' own move is taken back: the
// plan's last event must be the reassessment-due move recorded by the plan rules, not a person,
// at or after the completion. A plan someone has moved since (reassessed, extended, completed,
// referred, discontinued, or marked due by hand) carries a clinical decision about the client
// that a corrected desk record must not overturn; it is left where it is.
func (p TreatmentPlan) DueTakenBack(completedAt time.Time, today Date) bool {
	if p.Status != PlanReassessDue || len(p.Events) == 0 {
		return false
	}
	last := p.Events[len(p.Events)-1]
	if last.Event != PlanEventReassessmentDue || !last.Automatic || last.At.Before(completedAt) {
		return false
	}
	back, err := NextPlanStatus(p.Facts, PlanEventSessionUndone)
	if err != nil {
		return false
	}
	p.Status = back
	return !p.Due(today)
}

// Reassessable reports whether a reassessment may be recorded now.
func (p TreatmentPlan) Reassessable() bool { return p.Running() || p.Status == PlanReassessDue }

// PlanGoal is one goal of a plan with its readings in time order.
type PlanGoal struct {
	ID int64
	Goal
	Readings []OutcomeReading
}

// Latest is the newest reading's value, or the baseline when there is none yet.
func (g PlanGoal) Latest() float64 {
	if n := len(g.Readings); n > 0 {
		return g.Readings[n-1].Value
	}
	return g.Baseline
}

// ChartReadings are the goal's readings as the progress chart takes them.
func (g PlanGoal) ChartReadings() []ChartReading {
	out := make([]ChartReading, len(g.Readings))
	for i, r := range g.Readings {
		out[i] = ChartReading{Session: r.Session, Taken: r.TakenAt, Value: r.Value}
	}
	return out
}

// OutcomeReading is one score of a goal, from a signed note or a reassessment. Session is the
// session's number within the plan, 0 for a reassessment.
type OutcomeReading struct {
	ID             int64
	GoalID         int64
	NoteID         int64
	ReassessmentID int64
	Value          float64
	TakenAt        time.Time
	Session        int
}

// PlanSession is one of the plan's appointments.
type PlanSession struct {
	Number        int
	AppointmentID int64
	Start         time.Time
	Status        ApptStatus
	TherapistName string
	ServiceName   string
	NoteID        int64  // 0 in the client's view
	NoteStatus    string // "" in the client's view
	NoteOpen      bool   // its note may be written now (NoteOpen); false in the client's view
}

// PlanEventRecord is one step of the plan's history.
type PlanEventRecord struct {
	Event  PlanEvent
	From   PlanStatus
	To     PlanStatus
	Reason string
	Actor  string
	At     time.Time
	// Automatic is true for a move the plan rules made themselves (no person recorded it).
	Automatic bool
}

// ReassessmentRecord is a recorded reassessment and its decision.
type ReassessmentRecord struct {
	ID               int64
	AppointmentID    int64
	Decision         ReassessDecision
	Rationale        string
	From, To         PlanStatus
	MaintenanceDue   Date
	NextReassessment Date
	Therapist        string
	At               time.Time
	Goals            []ReassessedGoal
}

// ReassessedGoal is one goal's comparison at a reassessment.
type ReassessedGoal struct {
	GoalID    int64
	Baseline  float64
	Current   float64
	Gain      float64
	Verdict   ChangeVerdict
	TargetMet bool
}

// CompareGoals applies the meaningful-change rule to each goal's score now. A goal without a
// score is left out.
func CompareGoals(goals []PlanGoal, current map[int64]float64) []GoalProgress {
	var out []GoalProgress
	for _, g := range goals {
		if v, ok := current[g.ID]; ok {
			out = append(out, AssessGoal(g.Goal, v))
		}
	}
	return out
}
