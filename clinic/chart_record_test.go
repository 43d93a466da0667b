package clinic

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The checks of the clinical forms: each wrong field gets its own message, keyed as the form
// names the field, so the page can show it beside that field.

func TestFindingsValidate(t *testing.T) {
	two := 2
	good := Findings{Kind: "initial", ConfirmedClass: "mechanical", Regions: []string{"shoulder_r", "neck"},
		Channels: []string{"GB"},
		Posture:  []PostureFinding{{Observation: "forward_head"}},
		ROM:      []ROMFinding{{Joint: "cervical", Movement: "rotation", Side: SideLeft, Mode: "active", Grade: "75", Pain: "end_range"}},
		Tests:    []TestFinding{{Name: "Spurling", Side: SideRight, Result: "negative"}},
		Palpation: []PalpationFinding{{Region: "upper_trap", Side: SideRight, Muscle: "trap_upper", Type: "trigger_point",
			Tenderness: &two}},
		Points: []PointFinding{{Code: "gb 21", Side: SideRight, Role: "local"}}}
	if errs := good.Validate(); len(errs) != 0 {
		t.Fatalf("a valid record: %v", errs)
	}
	if good.Points[0].Code != "GB21" {
		t.Errorf("acupoint kept as %q; want the canonical GB21", good.Points[0].Code)
	}
	five, deg := 5, 400
	for _, tc := range []struct {
		name  string
		edit  func(*Findings)
		field string
		want  string
	}{
		{"kind", func(f *Findings) { f.Kind = "final" }, "kind", "Choose the kind of visit."},
		{"class", func(f *Findings) { f.ConfirmedClass = "sideways" }, "confirmed_class", "Choose a class from the list."},
		{"body chart area", func(f *Findings) { f.Regions = []string{"tail"} }, "regions", `"tail" is not an area of the body chart.`},
		{"channel", func(f *Findings) { f.Channels = []string{"XX"} }, "channels", `"XX" is not a channel.`},
		{"posture", func(f *Findings) { f.Posture[0].Observation = "slouch" }, "posture.0.observation", "Choose an observation from the list."},
		{"degrees", func(f *Findings) { f.ROM[0].Degrees = &deg }, "rom.0.degrees", "Degrees run from 0 to 360."},
		{"test result", func(f *Findings) { f.Tests[0].Result = "maybe" }, "test.0.result", "Choose positive, negative or equivocal."},
		{"tenderness", func(f *Findings) { f.Palpation[0].Tenderness = &five }, "palp.0.tenderness", "Tenderness is graded 0 to IV."},
		{"muscle", func(f *Findings) { f.Palpation[0].Muscle = "biceps_femoris_x" }, "palp.0.muscle", "Choose a muscle from the list."},
		{"acupoint", func(f *Findings) { f.Points[0].Code = "GB45" }, "point.0.code", "is not an acupoint code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := good
			bad.ROM = slices.Clone(good.ROM)
			bad.Tests = slices.Clone(good.Tests)
			bad.Posture = slices.Clone(good.Posture)
			bad.Palpation = slices.Clone(good.Palpation)
			bad.Points = slices.Clone(good.Points)
			tc.edit(&bad)
			errs := bad.Validate()
			if !strings.Contains(errs[tc.field], tc.want) || len(errs) != 1 {
				t.Errorf("problems %v; want only %s: %q", errs, tc.field, tc.want)
			}
		})
	}
}

func TestSessionNoteValidate(t *testing.T) {
	pain, minutes := 11, 300
	for _, tc := range []struct {
		name    string
		note    SessionNote
		signing bool
		field   string
		want    string
	}{
		{"an empty draft is fine", SessionNote{}, false, "", ""},
		{"signing an empty note", SessionNote{}, true, "subjective", "Write the note before signing it."},
		{"pain out of range", SessionNote{PainToday: &pain}, false, "pain_today", "Pain is scored 0 to 10."},
		{"change not listed", SessionNote{Change: "sideways"}, false, "change", "Choose a change from the list."},
		{"score out of range", SessionNote{Scores: map[int64]float64{7: 12}}, false, "score.7", "Scores run from 0 to 10."},
		{"too long", SessionNote{Objective: strings.Repeat("é", NoteTextMax+1)}, false, "objective", "This is too long: at most 20000 characters."},
		{"technique not listed", SessionNote{Treatments: []NoteTreatment{{Technique: "karate"}}}, false, "tx.0.technique", "Choose a technique from the list."},
		{"minutes out of range", SessionNote{Treatments: []NoteTreatment{{Technique: "effleurage", Minutes: &minutes}}}, false, "tx.0.minutes", "Minutes run from 0 to 240."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.note.Validate(tc.signing)
			switch {
			case tc.field == "" && len(errs) != 0:
				t.Errorf("problems %v; want none", errs)
			case tc.field != "" && (errs[tc.field] != tc.want || len(errs) != 1):
				t.Errorf("problems %v; want only %s: %q", errs, tc.field, tc.want)
			}
		})
	}
	n := SessionNote{Subjective: "Stiff", Treatments: []NoteTreatment{{Technique: "effleurage", Point: "li 4"}}}
	if errs := n.Validate(true); len(errs) != 0 || n.Treatments[0].Point != "LI4" {
		t.Errorf("problems %v, point %q; want none and the canonical LI4", errs, n.Treatments[0].Point)
	}
}

