package clinic

import (
	"fmt"
	"slices"
)

// ScoreAssessment scores answers with the current scoring version. Answers
// should have passed Validate; anything unknown simply scores nothing.
func ScoreAssessment(q *AssessmentQuestionnaire, a AssessmentAnswers) AssessmentResult {
	return AssessmentScoringV1().Score(q, a)
}

// CheckAssessmentSafety runs only the safety gate with the current version,
// so the first step can stop at once on an emergency answer.
func CheckAssessmentSafety(a AssessmentAnswers) AssessmentSafety {
	s := AssessmentScoringV1()
	return s.safety(s.facts(a))
}

// AssessmentScoringVersions returns every published scoring version by its
// version string, so a stored result can be re-derived (for an audit) under
// the rules it was made with. Each call builds fresh tables.
func AssessmentScoringVersions() map[string]*AssessmentScoring {
	v1 := AssessmentScoringV1()
	return map[string]*AssessmentScoring{v1.Version: v1}
}

// Score applies this version's tables to the answers.
func (s *AssessmentScoring) Score(q *AssessmentQuestionnaire, a AssessmentAnswers) AssessmentResult {
	facts := s.facts(a)
	r := AssessmentResult{
		Version:              s.Version,
		QuestionnaireVersion: q.Version,
		Safety:               s.safety(facts),
		Contributions:        s.contributions(facts),
		AnsweredPercent:      answeredPercent(q, a),
		Cautions:             s.cautions(facts),
		Disclaimer:           s.Disclaimer,
		Layers:               []AssessmentLayer{},
		WhatWouldChange:      []string{},
	}
	r.Scores = s.scale(r.Contributions)
	r.Primary, r.MixedClasses = s.Thresholds.Classify(r.Scores)
	r.Confidence = s.Thresholds.Confidence(r.Scores, r.Primary, r.AnsweredPercent)
	r.Summary = s.summary(r.Primary, r.MixedClasses)
	facts["result.class"] = append([]string{string(r.Primary)}, classStrings(r.MixedClasses)...)
	r.Flags = s.flags(facts)
	if s.Gate[r.Safety.Outcome].PlanSuggested {
		r.Layers, r.Course = s.plan(r)
		r.WhatWouldChange = s.hints(facts, r)
	}
	return r
}

func classStrings(cs []ComplaintClass) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// facts are the answers, deduplicated, plus this version's derived facts
// (region pattern, wellness sum and the like) that rules match like answers.
func (s *AssessmentScoring) facts(a AssessmentAnswers) map[string][]string {
	f := map[string][]string{}
	for id := range a {
		var vals []string
		for _, v := range a.Values(id) {
			if !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			f[id] = vals
		}
	}
	for k, v := range s.derive(a) {
		f[k] = v
	}
	return f
}

func factHas(f map[string][]string, key string, values ...string) bool {
	for _, v := range f[key] {
		if slices.Contains(values, v) {
			return true
		}
	}
	return false
}

func (s *AssessmentScoring) safety(f map[string][]string) AssessmentSafety {
	out := AssessmentSafety{Outcome: SafetyClear, Triggers: []AssessmentSafetyTrigger{}, WhatToDoNow: []string{}}
	for _, r := range s.Safety {
		if !factHas(f, r.Item, r.Answer) {
			continue
		}
		out.Triggers = append(out.Triggers, AssessmentSafetyTrigger{Item: r.Item, Outcome: r.Outcome, Reason: r.Reason})
		if r.Outcome.severity() > out.Outcome.severity() {
			out.Outcome = r.Outcome
		}
	}
	for _, r := range s.Safety {
		if r.Outcome == out.Outcome && factHas(f, r.Item, r.Answer) && !slices.Contains(out.WhatToDoNow, r.Advice) {
			out.WhatToDoNow = append(out.WhatToDoNow, r.Advice)
		}
	}
	g := s.Gate[out.Outcome]
	out.Headline, out.BookingBlocked = g.Headline, g.BlocksBooking
	out.ClassShownToClient, out.ClinicAlerted = g.ClassShownToClient, g.AlertsClinic
	return out
}

// contributions lists every matching rule, largest first; equal points keep
// table order so the explanation never shuffles between runs.
func (s *AssessmentScoring) contributions(f map[string][]string) []AssessmentContribution {
	out := []AssessmentContribution{}
	for _, r := range s.Rules {
		if factHas(f, r.Key, r.Answer) {
			out = append(out, AssessmentContribution{Item: r.Key, Answer: r.Answer, Class: r.Class, Points: r.Points, Reason: r.Reason})
		}
	}
	slices.SortStableFunc(out, func(a, b AssessmentContribution) int { return b.Points - a.Points })
	return out
}

// scale sums raw points and scales each class by its raw maximum, rounding
// half up to a whole percentage.
func (s *AssessmentScoring) scale(cs []AssessmentContribution) AssessmentScores {
	var raw, out AssessmentScores
	for _, c := range cs {
		raw.add(c.Class, c.Points)
	}
	for _, c := range complaintBaseClasses() {
		mx := s.Max.Of(c)
		if mx <= 0 {
			continue
		}
		pct := min(max((200*raw.Of(c)+mx)/(2*mx), 0), 100)
		out.add(c, pct)
	}
	return out
}

