package clinic

import (
	"strings"
	"time"
)

// Referral is a letter to another practitioner: where, why and how soon.
type Referral struct {
	ID              int64
	ClientID        int64
	ClientName      string
	ClientBirthDate string
	PlanID          int64
	ReassessmentID  int64
	AuthorID        int64
	AuthorName      string
	Target          string
	Reason          string
	Urgency         string
	Letter          string
	Status          string // draft, sent or cancelled
	CreatedAt       time.Time
	SentAt          time.Time
}

// Referral vocabularies.
var (
	referralTargets = []ChartTerm{{"gp", "General practitioner (GP)"}, {"physiotherapist", "Physiotherapist"},
		{"exercise_physiologist", "Exercise physiologist"}, {"sports_physician", "Sports physician"},
		{"strength_conditioning", "Strength and conditioning coach"}, {"psychologist", "Psychologist"},
		{"podiatrist", "Podiatrist"}, {"dentist_tmj", "Dentist (jaw)"}, {"midwife_obstetrician", "Midwife or obstetrician"},
		{"oncology_team", "Oncology team"}, {"tcm_acupuncturist", "TCM practitioner or acupuncturist"},
		{"emergency_services", "Emergency services"}, {"other", "Other practitioner"}}
	referralReasons = []ChartTerm{{"no_response_to_course", "No meaningful change after a course of treatment"},
		{"structural_or_load_deficit", "Strength, load or structural problem that needs rehabilitation"},
		{"neuro_deficit", "Neurological signs"}, {"widespread_pain_review", "Widespread pain: medical review"},
		{"persistent_fatigue_overreaching", "Persistent fatigue or overreaching"},
		{"psychosocial_support", "Stress, mood or sleep: support"}, {"suspected_fracture", "Suspected fracture"},
		{"suspected_dvt", "Suspected deep vein thrombosis"}, {"systemic_illness", "Signs of a possible systemic illness"},
		{"cancer_red_flags", "Red flags for serious illness"}, {"pregnancy_high_risk_clearance", "Pregnancy: clearance for treatment"},
		{"other", "Other"}}
	referralUrgencies = []ChartTerm{{"routine", "Routine"}, {"soon_2_weeks", "Within two weeks"},
		{"same_day", "Same day"}, {"emergency", "Emergency"}}
)

// ReferralTargets, ReferralReasons and ReferralUrgencies are the referral form's choices.
func ReferralTargets() []ChartTerm   { return referralTargets }
func ReferralReasons() []ChartTerm   { return referralReasons }
func ReferralUrgencies() []ChartTerm { return referralUrgencies }

// ReferralLetterMax caps a referral letter.
const ReferralLetterMax = 20000

// Validate checks a referral and returns a message per form field that is wrong.
func (r Referral) Validate() map[string]string {
	errs := map[string]string{}
	if !termKnown(referralTargets, r.Target) {
		errs["target"] = "Choose who the referral is to."
	}
	if !termKnown(referralReasons, r.Reason) {
		errs["reason"] = "Choose the reason for the referral."
	}
	if !termKnown(referralUrgencies, r.Urgency) {
		errs["urgency"] = "Choose how soon the client should be seen."
	}
	if strings.TrimSpace(r.Letter) == "" {
		errs["letter"] = "Write the letter."
	}
	return errs
}
