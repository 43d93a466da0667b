package clinic

import "time"

// ClientRecord is everything the clinic holds about one client, as the client
// receives it when they ask for their record: the readable document and the
// JSON are both made from this, so they always agree. Clinical notes are in it
// only where the clinic's policy releases them (Settings.ReleaseNotes).
type ClientRecord struct {
	Clinic        string             `json:"clinic"`
	GeneratedAt   time.Time          `json:"generated_at"`
	Details       RecordDetails      `json:"details"`
	Bookings      []RecordBooking    `json:"bookings"`
	Assessments   []RecordAssessment `json:"assessments"`
	Plans         []RecordPlan       `json:"plans"`
	Outcomes      []RecordReading    `json:"outcomes"`
	NotesReleased bool               `json:"notes_released"`
	Notes         []RecordNote       `json:"notes"`
}

// RecordDetails are the client's own details.
type RecordDetails struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	BirthDate string    `json:"birth_date"`
	Cautions  string    `json:"cautions"`
	Notes     string    `json:"notes"`
	Since     time.Time `json:"client_since"`
}

// RecordBooking is one appointment, cancelled ones included.
type RecordBooking struct {
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Service      string    `json:"service"`
	Therapist    string    `json:"therapist"`
	Status       string    `json:"status"`
	CancelReason string    `json:"cancel_reason,omitempty"`
}

// RecordAssessment is one submitted self-assessment.
type RecordAssessment struct {
	Submitted      time.Time `json:"submitted"`
	Class          string    `json:"class"`
	ConfirmedClass string    `json:"confirmed_class,omitempty"`
	SafetyOutcome  string    `json:"safety_outcome"`
}

// RecordPlan is one treatment plan with its goals.
type RecordPlan struct {
	ID               int64        `json:"id"`
	Status           string       `json:"status"`
	StartDate        string       `json:"start_date"`
	ReassessmentDate string       `json:"reassessment_date"`
	Layers           []string     `json:"layers"`
	Sessions         int          `json:"planned_sessions"`
	HomeCare         string       `json:"home_care"`
	Goals            []RecordGoal `json:"goals"`
}

// RecordGoal is one goal of a plan.
type RecordGoal struct {
	Description string  `json:"description"`
	Measure     string  `json:"measure"`
	Baseline    float64 `json:"baseline"`
	Target      float64 `json:"target"`
}

// RecordReading is one outcome score.
type RecordReading struct {
	Taken   time.Time `json:"taken"`
	PlanID  int64     `json:"plan_id"`
	Goal    string    `json:"goal"`
	Measure string    `json:"measure"`
	Value   float64   `json:"value"`
}

// RecordNote is one signed session note, when the clinic releases notes.
type RecordNote struct {
	Signed     time.Time `json:"signed"`
	Therapist  string    `json:"therapist"`
	Subjective string    `json:"subjective"`
	Objective  string    `json:"objective"`
	Response   string    `json:"response"`
	Progress   string    `json:"progress"`
	HomeCare   string    `json:"home_care"`
}
