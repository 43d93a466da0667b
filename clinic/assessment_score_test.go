package clinic

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func layerKeys(r AssessmentResult) []string {
	var out []string
	for _, l := range r.Layers {
		out = append(out, l.Key)
	}
	return out
}

func flagKeys(r AssessmentResult) []AssessmentFlag {
	var out []AssessmentFlag
	for _, f := range r.Flags {
		out = append(out, f.Flag)
	}
	return out
}

// The four worked examples of the domain model, answered in full.
func TestScoreWorkedExamples(t *testing.T) {
	tests := []struct {
		name       string
		answers    AssessmentAnswers
		wantClass  ComplaintClass
		wantScores AssessmentScores
		wantConf   AssessmentConfidence
		wantLayers []string
		wantFlags  []AssessmentFlag
	}{{
		// M: finger 10, one area 8, one side 4, desk onset 6, reliably 12,
		// eases 6, 3-14 days 4 = 50/54. S: stress sometimes 5, stress 3/8 = 8/70.
		name: "desk worker, right neck",
		answers: neutralAnswers(AssessmentAnswers{
			"where_regions": {"neck"}, "where_main": {"neck"}, "where_side": {"right"},
			"where_point": {"finger"}, "story_duration": {"3_14d"},
			"story_onset":        {"gradual_with_desk_or_repetitive_task"},
			"behaviour_provoked": {"reliably"}, "behaviour_eases": {"yes"},
			"training_sessions": {"1_2"}, "training_load_change": {"same"},
			"recovery_sleep": {"2"}, "recovery_fatigue": {"3"}, "recovery_soreness": {"2"},
			"stress_worse": {"sometimes"}, "stress_control": {"2"}, "stress_overload": {"1"},
		}),
		wantClass:  ComplaintMechanical,
		wantScores: AssessmentScores{Mechanical: 93, Systemic: 11, Recovery: 0},
		wantConf:   AssessmentConfidenceHigh,
		wantLayers: []string{"remedial_trp", "relaxation_parasympathetic"},
	}, {
		// S: 5 areas 8, recurs 12, clearly 10, same place 8, over 3 months 6,
		// stress 7/8, unrefreshed 4, weekly headaches 4, jaw 2 = 61/70.
		// M: palm 6, sometimes 6 = 12/54. The example's tally leaves onset
		// out, so it is left unanswered here to match it.
		name: "teacher, tension in five areas",
		answers: func() AssessmentAnswers {
			a := neutralAnswers(AssessmentAnswers{
				"where_regions": {"shoulder_l", "shoulder_r", "jaw_r", "head", "low_back"},
				"where_main":    {"shoulder_r"}, "where_side": {"both"}, "where_point": {"palm_sized_area"},
				"story_duration": {"gt_3mo"}, "story_pattern": {"recurs_3plus_per_year_same_spots"},
				"story_prior_massage": {"helped_lasting"}, "behaviour_provoked": {"sometimes"},
				"behaviour_headaches": {"weekly_plus"}, "stress_worse": {"clearly"},
				"stress_control": {"0"}, "stress_overload": {"3"}, "sleep_unrefreshing": {"most_days"},
				"stress_signs":   {"tension_same_place", "jaw_clenching"},
				"recovery_sleep": {"6"}, "recovery_fatigue": {"5"}, "outlook_beliefs": {"anxious"},
			})
			delete(a, "story_onset")
			return a
		}(),
		wantClass:  ComplaintSystemic,
		wantScores: AssessmentScores{Mechanical: 22, Systemic: 87, Recovery: 0},
		wantConf:   AssessmentConfidenceHigh,
		wantLayers: []string{"eastern_systemic", "relaxation_parasympathetic"},
	}, {
		// R: hard session 12, 12-48 h after 10, both sides 10, load up 40% 10,
		// 3-4 a week 4, race in 5 days 6, wellness 17 6, harder exercise 8 =
		// 66/70. M: whole area 2, under 3 days 2 = 4/54. S: four areas 8.
		name: "runner after the first hill session",
		answers: neutralAnswers(AssessmentAnswers{
			"where_regions": {"thigh_l", "thigh_r", "calf_l", "calf_r"}, "where_main": {"calf_l"},
			"where_side": {"both"}, "where_point": {"whole_region"}, "story_duration": {"lt_3d"},
			"story_onset":       {"unusual_or_intense_exercise"},
			"training_sessions": {"3_4"}, "training_load_change": {"up_ge30_or_new"},
			"training_recent": {"hard_session_72h", "started_after_session", "sore_both_sides", "event_7d"},
			"recovery_sleep":  {"4"}, "recovery_fatigue": {"6"}, "recovery_soreness": {"6"},
			"function_activity_score": {"4"}, "function_goals": {"recover_training", "performance"},
		}),
		wantClass:  ComplaintRecovery,
		wantScores: AssessmentScores{Mechanical: 7, Systemic: 11, Recovery: 94},
		wantConf:   AssessmentConfidenceHigh,
		wantLayers: []string{"sports_recovery", "relaxation_parasympathetic"},
	}, {
		// M: whole area 2, one area 8, left 4, reliably 12, desk onset 6,
		// eases 6 = 38/54, the example's "about 70". S: over 3 months 6,
		// stress 2/8 = 8/70. R: 3-4 a week 4, wellness 12 3 = 7/70. Weakness and a PSFS of 3 after
		// four months add the rehab layer alongside.
		name: "gym-goer, left shoulder with weakness",
		answers: neutralAnswers(AssessmentAnswers{
			"where_regions": {"shoulder_l"}, "where_main": {"shoulder_l"}, "where_side": {"left"},
			"where_point": {"whole_region"}, "story_duration": {"gt_3mo"},
			"story_onset":        {"gradual_with_desk_or_repetitive_task"},
			"behaviour_provoked": {"reliably"}, "behaviour_eases": {"yes"}, "behaviour_weakness": {"yes"},
			"training_sessions": {"3_4"}, "training_load_change": {"same"},
			"recovery_sleep": {"3"}, "recovery_fatigue": {"3"}, "recovery_soreness": {"3"},
			"stress_control": {"3"}, "stress_overload": {"1"},
			"function_activity": {"lifting my child overhead"}, "function_activity_score": {"3"},
		}),
		wantClass:  ComplaintMechanical,
		wantScores: AssessmentScores{Mechanical: 70, Systemic: 11, Recovery: 10},
		wantConf:   AssessmentConfidenceHigh,
		wantLayers: []string{"remedial_trp", "relaxation_parasympathetic", "rehab_referral"},
		wantFlags:  []AssessmentFlag{AssessmentFlagRehabReferral},
	}}
	q := AssessmentV1()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ScoreAssessment(q, tt.answers)
			if r.Primary != tt.wantClass {
				t.Errorf("class = %s, want %s", r.Primary, tt.wantClass)
			}
			if r.Scores != tt.wantScores {
				t.Errorf("scores = %+v, want %+v", r.Scores, tt.wantScores)
			}
			if r.Confidence != tt.wantConf {
				t.Errorf("confidence = %s, want %s", r.Confidence, tt.wantConf)
			}
			if got := layerKeys(r); !slices.Equal(got, tt.wantLayers) {
				t.Errorf("layers = %v, want %v", got, tt.wantLayers)
			}
			if got := flagKeys(r); !slices.Equal(got, tt.wantFlags) {
				t.Errorf("flags = %v, want %v", got, tt.wantFlags)
			}
			if r.Safety.Outcome != SafetyClear || r.Course == nil {
				t.Errorf("safety = %s, course = %v; want clear with a course", r.Safety.Outcome, r.Course)
			}
		})
	}
}

