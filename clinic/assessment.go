package clinic

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The free online movement assessment is a triage and routing aid, not a
// diagnosis. This file holds the questionnaire shape and its validation; the
// questions themselves live in assessment_items.go and the scoring in
// assessment_score.go.

// AssessmentItemKind is how an item is answered, and so how it is rendered.
type AssessmentItemKind string

const (
	AssessmentKindSingle  AssessmentItemKind = "single"  // one option (radio buttons)
	AssessmentKindMulti   AssessmentItemKind = "multi"   // any options (checkboxes)
	AssessmentKindScale   AssessmentItemKind = "scale"   // one whole number from Min to Max
	AssessmentKindRegions AssessmentItemKind = "regions" // body map: any region codes
	AssessmentKindText    AssessmentItemKind = "text"    // short free text
)

// AssessmentTextMaxRunes caps free text: enough for a sentence or two, too
// little to become a place for a medical history the clinic has not asked for.
const AssessmentTextMaxRunes = 500

// AssessmentOption is one answer to choose. Value is stable and stored; Label
// is what the person reads and may be reworded without a new version.
type AssessmentOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
	// Exclusive marks "None of these": an explicit answer that makes a
	// tick-list required without forcing a false tick.
	Exclusive bool `json:"exclusive,omitempty"`
}

// AssessmentItem is one question.
type AssessmentItem struct {
	ID       string             `json:"id"`
	Step     int                `json:"step"`
	Kind     AssessmentItemKind `json:"kind"`
	Prompt   string             `json:"prompt"`
	Help     string             `json:"help,omitempty"`
	Options  []AssessmentOption `json:"options,omitempty"`
	Min      int                `json:"min,omitempty"`
	Max      int                `json:"max,omitempty"`
	MinLabel string             `json:"min_label,omitempty"`
	MaxLabel string             `json:"max_label,omitempty"`
	Required bool               `json:"required"`
	// WithinItem names an item on the same step whose answers must include
	// this item's answer: the main area must be one of the areas marked.
	WithinItem string `json:"within_item,omitempty"`
}

// AssessmentStep is one screen of the questionnaire.
type AssessmentStep struct {
	Key   string           `json:"key"`
	Title string           `json:"title"`
	Intro string           `json:"intro"`
	Items []AssessmentItem `json:"items"`
}

// AssessmentQuestionnaire is one published version of the questions.
type AssessmentQuestionnaire struct {
	Version string           `json:"version"`
	Steps   []AssessmentStep `json:"steps"`
}

// AssessmentAnswers maps an item ID to its answer values, the shape of
// url.Values, so a posted form converts without a binding layer.
type AssessmentAnswers map[string][]string

