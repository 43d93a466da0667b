package views

import (
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"allium/clinic"
	"allium/store"
)

// ChartValues are a form's values as posted or prefilled, for pages with rows of fields whose
// names are built in the template ("palp.2.muscle").
type ChartValues url.Values

// Get returns the first value of a field, or "".
func (v ChartValues) Get(name string) string { return url.Values(v).Get(name) }

// Used reports whether any field whose name starts with prefix holds something: a folded
// section of a long form opens when it is in use (a form sent back with its values).
func (v ChartValues) Used(prefix string) bool {
	for k, vs := range v {
		if strings.HasPrefix(k, prefix) {
			for _, x := range vs {
				if strings.TrimSpace(x) != "" {
					return true
				}
			}
		}
	}
	return false
}

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
	BookLabel  string // what BookHref books: the course, or the maintenance visit
	Decisions  map[clinic.ReassessDecision]string
	LayerNames map[clinic.PlanLayer]string
	Referrals  []clinic.Referral
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

// Chart draws the goal's progress from baseline towards target as SVG.
func (g GoalView) Chart() template.HTML { return progressChart(g.Goal) }

// PlanCards writes the chart's plans, each a card with its progress and its goals' charts.
// Written by hand, as the timeline is: through the template each card was a map built for it
// and some thirty actions, each an escaper called by reflection (a client with five plans and
// seven goals: about a third of the chart's rendering).
func (c ChartPage) PlanCards() template.HTML {
	size := 0
	for _, card := range c.Plans {
		size += 700 + 2800*len(card.Goals)
	}
	w := newHTMLWriter(size)
	for _, card := range c.Plans {
		w.planCard(c.Page, card)
		w.m("\n  ")
	}
	return w.html()
}

func (w *htmlWriter) planCard(pg Page, card PlanCard) {
	p, d := card.Plan, pg.dates()
	href := pathID("/plans/", p.ID, "")
	w.m("\n" + `<article class="card" id="plan-`)
	w.int(p.ID)
	w.m(`">` + "\n" + `  <h3><a href="`)
	w.href(href)
	w.m(`">Plan from `)
	w.text(d.Day(p.StartDate))
	w.m(`</a> <span class="badge status-`)
	w.class(string(p.Status))
	w.m(`">`)
	w.text(p.Status.Label())
	w.m(`</span></h3>` + "\n" + `  <p>`)
	w.int(int64(p.SessionsDone))
	w.m(` of `)
	w.int(int64(p.TotalSessions()))
	w.m(` sessions done · review by `)
	w.text(d.Day(p.ReassessmentDate))
	if !p.MaintenanceDue.IsZero() {
		w.m(` · next maintenance visit due `)
		w.text(d.Day(p.MaintenanceDue))
	}
	w.m(`</p>` + "\n  ")
	if card.Due {
		w.m(`<p><span class="badge status-reassess_due">Reassessment due</span> <a href="`)
		w.href(pathID("/plans/", p.ID, "/reassess"))
		w.m(`">Reassess now</a></p>`)
	}
	w.m("\n" + `  <div class="grid">`)
	for _, g := range card.Goals {
		w.m("\n" + `    <figure>` + "\n" + `      <figcaption><strong><bdi>`)
		w.text(g.Goal.Description)
		w.m(`</bdi></strong><br>`)
		w.text(g.Goal.Measure.Label())
		w.goalScores(g)
		w.m(`</figcaption>` + "\n      ")
		w.progressChart(g.Goal)
		w.m("\n" + `    </figure>`)
	}
	w.m("\n" + `  </div>` + "\n" + `</article>`)
}

// goalScores writes a goal's caption figures, ": start 6, target 2, latest 4", the chart's
// plan cards and the plan page alike; it reports whether there is a latest score to judge.
func (w *htmlWriter) goalScores(g GoalView) bool {
	w.m(`: start `)
	w.num(g.Goal.Baseline)
	w.m(`, target `)
	w.num(g.Goal.Target)
	if len(g.Goal.Readings) == 0 {
		return false
	}
	w.m(`, latest `)
	w.num(g.Latest)
	return true
}

// progressChart draws a goal's progress as SVG, with title and description ids unique on the
// page. It is written with htmlWriter rather than through a template, where every number and
// label was a reflective call and an escaper (about 150 µs for a chart of eight readings).
func progressChart(g clinic.PlanGoal) template.HTML {
	w := newHTMLWriter(1400 + 160*len(g.Readings))
	w.progressChart(g)
	return w.html()
}