func TestReferralValidate(t *testing.T) {
	good := Referral{Target: "gp", Reason: "other", Urgency: "routine", Letter: "Dear Doctor"}
	if errs := good.Validate(); len(errs) != 0 {
		t.Fatalf("a valid referral: %v", errs)
	}
	errs := Referral{Target: "plumber", Letter: "  "}.Validate()
	want := map[string]string{"target": "Choose who the referral is to.", "reason": "Choose the reason for the referral.",
		"urgency": "Choose how soon the client should be seen.", "letter": "Write the letter."}
	for k, v := range want {
		if errs[k] != v {
			t.Errorf("%s: %q; want %q", k, errs[k], v)
		}
	}
}

func TestAddendum(t *testing.T) {
	for text, want := range map[string]bool{"": false, " \n ": false, "Called the client.": true,
		strings.Repeat("a", AddendumMax): true, strings.Repeat("a", AddendumMax+1): false} {
		if got := ValidAddendum(text); got != want {
			t.Errorf("ValidAddendum(%d characters) = %v; want %v", len(text), got, want)
		}
	}
}

func TestAssessmentFlags(t *testing.T) {
	var none *ChartAssessment
	if f := none.Flags(); f != nil {
		t.Errorf("no assessment: flags %v; want none", f)
	}
	a := &ChartAssessment{ID: 4, Result: AssessmentResult{Safety: AssessmentSafety{Outcome: SafetyReferBeforeTreatment},
		Cautions: []AssessmentCaution{{Code: "pregnancy", Label: "Pregnant", Action: "modify"}}}}
	got := a.Flags()
	want := []ChartFlag{{AssessmentID: 4, Code: "safety", Label: "Safety check: refer before treatment", Action: "refer_before_treatment"},
		{AssessmentID: 4, Code: "pregnancy", Label: "Pregnant", Action: "modify"}}
	if !slices.Equal(got, want) {
		t.Errorf("flags %+v; want %+v", got, want)
	}
	a.Result.Safety.Headline = "See your doctor first"
	if got := a.Flags(); got[0].Label != "See your doctor first" {
		t.Errorf("label %q; want the gate's headline", got[0].Label)
	}
	a.Result = AssessmentResult{Safety: AssessmentSafety{Outcome: SafetyClear}}
	if got := a.Flags(); len(got) != 0 {
		t.Errorf("a clear assessment raised %v", got)
	}
}

func TestBodyAreas(t *testing.T) {
	areas := BodyAreas()
	for _, code := range []string{"neck", "shoulder_r", "shoulder_l", "ankle_foot_l"} {
		if !slices.Contains(areas, code) {
			t.Errorf("%s missing from %v", code, areas)
		}
	}
	for code, want := range map[string]BodySide{"neck": SideMidline, "knee_l": SideLeft, "knee_r": SideRight, "knee": ""} {
		if got, _ := bodyAreaSide(code); got != want {
			t.Errorf("side of %s: %q; want %q", code, got, want)
		}
	}
}

// A referral letter's first draft is the chart: the latest findings, the plan's sessions and
// each goal from its start to now, the reason; parts the chart lacks are left for the therapist.
func TestReferralLetterFromTheChart(t *testing.T) {
	at := time.Date(2027, 3, 2, 10, 0, 0, 0, time.UTC)
	plan := TreatmentPlan{PlannedSessions: 4, SessionsDone: 3, StartDate: Date{2027, time.March, 2},
		Goals: []PlanGoal{{Goal: Goal{Description: "Reverse the car", Measure: MeasurePain, Baseline: 6, Target: 2},
			Readings: []OutcomeReading{{Value: 5}, {Value: 7}}}}}
	d := ReferralDraft{Client: ChartClient{Name: "Alex Chen", BirthDate: "1990-05-01"}, Therapist: "Sam", Clinic: "Allium",
		Findings: &Findings{Complaint: "Right neck ache", Easing: "Heat", Regions: []string{"neck"}, CreatedAt: at},
		Plan:     &plan, Reason: "no_response_to_course"}
	got := d.Letter()
	for _, want := range []string{"I am writing about Alex Chen (born 1990-05-01)", "What I found (2 March 2027):",
		"- Complaint: Right neck ache", "- Eased by: Heat", "- Areas: neck", "- 3 of 4 planned sessions since 2027-03-02.",
		"- Reverse the car (", "started at 6, now 7, aiming for 2.",
		"Why I am referring:\n- No meaningful change after a course of treatment.", "Kind regards,\nSam\nAllium"} {
		if !strings.Contains(got, want) {
			t.Errorf("the letter lacks %q:\n%s", want, got)
		}
	}
	bare := ReferralDraft{Client: ChartClient{Name: "Kim"}, Therapist: "Sam"}.Letter()
	if strings.Contains(bare, "Complaint") || !strings.Contains(bare, "What I found:") || strings.Contains(bare, "planned sessions") {
		t.Errorf("a letter without findings or plan:\n%s", bare)
	}
}