// Values returns the non-blank answers to an item, trimmed. A browser posts
// an empty text box as "", which means no answer.
func (a AssessmentAnswers) Values(id string) []string {
	var out []string
	for _, v := range a[id] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Has reports whether value is among the answers to an item.
func (a AssessmentAnswers) Has(id, value string) bool {
	for _, v := range a.Values(id) {
		if v == value {
			return true
		}
	}
	return false
}

// Items returns every item in step order.
func (q *AssessmentQuestionnaire) Items() []AssessmentItem {
	var out []AssessmentItem
	for _, s := range q.Steps {
		out = append(out, s.Items...)
	}
	return out
}

// Item finds an item by ID.
func (q *AssessmentQuestionnaire) Item(id string) (AssessmentItem, bool) {
	for _, it := range q.Items() {
		if it.ID == id {
			return it, true
		}
	}
	return AssessmentItem{}, false
}

// ValidateStep checks the answers for one step (a 0-based index into Steps)
// and returns plain messages keyed by item ID, or nil when the step is
// complete. Answers to other steps and unknown keys (a CSRF token) are
// ignored. Values a form could not have produced are rejected rather than
// dropped, so a tampered answer never reaches the score.
func (q *AssessmentQuestionnaire) ValidateStep(step int, a AssessmentAnswers) map[string]string {
	if step < 0 || step >= len(q.Steps) {
		return map[string]string{"step": "This step does not exist."}
	}
	var errs map[string]string
	for _, it := range q.Steps[step].Items {
		msg := it.check(a)
		if msg == "" && it.WithinItem != "" {
			msg = checkWithin(it, a)
		}
		if msg != "" {
			if errs == nil {
				errs = map[string]string{}
			}
			errs[it.ID] = msg
		}
	}
	return errs
}

// Validate checks every step, for the final submit.
func (q *AssessmentQuestionnaire) Validate(a AssessmentAnswers) map[string]string {
	var errs map[string]string
	for i := range q.Steps {
		for id, msg := range q.ValidateStep(i, a) {
			if errs == nil {
				errs = map[string]string{}
			}
			errs[id] = msg
		}
	}
	return errs
}

const (
	msgUnreadable = "This answer has characters we can't read. Please type it again."
	msgNotOffered = "Please choose from the answers shown."
	msgChooseOne  = "Please choose one answer."
)

func (it AssessmentItem) check(a AssessmentAnswers) string {
	for _, v := range a[it.ID] {
		if !utf8.ValidString(v) || hasControl(v) {
			return msgUnreadable
		}
	}
	vals := a.Values(it.ID)
	if len(vals) == 0 {
		if it.Required {
			return it.missingMessage()
		}
		return ""
	}
	switch it.Kind {
	case AssessmentKindSingle:
		return it.checkSingle(vals)
	case AssessmentKindMulti, AssessmentKindRegions:
		return it.checkMulti(vals)
	case AssessmentKindScale:
		return it.checkScale(vals)
	case AssessmentKindText:
		return it.checkText(vals)
	}
	return msgNotOffered
}

func (it AssessmentItem) missingMessage() string {
	switch it.Kind {
	case AssessmentKindMulti:
		if it.exclusiveOption() != "" {
			return "Please tick at least one, or “None of these”."
		}
		return "Please tick at least one."
	case AssessmentKindRegions:
		return "Please mark at least one area."
	case AssessmentKindScale:
		return "Please pick a number."
	case AssessmentKindText:
		return "Please fill this in."
	}
	return "Please choose an answer."
}

func (it AssessmentItem) checkSingle(vals []string) string {
	if len(vals) > 1 {
		return msgChooseOne
	}
	if !it.offers(vals[0]) {
		return msgNotOffered
	}
	return ""
}

func (it AssessmentItem) checkMulti(vals []string) string {
	if len(vals) > len(it.Options) {
		return msgNotOffered
	}
	for _, v := range vals {
		if !it.offers(v) {
			return msgNotOffered
		}
	}
	if none := it.exclusiveOption(); none != "" && len(vals) > 1 {
		for _, v := range vals {
			if v == none {
				return "“None of these” can't be ticked together with other answers."
			}
		}
	}
	return ""
}

func (it AssessmentItem) checkScale(vals []string) string {
	if len(vals) > 1 {
		return msgChooseOne
	}
	n, err := strconv.Atoi(vals[0])
	if err != nil || n < it.Min || n > it.Max {
		return fmt.Sprintf("Please pick a number from %d to %d.", it.Min, it.Max)
	}
	return ""
}

func (it AssessmentItem) checkText(vals []string) string {
	if len(vals) > 1 {
		return msgNotOffered
	}
	if utf8.RuneCountInString(vals[0]) > AssessmentTextMaxRunes {
		return fmt.Sprintf("Please keep this under %d characters.", AssessmentTextMaxRunes)
	}
	return ""
}

func checkWithin(it AssessmentItem, a AssessmentAnswers) string {
	for _, v := range a.Values(it.ID) {
		if !a.Has(it.WithinItem, v) {
			return "Please pick one of the areas you marked."
		}
	}
	return ""
}

func (it AssessmentItem) offers(v string) bool {
	for _, o := range it.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

func (it AssessmentItem) exclusiveOption() string {
	for _, o := range it.Options {
		if o.Exclusive {
			return o.Value
		}
	}
	return ""
}

// hasControl rejects control characters other than line breaks and tabs: a
// form field cannot produce them, and they break emails and exports.
func hasControl(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
			return true
		}
	}
	return false
}