func (w *htmlWriter) progressChart(g clinic.PlanGoal) {
	c := clinic.NewProgressChart(g.Measure, g.ChartReadings(), g.Baseline, g.Target)
	desc := fmt.Sprintf("Start %s, target %s, no readings yet.", chartNum(g.Baseline), chartNum(g.Target))
	if n := len(c.Dots); n > 0 {
		last := c.Dots[n-1]
		desc = fmt.Sprintf("Start %s, target %s; %d readings, latest %s at %s.", chartNum(g.Baseline), chartNum(g.Target), n,
			chartNum(last.Value), last.Label)
	}
	w.chartFrame(c, g.ID, g.Description+": "+g.Measure.Label(), desc)
	w.chartReadings(c)
}

// chartFrame writes the opening of the chart: its title, the scale, and the start and target lines.
func (w *htmlWriter) chartFrame(c clinic.ProgressChart, goalID int64, title, desc string) {
	w.m(`<svg class="progress-chart" xmlns="http://www.w3.org/2000/svg" viewBox="`)
	w.text(c.ViewBox)
	w.m(`" width="320" height="180" role="img" aria-labelledby="goal-`)
	w.int(goalID)
	w.m(`-t goal-`)
	w.int(goalID)
	w.m(`-d"><title id="goal-`)
	w.int(goalID)
	w.m(`-t">`)
	w.text(title)
	w.m(`</title><desc id="goal-`)
	w.int(goalID)
	w.m(`-d">`)
	w.text(desc)
	w.m(`</desc><g stroke="#dfe5e0" stroke-width="1">`)
	for _, t := range c.YTicks {
		w.chartLine(c.Left, c.Right, t.At)
		w.m(`"/>`)
	}
	w.m(`</g><g fill="#56625a" font-size="10" font-family="system-ui, sans-serif" text-anchor="end">`)
	for _, t := range c.YTicks {
		w.m(`<text x="`)
		w.num(c.Left - 4)
		w.m(`" y="`)
		w.num(t.At)
		w.m(`" dy="3">`)
		w.text(t.Label)
		w.m(`</text>`)
	}
	w.m(`</g>`)
	w.chartLine(c.Left, c.Right, c.BaselineY)
	w.m(`" stroke="#8a5a00" stroke-width="1.5" stroke-dasharray="5 3"/><text x="`)
	w.num(c.Right)
	w.m(`" y="`)
	w.num(c.BaselineY)
	w.m(`" dy="-3" fill="#6e3b00" font-size="9" font-family="system-ui, sans-serif" text-anchor="end">Start</text>`)
	w.chartLine(c.Left, c.Right, c.TargetY)
	w.m(`" stroke="#2f5d46" stroke-width="1.5" stroke-dasharray="2 2"/><text x="`)
	w.num(c.Right)
	w.m(`" y="`)
	w.num(c.TargetY)
	w.m(`" dy="-3" fill="#1f5133" font-size="9" font-family="system-ui, sans-serif" text-anchor="end">Target</text>`)
}

// chartLine opens a horizontal line at y; the caller adds its attributes and closes it.
func (w *htmlWriter) chartLine(left, right, y float64) {
	w.m(`<line x1="`)
	w.num(left)
	w.m(`" x2="`)
	w.num(right)
	w.m(`" y1="`)
	w.num(y)
	w.m(`" y2="`)
	w.num(y)
}

// chartReadings writes the line and dots of the readings, or says there are none, and closes the chart.
func (w *htmlWriter) chartReadings(c clinic.ProgressChart) {
	if c.Empty {
		w.m(`<text x="`)
		w.num((c.Left + c.Right) / 2)
		w.m(`" y="`)
		w.num((c.Top + c.Bottom) / 2)
		w.m(`" fill="#56625a" font-size="11" font-family="system-ui, sans-serif" text-anchor="middle">No readings yet</text>`)
	} else {
		w.m(`<polyline points="`)
		w.text(c.Points)
		w.m(`" fill="none" stroke="#2f5d46" stroke-width="2" stroke-linejoin="round"/>`)
		for _, d := range c.Dots {
			w.m(`<circle cx="`)
			w.num(d.X)
			w.m(`" cy="`)
			w.num(d.Y)
			w.m(`" r="3.5" fill="#2f5d46" stroke="#fff" stroke-width="1"><title>`)
			w.text(d.Label)
			w.m(`: `)
			w.num(d.Value)
			w.m(`</title></circle>`)
		}
	}
	w.m(`<g fill="#56625a" font-size="10" font-family="system-ui, sans-serif" text-anchor="middle">`)
	for _, t := range c.XTicks {
		w.m(`<text x="`)
		w.num(t.At)
		w.m(`" y="`)
		w.num(c.Bottom + 16)
		w.m(`">`)
		w.text(t.Label)
		w.m(`</text>`)
	}
	w.m(`</g></svg>`)
}

