package clinic

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SessionNote is the SOAP note of one appointment as the therapist writes it. A draft is saved
// as the therapist types; signing locks it, and after that only addenda are possible.
type SessionNote struct {
	ID              int64
	PlanID          int64 // the plan the session belongs to, 0 for none
	FindingsID      int64 // the findings the objective part refers to, 0 for none
	Status          string
	Subjective      string
	PainToday       *int
	Change          string
	Objective       string
	Response        string
	Progress        string
	NextFocus       string
	HomeCare        string
	Adverse         string
	AdverseSeverity string
	AdverseNote     string
	Treatments      []NoteTreatment
	Scores          map[int64]float64 // goal id -> the goal's score at this session
	Addenda         []NoteAddendum
	SignedAt        time.Time
	SignedBy        string
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Signed reports whether the note is locked.
func (n SessionNote) Signed() bool { return n.Status == "signed" }

// NoteTreatment is one technique delivered in the session.
type NoteTreatment struct {
	Technique string
	Region    string
	Side      BodySide
	Muscle    string
	Point     string
	Minutes   *int
	Pressure  string
	Note      string
}

// NoteAddendum is text added to a signed note: who, when and what.
type NoteAddendum struct {
	ID     int64
	Text   string
	Author string
	At     time.Time
}

// Note vocabularies.
var (
	changeTerms = []ChartTerm{{"much_better", "Much better"}, {"better", "Better"}, {"same", "About the same"},
		{"worse", "Worse"}, {"much_worse", "Much worse"}}
	adverseTerms = []ChartTerm{{"none", "None"}, {"soreness", "Soreness"}, {"bruising", "Bruising"},
		{"headache", "Headache"}, {"dizziness", "Dizziness"}, {"nausea", "Nausea"}, {"fatigue", "Fatigue"}, {"other", "Other"}}
	severityTerms = []ChartTerm{{"mild", "Mild"}, {"moderate", "Moderate"}, {"severe", "Severe"}}
	pressureTerms = []ChartTerm{{"light", "Light"}, {"moderate", "Moderate"}, {"firm", "Firm"}, {"deep", "Deep"}}
)

// NoteVocab is every vocabulary the note form offers.
type NoteVocab struct {
	Changes, Adverse, Severities, Pressures []ChartTerm
}

// NoteVocabulary returns the note vocabularies.
func NoteVocabulary() NoteVocab {
	return NoteVocab{Changes: changeTerms, Adverse: adverseTerms, Severities: severityTerms, Pressures: pressureTerms}
}

// NoteTextMax caps each free-text part of a note: room for a long, careful note.
const NoteTextMax = 20000

// Validate checks a note and returns a message per form field that is wrong, keyed as the note
// form names its fields. Signing asks for more than a draft: something in the note.
func (n *SessionNote) Validate(signing bool) map[string]string {
	errs := map[string]string{}
	for k, v := range n.texts() {
		if utf8.RuneCountInString(v) > NoteTextMax {
			errs[k] = fmt.Sprintf("This is too long: at most %d characters.", NoteTextMax)
		}
	}
	switch {
	case n.PainToday != nil && (*n.PainToday < 0 || *n.PainToday > 10):
		errs["pain_today"] = "Pain is scored 0 to 10."
	case n.Change != "" && !termKnown(changeTerms, n.Change):
		errs["change"] = "Choose a change from the list."
	case n.Adverse != "" && !termKnown(adverseTerms, n.Adverse):
		errs["adverse"] = "Choose a reaction from the list."
	case n.AdverseSeverity != "" && !termKnown(severityTerms, n.AdverseSeverity):
		errs["adverse_severity"] = "Choose mild, moderate or severe."
	}
	for id, v := range n.Scores {
		if v < 0 || v > 10 {
			errs["score."+strconv.FormatInt(id, 10)] = "Scores run from 0 to 10."
		}
	}
	for i := range n.Treatments {
		n.Treatments[i].problems(fmt.Sprintf("tx.%d.", i), errs)
	}
	if signing && len(errs) == 0 && strings.TrimSpace(n.Subjective+n.Objective+n.Response+n.Progress+n.NextFocus) == "" {
		errs["subjective"] = "Write the note before signing it."
	}
	return errs
}

func (n *SessionNote) texts() map[string]string {
	return map[string]string{"subjective": n.Subjective, "objective": n.Objective, "response": n.Response,
		"progress": n.Progress, "next_focus": n.NextFocus, "home_care": n.HomeCare, "adverse_note": n.AdverseNote}
}

func (t *NoteTreatment) problems(k string, errs map[string]string) {
	switch {
	case !techniqueKnown(t.Technique):
		errs[k+"technique"] = "Choose a technique from the list."
	case t.Region != "" && !regionKnown(t.Region):
		errs[k+"region"] = "Choose a region from the list."
	case t.Side != "" && !sideKnown(t.Side):
		errs[k+"side"] = "Choose a side from the list."
	case t.Muscle != "" && !muscleKnown(t.Muscle):
		errs[k+"muscle"] = "Choose a muscle from the list."
	case t.Minutes != nil && (*t.Minutes < 0 || *t.Minutes > 240):
		errs[k+"minutes"] = "Minutes run from 0 to 240."
	case t.Pressure != "" && !termKnown(pressureTerms, t.Pressure):
		errs[k+"pressure"] = "Choose a pressure from the list."
	case t.Point != "":
		code, ok := NormalizeAcupoint(t.Point)
		if !ok {
			errs[k+"point"] = fmt.Sprintf("%q is not an acupoint code. Use a channel and number such as GB21 or LI4, an extra point such as EX-HN3, or ASHI.", t.Point)
		}
		t.Point = code
	}
}

func techniqueKnown(code string) bool { _, ok := TechniqueByCode(code); return ok }

// AddendumMax caps one addendum.
const AddendumMax = 10000

// ValidAddendum reports whether text may be added to a signed note: something, and not more
// than AddendumMax characters.
func ValidAddendum(text string) bool {
	return strings.TrimSpace(text) != "" && utf8.RuneCountInString(text) <= AddendumMax
}