func TestGymGoerCourseSaysRehabAlongside(t *testing.T) {
	r := ScoreAssessment(AssessmentV1(), neutralAnswers(AssessmentAnswers{
		"where_side": {"left"}, "behaviour_provoked": {"reliably"}, "where_point": {"finger"},
		"behaviour_weakness": {"yes"},
	}))
	c := r.Course
	if c == nil || c.FirstVisitService != "remedial_initial_75" || c.Service != "remedial_followup_60" ||
		c.Sessions != 4 || c.SpacingDays != 7 || c.ReassessAtSession != 4 {
		t.Fatalf("course = %+v, want 4 remedial sessions 7 days apart reviewed at 4", c)
	}
	if !strings.Contains(c.Note, "physio") {
		t.Errorf("course note = %q, want it to mention the physio alongside", c.Note)
	}
}

// Each safety question, answered yes on its own, gives its outcome.
func TestEverySafetyItemGivesItsOutcome(t *testing.T) {
	tests := []struct {
		item           string
		want           SafetyOutcome
		blocks, showsC bool
	}{
		{"safety_chest_pain", SafetyEmergency, true, false},
		{"safety_saddle_numbness", SafetyEmergency, true, false},
		{"safety_neck_dizzy", SafetyEmergency, true, false},
		{"safety_leg_clot", SafetyUrgentMedical, true, false},
		{"safety_dark_urine", SafetyUrgentMedical, true, false},
		{"safety_fracture", SafetyReferBeforeTreatment, true, false},
		{"safety_cancer", SafetyReferBeforeTreatment, true, false},
		{"safety_fever", SafetyDefer, false, true},
	}
	q := AssessmentV1()
	if len(tests) != len(q.Steps[0].Items) {
		t.Fatalf("table covers %d safety items, questionnaire has %d", len(tests), len(q.Steps[0].Items))
	}
	for _, tt := range tests {
		t.Run(tt.item, func(t *testing.T) {
			a := neutralAnswers(AssessmentAnswers{tt.item: {"yes"}})
			s := CheckAssessmentSafety(a)
			if s.Outcome != tt.want {
				t.Fatalf("outcome = %s, want %s", s.Outcome, tt.want)
			}
			if len(s.Triggers) != 1 || s.Triggers[0].Item != tt.item {
				t.Errorf("triggers = %+v, want just %s", s.Triggers, tt.item)
			}
			if len(s.WhatToDoNow) != 1 || s.Headline == "" {
				t.Errorf("what to do = %q, headline %q; want one instruction and a headline", s.WhatToDoNow, s.Headline)
			}
			if s.BookingBlocked != tt.blocks || s.ClassShownToClient != tt.showsC {
				t.Errorf("blocked = %v, class shown = %v; want %v, %v", s.BookingBlocked, s.ClassShownToClient, tt.blocks, tt.showsC)
			}
			if r := ScoreAssessment(q, a); r.Safety.Outcome != tt.want {
				t.Errorf("full score outcome = %s, want %s", r.Safety.Outcome, tt.want)
			}
		})
	}
}

