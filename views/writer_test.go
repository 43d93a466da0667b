package views

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"allium/clinic"
	"allium/store"
)

// hostile are strings a client's name, a caution, a service or a finding could hold that try
// to end the text or the attribute they stand in, or to become a link.
var hostile = []string{
	"", `"`, `'`, `<`, `&`, `+`, "Eve O'Brien & co",
	`<script>alert(1)</script>`, `"><script>alert(1)</script>`, `' onmouseover='alert(1)`,
	`" onmouseover="alert(1)" x="`, `<img src=x onerror=alert(1)>`, `javascript:alert(1)`,
	"java\tscript:alert(1)", `</textarea><script>alert(1)</script>`, `</title><svg onload=alert(1)>`,
	`</svg><p onclick=x>`, `]]>`, `<![CDATA[<script>x</script>]]>`, `<!-- x -->`, `--!>`, `<?xml x?>`,
	"\u202eevil\u202c", "\u2066isolate\u2069", "a\x00b", "\x00", "\xff\xfe", "ok\xc3", "\xed\xa0\x80",
	"&amp;&lt;&#0;&#x3c;", "+ADw-script+AD4-", "line\r\nbreak\rhere", "`${x}`", "=", "a b\tc",
	"<style>*{}</style>", "&", "&#", "<a href=//evil.example>x</a>", "</tr></table><form>",
}

// FuzzWriterKeepsTextAsText renders every part of the pages htmlWriter writes with s in each
// text and attribute value from data, parses the result as a browser would, and checks that
// it has exactly the elements and attributes it has with a harmless "x" there, that s reads
// back as written, and that every link is a path of Allium's own or a phone number's.
func FuzzWriterKeepsTextAsText(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	charts := testBodyCharts(f)
	f.Fuzz(func(t *testing.T, s string) {
		ref := "x"
		if s == "" {
			ref = ""
		}
		for _, p := range writerParts(charts) {
			got, want := p.render(s), p.render(ref)
			gotTree, wantTree := parseFragment(t, got, p.context), parseFragment(t, want, p.context)
			if g, w := elements(gotTree), elements(wantTree); !slices.Equal(g, w) {
				t.Fatalf("%s: with %q the markup has elements and attributes\n%q\nwant\n%q\nmarkup: %s", p.name, s, g, w, got)
			}
			if s != "" && !readsBack(gotTree, readAs(s)) {
				t.Fatalf("%s: %q does not read back as %q from %s", p.name, s, readAs(s), got)
			}
			for _, h := range attrValues(gotTree, "href") {
				if (!strings.HasPrefix(h, "/") || strings.HasPrefix(h, "//")) && !strings.HasPrefix(h, "tel:") {
					t.Fatalf("%s: link %q is not a path of Allium's own nor a phone number", p.name, h)
				}
			}
		}
	})
}

// writerPart is one thing htmlWriter writes, with s in every string from data.
type writerPart struct {
	name    string
	context atom.Atom // the element the part is written inside
	render  func(s string) template.HTML
}

// branching are values that rightly change what is drawn (a cancelled booking leaves the
// board, a signed note is linked): with these, s goes only where no branch reads it.
var branching = []string{"booked", "checked_in", "completed", "cancelled", "no_show", "signed", "draft"}