// answeredPercent is the share of scorable items answered (everything but
// the safety and caution screens and free text), rounded down.
func answeredPercent(q *AssessmentQuestionnaire, a AssessmentAnswers) int {
	total, answered := 0, 0
	for _, step := range q.Steps {
		if step.Key == "safety" || step.Key == "cautions" {
			continue
		}
		for _, it := range step.Items {
			if it.Kind == AssessmentKindText {
				continue
			}
			total++
			if len(a.Values(it.ID)) > 0 {
				answered++
			}
		}
	}
	if total == 0 {
		return 0
	}
	return answered * 100 / total
}

func (s *AssessmentScoring) flags(f map[string][]string) []AssessmentFlagResult {
	out := []AssessmentFlagResult{}
	for _, r := range s.Flags {
		if !r.holds(f) {
			continue
		}
		i := slices.IndexFunc(out, func(x AssessmentFlagResult) bool { return x.Flag == r.Flag })
		if i < 0 {
			out = append(out, AssessmentFlagResult{Flag: r.Flag, Advice: s.FlagAdvice[r.Flag]})
			i = len(out) - 1
		}
		out[i].Reasons = append(out[i].Reasons, r.Reason)
	}
	return out
}

func (s *AssessmentScoring) cautions(f map[string][]string) []AssessmentCaution {
	out := []AssessmentCaution{}
	for _, code := range f["caution_list"] {
		if c, ok := s.Cautions[code]; ok {
			c.Code = code
			out = append(out, c)
		}
	}
	return out
}

func (s *AssessmentScoring) summary(primary ComplaintClass, mixed []ComplaintClass) string {
	if primary == ComplaintMixed && len(mixed) == 2 {
		return fmt.Sprintf(s.MixedSummary, s.ClassPhrases[mixed[0]], s.ClassPhrases[mixed[1]])
	}
	return s.Summaries[primary]
}

// plan picks the layers and course for the class, then adds the rehab layer
// alongside when that flag is raised: it adds to the class, never replaces it.
func (s *AssessmentScoring) plan(r AssessmentResult) ([]AssessmentLayer, *AssessmentCourse) {
	want := r.MixedClasses
	if r.Primary != ComplaintMixed {
		want = []ComplaintClass{r.Primary}
	}
	layers := []AssessmentLayer{}
	var course *AssessmentCourse
	for _, p := range s.Plans {
		if sameClasses(p.Classes, want) {
			for _, ref := range p.Layers {
				layers = append(layers, s.layer(ref.Key, ref.Role))
			}
			c := p.Course
			course = &c
			break
		}
	}
	if r.HasFlag(AssessmentFlagRehabReferral) {
		layers = append(layers, s.layer("rehab_referral", "alongside"))
		if course != nil {
			course.Note = joinNote(course.Note, s.RehabCourseNote)
		}
	}
	return layers, course
}

func (s *AssessmentScoring) layer(key, role string) AssessmentLayer {
	l := s.Layers[key]
	l.Key, l.Role = key, role
	return l
}

func sameClasses(a, b []ComplaintClass) bool {
	if len(a) != len(b) {
		return false
	}
	for _, c := range a {
		if !slices.Contains(b, c) {
			return false
		}
	}
	return true
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// hints names, for each class other than the one shown, the answer that
// would have moved the result towards it most, in the words of its rule.
func (s *AssessmentScoring) hints(f map[string][]string, r AssessmentResult) []string {
	out := []string{}
	if extra := s.ExtraHints[r.Primary]; extra != "" {
		out = append(out, extra)
	}
	for _, c := range r.Scores.ranked() {
		if c == r.Primary {
			continue
		}
		if best, ok := s.bestMissedRule(f, c); ok {
			out = append(out, fmt.Sprintf("If %s, the result would lean more towards %s.", best.Reason, s.ClassNouns[c]))
		}
	}
	return out
}

// bestMissedRule finds the unmatched rule of a class whose answer would add
// the most points, counting what the current answer to that item already
// gives (tick-lists add, single answers replace).
func (s *AssessmentScoring) bestMissedRule(f map[string][]string, c ComplaintClass) (AssessmentRule, bool) {
	var best AssessmentRule
	bestGain := 0
	for _, r := range s.Rules {
		if r.Class != c || slices.Contains(s.NoHintKeys, r.Key) || factHas(f, r.Key, r.Answer) {
			continue
		}
		gain := r.Points
		if !s.additiveKey(r.Key) {
			gain -= s.matchedPoints(f, r.Key, c)
		}
		if gain > bestGain {
			best, bestGain = r, gain
		}
	}
	return best, bestGain > 0
}

func (s *AssessmentScoring) matchedPoints(f map[string][]string, key string, c ComplaintClass) int {
	n := 0
	for _, r := range s.Rules {
		if r.Key == key && r.Class == c && factHas(f, r.Key, r.Answer) {
			n += r.Points
		}
	}
	return n
}

func (s *AssessmentScoring) additiveKey(key string) bool {
	return slices.Contains(s.AdditiveKeys, key)
}
