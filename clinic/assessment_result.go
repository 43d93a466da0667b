package clinic

import "slices"

// SafetyOutcome is the result of the safety gate, the first thing scored and
// never traded off against the class scores.
type SafetyOutcome string

const (
	SafetyClear                SafetyOutcome = "clear"
	SafetyDefer                SafetyOutcome = "defer"
	SafetyReferBeforeTreatment SafetyOutcome = "refer_before_treatment"
	SafetyUrgentMedical        SafetyOutcome = "urgent_medical"
	SafetyEmergency            SafetyOutcome = "emergency"
)

// severity orders outcomes so the most serious answer decides.
func (o SafetyOutcome) severity() int {
	return slices.Index([]SafetyOutcome{SafetyClear, SafetyDefer, SafetyReferBeforeTreatment,
		SafetyUrgentMedical, SafetyEmergency}, o)
}

// ComplaintClass is what seems to drive a complaint. The three base classes
// are a working model to be checked against the therapist's view at the
// first visit, not a validated taxonomy.
type ComplaintClass string

const (
	ComplaintMechanical       ComplaintClass = "mechanical"
	ComplaintSystemic         ComplaintClass = "systemic"
	ComplaintRecovery         ComplaintClass = "recovery"
	ComplaintMixed            ComplaintClass = "mixed"
	ComplaintUndifferentiated ComplaintClass = "undifferentiated"
)

// complaintBaseClasses fixes the order used to break ties and to list scores.
func complaintBaseClasses() []ComplaintClass {
	return []ComplaintClass{ComplaintMechanical, ComplaintSystemic, ComplaintRecovery}
}

// AssessmentConfidence says how clearly the answers point one way.
type AssessmentConfidence string

const (
	AssessmentConfidenceHigh   AssessmentConfidence = "high"
	AssessmentConfidenceMedium AssessmentConfidence = "medium"
	AssessmentConfidenceLow    AssessmentConfidence = "low"
)

// AssessmentFlag marks something the therapist must act on beside the class.
type AssessmentFlag string

const (
	AssessmentFlagRehabReferral        AssessmentFlag = "rehab_referral"
	AssessmentFlagWidespreadPain       AssessmentFlag = "widespread_pain_gp_review"
	AssessmentFlagPersistenceRisk      AssessmentFlag = "high_persistence_risk"
	AssessmentFlagRecoveryNotResolving AssessmentFlag = "recovery_not_resolving"
	AssessmentFlagNeuroSymptoms        AssessmentFlag = "neuro_symptoms"
)

// AssessmentScores are the three class scores scaled to 0-100.
type AssessmentScores struct {
	Mechanical int `json:"mechanical"`
	Systemic   int `json:"systemic"`
	Recovery   int `json:"recovery"`
}

// Of returns the score of a base class, 0 for any other.
func (s AssessmentScores) Of(c ComplaintClass) int {
	switch c {
	case ComplaintMechanical:
		return s.Mechanical
	case ComplaintSystemic:
		return s.Systemic
	case ComplaintRecovery:
		return s.Recovery
	}
	return 0
}

func (s *AssessmentScores) add(c ComplaintClass, n int) {
	switch c {
	case ComplaintMechanical:
		s.Mechanical += n
	case ComplaintSystemic:
		s.Systemic += n
	case ComplaintRecovery:
		s.Recovery += n
	}
}

// ranked lists the base classes from highest score down; ties keep the
// fixed order so the same answers always rank the same way.
func (s AssessmentScores) ranked() []ComplaintClass {
	out := complaintBaseClasses()
	slices.SortStableFunc(out, func(a, b ComplaintClass) int { return s.Of(b) - s.Of(a) })
	return out
}

// AssessmentContribution is what one answer added to one class.
type AssessmentContribution struct {
	Item   string         `json:"item"`
	Answer string         `json:"answer"`
	Class  ComplaintClass `json:"class"`
	Points int            `json:"points"`
	Reason string         `json:"reason"`
}

// AssessmentSafetyTrigger is one safety answer that set the outcome.
type AssessmentSafetyTrigger struct {
	Item    string        `json:"item"`
	Outcome SafetyOutcome `json:"outcome"`
	Reason  string        `json:"reason"`
}

// AssessmentSafety is the gate's decision and what the page may show.
type AssessmentSafety struct {
	Outcome     SafetyOutcome             `json:"outcome"`
	Headline    string                    `json:"headline,omitempty"`
	Triggers    []AssessmentSafetyTrigger `json:"triggers"`
	WhatToDoNow []string                  `json:"what_to_do_now"`
	// BookingBlocked stops online booking; the clinic books by hand once a
	// doctor has seen the person.
	BookingBlocked bool `json:"booking_blocked"`
	// ClassShownToClient is false when the client must see only the safety
	// advice; the therapist still sees the scores.
	ClassShownToClient bool `json:"class_shown_to_client"`
	// ClinicAlerted asks the clinic to follow up (a referral draft).
	ClinicAlerted bool `json:"clinic_alerted"`
}