func writerParts(charts *BodyCharts) []writerPart {
	start := time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)
	status := func(s string) string {
		if slices.Contains(branching, s) {
			return "booked"
		}
		return s
	}
	return []writerPart{
		{"desk board", atom.Body, func(s string) template.HTML {
			d := deskDay(s, status(s), start)
			return d.Board()
		}},
		{"desk board on a used writer", atom.Body, func(s string) template.HTML {
			used := &htmlWriter{}
			used.m(`<script>left over</script>`)
			d := deskDay(s, status(s), start).withSpare(used).(DeskDay)
			return d.Board()
		}},
		{"therapist's day", atom.Tbody, func(s string) template.HTML {
			a := store.Appointment{ID: 1, ClientID: 2, Start: start, End: start.Add(time.Hour), ClientName: s, Cautions: s,
				ServiceName: s, RoomName: s, Status: clinic.ApptStatus(status(s)), CourseIndex: 1, CourseSize: 2}
			return TherapistDay{Appointments: []TherapistAppt{NewTherapistAppt(Page{}, a, s == "signed")}}.Rows()
		}},
		{"service choices", atom.Div, func(s string) template.HTML {
			svc := store.Service{Service: clinic.Service{ID: 3, Name: s, Duration: time.Hour}, Description: s, PriceCents: 9000, CourseSessions: 4}
			return BookStart{Services: []store.Service{svc}, Service: 3}.ServiceChoices()
		}},
		{"free times", atom.Div, func(s string) template.HTML {
			return BookTimes{Chosen: s, Groups: []SlotGroup{{Therapist: s, Slots: []SlotChoice{{Value: s, Time: s}}}}}.SlotGroups()
		}},
		{"takings", atom.Tbody, func(s string) template.HTML {
			return DeskTakings{ByTherapist: []TakingsTotal{{Label: s, Amount: 9000, Count: 2}}}.TherapistRows()
		}},
		{"desk navigation", atom.Body, func(s string) template.HTML {
			return deskNav([]DeskNavLink{{Href: PathHref("/desk"), Label: s, Current: true}, {Href: PathHref("/desk/takings"), Label: s}})
		}},
		{"therapist options", atom.Select, func(s string) template.HTML {
			return BookStart{Therapists: []store.User{{ID: 5, Name: s}}, Therapist: 5}.TherapistOptions()
		}},
		{"cancelled list", atom.Body, func(s string) template.HTML {
			return deskDay(s, status(s), start).Cancelled()
		}},
		{"chart timeline", atom.Tbody, func(s string) template.HTML {
			return ChartSessionRows(clinic.Dates{Loc: time.UTC}, []clinic.ChartSession{
				{ID: 1, Start: start, ServiceName: s, TherapistName: s, Status: clinic.ApptStatus(status(s)), CourseIndex: 1, CourseSize: 2},
				{ID: 2, Start: start, ServiceName: s, TherapistName: s, Status: "completed", NoteID: 3, NoteStatus: status(s)},
			})
		}},
		{"plan sessions", atom.Tbody, func(s string) template.HTML {
			return PlanSessionRows(clinic.Dates{Loc: time.UTC}, []clinic.PlanSession{
				{Number: 1, AppointmentID: 1, Start: start, ServiceName: s, TherapistName: s, Status: clinic.ApptStatus(status(s)), NoteID: 2, NoteStatus: status(s)},
			})
		}},
		{"report chart", atom.Body, func(s string) template.HTML {
			return reportWith(s).Chart.HTML()
		}},
		{"report tables", atom.Body, func(s string) template.HTML {
			return reportWith(s).TablesHTML()
		}},
		{"recall list", atom.Tbody, func(s string) template.HTML {
			return recallEntries(s).Rows()
		}},
		{"progress chart", atom.Body, func(s string) template.HTML {
			g := clinic.PlanGoal{ID: 4, Goal: clinic.Goal{Description: s, Measure: clinic.MeasurePain, Activity: s, Baseline: 7, Target: 2},
				Readings: []clinic.OutcomeReading{{Value: 6, TakenAt: start}, {Value: 4, TakenAt: start.AddDate(0, 0, 7)}}}
			return GoalView{Goal: g}.Chart()
		}},
		{"plan cards", atom.Body, func(s string) template.HTML {
			g := clinic.PlanGoal{ID: 4, Goal: clinic.Goal{Description: s, Measure: clinic.MeasurePain, Activity: s, Baseline: 7, Target: 2},
				Readings: []clinic.OutcomeReading{{Value: 6, TakenAt: start}}}
			plan := clinic.TreatmentPlan{ID: 9, Status: clinic.PlanActive, SessionsDone: 1, PlannedSessions: 4}
			return ChartPage{Page: Page{Loc: time.UTC}, Plans: []PlanCard{{Plan: plan, Goals: []GoalView{{Goal: g, Latest: 6}}, Due: true}}}.PlanCards()
		}},
		{"plan page", atom.Body, func(s string) template.HTML {
			g := clinic.PlanGoal{ID: 4, Goal: clinic.Goal{Description: s, Measure: clinic.MeasurePain, Activity: s, Baseline: 7, Target: 2},
				Readings: []clinic.OutcomeReading{{Value: 6, TakenAt: start}}}
			plan := clinic.TreatmentPlan{ID: 9, Status: clinic.PlanActive, Events: []clinic.PlanEventRecord{
				{From: clinic.PlanDraft, To: clinic.PlanActive, Actor: s, Reason: s, At: start}},
				Reassessments: []clinic.ReassessmentRecord{{Decision: "extend", Rationale: "kept\nas lines", Therapist: s, At: start,
					Goals: []clinic.ReassessedGoal{{Baseline: 7, Current: 3, Verdict: clinic.ChangeImproved}}}}}
			p := PlanPage{Page: Page{Loc: time.UTC}, Card: PlanCard{Plan: plan, Goals: []GoalView{{Goal: g, Latest: 6}}},
				Decisions: map[clinic.ReassessDecision]string{"extend": s}}
			return p.GoalFigures() + p.ReassessmentCards() + "<ol>" + p.HistoryItems() + "</ol>"
		}},
		{"plan's course options", atom.Select, func(s string) template.HTML {
			return PlanPage{Page: Page{Loc: time.UTC}, Courses: []clinic.ChartCourse{{ID: 2, Service: s, Sessions: 3, FirstStart: start}}}.CourseOptions()
		}},
		{"page header", atom.Body, func(s string) template.HTML {
			return Page{Clinic: Clinic{Name: s}, CSRF: s, User: &User{Name: s}, Nav: []NavLink{{Href: "/desk", Label: s, Current: true}}}.Header()
		}},
		{"page footer", atom.Body, func(s string) template.HTML {
			return Page{Clinic: Clinic{Name: s, Address: s}}.Footer()
		}},
		{"body chart", atom.Body, func(s string) template.HTML {
			three := 3
			front, back := charts.Draw([]string{s, "neck"}, []clinic.PalpationFinding{
				{Region: "upper_trap", Side: clinic.SideRight, Muscle: s, Type: s, Tenderness: &three},
				{Region: s, Side: clinic.SideLeft, Type: s},
			})
			return front + back
		}},
	}
}

