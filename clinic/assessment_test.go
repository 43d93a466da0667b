package clinic

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// neutralAnswers is a complete, valid set of v1 answers that adds as little
// as possible to any class; tests override the items they are about.
func neutralAnswers(over AssessmentAnswers) AssessmentAnswers {
	a := AssessmentAnswers{
		"caution_list": {"none"}, "where_regions": {"neck"}, "where_main": {"neck"},
		"where_side": {"centre"}, "where_point": {"moves_around"}, "story_duration": {"6_12wk"},
		"story_onset": {"no_idea"}, "story_pattern": {"first_time"}, "story_prior_massage": {"never_had"},
		"behaviour_provoked": {"never"}, "behaviour_eases": {"no"}, "behaviour_headaches": {"never"},
		"behaviour_weakness": {"no"}, "behaviour_pins_needles": {"no"},
		"training_sessions": {"0"}, "training_load_change": {"not_training"}, "training_recent": {"none"},
		"recovery_sleep": {"1"}, "recovery_fatigue": {"1"}, "recovery_soreness": {"1"},
		"stress_worse": {"no"}, "stress_control": {"4"}, "stress_overload": {"0"},
		"sleep_unrefreshing": {"no"}, "stress_signs": {"none"},
		"function_pain_worst": {"3"}, "function_activity": {"walking the dog"},
		"function_activity_score": {"8"}, "function_goals": {"pain_relief"},
		"outlook_beliefs": {"none"}, "outlook_bother": {"slightly"},
	}
	for _, it := range AssessmentV1().Steps[0].Items {
		a[it.ID] = []string{"no"}
	}
	for k, v := range over {
		a[k] = v
	}
	return a
}

func TestAssessmentV1StepsInOrder(t *testing.T) {
	q := AssessmentV1()
	var got []string
	for _, s := range q.Steps {
		got = append(got, s.Key)
	}
	want := []string{"safety", "cautions", "where", "story", "behaviour", "training", "stress", "function", "outlook"}
	if !slices.Equal(got, want) {
		t.Fatalf("steps = %v, want %v", got, want)
	}
	if q.Version != "v1" {
		t.Errorf("version = %q, want v1", q.Version)
	}
	for i, s := range q.Steps {
		for _, it := range s.Items {
			if it.Step != i {
				t.Errorf("%s: Step = %d, want %d", it.ID, it.Step, i)
			}
		}
	}
}

// The questionnaire must stay short enough to finish on a phone in about
// ten minutes: at most 40 items, at most 6 per screen. The safety screen may
// have up to 8 because each red flag is a forced yes/no, which is quick.
func TestAssessmentV1FitsAPhone(t *testing.T) {
	q := AssessmentV1()
	if n := len(q.Items()); n > 40 || n < 30 {
		t.Errorf("items = %d, want 30-40", n)
	}
	for _, s := range q.Steps {
		limit := 6
		if s.Key == "safety" {
			limit = 8
			for _, it := range s.Items {
				if len(it.Options) != 2 {
					t.Errorf("%s: safety items must be yes/no, got %d options", it.ID, len(it.Options))
				}
			}
		}
		if len(s.Items) > limit {
			t.Errorf("step %s has %d items, want at most %d", s.Key, len(s.Items), limit)
		}
	}
}

func TestAssessmentV1IDsAreStable(t *testing.T) {
	idPattern := regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, it := range AssessmentV1().Items() {
		if !idPattern.MatchString(it.ID) || seen[it.ID] {
			t.Errorf("item ID %q is malformed or repeated", it.ID)
		}
		seen[it.ID] = true
		if it.Prompt == "" {
			t.Errorf("%s has no prompt", it.ID)
		}
		values := map[string]bool{}
		for _, o := range it.Options {
			if !idPattern.MatchString(o.Value) || values[o.Value] || o.Label == "" {
				t.Errorf("%s: option %q is malformed, repeated or unlabelled", it.ID, o.Value)
			}
			values[o.Value] = true
		}
		if it.Kind == AssessmentKindScale && it.Min >= it.Max {
			t.Errorf("%s: scale %d..%d is empty", it.ID, it.Min, it.Max)
		}
	}
}