func TestSafetyAllNoIsClear(t *testing.T) {
	s := CheckAssessmentSafety(neutralAnswers(nil))
	if s.Outcome != SafetyClear || s.BookingBlocked || !s.ClassShownToClient || len(s.WhatToDoNow) != 0 {
		t.Errorf("safety = %+v, want clear with nothing to do", s)
	}
}

func TestSafetyEmergencyMentions000(t *testing.T) {
	s := CheckAssessmentSafety(AssessmentAnswers{"safety_chest_pain": {"yes"}})
	if !strings.Contains(s.WhatToDoNow[0], "000") || !s.ClinicAlerted {
		t.Errorf("what to do = %q, alerted %v; want a 000 instruction and a clinic alert", s.WhatToDoNow, s.ClinicAlerted)
	}
}

// With several answers, the most serious decides and only its advice shows.
func TestSafetyMostSeriousWins(t *testing.T) {
	s := CheckAssessmentSafety(AssessmentAnswers{
		"safety_fever": {"yes"}, "safety_leg_clot": {"yes"}, "safety_neck_dizzy": {"yes"}, "safety_cancer": {"yes"},
	})
	if s.Outcome != SafetyEmergency {
		t.Fatalf("outcome = %s, want emergency", s.Outcome)
	}
	if len(s.Triggers) != 4 {
		t.Errorf("triggers = %d, want all 4 kept for the therapist", len(s.Triggers))
	}
	if len(s.WhatToDoNow) != 1 || !strings.Contains(s.WhatToDoNow[0], "neck") {
		t.Errorf("what to do = %q, want only the emergency advice", s.WhatToDoNow)
	}
}

