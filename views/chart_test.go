package views

import (
	"strings"
	"testing"
	"time"

	"allium/clinic"
)

func TestChartSessionRows(t *testing.T) {
	sydney, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC) // Thursday 10:30 in Sydney
	for _, tc := range []struct {
		name string
		s    clinic.ChartSession
		want []string
		not  []string
	}{
		{"signed note, course, clinic's zone", clinic.ChartSession{ID: 7, Start: start, ServiceName: "Remedial", CourseIndex: 2,
			CourseSize: 4, TherapistName: "Sam", Status: "completed", NoteID: 9, NoteStatus: "signed"},
			[]string{`<td data-label="When">Thu 5 Mar, 10:30</td>`, `<bdi>Remedial</bdi> · 2 of 4`, `<a href="/notes/9">Signed note</a>`,
				`<span class="badge status-completed">completed</span>`}, nil},
		{"draft note, single session", clinic.ChartSession{ID: 7, Start: start, ServiceName: "Tui Na", CourseSize: 1,
			Status: "completed", NoteID: 9, NoteStatus: "draft"},
			[]string{`<a href="/appointments/7/note">Draft note</a>`}, []string{" of "}},
		{"no note yet, open", clinic.ChartSession{ID: 7, Start: start, Status: "booked", NoteOpen: true},
			[]string{`<a href="/appointments/7/note">Write note</a>`}, nil},
		{"a session days ahead offers no note", clinic.ChartSession{ID: 7, Start: start, Status: "booked"},
			[]string{`<span class="muted">–</span>`}, []string{"/note"}},
		{"cancelled", clinic.ChartSession{ID: 7, Start: start, Status: "cancelled"},
			[]string{`<span class="muted">–</span>`}, []string{"/note"}},
		{"hostile names are escaped", clinic.ChartSession{ID: 7, Start: start, ServiceName: `<script>alert(1)</script>`,
			TherapistName: `"Sam" & <b>co</b>`, Status: "booked"},
			[]string{`&lt;script&gt;alert(1)&lt;/script&gt;`, `&#34;Sam&#34; &amp; &lt;b&gt;co&lt;/b&gt;`}, []string{"<script>", "<b>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(ChartSessionRows(clinic.Dates{Loc: sydney, Today: clinic.Date{Y: 2026, M: 3, D: 1}}, []clinic.ChartSession{tc.s}))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %s\nwant it to contain %s", got, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("got %s\nwant no %s", got, n)
				}
			}
		})
	}
}

func TestPlanSessionRows(t *testing.T) {
	start := time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		s    clinic.PlanSession
		want []string
	}{
		{"signed", clinic.PlanSession{Number: 3, AppointmentID: 7, Start: start, Status: "completed", ServiceName: "Remedial",
			TherapistName: "Sam", NoteID: 9, NoteStatus: "signed"},
			[]string{`<td class="num" data-label="#">3</td>`, `<td data-label="When">Wed 4 Mar, 23:30</td>`,
				`<bdi>Remedial</bdi> · <bdi>Sam</bdi>`, `<a href="/notes/9">Signed note</a>`}},
		{"draft", clinic.PlanSession{Number: 1, AppointmentID: 7, Start: start, Status: "completed", NoteID: 9, NoteStatus: "draft"},
			[]string{`<a href="/appointments/7/note">Draft note</a>`}},
		{"none", clinic.PlanSession{Number: 1, AppointmentID: 7, Start: start, Status: "booked", NoteOpen: true},
			[]string{`<a href="/appointments/7/note">Write note</a>`, `<span class="badge status-booked">booked</span>`}},
		{"ahead", clinic.PlanSession{Number: 1, AppointmentID: 7, Start: start, Status: "booked"},
			[]string{`<span class="muted">–</span>`}},
		{"escaped", clinic.PlanSession{Number: 1, AppointmentID: 7, Start: start, ServiceName: "<i>x</i>", TherapistName: "A & B"},
			[]string{`<bdi>&lt;i&gt;x&lt;/i&gt;</bdi> · <bdi>A &amp; B</bdi>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(PlanSessionRows(clinic.Dates{Loc: time.UTC, Today: clinic.Date{Y: 2026, M: 3, D: 1}}, []clinic.PlanSession{tc.s}))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %s\nwant it to contain %s", got, w)
				}
			}
		})
	}
}