// Published screening tools are under copyright; we borrow constructs only.
// These fragments are the tell-tale sentences of such tools.
func TestAssessmentV1UsesOwnWording(t *testing.T) {
	borrowed := []string{"not safe for a person", "worrying thoughts", "never going to get any better",
		"unable to control the important things", "nervous and stressed", "on top of",
		"not enjoyed all the things", "bothersome"}
	for _, it := range AssessmentV1().Items() {
		texts := []string{it.Prompt, it.Help}
		for _, o := range it.Options {
			texts = append(texts, o.Label)
		}
		for _, text := range texts {
			for _, b := range borrowed {
				if strings.Contains(strings.ToLower(text), b) {
					t.Errorf("%s contains borrowed wording %q", it.ID, b)
				}
			}
		}
	}
}

func TestAssessmentRegions(t *testing.T) {
	regions := AssessmentRegions()
	codes := map[string]AssessmentRegion{}
	for _, r := range regions {
		if _, dup := codes[r.Code]; dup {
			t.Errorf("region %s repeated", r.Code)
		}
		codes[r.Code] = r
		wantSide := "midline"
		switch {
		case strings.HasSuffix(r.Code, "_l"):
			wantSide = "left"
		case strings.HasSuffix(r.Code, "_r"):
			wantSide = "right"
		}
		if r.Side != wantSide || r.Label == "" || r.View == "" || r.Group == "" {
			t.Errorf("region %+v: side %q want %q, or a blank field", r, r.Side, wantSide)
		}
	}
	for _, l := range assessmentRegionLinks() {
		if _, ok := codes[l[0]]; !ok {
			t.Errorf("link to unknown region %s", l[0])
		}
		if _, ok := codes[l[1]]; !ok {
			t.Errorf("link to unknown region %s", l[1])
		}
	}
	all := make([]string, 0, len(regions))
	for _, r := range regions {
		all = append(all, r.Code)
	}
	if !regionsContiguous(all) {
		t.Error("the whole body map should be one connected patch")
	}
	q := AssessmentV1()
	for _, id := range []string{"where_regions", "where_main"} {
		it, _ := q.Item(id)
		if len(it.Options) != len(regions) {
			t.Errorf("%s offers %d regions, want %d", id, len(it.Options), len(regions))
		}
	}
}

func TestRegionPatterns(t *testing.T) {
	tests := []struct {
		regions           []string
		wantLocal, wantSp string
	}{
		{[]string{"neck"}, "one", ""},
		{[]string{"neck", "shoulder_r"}, "two_three_adjacent", ""},
		{[]string{"neck", "shoulder_l", "shoulder_r"}, "two_three_adjacent", "three_quadrants"},
		{[]string{"neck", "knee_r"}, "", ""},
		{[]string{"jaw_l", "low_back", "calf_r"}, "", "three_quadrants"},
		{[]string{"head", "neck", "upper_back", "low_back"}, "", "four_six"},
		{[]string{"head", "neck", "upper_back", "low_back", "hip_l", "hip_r", "knee_l"}, "", "seven_plus"},
	}
	for _, tt := range tests {
		if got := v1RegionLocal(tt.regions); got != tt.wantLocal {
			t.Errorf("local(%v) = %q, want %q", tt.regions, got, tt.wantLocal)
		}
		if got := v1RegionSpread(tt.regions); got != tt.wantSp {
			t.Errorf("spread(%v) = %q, want %q", tt.regions, got, tt.wantSp)
		}
	}
}

func TestValidateAcceptsNeutralAnswers(t *testing.T) {
	if errs := AssessmentV1().Validate(neutralAnswers(nil)); errs != nil {
		t.Fatalf("neutral answers rejected: %v", errs)
	}
}

// Every option a form offers must validate, or someone will be stuck on a
// step with a correct answer.
func TestValidateStepAcceptsEveryOption(t *testing.T) {
	q := AssessmentV1()
	for _, it := range q.Items() {
		for _, v := range validValues(it) {
			a := neutralAnswers(AssessmentAnswers{it.ID: {v}})
			if it.ID == "where_main" || it.ID == "where_regions" {
				a["where_regions"], a["where_main"] = []string{v}, []string{v}
			}
			if errs := q.ValidateStep(it.Step, a); errs != nil {
				t.Errorf("%s = %q rejected: %v", it.ID, v, errs)
			}
		}
	}
}