// An emergency or urgent result carries nothing a page could offer to book.
func TestSafetyUrgentLeavesOutThePlan(t *testing.T) {
	q := AssessmentV1()
	for _, item := range []string{"safety_chest_pain", "safety_leg_clot"} {
		r := ScoreAssessment(q, neutralAnswers(AssessmentAnswers{item: {"yes"}, "behaviour_provoked": {"reliably"}}))
		if r.Course != nil || len(r.Layers) != 0 || len(r.WhatWouldChange) != 0 {
			t.Errorf("%s: course %v, layers %v, hints %v; want none", item, r.Course, r.Layers, r.WhatWouldChange)
		}
	}
	r := ScoreAssessment(q, neutralAnswers(AssessmentAnswers{"safety_fracture": {"yes"}}))
	if r.Course == nil || r.Safety.ClassShownToClient {
		t.Errorf("refer: course %v, class shown %v; want a course for the therapist, hidden from the client", r.Course, r.Safety.ClassShownToClient)
	}
}

func TestClassifyThresholdEdges(t *testing.T) {
	th := AssessmentScoringV1().Thresholds
	const m, s, r = ComplaintMechanical, ComplaintSystemic, ComplaintRecovery
	tests := []struct {
		name      string
		scores    AssessmentScores
		want      ComplaintClass
		wantMixed []ComplaintClass
	}{
		{"top 29 is undifferentiated", AssessmentScores{29, 10, 5}, ComplaintUndifferentiated, nil},
		{"top 30 is a class", AssessmentScores{30, 10, 5}, m, nil},
		{"top 30 in another class", AssessmentScores{5, 10, 30}, r, nil},
		{"both 40, gap 14: mixed", AssessmentScores{54, 40, 0}, ComplaintMixed, []ComplaintClass{m, s}},
		{"both 40, gap 15: top class", AssessmentScores{55, 40, 0}, m, nil},
		{"second 39, gap 14: top class", AssessmentScores{53, 39, 0}, m, nil},
		{"both exactly 40: mixed", AssessmentScores{0, 40, 40}, ComplaintMixed, []ComplaintClass{s, r}},
		{"mix lists the higher first", AssessmentScores{41, 0, 50}, ComplaintMixed, []ComplaintClass{r, m}},
		{"tie below the mix line", AssessmentScores{35, 35, 0}, ComplaintUndifferentiated, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, mixed := th.Classify(tt.scores)
			if got != tt.want || !slices.Equal(mixed, tt.wantMixed) {
				t.Errorf("Classify(%+v) = %s %v, want %s %v", tt.scores, got, mixed, tt.want, tt.wantMixed)
			}
		})
	}
}

func TestConfidenceEdges(t *testing.T) {
	th := AssessmentScoringV1().Thresholds
	tests := []struct {
		name     string
		scores   AssessmentScores
		answered int
		want     AssessmentConfidence
	}{
		{"gap 25, 90% answered", AssessmentScores{64, 39, 0}, 90, AssessmentConfidenceHigh},
		{"gap 25, 89% answered", AssessmentScores{64, 39, 0}, 89, AssessmentConfidenceMedium},
		{"gap 24", AssessmentScores{63, 39, 0}, 100, AssessmentConfidenceMedium},
		{"gap 15", AssessmentScores{54, 39, 0}, 100, AssessmentConfidenceMedium},
		{"gap 14", AssessmentScores{53, 39, 0}, 100, AssessmentConfidenceLow},
		{"mixed", AssessmentScores{50, 45, 0}, 100, AssessmentConfidenceLow},
		{"undifferentiated", AssessmentScores{29, 0, 0}, 100, AssessmentConfidenceLow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			class, _ := th.Classify(tt.scores)
			if got := th.Confidence(tt.scores, class, tt.answered); got != tt.want {
				t.Errorf("Confidence(%+v, %s, %d) = %s, want %s", tt.scores, class, tt.answered, got, tt.want)
			}
		})
	}
}