// deskDay is a day of two columns, a booking and a cancelled one, with s in every string.
func deskDay(s, status string, start time.Time) DeskDay {
	book := store.DayBooking{ID: 1, TherapistID: 1, RoomID: 1, CourseIndex: 1, CourseSize: 2, ClientName: s, Cautions: s,
		TherapistName: s, ServiceName: s, RoomName: s, Status: clinic.ApptStatus(status), CancelReason: s, Start: start, End: start.Add(time.Hour)}
	gone := book
	gone.ID, gone.Status = 2, clinic.ApptCancelled
	day, _ := clinic.ParseDate("2026-03-11")
	return DeskDay{Page: Page{Loc: time.UTC}, DeskBoard: DeskBoard{
		Columns:  []DeskColumn{{Name: s, Link: DeskWeekHref(1, day), Note: s, Away: []string{s}}, {Name: s, Link: DeskDayHref(day)}},
		Bookings: []store.DayBooking{book, gone},
		ColumnOf: func(store.DayBooking) int { return 0 },
		Shifts:   []clinic.Shift{{Start: clinic.Clock(9, 0), End: clinic.Clock(17, 0)}},
	}}
}

func parseFragment(t *testing.T, markup template.HTML, context atom.Atom) []*html.Node {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: context.String(), DataAtom: context}
	if context == atom.Tbody {
		table := &html.Node{Type: html.ElementNode, Data: "table", DataAtom: atom.Table}
		table.AppendChild(ctx)
	}
	nodes, err := html.ParseFragment(strings.NewReader(string(markup)), ctx)
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// elements lists every element with its attributes' names, in document order.
func elements(nodes []*html.Node) []string {
	var out []string
	walk(nodes, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		e := n.Namespace + ":" + n.Data
		for _, a := range n.Attr {
			e += " " + a.Namespace + ":" + a.Key
		}
		out = append(out, e)
	})
	return out
}

// readsBack reports whether some text or attribute value holds want.
func readsBack(nodes []*html.Node, want string) bool {
	found := false
	walk(nodes, func(n *html.Node) {
		found = found || n.Type == html.TextNode && strings.Contains(n.Data, want)
		for _, a := range n.Attr {
			found = found || strings.Contains(a.Val, want)
		}
	})
	return found
}

// readAs is s as a browser reads it back from the page: what is not UTF-8 and NUL as U+FFFD,
// line breaks as "\n".
func readAs(s string) string {
	var b strings.Builder
	for _, r := range s { // each byte that is not UTF-8 comes as utf8.RuneError
		if r == 0 {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(b.String())
}

func attrValues(nodes []*html.Node, key string) []string {
	var out []string
	walk(nodes, func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == key {
				out = append(out, a.Val)
			}
		}
	})
	return out
}

func walk(nodes []*html.Node, visit func(*html.Node)) {
	for _, n := range nodes {
		visit(n)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk([]*html.Node{c}, visit)
		}
	}
}