func validValues(it AssessmentItem) []string {
	switch it.Kind {
	case AssessmentKindScale:
		var out []string
		for n := it.Min; n <= it.Max; n++ {
			out = append(out, strconv.Itoa(n))
		}
		return out
	case AssessmentKindText:
		return []string{"carrying shopping", strings.Repeat("é", AssessmentTextMaxRunes)}
	}
	var out []string
	for _, o := range it.Options {
		out = append(out, o.Value)
	}
	return out
}

func TestValidateStepRejectsTampering(t *testing.T) {
	tests := []struct {
		name string
		item string
		vals []string
	}{
		{"option not offered", "safety_fever", []string{"maybe"}},
		{"two answers to a single choice", "safety_fever", []string{"yes", "no"}},
		{"scale above range", "function_pain_worst", []string{"11"}},
		{"scale below range", "recovery_sleep", []string{"0"}},
		{"scale not a number", "function_pain_worst", []string{"7.5"}},
		{"unknown region", "where_regions", []string{"neck", "tail"}},
		{"main area not marked", "where_main", []string{"knee_l"}},
		{"unknown tick", "caution_list", []string{"blood_thinners", "vampirism"}},
		{"none with another tick", "caution_list", []string{"none", "pregnant"}},
		{"text too long", "caution_notes", []string{strings.Repeat("a", AssessmentTextMaxRunes+1)}},
		{"invalid UTF-8", "function_activity", []string{"walk\xffing"}},
		{"control character", "function_activity", []string{"walk\x00ing"}},
		{"invalid UTF-8 in a choice", "where_side", []string{"left\xfe"}},
		{"missing required", "story_duration", nil},
		{"blank required text", "function_activity", []string{"   "}},
		{"more ticks than options", "stress_signs", slices.Repeat([]string{"jaw_clenching"}, 5)},
	}
	q := AssessmentV1()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, ok := q.Item(tt.item)
			if !ok {
				t.Fatalf("no item %s", tt.item)
			}
			a := neutralAnswers(nil)
			a[tt.item] = tt.vals
			errs := q.ValidateStep(it.Step, a)
			if errs[tt.item] == "" {
				t.Errorf("errors = %v, want a message for %s", errs, tt.item)
			}
			if len(errs) != 1 {
				t.Errorf("errors = %v, want only %s", errs, tt.item)
			}
		})
	}
}

func TestValidateStepMissingMessagesArePlain(t *testing.T) {
	q := AssessmentV1()
	errs := q.ValidateStep(2, AssessmentAnswers{})
	want := map[string]string{
		"where_regions": "Please mark at least one area.",
		"where_main":    "Please choose an answer.",
		"where_side":    "Please choose an answer.",
		"where_point":   "Please choose an answer.",
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %v", errs, want)
	}
	for id, msg := range want {
		if errs[id] != msg {
			t.Errorf("%s: got %q, want %q", id, errs[id], msg)
		}
	}
	if got := q.ValidateStep(1, AssessmentAnswers{})["caution_list"]; !strings.Contains(got, "None of these") {
		t.Errorf("caution_list message = %q, want it to mention “None of these”", got)
	}
}

func TestValidateStepIgnoresOtherKeysAndOptionalBlank(t *testing.T) {
	q := AssessmentV1()
	a := AssessmentAnswers{"caution_list": {"pregnant"}, "caution_notes": {""}, "csrf": {"x\xff"}, "story_duration": {"bogus"}}
	if errs := q.ValidateStep(1, a); errs != nil {
		t.Errorf("errors = %v, want none", errs)
	}
}

func TestValidateStepOutOfRange(t *testing.T) {
	q := AssessmentV1()
	for _, step := range []int{-1, len(q.Steps)} {
		if errs := q.ValidateStep(step, neutralAnswers(nil)); errs["step"] == "" {
			t.Errorf("step %d: errors = %v, want a step error", step, errs)
		}
	}
}