// A stored result keeps its version, survives JSON, and re-derives the same
// from the version lookup even after someone builds a re-weighted version.
func TestResultKeepsItsVersion(t *testing.T) {
	q := AssessmentV1()
	a := neutralAnswers(AssessmentAnswers{"behaviour_provoked": {"reliably"}, "stress_worse": {"clearly"}})
	stored, err := json.Marshal(ScoreAssessment(q, a))
	if err != nil {
		t.Fatal(err)
	}

	reweighted := AssessmentScoringV1()
	reweighted.Version = "v2-test"
	for i := range reweighted.Rules {
		reweighted.Rules[i].Points *= 2
	}
	if r2 := reweighted.Score(q, a); r2.Version != "v2-test" || r2.Scores == ScoreAssessment(q, a).Scores {
		t.Fatalf("re-weighted result %s %+v should differ from v1", r2.Version, r2.Scores)
	}

	var got AssessmentResult
	if err := json.Unmarshal(stored, &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != "v1" || got.QuestionnaireVersion != "v1" {
		t.Errorf("stored versions = %q, %q; want v1, v1", got.Version, got.QuestionnaireVersion)
	}
	s, ok := AssessmentScoringVersions()[got.Version]
	if !ok {
		t.Fatalf("no scoring version %q to re-derive with", got.Version)
	}
	again, _ := json.Marshal(s.Score(q, a))
	if string(again) != string(stored) {
		t.Errorf("re-derived v1 result differs:\n got %s\nwant %s", again, stored)
	}
}

// The store keeps result JSON; renaming a field would orphan stored data.
func TestResultJSONFieldNamesAreStable(t *testing.T) {
	b, _ := json.Marshal(ScoreAssessment(AssessmentV1(), neutralAnswers(nil)))
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"answered_percent", "cautions", "confidence", "contributions", "course", "disclaimer",
		"flags", "layers", "primary_class", "questionnaire_version", "safety", "scores", "summary",
		"version", "what_would_change"}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("JSON fields = %v, want %v", got, want)
	}
}

func TestContributionsAndTopReasons(t *testing.T) {
	r := ScoreAssessment(AssessmentV1(), neutralAnswers(AssessmentAnswers{
		"where_side": {"right"}, "where_point": {"finger"}, "story_duration": {"3_14d"},
		"story_onset": {"gradual_with_desk_or_repetitive_task"}, "behaviour_provoked": {"reliably"},
		"behaviour_eases": {"yes"}, "stress_worse": {"clearly"},
	}))
	for i := 1; i < len(r.Contributions); i++ {
		if r.Contributions[i].Points > r.Contributions[i-1].Points {
			t.Fatalf("contributions not sorted by points: %+v", r.Contributions)
		}
	}
	var got []string
	for _, c := range r.TopReasons(3) {
		got = append(got, c.Item+"="+c.Answer)
	}
	want := []string{"behaviour_provoked=reliably", "where_point=finger", "where_regions.local=one"}
	if !slices.Equal(got, want) {
		t.Errorf("top reasons = %v, want %v (the systemic stress answer must not appear)", got, want)
	}
	if r.TopReasons(3)[0].Reason != "particular movements or positions bring it on every time" {
		t.Errorf("top reason wording = %q", r.TopReasons(3)[0].Reason)
	}
}

func TestWhatWouldChangeNamesOtherClasses(t *testing.T) {
	r := ScoreAssessment(AssessmentV1(), neutralAnswers(AssessmentAnswers{
		"where_point": {"finger"}, "behaviour_provoked": {"reliably"}, "where_side": {"left"},
	}))
	if r.Primary != ComplaintMechanical || len(r.WhatWouldChange) != 2 {
		t.Fatalf("class %s, hints %q; want mechanical with two hints", r.Primary, r.WhatWouldChange)
	}
	joined := strings.Join(r.WhatWouldChange, " ")
	for _, want := range []string{"three or more times a year", "hard, new or unusual session"} {
		if !strings.Contains(joined, want) {
			t.Errorf("hints %q should mention %q", r.WhatWouldChange, want)
		}
	}
	u := ScoreAssessment(AssessmentV1(), neutralAnswers(nil))
	if u.Primary != ComplaintUndifferentiated || !strings.Contains(u.WhatWouldChange[0], "assessment") {
		t.Errorf("undifferentiated: class %s, hints %q; want an assessment hint first", u.Primary, u.WhatWouldChange)
	}
	if u.Course == nil || u.Course.Sessions != 1 || u.Course.Service != "remedial_initial_75" {
		t.Errorf("undifferentiated course = %+v, want one remedial assessment", u.Course)
	}
}