// SessionRows are the rows of the chart's timeline.
func (p ChartPage) SessionRows() template.HTML {
	return ChartSessionRows(p.Page.dates(), p.Chart.Sessions)
}

// SessionRows are the rows of the plan's sessions table.
func (p PlanPage) SessionRows() template.HTML {
	return PlanSessionRows(p.Page.dates(), p.Card.Plan.Sessions)
}

// ChartSessionRows writes the rows of the chart's timeline: when (in the clinic's zone), what,
// with whom, the status and the note's link. A client of years has hundreds of sessions, and
// through the template each row was about ten reflective calls and escapers (1 ms for 70 rows).
func ChartSessionRows(dates clinic.Dates, sessions []clinic.ChartSession) template.HTML {
	w := newHTMLWriter(400 * len(sessions))
	for _, s := range sessions {
		w.m(`<tr><td data-label="When">`)
		w.text(dates.When(s.Start))
		w.m(`</td><td data-label="Service">`)
		w.bdi(s.ServiceName)
		if s.CourseSize > 1 {
			w.m(` · `)
			w.int(int64(s.CourseIndex))
			w.m(` of `)
			w.int(int64(s.CourseSize))
		}
		w.m(`</td><td data-label="Therapist">`)
		w.bdi(s.TherapistName)
		w.sessionStatus(string(s.Status))
		switch {
		case s.NoteStatus == "signed":
			w.noteLink(NoteHref(s.NoteID), "Signed note")
		case s.NoteID != 0 && s.Status.TakesPlace():
			w.noteLink(NoteFormHref(s.ID), "Draft note")
		case s.NoteOpen:
			w.noteLink(NoteFormHref(s.ID), "Write note")
		default:
			w.m(`<span class="muted">–</span>`)
		}
		w.m(`</td></tr>`)
	}
	return w.html()
}

// PlanSessionRows writes the rows of a plan's sessions table: number, when, what and with
// whom, status and the note's link, as ChartSessionRows does for the chart.
func PlanSessionRows(dates clinic.Dates, sessions []clinic.PlanSession) template.HTML {
	w := newHTMLWriter(400 * len(sessions))
	for _, s := range sessions {
		w.m(`<tr><td class="num" data-label="#">`)
		w.int(int64(s.Number))
		w.m(`</td><td data-label="When">`)
		w.text(dates.When(s.Start))
		w.m(`</td><td data-label="Service">`)
		w.bdi(s.ServiceName)
		w.m(` · `)
		w.bdi(s.TherapistName)
		w.sessionStatus(string(s.Status))
		switch {
		case s.NoteStatus == "signed":
			w.noteLink(NoteHref(s.NoteID), "Signed note")
		case s.NoteID != 0:
			w.noteLink(NoteFormHref(s.AppointmentID), "Draft note")
		case s.NoteOpen:
			w.noteLink(NoteFormHref(s.AppointmentID), "Write note")
		default:
			w.m(`<span class="muted">–</span>`)
		}
		w.m(`</td></tr>`)
	}
	return w.html()
}

// bdi writes a name isolated from the text around it, so a name in a right-to-left script
// cannot reorder what follows it.
func (w *htmlWriter) bdi(s string) {
	w.m(`<bdi>`)
	w.text(s)
	w.m(`</bdi>`)
}

// sessionStatus ends the previous cell and writes the status cell, and opens the note's.
func (w *htmlWriter) sessionStatus(status string) {
	w.m(`</td><td data-label="Status"><span class="badge status-`)
	w.class(status)
	w.m(`">`)
	w.text(status)
	w.m(`</span></td><td data-label="Note">`)
}

func (w *htmlWriter) noteLink(h Href, label markup) {
	w.m(`<a href="`)
	w.href(h)
	w.m(`">`)
	w.m(label)
	w.m(`</a>`)
}

func chartNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
