package views

import (
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"allium/clinic"
	"allium/store"
)

// ChartValues are a form's values as posted or prefilled, for pages with rows of fields whose
// names are built in the template ("palp.2.muscle").
type ChartValues url.Values

// Get returns the first value of a field, or "".
func (v ChartValues) Get(name string) string { return url.Values(v).Get(name) }

// Has reports whether a field (a checkbox group) holds value.
func (v ChartValues) Has(name, value string) bool {
	for _, x := range v[name] {
		if x == value {
			return true
		}
	}
	return false
}

// ChartRows is 0..n-1, for ranging over a form's rows in a template.
func ChartRows(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// ChartCaution is one line of the chart's caution banner.
type ChartCaution struct {
	Label  string
	Detail string
}

// GoalView is one goal with its progress drawn and judged.
type GoalView struct {
	Goal    clinic.PlanGoal
	Chart   template.HTML // the server-drawn SVG
	Latest  float64
	Verdict clinic.ChangeVerdict // "" before any reading
	Met     bool
}

// PlanCard is a plan as the chart, the plan page and the client's page show it.
type PlanCard struct {
	Plan   clinic.TreatmentPlan
	Goals  []GoalView
	Due    bool
	Events []clinic.PlanEvent // the buttons that would work now
}

// AnswerLine is one self-assessment answer in words.
type AnswerLine struct {
	Prompt string
	Answer string
}

// ChartPage is the client's chart.
type ChartPage struct {
	Page Page
	ChartText
	Chart       clinic.Chart
	Age         int
	Cautions    []ChartCaution
	OpenFlags   []clinic.ChartFlag
	ClassName   string
	Answers     []AnswerLine
	Plans       []PlanCard
	Latest      *FindingsView
	Classes     []clinic.ChartTerm
	Kinds       []clinic.ChartTerm
	Targets     []clinic.ChartTerm
	Suggested   string // the assessment's class code, preselected when none is confirmed
	NeedConsent bool
	// BookingBlocked: online booking is closed for the client by a safety answer.
	BookingBlocked bool
	SessionRows    template.HTML // the timeline's table rows, from ChartSessionRows
}

// FindingsView is a findings record with its body chart drawn and its codes in words.
type FindingsView struct {
	Findings clinic.Findings
	Front    template.HTML
	Back     template.HTML
	Terms    FindingTerms
}

// FindingTerms turns the codes of a findings record into words.
type FindingTerms struct {
	Vocab clinic.FindingVocab
}

// Label looks a code up in one of the vocabularies by name.
func (t FindingTerms) Label(vocab, code string) string {
	lists := map[string][]clinic.ChartTerm{"kind": t.Vocab.Kinds, "posture": t.Vocab.Posture, "joint": t.Vocab.Joints,
		"movement": t.Vocab.Movements, "mode": t.Vocab.Modes, "grade": t.Vocab.Grades, "pain": t.Vocab.Pains,
		"result": t.Vocab.TestResults, "trp": t.Vocab.TrPStatuses, "layer": t.Vocab.FasciaLayers, "class": t.Vocab.Classes}
	return clinic.TermLabel(lists[vocab], code)
}

// Words turns a code such as "boggy_oedematous" into "Boggy oedematous".
func (FindingTerms) Words(code string) string {
	s := strings.ReplaceAll(code, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Region names a body region code.
func (FindingTerms) Region(code string) string {
	if r, ok := clinic.RegionByCode(code); ok {
		return r.Name
	}
	return code
}

// Muscle names a muscle key.
func (FindingTerms) Muscle(key string) string {
	if m, ok := clinic.MuscleByKey(key); ok {
		return m.Name
	}
	return key
}

// Grade describes a tenderness grade.
func (FindingTerms) Grade(g *int) string {
	if g == nil {
		return ""
	}
	return clinic.TendernessGrade(*g).Label()
}

// Technique names a technique code.
func (FindingTerms) Technique(code string) string {
	if t, ok := clinic.TechniqueByCode(code); ok {
		return t.Name
	}
	return code
}

// FindingsFormPage is the findings form with its body chart. Every vocabulary is a list of
// terms, so one option template serves them all.
type FindingsFormPage struct {
	Page Page
	ChartText
	Client       clinic.ChartClient
	Form         ChartValues
	Vocab        clinic.FindingVocab
	Choices      ChartChoices
	ChartAreas   []ChartArea
	Front, Back  template.HTML
	Appointments []clinic.ChartSession
	PostureRows  []int
	ROMRows      []int
	TestRows     []int
	PalpRows     []int
	PointRows    []int
}

// ChartChoices are the clinic vocabularies a charting form offers, as terms.
type ChartChoices struct {
	Regions, Sides, Types, Tones, Textures, Grades, Channels, Roles, Techniques []clinic.ChartTerm
	Muscles                                                                     []MuscleChoice
}

// MuscleChoice is a muscle with its usual referral zone in words, for the picker.
type MuscleChoice struct {
	Key      string
	Name     string
	Referral string
}

// ChartArea is one clickable area of the body chart as a checkbox.
type ChartArea struct {
	Code  string
	Label string
}

// FindingsPage shows one findings record.
type FindingsPage struct {
	Page Page
	ChartText
	Client clinic.ChartClient
	View   FindingsView
}

// PlanFormPage is the plan form.
type PlanFormPage struct {
	Page Page
	ChartText
	Client       clinic.ChartClient
	Form         ChartValues
	Layers       []LayerChoice
	Measures     []clinic.GoalMeasure
	GoalRows     []int
	Suggestion   string // what the assessment suggested, in words
	DefaultDate  string // the review date if left empty, as the hint says
	AssessmentID int64
	FindingsID   int64
	PreviousID   int64
}

// LayerChoice is a plan layer with its words.
type LayerChoice struct {
	Code  clinic.PlanLayer
	Label string
}

// PlanPage is a plan with its goals, progress, sessions and history.
type PlanPage struct {
	Page Page
	ChartText
	Client     clinic.ChartClient
	Card       PlanCard
	Courses    []clinic.ChartCourse // the client's unlinked courses
	BookHref   string
	Decisions  map[clinic.ReassessDecision]string
	LayerNames map[clinic.PlanLayer]string
	Referrals  []clinic.Referral
	// SessionRows are the rows of the plan's sessions table, from PlanSessionRows.
	SessionRows template.HTML
}

// ReassessGoal is one goal on the reassessment form.
type ReassessGoal struct {
	Goal     clinic.PlanGoal
	Field    string // the form field of the score now
	Value    string // as typed or prefilled
	Err      string
	Progress *clinic.GoalProgress // after "Compare"
}

// ReassessPage is the reassessment form.
type ReassessPage struct {
	Page Page
	ChartText
	Client    clinic.ChartClient
	Plan      clinic.TreatmentPlan
	Goals     []ReassessGoal
	Form      ChartValues
	Decisions []DecisionChoice
	Suggested clinic.ReassessDecision
	Why       string
	Compared  bool
	Sessions  []clinic.PlanSession
}

// DecisionChoice is one decision on the reassessment form.
type DecisionChoice struct {
	Code  clinic.ReassessDecision
	Label string
	Hint  string
}

// NoteFormPage is the SOAP note form of one appointment.
type NoteFormPage struct {
	Page Page
	ChartText
	Note      store.AppointmentNote
	Client    clinic.ChartClient
	Form      ChartValues
	Vocab     clinic.NoteVocab
	Choices   ChartChoices
	TxRows    []int
	PainScale []clinic.ChartTerm
	Cautions  []ChartCaution
	Action    string
}

// NotePage shows a note, signed or not, with its addenda.
type NotePage struct {
	Page Page
	ChartText
	Note   store.AppointmentNote
	Client clinic.ChartClient
	Vocab  clinic.NoteVocab
	Terms  FindingTerms
	Form   ChartValues
}

// Score is the note's score for a goal as text, or "" when none was recorded.
func (p NotePage) Score(goalID int64) string {
	v, ok := p.Note.Scores[goalID]
	if !ok {
		return ""
	}
	return chartNum(v)
}

// GoalName describes a goal of the note's plan with the score's scale.
func (NotePage) GoalName(n store.AppointmentNote, goalID int64) string {
	for _, g := range n.Goals {
		if g.ID == goalID {
			return fmt.Sprintf("%s (%s; start %s, target %s)", g.Description, g.Measure.Label(), chartNum(g.Baseline), chartNum(g.Target))
		}
	}
	return ""
}

// ReferralFormPage is the referral form.
type ReferralFormPage struct {
	Page Page
	ChartText
	Client    clinic.ChartClient
	Form      ChartValues
	Targets   []clinic.ChartTerm
	Reasons   []clinic.ChartTerm
	Urgencies []clinic.ChartTerm
	PlanID    int64
}

// ReferralPage is the printable referral letter.
type ReferralPage struct {
	Page Page
	ChartText
	Referral  clinic.Referral
	Target    string
	Reason    string
	Urgency   string
	Clinic    Clinic
	Therapist string
}

// MyPlanPage is what a client sees of their plans.
type MyPlanPage struct {
	Page Page
	ChartText
	Plans []PlanCard
	Today clinic.Date
}

// ChartText gives pages the helpers free text needs.
type ChartText struct{}

// Lines splits text at its line breaks, so a template can keep them without inline styles.
func (ChartText) Lines(s string) []string {
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

// Term is clinic.TermLabel for templates: the words for a code in a vocabulary.
func (ChartText) Term(terms []clinic.ChartTerm, code string) string {
	return clinic.TermLabel(terms, code)
}

// ProgressChart draws a goal's progress from baseline towards target as SVG. id makes the
// title and description ids unique on the page. It is built as one string rather than
// through a template, where every number and label was a reflective call and an escaper (about
// 150 µs for a chart of eight readings); every text is escaped with html/template's own table.
func ProgressChart(id string, g clinic.PlanGoal) (template.HTML, error) {
	c := clinic.NewProgressChart(g.Measure, g.ChartReadings(), g.Baseline, g.Target)
	desc := fmt.Sprintf("Start %s, target %s, no readings yet.", chartNum(g.Baseline), chartNum(g.Target))
	if n := len(c.Dots); n > 0 {
		last := c.Dots[n-1]
		desc = fmt.Sprintf("Start %s, target %s; %d readings, latest %s at %s.", chartNum(g.Baseline), chartNum(g.Target), n,
			chartNum(last.Value), last.Label)
	}
	var b markup
	b.Grow(1400 + 160*len(c.Dots))
	b.frame(c, htmlText.Replace(id), g.Description+": "+g.Measure.Label(), desc)
	b.readings(c)
	return template.HTML(b.String()), nil //nolint:gosec // every text went through htmlText
}

// markup writes markup of many parts into one string.
type markup struct{ strings.Builder }

func (b *markup) w(parts ...string) {
	for _, p := range parts {
		b.WriteString(p)
	}
}

// frame writes the opening of the chart: its title, the scale, and the start and target lines.
func (b *markup) frame(c clinic.ProgressChart, id, title, desc string) {
	left, right := chartNum(c.Left), chartNum(c.Right)
	b.w(`<svg class="progress-chart" xmlns="http://www.w3.org/2000/svg" viewBox="`, htmlText.Replace(c.ViewBox),
		`" width="320" height="180" role="img" aria-labelledby="`, id, `-t `, id, `-d">`,
		`<title id="`, id, `-t">`, htmlText.Replace(title), `</title><desc id="`, id, `-d">`,
		htmlText.Replace(desc), `</desc><g stroke="#dfe5e0" stroke-width="1">`)
	for _, t := range c.YTicks {
		b.w(`<line x1="`, left, `" x2="`, right, `" y1="`, chartNum(t.At), `" y2="`, chartNum(t.At), `"/>`)
	}
	b.w(`</g><g fill="#56625a" font-size="10" font-family="system-ui, sans-serif" text-anchor="end">`)
	for _, t := range c.YTicks {
		b.w(`<text x="`, chartNum(c.Left-4), `" y="`, chartNum(t.At), `" dy="3">`, htmlText.Replace(t.Label), `</text>`)
	}
	base, target := chartNum(c.BaselineY), chartNum(c.TargetY)
	b.w(`</g><line x1="`, left, `" x2="`, right, `" y1="`, base, `" y2="`, base,
		`" stroke="#8a5a00" stroke-width="1.5" stroke-dasharray="5 3"/>`,
		`<text x="`, right, `" y="`, base, `" dy="-3" fill="#6e3b00" font-size="9" font-family="system-ui, sans-serif" text-anchor="end">Start</text>`,
		`<line x1="`, left, `" x2="`, right, `" y1="`, target, `" y2="`, target,
		`" stroke="#2f5d46" stroke-width="1.5" stroke-dasharray="2 2"/>`,
		`<text x="`, right, `" y="`, target, `" dy="-3" fill="#1f5133" font-size="9" font-family="system-ui, sans-serif" text-anchor="end">Target</text>`)
}

// readings writes the line and dots of the readings, or says there are none, and closes the chart.
func (b *markup) readings(c clinic.ProgressChart) {
	if c.Empty {
		b.w(`<text x="`, chartNum((c.Left+c.Right)/2), `" y="`, chartNum((c.Top+c.Bottom)/2),
			`" fill="#56625a" font-size="11" font-family="system-ui, sans-serif" text-anchor="middle">No readings yet</text>`)
	} else {
		b.w(`<polyline points="`, htmlText.Replace(c.Points), `" fill="none" stroke="#2f5d46" stroke-width="2" stroke-linejoin="round"/>`)
		for _, d := range c.Dots {
			b.w(`<circle cx="`, chartNum(d.X), `" cy="`, chartNum(d.Y), `" r="3.5" fill="#2f5d46" stroke="#fff" stroke-width="1"><title>`,
				htmlText.Replace(d.Label), `: `, chartNum(d.Value), `</title></circle>`)
		}
	}
	b.w(`<g fill="#56625a" font-size="10" font-family="system-ui, sans-serif" text-anchor="middle">`)
	tickY := chartNum(c.Bottom + 16)
	for _, t := range c.XTicks {
		b.w(`<text x="`, chartNum(t.At), `" y="`, tickY, `">`, htmlText.Replace(t.Label), `</text>`)
	}
	b.w(`</g></svg>`)
}

// ChartSessionRows writes the rows of the chart's timeline: when (in the clinic's zone), what,
// with whom, the status and the note's link. A client of years has hundreds of sessions, and
// through the template each row was about ten reflective calls and escapers (1 ms for 70 rows);
// here every text is escaped with html/template's own table.
func ChartSessionRows(loc *time.Location, sessions []clinic.ChartSession) template.HTML {
	var b markup
	b.Grow(400 * len(sessions))
	var when [40]byte
	for _, s := range sessions {
		b.w(`<tr><td data-label="When">`)
		b.Write(s.Start.In(loc).AppendFormat(when[:0], "Mon 2 Jan 2006, 15:04"))
		b.w(`</td><td data-label="Service">`, "<bdi>", htmlText.Replace(s.ServiceName), "</bdi>")
		if s.CourseSize > 1 {
			b.w(` · `, strconv.Itoa(s.CourseIndex), ` of `, strconv.Itoa(s.CourseSize))
		}
		status := htmlText.Replace(s.Status)
		b.w(`</td><td data-label="Therapist">`, "<bdi>", htmlText.Replace(s.TherapistName), "</bdi>", `</td><td data-label="Status"><span class="badge status-`,
			status, `">`, status, `</span></td><td data-label="Note">`, sessionNoteLink(s), `</td></tr>`)
	}
	return template.HTML(b.String()) //nolint:gosec // every text went through htmlText; links are built of ids
}

// PlanSessionRows writes the rows of a plan's sessions table: number, when, what and with
// whom, status and the note's link, as ChartSessionRows does for the chart.
func PlanSessionRows(loc *time.Location, sessions []clinic.PlanSession) template.HTML {
	var b markup
	b.Grow(400 * len(sessions))
	var when [40]byte
	for _, s := range sessions {
		b.w(`<tr><td class="num" data-label="#">`, strconv.Itoa(s.Number), `</td><td data-label="When">`)
		b.Write(s.Start.In(loc).AppendFormat(when[:0], "Mon 2 Jan 2006, 15:04"))
		status := htmlText.Replace(s.Status)
		b.w(`</td><td data-label="Service">`, "<bdi>", htmlText.Replace(s.ServiceName), "</bdi>", ` · `, "<bdi>", htmlText.Replace(s.TherapistName), "</bdi>",
			`</td><td data-label="Status"><span class="badge status-`, status, `">`, status, `</span></td><td data-label="Note">`)
		switch {
		case s.NoteStatus == "signed":
			b.w(`<a href="/notes/`, strconv.FormatInt(s.NoteID, 10), `">Signed note</a>`)
		case s.NoteID != 0:
			b.w(`<a href="/appointments/`, strconv.FormatInt(s.AppointmentID, 10), `/note">Draft note</a>`)
		default:
			b.w(`<a href="/appointments/`, strconv.FormatInt(s.AppointmentID, 10), `/note">Write note</a>`)
		}
		b.w(`</td></tr>`)
	}
	return template.HTML(b.String()) //nolint:gosec // every text went through htmlText; links are built of ids
}

// sessionNoteLink links a session's signed note, or its note to write, or nothing for a
// session that did not happen.
func sessionNoteLink(s clinic.ChartSession) string {
	switch {
	case s.NoteStatus == "signed":
		return `<a href="/notes/` + strconv.FormatInt(s.NoteID, 10) + `">Signed note</a>`
	case s.Status == "cancelled" || s.Status == "no_show":
		return `<span class="muted">–</span>`
	case s.NoteID != 0:
		return `<a href="/appointments/` + strconv.FormatInt(s.ID, 10) + `/note">Draft note</a>`
	}
	return `<a href="/appointments/` + strconv.FormatInt(s.ID, 10) + `/note">Write note</a>`
}

// htmlText escapes text and quoted attribute values as html/template does.
var htmlText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

func chartNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