func TestMixedResultPlan(t *testing.T) {
	r := ScoreAssessment(AssessmentV1(), neutralAnswers(AssessmentAnswers{
		"where_point": {"finger"}, "behaviour_provoked": {"reliably"}, "where_side": {"left"},
		"story_onset": {"unusual_or_intense_exercise"}, "training_sessions": {"5_plus"},
		"training_load_change": {"up_ge30_or_new"}, "training_recent": {"hard_session_72h"},
	}))
	if r.Primary != ComplaintMixed || !slices.Equal(r.MixedClasses, []ComplaintClass{ComplaintMechanical, ComplaintRecovery}) {
		t.Fatalf("scores %+v gave %s %v, want mixed mechanical+recovery", r.Scores, r.Primary, r.MixedClasses)
	}
	if got := layerKeys(r); !slices.Equal(got, []string{"remedial_trp", "sports_recovery"}) {
		t.Errorf("layers = %v, want remedial and sports", got)
	}
	if r.Confidence != AssessmentConfidenceLow || !strings.Contains(r.Summary, "mix") {
		t.Errorf("confidence %s, summary %q; want low and a mix summary", r.Confidence, r.Summary)
	}
}

func TestFlags(t *testing.T) {
	seven := []string{"neck", "upper_back", "low_back", "shoulder_l", "shoulder_r", "hip_l", "hip_r"}
	tests := []struct {
		name string
		over AssessmentAnswers
		want []AssessmentFlag
	}{
		{"none", nil, nil},
		{"pins and needles", AssessmentAnswers{"behaviour_pins_needles": {"yes"}},
			[]AssessmentFlag{AssessmentFlagRehabReferral, AssessmentFlagNeuroSymptoms}},
		{"brief relief, still held back", AssessmentAnswers{"story_prior_massage": {"helped_1_2_days_only"}, "function_activity_score": {"5"}},
			[]AssessmentFlag{AssessmentFlagRehabReferral}},
		{"brief relief, doing well", AssessmentAnswers{"story_prior_massage": {"helped_1_2_days_only"}, "function_activity_score": {"6"}}, nil},
		{"over 3 months, PSFS 4", AssessmentAnswers{"story_duration": {"gt_3mo"}, "function_activity_score": {"4"}},
			[]AssessmentFlag{AssessmentFlagRehabReferral}},
		{"over 3 months, PSFS 5", AssessmentAnswers{"story_duration": {"gt_3mo"}, "function_activity_score": {"5"}}, nil},
		{"recent operation near it", AssessmentAnswers{"caution_list": {"surgery_here"}}, []AssessmentFlag{AssessmentFlagRehabReferral}},
		{"recent operation elsewhere", AssessmentAnswers{"caution_list": {"surgery_elsewhere"}}, nil},
		{"seven areas, unrefreshed", AssessmentAnswers{"where_regions": seven, "sleep_unrefreshing": {"most_days"}},
			[]AssessmentFlag{AssessmentFlagWidespreadPain}},
		{"seven areas, long tiredness", AssessmentAnswers{"where_regions": seven, "stress_signs": {"tired_4_weeks"}},
			[]AssessmentFlag{AssessmentFlagWidespreadPain}},
		{"six areas, unrefreshed", AssessmentAnswers{"where_regions": seven[:6], "sleep_unrefreshing": {"most_days"}}, nil},
		{"psych 4", AssessmentAnswers{"outlook_beliefs": {"activity_harm", "wont_improve", "anxious"}, "outlook_bother": {"very_much"}},
			[]AssessmentFlag{AssessmentFlagPersistenceRisk}},
		{"psych 3", AssessmentAnswers{"outlook_beliefs": {"activity_harm", "wont_improve", "anxious"}, "outlook_bother": {"moderately"}}, nil},
	}
	q := AssessmentV1()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ScoreAssessment(q, neutralAnswers(tt.over))
			if got := flagKeys(r); !slices.Equal(got, tt.want) {
				t.Errorf("flags = %v, want %v", got, tt.want)
			}
			for _, f := range r.Flags {
				if f.Advice == "" || len(f.Reasons) == 0 {
					t.Errorf("flag %s has no advice or reason", f.Flag)
				}
			}
		})
	}
}