func testBodyCharts(tb testing.TB) *BodyCharts {
	tb.Helper()
	front, err := os.ReadFile("../assets/img/body-front.svg")
	if err != nil {
		tb.Fatal(err)
	}
	back, err := os.ReadFile("../assets/img/body-back.svg")
	if err != nil {
		tb.Fatal(err)
	}
	c, err := NewBodyCharts(front, back)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestOnlyTheWriterTrustsMarkup: the type system keeps data out of markup only as long as no
// one converts a string variable to markup or to template.HTML. The few places that must (our
// own embedded drawings, and the writer handing its result on) are named here; a new one
// fails this test and needs a reason.
func TestOnlyTheWriterTrustsMarkup(t *testing.T) {
	allowed := map[string]int{"bodychart.go markup": 3, "bodychart.go template.HTML": 2, "writer.go template.HTML": 1}
	got := map[string]int{}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			if _, constant := call.Args[0].(*ast.BasicLit); constant {
				return true
			}
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				if fn.Name == "markup" {
					got[name+" markup"]++
				}
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "template" && fn.Sel.Name == "HTML" {
					got[name+" template.HTML"]++
				}
			}
			return true
		})
	}
	for k, n := range got {
		if n != allowed[k] {
			t.Errorf("%s: %d conversions of a value to trusted markup; want %d", k, n, allowed[k])
		}
	}
}

// TestBodyChartsAgreeWithTheAreaList: the drawings load, every area of clinic's list is drawn
// with its title, and every mark a region can get has an area to sit in on its drawing.
func TestBodyChartsAgreeWithTheAreaList(t *testing.T) {
	c := testBodyCharts(t)
	for _, r := range clinic.BodyRegions() {
		for _, side := range clinic.BodySides() {
			for _, m := range clinic.BodyMarks(r.Code, side) {
				d := c.front
				if m.View == clinic.ViewPosterior {
					d = c.back
				}
				if _, ok := d.centres[m.Area]; !ok {
					t.Errorf("%s on the %s is marked on %s of the %s drawing, which has no such area", r.Code, side, m.Area, m.View)
				}
			}
		}
	}
	front, back := c.Plain()
	for _, tc := range []struct{ what, old, new string }{
		{"an area the list does not have", `data-region="face"`, `data-region="nape"`},
		{"a title other than the list's label", `<title>Face</title>`, `<title>Nape</title>`},
		{"an area of the list missing", `data-region="face"`, `data-region="head"`},
	} {
		changed := strings.Replace(string(front), tc.old, tc.new, 1)
		if _, err := NewBodyCharts([]byte(changed), []byte(back)); err == nil {
			t.Errorf("a drawing with %s loads", tc.what)
		}
	}
	if _, err := NewBodyCharts([]byte(front), []byte(back)); err != nil {
		t.Errorf("the drawings as they are: %v", err)
	}
}

// TestBodyChartDrawsFindings: painful areas are filled and each palpation finding is marked
// in its area, several in one area fanned out, on the drawing that shows the region.
func TestBodyChartDrawsFindings(t *testing.T) {
	c := testBodyCharts(t)
	two := 2
	front, back := c.Draw([]string{"neck", "shoulder_r"}, []clinic.PalpationFinding{
		{Region: "upper_trap", Side: clinic.SideRight, Muscle: "trap_upper", Type: "trigger_point"},
		{Region: "acromion", Side: clinic.SideRight, Type: "tenderness", Tenderness: &two},
		{Region: "calf", Side: clinic.SideLeft, Type: "taut_band"},
	})
	for _, want := range []string{`class="region selected" data-region="neck"`, `class="region selected" data-region="shoulder_r"`,
		`<circle class="mark mark-trp"`, `<circle class="mark mark-tender"`} {
		if !strings.Contains(string(front), want) || !strings.Contains(string(back), want) {
			t.Errorf("both drawings should hold %s", want)
		}
	}
	if n := strings.Count(string(front), "<circle"); n != 2 {
		t.Errorf("the front has %d marks; want the two at the shoulder", n)
	}
	if !strings.Contains(string(back), `<circle class="mark mark-tight"`) || strings.Contains(string(front), "mark-tight") {
		t.Error("the calf's taut band should be marked on the back only")
	}
	if strings.Contains(string(front), `class="region selected" data-region="head"`) {
		t.Error("an area not marked painful is filled")
	}
	plain, _ := c.Plain()
	if strings.Contains(string(plain), "selected") || strings.Contains(string(plain), "<circle") {
		t.Error("the plain drawing has marks")
	}
}

