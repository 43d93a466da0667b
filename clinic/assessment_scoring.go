package clinic

import "slices"

// AssessmentScoring is one published scoring version: every weight, cut-off
// and text that shapes a result, as data. A published version is never
// edited; new weights go into a new version, so a result re-derived from its
// stored version string comes out the same.
type AssessmentScoring struct {
	Version              string
	QuestionnaireVersion string
	// Max is the raw maximum of each class; the consistency test checks it
	// against the rules.
	Max        AssessmentScores
	Rules      []AssessmentRule
	Safety     []AssessmentSafetyRule
	Gate       map[SafetyOutcome]AssessmentGatePolicy
	Flags      []AssessmentFlagRule
	FlagAdvice map[AssessmentFlag]string
	Thresholds AssessmentThresholds
	Layers     map[string]AssessmentLayer
	Plans      []AssessmentPlan
	// RehabCourseNote is added to the course when the rehab layer is.
	RehabCourseNote string
	Cautions        map[string]AssessmentCaution
	Summaries       map[ComplaintClass]string
	MixedSummary    string // format with two class phrases
	ClassPhrases    map[ComplaintClass]string
	ClassNouns      map[ComplaintClass]string
	ExtraHints      map[ComplaintClass]string
	Disclaimer      string
	// AdditiveKeys are tick-list keys whose rules add up; every other key
	// has one answer, so its rules are alternatives.
	AdditiveKeys []string
	// NoHintKeys are keys whose rules make poor "what would change" advice
	// (nobody should be told that feeling worse would change the result).
	NoHintKeys []string
	// derive computes this version's derived facts from the answers.
	derive func(AssessmentAnswers) map[string][]string
}

// AssessmentRule adds Points to Class when the fact Key includes Answer. Key
// is an item ID or a derived fact such as "where_regions.local". Reason
// completes both "Because ..." and "If ..., the result would ...".
type AssessmentRule struct {
	Key    string         `json:"key"`
	Answer string         `json:"answer"`
	Class  ComplaintClass `json:"class"`
	Points int            `json:"points"`
	Reason string         `json:"reason"`
}

// AssessmentSafetyRule maps a safety answer to an outcome and to what the
// person should do now.
type AssessmentSafetyRule struct {
	Item    string
	Answer  string
	Outcome SafetyOutcome
	Reason  string
	Advice  string
}

// AssessmentGatePolicy is what an outcome allows.
type AssessmentGatePolicy struct {
	Headline           string
	BlocksBooking      bool
	ClassShownToClient bool
	AlertsClinic       bool
	// PlanSuggested is false when the page must show nothing but what to
	// do now; layers and course are then left out of the result entirely.
	PlanSuggested bool
}

// AssessmentCondition holds when the fact Key includes any of In.
type AssessmentCondition struct {
	Key string
	In  []string
}

// AssessmentFlagRule raises Flag when all of When hold. Several rules may
// raise the same flag; each adds its Reason.
type AssessmentFlagRule struct {
	Flag   AssessmentFlag
	When   []AssessmentCondition
	Reason string
}

func (r AssessmentFlagRule) holds(f map[string][]string) bool {
	for _, c := range r.When {
		if !factHas(f, c.Key, c.In...) {
			return false
		}
	}
	return len(r.When) > 0
}

// AssessmentLayerRef places a layer in a plan with a role.
type AssessmentLayerRef struct {
	Key  string
	Role string
}

// AssessmentPlan is the suggestion for one class, or one pair of mixed
// classes in either order.
type AssessmentPlan struct {
	Classes []ComplaintClass
	Layers  []AssessmentLayerRef
	Course  AssessmentCourse
}

// AssessmentThresholds are the cut-offs that turn scores into a class and a
// confidence, on the 0-100 scale.
type AssessmentThresholds struct {
	// UndifferentiatedBelow: a top score under this means no class.
	UndifferentiatedBelow int
	// MixedMin and MixedGapBelow: when the top two both reach MixedMin and
	// differ by less than MixedGapBelow, the result is mixed.
	MixedMin      int
	MixedGapBelow int
	// HighGap with HighAnsweredPercent gives high confidence; MediumGap
	// gives medium.
	HighGap             int
	HighAnsweredPercent int
	MediumGap           int
}

// Classify returns the primary class and, for a mix, the two classes from
// the higher score down.
//
// An exact tie for the top that is not a mix has no top class to name, so
// it is undifferentiated: the therapist decides at the first visit.
func (t AssessmentThresholds) Classify(s AssessmentScores) (ComplaintClass, []ComplaintClass) {
	ranked := s.ranked()
	top, second := s.Of(ranked[0]), s.Of(ranked[1])
	switch {
	case top < t.UndifferentiatedBelow:
		return ComplaintUndifferentiated, nil
	case top >= t.MixedMin && second >= t.MixedMin && top-second < t.MixedGapBelow:
		return ComplaintMixed, slices.Clone(ranked[:2])
	case top == second:
		return ComplaintUndifferentiated, nil
	}
	return ranked[0], nil
}

// Confidence grades how clearly the scores separate. A wide gap with many
// items skipped is graded medium rather than low: the gap still says
// something, the gaps in the answers say it less surely. A mix or no class
// is always low.
func (t AssessmentThresholds) Confidence(s AssessmentScores, primary ComplaintClass, answeredPercent int) AssessmentConfidence {
	if primary == ComplaintMixed || primary == ComplaintUndifferentiated {
		return AssessmentConfidenceLow
	}
	ranked := s.ranked()
	gap := s.Of(ranked[0]) - s.Of(ranked[1])
	switch {
	case gap >= t.HighGap && answeredPercent >= t.HighAnsweredPercent:
		return AssessmentConfidenceHigh
	case gap >= t.MediumGap:
		return AssessmentConfidenceMedium
	}
	return AssessmentConfidenceLow
}