func TestRecoveryNotResolving(t *testing.T) {
	base := AssessmentAnswers{
		"story_onset": {"unusual_or_intense_exercise"}, "training_sessions": {"5_plus"},
		"training_load_change": {"up_ge30_or_new"}, "training_recent": {"hard_session_72h", "sore_both_sides"},
		"recovery_sleep": {"6"}, "recovery_fatigue": {"6"}, "recovery_soreness": {"5"},
		"stress_control": {"2"}, "stress_overload": {"2"},
	}
	tests := []struct {
		duration string
		want     bool
	}{{"3_14d", false}, {"2_6wk", true}, {"gt_3mo", true}}
	for _, tt := range tests {
		over := AssessmentAnswers{"story_duration": {tt.duration}}
		for k, v := range base {
			over[k] = v
		}
		r := ScoreAssessment(AssessmentV1(), neutralAnswers(over))
		if r.Primary != ComplaintRecovery {
			t.Fatalf("%s: class %s %+v, want recovery", tt.duration, r.Primary, r.Scores)
		}
		if got := r.HasFlag(AssessmentFlagRecoveryNotResolving); got != tt.want {
			t.Errorf("%s: recovery_not_resolving = %v, want %v", tt.duration, got, tt.want)
		}
	}
}

// Poor sleep and stress count towards recovery only for people who train;
// otherwise they would be counted twice, once as systemic.
func TestWellnessCountsOnlyWhenTraining(t *testing.T) {
	tired := AssessmentAnswers{"recovery_sleep": {"7"}, "recovery_fatigue": {"7"}, "recovery_soreness": {"7"}}
	if r := ScoreAssessment(AssessmentV1(), neutralAnswers(tired)); r.Scores.Recovery != 0 {
		t.Errorf("non-trainer recovery = %d, want 0", r.Scores.Recovery)
	}
	tired["training_sessions"] = []string{"1_2"}
	if r := ScoreAssessment(AssessmentV1(), neutralAnswers(tired)); r.Scores.Recovery == 0 {
		t.Error("trainer with poor wellness scored no recovery points")
	}
}

func TestCautionsPassToTherapist(t *testing.T) {
	r := ScoreAssessment(AssessmentV1(), neutralAnswers(AssessmentAnswers{"caution_list": {"blood_thinners", "pregnant_high_risk"}}))
	if len(r.Cautions) != 2 || r.Cautions[0].Code != "blood_thinners" || r.Cautions[0].Action != "modify" {
		t.Fatalf("cautions = %+v, want blood thinners (modify) and high-risk pregnancy", r.Cautions)
	}
	if !r.NeedsClearance() {
		t.Error("a high-risk pregnancy should need clearance")
	}
	if r.Safety.Outcome != SafetyClear {
		t.Errorf("cautions changed the safety outcome to %s", r.Safety.Outcome)
	}
}

// The v1 tables must agree with the questionnaire: a typo in a rule would
// silently score nothing.
func TestScoringV1Consistency(t *testing.T) {
	q, s := AssessmentV1(), AssessmentScoringV1()
	derived := map[string][]string{
		"where_regions.local":  {"one", "two_three_adjacent"},
		"where_regions.spread": {"three_quadrants", "four_six", "seven_plus"},
		"hooper.sum":           {"4_10", "11_14", "15_18", "19_28"},
		"psfs.band":            {"0_4", "5", "6_10"},
		"outlook.psych":        {"0", "1", "2", "3", "4", "5"},
		"result.class":         {"mechanical", "systemic", "recovery", "mixed", "undifferentiated"},
	}
	known := func(key, value string) bool {
		if vals, ok := derived[key]; ok {
			return slices.Contains(vals, value)
		}
		it, ok := q.Item(key)
		return ok && it.offers(value)
	}
	var max AssessmentScores
	best := map[string]int{}
	for _, r := range s.Rules {
		if !known(r.Key, r.Answer) || r.Points <= 0 || r.Reason == "" {
			t.Errorf("bad rule %+v", r)
		}
		if slices.Contains(s.AdditiveKeys, r.Key) {
			max.add(r.Class, r.Points)
		} else if k := r.Key + "/" + string(r.Class); r.Points > best[k] {
			max.add(r.Class, r.Points-best[k])
			best[k] = r.Points
		}
	}
	if max != s.Max {
		t.Errorf("raw maxima from the rules = %+v, declared %+v", max, s.Max)
	}
	for _, r := range s.Safety {
		if it, ok := q.Item(r.Item); !ok || it.Step != 0 || !it.offers(r.Answer) || r.Advice == "" {
			t.Errorf("bad safety rule %+v", r)
		}
	}
	for _, f := range s.Flags {
		for _, c := range f.When {
			for _, v := range c.In {
				if !known(c.Key, v) {
					t.Errorf("flag %s: unknown condition %s=%s", f.Flag, c.Key, v)
				}
			}
		}
		if s.FlagAdvice[f.Flag] == "" {
			t.Errorf("flag %s has no advice", f.Flag)
		}
	}
	for _, p := range s.Plans {
		for _, l := range p.Layers {
			if s.Layers[l.Key].Evidence == "" {
				t.Errorf("plan %v: layer %s has no evidence wording", p.Classes, l.Key)
			}
		}
	}
	cautions, _ := q.Item("caution_list")
	for _, o := range cautions.Options {
		if _, ok := s.Cautions[o.Value]; !ok && !o.Exclusive {
			t.Errorf("caution %s has no therapist note", o.Value)
		}
	}
}