// TestHeaderAndFooter checks the chrome every page carries: names escaped, the current page
// marked, menu links kept to this site, the phone a callable link.
func TestHeaderAndFooter(t *testing.T) {
	p := Page{Clinic: Clinic{Name: `Fern & <Co>`, Address: "1 Main St", Phone: "+61 2 9555 0142"}, CSRF: "tok",
		User: &User{Name: `Jo "JJ" Lee`}, Nav: []NavLink{{Href: "/desk", Label: "Day", Current: true},
			{Href: "javascript:alert(1)", Label: "Bad"}, {Href: "//evil.example/", Label: "Away"}}}
	header, footer := string(p.Header()), string(p.Footer())
	for _, want := range []string{`<bdi>Fern &amp; &lt;Co&gt;</bdi>`, `<a href="/desk" aria-current="page">Day</a>`,
		`<a href="#">Bad</a>`, `<a href="#">Away</a>`, `name="csrf" value="tok"`, `<bdi>Jo &#34;JJ&#34; Lee</bdi>`} {
		if !strings.Contains(header, want) {
			t.Errorf("header lacks %s:\n%s", want, header)
		}
	}
	if want := `· <a href="tel:&#43;61%202%209555%200142">&#43;61 2 9555 0142</a>`; !strings.Contains(footer, want) {
		t.Errorf("footer lacks %s:\n%s", want, footer)
	}
	if visitor := string(Page{Clinic: Clinic{Name: "Fern"}}.Header()); strings.Contains(visitor, "site-menu") {
		t.Errorf("a page with no menu and no one signed in shows a menu:\n%s", visitor)
	}
}

// TestDeskBoardOnASpareWriter renders a quiet day's page after a busy day's, so the quiet
// day's board is written over the memory of the busy one's (Views.Render lends it), and checks
// the page holds exactly the quiet day's board, as a new writer writes it.
func TestDeskBoardOnASpareWriter(t *testing.T) {
	v, err := New(func(name string) string { return "/assets/" + name })
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)
	busy := deskDay("Busy Client", "booked", start)
	for i := range 40 {
		b := busy.Bookings[0]
		b.ID, b.Start, b.End = int64(10+i), start.Add(time.Duration(i)*15*time.Minute), start.Add(time.Duration(i+1)*15*time.Minute)
		busy.Bookings = append(busy.Bookings, b)
	}
	quiet := deskDay("Quiet <Client>", "checked_in", start)
	render := func(d DeskDay) string {
		d.Page.Errors = map[string]string{}
		var b strings.Builder
		if err := v.Render(&b, "desk_day", d); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for range 3 {
		if page := render(busy); !strings.Contains(page, string(busy.Board())) {
			t.Fatal("the busy day's page does not hold its board")
		}
		page := render(quiet)
		board := string(quiet.Board())
		if !strings.Contains(page, board) || strings.Contains(page, "Busy Client") {
			t.Fatalf("the quiet day's page does not hold exactly its own board:\n%s", page)
		}
		if strings.Count(page, `class="desk-board`) != 1 {
			t.Fatalf("the page has %d boards; want 1", strings.Count(page, `class="desk-board`))
		}
	}
}

// TestDeskLinksWrittenInPlace checks the board's links written in place are the bytes href
// writes for the builders' links.
func TestDeskLinksWrittenInPlace(t *testing.T) {
	at := time.Date(2026, 3, 11, 9, 15, 0, 0, time.FixedZone("AEDT", 11*3600))
	for _, id := range []int64{0, 7, 1234567890} {
		for _, c := range []struct {
			built   Href
			inPlace func(w *htmlWriter)
		}{
			{DeskApptHref(id), func(w *htmlWriter) { w.deskApptHref(id, "") }},
			{DeskPayHref(id), func(w *htmlWriter) { w.deskApptHref(id, deskPayPart) }},
			{DeskBookSlotHref(id, at), func(w *htmlWriter) { w.deskBookSlotHref(id, at) }},
		} {
			want, got := newHTMLWriter(0), newHTMLWriter(0)
			want.href(c.built)
			c.inPlace(got)
			if got.b.String() != want.b.String() {
				t.Errorf("written in place %q; want %q", got.b.String(), want.b.String())
			}
		}
	}
}

// TestGoalCaptionReadsAsASentence checks a goal's caption on the plan page: its score then its
// judgement, punctuated as one line ("start 7, target 2, latest 4 · meaningfully better").
func TestGoalCaptionReadsAsASentence(t *testing.T) {
	g := clinic.PlanGoal{ID: 4, Goal: clinic.Goal{Description: "Sleep", Measure: clinic.MeasurePain, Baseline: 7, Target: 2},
		Readings: []clinic.OutcomeReading{{Value: 4, TakenAt: time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)}}}
	got := string(PlanPage{Page: Page{Loc: time.UTC}, Card: PlanCard{Goals: []GoalView{{Goal: g, Latest: 4, Verdict: clinic.ChangeImproved}}}}.GoalFigures())
	if want := "start 7, target 2, latest 4 · meaningfully better</figcaption>"; !strings.Contains(got, want) {
		t.Errorf("caption lacks %q:\n%s", want, got)
	}
}
