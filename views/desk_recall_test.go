package views

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"allium/clinic"
)

// recallRowsTemplate is the template that wrote the recall list's rows before Rows did, kept
// to prove Rows writes the same page.
const recallRowsTemplate = `{{define "csrf"}}<input type="hidden" name="csrf" value="{{.}}">{{end}}` +
	`{{define "rows"}}{{range .Courses}}<tr><td data-label="Client"><a href="/desk/clients/{{.ClientID}}"><bdi>{{.ClientName}}</bdi></a>{{if .Mark}}<br><span class="badge">{{.Mark}}{{with .Marked}} {{.}}{{end}}</span>{{end}}</td>
<td data-label="Phone">{{if .ClientPhone}}<a href="tel:{{.ClientPhone}}">{{.ClientPhone}}</a>{{else}}{{.ClientEmail}}{{end}}</td>
<td data-label="Why"><strong>{{.Reason.Label}}</strong>{{if eq (printf "%s" .Reason) "stalled"}}: <bdi>{{.ServiceName}}</bdi> with <bdi>{{.TherapistName}}</bdi>: {{.Done}} of {{.Sessions}} done{{else}} · <bdi>{{.TherapistName}}</bdi>{{if not .Due.IsZero}} · due {{$.Page.Day .Due}}{{end}}{{end}}</td>
<td data-label="Last session">{{.Last}}</td><td data-label="Days since" class="num">{{if .Last}}{{.DaysSince}}{{end}}</td>
<td><div class="actions"><a class="button small primary" href="{{.BookHref}}">Book</a>
{{if and (eq (printf "%s" .Reason) "maintenance_due") .ClientEmail}}<form method="post" action="/desk/recall/remind">{{template "csrf" $.Page.CSRF}}<input type="hidden" name="ref" value="{{.PlanID}}"><button class="small secondary" type="submit">Email a reminder</button></form>{{end}}
{{template "recall-mark" (dict "E" . "M" "contacted" "L" "Contacted" "CSRF" $.Page.CSRF)}}{{template "recall-mark" (dict "E" . "M" "snoozed" "L" "Snooze 2 weeks" "CSRF" $.Page.CSRF)}}{{template "recall-mark" (dict "E" . "M" "dismissed" "L" "Dismiss" "CSRF" $.Page.CSRF)}}</div></td></tr>{{end}}{{end}}` +
	`{{define "recall-mark"}}<form method="post" action="/desk/recall/mark">{{template "csrf" .CSRF}}<input type="hidden" name="reason" value="{{.E.Reason}}"><input type="hidden" name="ref" value="{{.E.RefID}}"><input type="hidden" name="mark" value="{{.M}}"><button class="small secondary" type="submit">{{.L}}</button></form>{{end}}`

// recallEntries are entries of every reason and mark, with s in every string.
func recallEntries(s string) DeskRecall {
	q := url.Values{"client": {"7"}, "therapist": {"3"}, "service": {"reassessment_30"}, "date": {"2026-03-12"}}
	base := clinic.RecallCourse{CourseID: 11, PlanID: 12, ClientID: 7, TherapistID: 3, ServiceID: 4, ClientName: s,
		ClientPhone: s, ClientEmail: s, TherapistName: s, ServiceName: s, Sessions: 6, Done: 2}
	var d DeskRecall
	d.Page = Page{CSRF: s, Loc: time.UTC, Today: clinic.Date{Y: 2026, M: 3, D: 1}}
	for i, reason := range []clinic.RecallReason{clinic.RecallStalled, clinic.RecallReassessDue, clinic.RecallMaintenanceDue, clinic.RecallLapsed} {
		for j, mark := range []clinic.RecallMark{"", clinic.RecallContacted, clinic.RecallMark(s)} {
			e := DeskRecallCourse{RecallCourse: base, BookHref: BookHref(q)}
			e.Reason, e.Mark = reason, mark
			if j > 0 {
				e.Marked, e.Last, e.DaysSince = s, s+" last", 40+i
			}
			if i%2 == 1 {
				e.Due = clinic.Date{Y: 2026, M: 2, D: 20 + j}
			}
			if j == 2 {
				e.ClientPhone = ""
			}
			d.Courses = append(d.Courses, e)
		}
	}
	// A maintenance visit due for a client with no email: no reminder to send.
	e := d.Courses[len(d.Courses)-4]
	e.ClientEmail = ""
	d.Courses = append(d.Courses, e)
	return d
}

func TestRecallRowsWriteWhatTheTemplateWrote(t *testing.T) {
	tmpl := template.Must(template.New("").Funcs(funcs(nil)).Parse(recallRowsTemplate))
	phones := []string{"0412 345 678", "+61 2 9999 0000", "(02) 9999-0000 ext. 12", "100%", "50%25", "tel:+1#2", "é"}
	for _, s := range append(append([]string{"Ana"}, phones...), hostile...) {
		if !utf8.ValidString(s) {
			// The writer writes what is not UTF-8 as U+FFFD, as a browser reads it; the template
			// passed it on. The fuzz test checks such text.
			continue
		}
		d := recallEntries(s)
		var want strings.Builder
		if err := tmpl.ExecuteTemplate(&want, "rows", struct {
			DeskRecall
			Courses []recallTemplateEntry
		}{d, recallTemplateEntries(d.Courses)}); err != nil {
			t.Fatal(err)
		}
		if got := string(d.Rows()); got != want.String() {
			t.Fatalf("with %q the rows are\n%s\nthe template wrote\n%s", s, got, want.String())
		}
	}
}

// recallTemplateEntry is an entry as the template saw it: its link a string.
type recallTemplateEntry struct {
	DeskRecallCourse
	BookHref string
}

func recallTemplateEntries(es []DeskRecallCourse) []recallTemplateEntry {
	out := make([]recallTemplateEntry, len(es))
	for i, e := range es {
		out[i] = recallTemplateEntry{e, e.BookHref.String()}
	}
	return out
}

func TestRecallRowsOffersTheRightActions(t *testing.T) {
	d := recallEntries("Ana")
	for _, tc := range []struct {
		i          int
		want, none []string
	}{
		{0, []string{`Course stalled`, `: <bdi>Ana</bdi> with <bdi>Ana</bdi>: 2 of 6 done`, `<a href="tel:Ana">Ana</a>`,
			`name="ref" value="11"`}, []string{"Email a reminder", "due", `class="badge"`}},
		{4, []string{`due Sat 21 Feb`, `<span class="badge">contacted Ana</span>`, `name="ref" value="12"`, `<td data-label="Days since" class="num">41</td>`}, nil},
		{6, []string{`Email a reminder`, `action="/desk/recall/remind"`}, nil},
		{len(d.Courses) - 1, nil, []string{"Email a reminder"}},
	} {
		got := string(DeskRecall{Page: d.Page, Courses: d.Courses[tc.i : tc.i+1]}.Rows())
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("entry %d: got %s\nwant it to contain %s", tc.i, got, w)
			}
		}
		for _, n := range tc.none {
			if strings.Contains(got, n) {
				t.Errorf("entry %d: got %s\nwant no %s", tc.i, got, n)
			}
		}
	}
	if n := strings.Count(string(d.Rows()), `action="/desk/recall/mark"`); n != 3*len(d.Courses) {
		t.Errorf("%d mark forms for %d entries; want three each", n, len(d.Courses))
	}
}

func ExampleTelHref() {
	fmt.Println(TelHref("+61 2 9999 0000"), TelHref(`"><script>`))
	// Output: tel:+61%202%209999%200000 tel:%22%3e%3cscript%3e
}