// AssessmentFlagResult is a raised flag, its advice and why it was raised.
type AssessmentFlagResult struct {
	Flag    AssessmentFlag `json:"flag"`
	Advice  string         `json:"advice"`
	Reasons []string       `json:"reasons"`
}

// AssessmentLayer is one suggested treatment layer.
type AssessmentLayer struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	Role      string `json:"role"` // primary, optional or alongside
	Addresses string `json:"addresses"`
	Evidence  string `json:"evidence"`
}

// AssessmentCourse is the suggested first course of sessions. Service keys
// are catalogue keys.
type AssessmentCourse struct {
	FirstVisitService string `json:"first_visit_service"`
	Service           string `json:"service"`
	Sessions          int    `json:"sessions"`
	SpacingDays       int    `json:"spacing_days"`
	ReassessAtSession int    `json:"reassess_at_session"`
	Summary           string `json:"summary"`
	Note              string `json:"note,omitempty"`
}

// CourseBooking is what "Book this course" books for a result's course: the first visit's
// service (the longer visit with assessment) when it differs, then the course's service for the
// other sessions, at the course's spacing. A course of one session (an undifferentiated result)
// books that assessment visit only: its plan is made from what it shows.
type CourseBooking struct {
	FirstService string // "" when every session is Service
	Service      string
	Sessions     int
	SpacingDays  int // 0 for a single visit
}

// Booking is the booking that starts this course.
func (c AssessmentCourse) Booking() CourseBooking {
	if c.Sessions <= 1 || c.SpacingDays == 0 {
		return CourseBooking{Service: c.FirstVisitService, Sessions: 1}
	}
	b := CourseBooking{Service: c.Service, Sessions: c.Sessions, SpacingDays: c.SpacingDays}
	if c.FirstVisitService != c.Service {
		b.FirstService = c.FirstVisitService
	}
	return b
}

// AssessmentCaution is a caution passed to the therapist. It is not a
// diagnosis; Action uses the clinic's safety vocabulary (modify,
// local_avoid, clearance_required).
type AssessmentCaution struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Action string `json:"action"`
	Note   string `json:"note"`
}

// AssessmentResult is everything the result page, the therapist and the
// store need. Its JSON field names are stable: the store keeps the JSON, and
// a stored result is shown as stored, never re-scored under newer weights.
type AssessmentResult struct {
	Version              string                   `json:"version"`
	QuestionnaireVersion string                   `json:"questionnaire_version"`
	Safety               AssessmentSafety         `json:"safety"`
	Scores               AssessmentScores         `json:"scores"`
	Primary              ComplaintClass           `json:"primary_class"`
	MixedClasses         []ComplaintClass         `json:"mixed_classes,omitempty"`
	Summary              string                   `json:"summary"`
	Confidence           AssessmentConfidence     `json:"confidence"`
	AnsweredPercent      int                      `json:"answered_percent"`
	Flags                []AssessmentFlagResult   `json:"flags"`
	Contributions        []AssessmentContribution `json:"contributions"`
	WhatWouldChange      []string                 `json:"what_would_change"`
	Layers               []AssessmentLayer        `json:"layers"`
	Course               *AssessmentCourse        `json:"course,omitempty"`
	Cautions             []AssessmentCaution      `json:"cautions"`
	Disclaimer           string                   `json:"disclaimer"`
}

// TopReasons returns the n largest contributions to the class shown: the
// primary class, both classes of a mix, or every class when undecided.
func (r AssessmentResult) TopReasons(n int) []AssessmentContribution {
	want := r.MixedClasses
	if r.Primary != ComplaintMixed {
		want = []ComplaintClass{r.Primary}
	}
	var out []AssessmentContribution
	for _, c := range r.Contributions {
		if len(out) == n {
			break
		}
		if r.Primary == ComplaintUndifferentiated || slices.Contains(want, c.Class) {
			out = append(out, c)
		}
	}
	return out
}

// HasFlag reports whether a flag was raised.
func (r AssessmentResult) HasFlag(f AssessmentFlag) bool {
	return slices.ContainsFunc(r.Flags, func(x AssessmentFlagResult) bool { return x.Flag == f })
}

// NeedsClearance reports whether a caution asks for written medical
// clearance before treatment starts.
func (r AssessmentResult) NeedsClearance() bool {
	return slices.ContainsFunc(r.Cautions, func(c AssessmentCaution) bool { return c.Action == "clearance_required" })
}
