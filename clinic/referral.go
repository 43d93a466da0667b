package clinic

import (
	"fmt"
	"strconv"
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

// ReferralDraft is what the chart holds for a referral letter: the client, the latest
// findings, the plan and the reason chosen. Any of the record parts may be missing.
type ReferralDraft struct {
	Client    ChartClient
	Therapist string
	Clinic    string
	Findings  *Findings      // the latest findings record, nil when none
	Plan      *TreatmentPlan // the plan the referral is about (or the newest), nil when none
	Reason    string         // a ReferralReasons code, "" when not chosen yet
}

// Letter is a first draft of the referral letter from the chart, for the therapist to edit:
// what was found, the plan's goals with where they started and stand now, and the reason.
func (d ReferralDraft) Letter() string {
	born := ""
	if d.Client.BirthDate != "" {
		born = " (born " + d.Client.BirthDate + ")"
	}
	lines := []string{"Dear colleague,", "",
		"I am writing about " + d.Client.Name + born + ", whom I have been treating with massage therapy.", ""}
	if f := d.Findings; f != nil {
		lines = append(lines, "What I found ("+f.CreatedAt.Format("2 January 2006")+"):")
		add := func(label, v string) {
			if strings.TrimSpace(v) != "" {
				lines = append(lines, "- "+label+": "+strings.TrimSpace(v))
			}
		}
		add("Complaint", f.Complaint)
		add("Worse with", f.Aggravating)
		add("Eased by", f.Easing)
		var areas []string
		for _, code := range f.Regions {
			for _, a := range BodyChartAreas() {
				if a.Code == code {
					areas = append(areas, strings.ToLower(a.Label))
				}
			}
		}
		add("Areas", strings.Join(areas, ", "))
		add("Impression", f.Impression)
	} else {
		lines = append(lines, "What I found:")
	}
	lines = append(lines, "", "What we did and how they responded:")
	if p := d.Plan; p != nil {
		lines = append(lines, fmt.Sprintf("- %d of %d planned sessions since %s.", p.SessionsDone, p.TotalSessions(), p.StartDate))
		for _, g := range p.Goals {
			now := "no reading yet"
			if len(g.Readings) > 0 {
				now = "now " + fmtScore(g.Latest())
			}
			lines = append(lines, fmt.Sprintf("- %s (%s): started at %s, %s, aiming for %s.", g.Description,
				strings.ToLower(g.Measure.Label()), fmtScore(g.Baseline), now, fmtScore(g.Target)))
		}
	}
	lines = append(lines, "", "Why I am referring:")
	for _, r := range referralReasons {
		if r.Code == d.Reason && d.Reason != "other" {
			lines = append(lines, "- "+r.Label+".")
		}
	}
	return strings.Join(append(lines, "",
		"I would be grateful for your assessment. Please let me know if you need anything further.", "",
		"Kind regards,", d.Therapist, d.Clinic), "\n")
}

func fmtScore(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