// Course services must be keys of the clinic's service catalogue.
func TestPlanServicesAreCatalogueKeys(t *testing.T) {
	catalogue := []string{"relaxation_60", "swedish_60", "deep_tissue_60", "sports_pre_30", "sports_post_45",
		"sports_maintenance_60", "remedial_initial_75", "remedial_followup_60", "tuina_60", "reassessment_30"}
	for _, p := range AssessmentScoringV1().Plans {
		c := p.Course
		if !slices.Contains(catalogue, c.FirstVisitService) || !slices.Contains(catalogue, c.Service) {
			t.Errorf("plan %v uses %s/%s, not catalogue keys", p.Classes, c.FirstVisitService, c.Service)
		}
		if c.Sessions < 1 || c.ReassessAtSession < 1 || c.ReassessAtSession > c.Sessions || c.Summary == "" {
			t.Errorf("plan %v course %+v is incomplete", p.Classes, c)
		}
		if c.Sessions > 1 && (c.SpacingDays < 3 || c.SpacingDays > 14) {
			t.Errorf("plan %v spaces sessions %d days apart, want 3-14", p.Classes, c.SpacingDays)
		}
	}
}

func TestScoreIgnoresTamperedAnswers(t *testing.T) {
	clean := ScoreAssessment(AssessmentV1(), neutralAnswers(nil))
	dirty := ScoreAssessment(AssessmentV1(), neutralAnswers(AssessmentAnswers{
		"stress_worse": {"extremely"}, "where_regions": {"neck", "tail", "neck"}, "recovery_sleep": {"99"},
	}))
	if !reflect.DeepEqual(clean.Scores, dirty.Scores) {
		t.Errorf("tampered answers changed scores: %+v vs %+v", dirty.Scores, clean.Scores)
	}
}

// Wellness bands at their edges. Stress is the two stress items rescaled
// from 0-8 to 1-7: control 4 and overload 0 is 1, control 0 and overload 4
// is 7.
func TestHooperBandEdges(t *testing.T) {
	tests := []struct {
		sleep, fatigue, soreness string
		control, overload        string
		want                     string
	}{
		{"3", "3", "3", "4", "0", "4_10"},  // 9 + 1
		{"3", "3", "4", "4", "0", "11_14"}, // 10 + 1
		{"4", "4", "5", "4", "0", "11_14"}, // 13 + 1
		{"4", "5", "5", "4", "0", "15_18"}, // 14 + 1
		{"5", "6", "6", "4", "0", "15_18"}, // 17 + 1
		{"6", "6", "6", "4", "0", "19_28"}, // 18 + 1
		{"4", "4", "4", "0", "4", "19_28"}, // 12 + 7
		{"4", "4", "3", "0", "4", "15_18"}, // 11 + 7
		{"4", "5", "5", "1", "2", "19_28"}, // 14 + 5 (stress 5/8 rounds to 5)
	}
	for _, tt := range tests {
		a := neutralAnswers(AssessmentAnswers{"training_sessions": {"1_2"},
			"recovery_sleep": {tt.sleep}, "recovery_fatigue": {tt.fatigue}, "recovery_soreness": {tt.soreness},
			"stress_control": {tt.control}, "stress_overload": {tt.overload}})
		if got := v1HooperBand(a); got != tt.want {
			t.Errorf("%+v: band %q, want %q", tt, got, tt.want)
		}
	}
}
