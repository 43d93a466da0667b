package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/mail"
	"allium/store"
)

var sydney = testkit.Sydney()

// clinicFixture is a Sydney clinic: Sam Okafor works 09:00-17:00 every day in one room, and
// Alex Chen is a client who wants reminders.
type clinicFixture struct {
	*fixture
	*testclinic.Clinic
	srv *smtpServer
}

func newClinicFixture(t testing.TB, start time.Time) *clinicFixture {
	t.Helper()
	srv := startSMTP(t)
	f := &clinicFixture{fixture: newFixture(t, smtpTransport(t, srv)), srv: srv}
	f.clock.Set(start)
	ctx := context.Background()
	set := clinic.DefaultSettings()
	set.Name, set.Email, set.TimeZone = "Wattle Lane Remedial", "desk@wattle.example", "Australia/Sydney"
	set.Address, set.Phone = "12 Wattle Lane, Newtown NSW 2042", "02 9555 0142"
	must(t, f.st.SaveSettings(ctx, store.System, set))
	sp := testclinic.Standard()
	sp.Therapist.Email, sp.Client.Email = "sam@wattle.example", "alex@example.com"
	sp.Service = store.Service{Service: clinic.Service{Key: "rm60", Name: "Remedial massage", Duration: time.Hour,
		BufferAfter: 15 * time.Minute, NeedsRoom: true}}
	f.Clinic = sp.Build(t, f.st)
	f.worker.Wanted = f.st.StillWanted
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// at sets the clock.
func (f *clinicFixture) at(t time.Time) { f.clock.Set(t) }

// mail is a delivered message as a mail program reads it, calendar files included.
type mailMsg struct {
	Header netmail.Header
	Text   string
	HTML   string
	ICS    []string
	ICSCT  []string
}

// readMail walks every MIME part, nested ones too.
func readMail(t *testing.T, raw []byte) mailMsg {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	out := mailMsg{Header: m.Header}
	walkPart(t, m.Header.Get("Content-Type"), m.Body, &out)
	return out
}

func walkPart(t *testing.T, ct string, body io.Reader, out *mailMsg) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var r io.Reader = p
			if p.Header.Get("Content-Transfer-Encoding") == "base64" {
				r = base64Reader(p)
			}
			walkPart(t, p.Header.Get("Content-Type"), r, out)
		}
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	switch mt {
	case "text/plain":
		out.Text = string(b)
	case "text/html":
		out.HTML = string(b)
	case "text/calendar":
		out.ICS, out.ICSCT = append(out.ICS, string(b)), append(out.ICSCT, ct)
	}
}

// delivered is what the server received, read.
func (f *clinicFixture) delivered(t *testing.T) []mailMsg {
	t.Helper()
	var out []mailMsg
	for _, r := range f.srv.messages() {
		out = append(out, readMail(t, r.Data))
	}
	return out
}

func subjects(ms []mailMsg) []string {
	var out []string
	for _, m := range ms {
		out = append(out, decodeHeader(m.Header.Get("Subject")))
	}
	return out
}

func decodeHeader(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// sydneyAt is a local wall-clock time in the clinic's zone.
func sydneyAt(y int, m time.Month, d, hh int) time.Time {
	return time.Date(y, m, d, hh, 0, 0, 0, sydney)
}

func utcAt(y int, m time.Month, d, hh int) time.Time {
	return time.Date(y, m, d, hh, 0, 0, 0, time.UTC)
}

// TestCourseAcrossDSTGetsOneConfirmationAndRemindersAtTheirInstants books four sessions around
// the end of daylight saving in Sydney (Sun 5 Apr 2026, 03:00 AEDT -> 02:00 AEST). The 48-hour
// reminder goes at the same wall-clock time two days before (so 49 real hours before the
// Monday after the change), the 2-hour one two real hours before. Each arrives at its instant
// and not a second earlier.
func TestCourseAcrossDSTGetsOneConfirmationAndRemindersAtTheirInstants(t *testing.T) {
	f := newClinicFixture(t, utcAt(2026, 3, 20, 9))
	b := f.Book(t, sydneyAt(2026, 3, 26, 10), sydneyAt(2026, 4, 2, 10), sydneyAt(2026, 4, 6, 10), sydneyAt(2026, 4, 13, 10))

	if n := f.drain(t); n != 1 {
		t.Fatalf("at booking Drain sent %d; want the one confirmation", n)
	}
	type due struct {
		at      time.Time
		session int
		when    string
	}
	want := []due{
		{time.Date(2026, 3, 23, 23, 0, 0, 0, time.UTC), 1, "Thu 26 Mar 2026, 10:00 AEDT"}, // 48 h
		{time.Date(2026, 3, 25, 21, 0, 0, 0, time.UTC), 1, "Thu 26 Mar 2026, 10:00 AEDT"}, // 2 h
		{time.Date(2026, 3, 30, 23, 0, 0, 0, time.UTC), 2, "Thu 2 Apr 2026, 10:00 AEDT"},
		{time.Date(2026, 4, 1, 21, 0, 0, 0, time.UTC), 2, "Thu 2 Apr 2026, 10:00 AEDT"},
		{time.Date(2026, 4, 3, 23, 0, 0, 0, time.UTC), 3, "Mon 6 Apr 2026, 10:00 AEST"}, // Sat 10:00 AEDT, 49 h before
		{time.Date(2026, 4, 5, 22, 0, 0, 0, time.UTC), 3, "Mon 6 Apr 2026, 10:00 AEST"},
		{time.Date(2026, 4, 11, 0, 0, 0, 0, time.UTC), 4, "Mon 13 Apr 2026, 10:00 AEST"},
		{time.Date(2026, 4, 12, 22, 0, 0, 0, time.UTC), 4, "Mon 13 Apr 2026, 10:00 AEST"},
	}
	for _, w := range want {
		f.at(w.at.Add(-time.Second))
		if n := f.drain(t); n != 0 {
			t.Fatalf("one second before %s Drain sent %d; want nothing yet", w.at, n)
		}
		f.at(w.at)
		if n := f.drain(t); n != 1 {
			t.Fatalf("at %s Drain sent %d; want the reminder for session %d", w.at, n, w.session)
		}
		got := f.delivered(t)
		last := got[len(got)-1]
		course := fmt.Sprintf("Session %d of 4 with Sam Okafor", w.session)
		if !strings.Contains(last.Text, w.when) || !strings.Contains(last.Text, course) {
			t.Errorf("reminder at %s does not name %q and %q:\n%s", w.at, w.when, course, last.Text)
		}
	}
	f.at(utcAt(2026, 5, 1, 0))
	f.drain(t)

	got := f.delivered(t)
	if len(got) != 1+len(want) {
		t.Fatalf("server received %d messages; want 1 confirmation and %d reminders: %q", len(got), len(want), subjects(got))
	}
	conf := got[0]
	if s := decodeHeader(conf.Header.Get("Subject")); s != "Your 4 sessions are booked · Wattle Lane Remedial" {
		t.Errorf("first message %q; want the confirmation", s)
	}
	for i, a := range b.Appointments {
		line := fmt.Sprintf("Session %d of 4 with Sam Okafor", i+1)
		if !strings.Contains(conf.Text, line) {
			t.Errorf("confirmation lacks %q", line)
		}
		_ = a
	}
	for _, want := range []string{"12 Wattle Lane, Newtown NSW 2042", "02 9555 0142", baseURL + "/m/"} {
		if !strings.Contains(conf.Text, want) || !strings.Contains(conf.HTML, strings.ReplaceAll(want, "&", "&amp;")) {
			t.Errorf("confirmation text or HTML lacks %q", want)
		}
	}
	rows, err := f.st.Outbox(context.Background(), store.System, store.OutboxFilter{Limit: 500})
	must(t, err)
	confirmations := 0
	for _, r := range rows {
		if r.Kind == "confirmation" {
			confirmations++
		}
	}
	if confirmations != 1 {
		t.Errorf("outbox holds %d confirmations; want exactly 1 for the course", confirmations)
	}
}

// parseICS reads a calendar file with a different library than the one that wrote it.
func parseICS(t *testing.T, body string) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("calendar file does not parse: %v\n%s", err, body)
	}
	return cal
}

func prop(t *testing.T, c *ical.Component, name string) string {
	t.Helper()
	p := c.Props.Get(name)
	if p == nil {
		t.Errorf("%s: no %s", c.Name, name)
		return ""
	}
	return p.Value
}

// TestCalendarFilesGiveTheLocalTimesAndFollowTheAppointment: the confirmation carries one
// REQUEST per session, which an independent parser reads at 10:00 Sydney time on both sides of
// the clock change; a cancellation carries a CANCEL for the same UID with a higher SEQUENCE.
func TestCalendarFilesGiveTheLocalTimesAndFollowTheAppointment(t *testing.T) {
	f := newClinicFixture(t, utcAt(2026, 3, 20, 9))
	starts := []time.Time{sydneyAt(2026, 4, 2, 10), sydneyAt(2026, 4, 6, 10)}
	b := f.Book(t, starts...)
	f.drain(t)
	conf := f.delivered(t)[0]
	if len(conf.ICS) != 2 {
		t.Fatalf("confirmation carries %d calendar files; want one per session", len(conf.ICS))
	}
	for i, body := range conf.ICS {
		if !strings.Contains(conf.ICSCT[i], "method=REQUEST") {
			t.Errorf("calendar part Content-Type %q; want method=REQUEST", conf.ICSCT[i])
		}
		for _, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
			if len(line) > 75 || strings.Contains(line, "\n") {
				t.Errorf("calendar line %q: longer than 75 octets or not CRLF-ended", line)
			}
		}
		cal := parseICS(t, body)
		if m := prop(t, cal.Component, ical.PropMethod); m != "REQUEST" {
			t.Errorf("METHOD = %q; want REQUEST", m)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("file %d has %d events; want 1", i, len(evs))
		}
		ev := evs[0]
		a := b.Appointments[i]
		if uid := prop(t, ev.Component, ical.PropUID); uid != fmt.Sprintf("appt-%d@wattle.example", a.ID) {
			t.Errorf("UID = %q; want appt-%d@wattle.example", uid, a.ID)
		}
		if seq := prop(t, ev.Component, ical.PropSequence); seq != "1" {
			t.Errorf("SEQUENCE = %q; want 1 (the appointment's version)", seq)
		}
		start, err := ev.DateTimeStart(sydney)
		if err != nil || !start.Equal(starts[i]) || start.In(sydney).Format("15:04 MST") != starts[i].Format("15:04 MST") {
			t.Errorf("DTSTART = %v (%v); want %v", start.In(sydney), err, starts[i])
		}
		end, err := ev.DateTimeEnd(sydney)
		if err != nil || end.Sub(start) != time.Hour {
			t.Errorf("DTEND - DTSTART = %v (%v); want 1h", end.Sub(start), err)
		}
		if org := prop(t, ev.Component, ical.PropOrganizer); org != "mailto:desk@wattle.example" {
			t.Errorf("ORGANIZER = %q; want the clinic", org)
		}
		if att := prop(t, ev.Component, ical.PropAttendee); att != "mailto:alex@example.com" {
			t.Errorf("ATTENDEE = %q; want the client", att)
		}
		if loc := ev.Props.Get(ical.PropLocation); loc == nil || !strings.Contains(loc.Value, "Wattle Lane") {
			t.Errorf("LOCATION = %v; want the clinic's address", loc)
		}
	}

	_, err := f.st.Cancel(context.Background(), store.System, b.Appointments[1].ID, "Therapist unwell")
	must(t, err)
	f.drain(t)
	got := f.delivered(t)
	notice := got[len(got)-1]
	if len(notice.ICS) != 1 || !strings.Contains(notice.ICSCT[0], "method=CANCEL") {
		t.Fatalf("cancellation carries %d calendar files (%v); want one CANCEL", len(notice.ICS), notice.ICSCT)
	}
	cal := parseICS(t, notice.ICS[0])
	ev := cal.Events()[0]
	if m := prop(t, cal.Component, ical.PropMethod); m != "CANCEL" {
		t.Errorf("METHOD = %q; want CANCEL", m)
	}
	if uid := prop(t, ev.Component, ical.PropUID); uid != fmt.Sprintf("appt-%d@wattle.example", b.Appointments[1].ID) {
		t.Errorf("cancel UID = %q; want the booked event's", uid)
	}
	if seq := prop(t, ev.Component, ical.PropSequence); seq != "2" {
		t.Errorf("cancel SEQUENCE = %q; want 2, above the request's", seq)
	}
	if st := prop(t, ev.Component, ical.PropStatus); st != "CANCELLED" {
		t.Errorf("STATUS = %q; want CANCELLED", st)
	}
}

// TestRescheduleNeverSendsTheOldReminder: a session moved before its reminders goes out with
// the reminders of its new time only, and the move notice moves the calendar event.
func TestRescheduleNeverSendsTheOldReminder(t *testing.T) {
	f := newClinicFixture(t, utcAt(2026, 3, 20, 9))
	b := f.Book(t, sydneyAt(2026, 3, 26, 10))
	f.drain(t)
	moved := sydneyAt(2026, 3, 27, 14)
	a, err := f.st.Reschedule(context.Background(), store.System, b.Appointments[0].ID, moved)
	must(t, err)
	for at := f.clock.Now(); at.Before(utcAt(2026, 3, 28, 0)); at = at.Add(30 * time.Minute) {
		f.at(at)
		f.drain(t)
	}
	got := f.delivered(t)
	var reminders []mailMsg
	for _, m := range got {
		if strings.HasPrefix(decodeHeader(m.Header.Get("Subject")), "Reminder:") {
			reminders = append(reminders, m)
		}
		if strings.Contains(m.Text, "Reminder") && strings.Contains(m.Text, "Thu 26 Mar") {
			t.Errorf("a reminder for the old time went out:\n%s", m.Text)
		}
	}
	if len(got) != 4 || len(reminders) != 2 {
		t.Fatalf("received %q; want the confirmation, the move notice and two reminders for the new time", subjects(got))
	}
	for _, r := range reminders {
		if !strings.Contains(r.Text, "Fri 27 Mar 2026, 14:00 AEDT") {
			t.Errorf("reminder does not name the new time:\n%s", r.Text)
		}
	}
	notice := got[1]
	if len(notice.ICS) != 1 {
		t.Fatalf("move notice carries %d calendar files; want 1", len(notice.ICS))
	}
	ev := parseICS(t, notice.ICS[0]).Events()[0]
	start, _ := ev.DateTimeStart(sydney)
	if seq := prop(t, ev.Component, ical.PropSequence); seq != fmt.Sprint(a.Version) || !start.Equal(moved) {
		t.Errorf("move notice event: SEQUENCE %s at %v; want %d at %v", seq, start, a.Version, moved)
	}
}

// TestAnEmailAfterSeveralMovesDescribesTheLastAndWhatTheClientHad: a session moved twice
// before the move notice goes gets one notice, naming the final time and the time in the
// confirmation the client received; cancelled after a move they were not told of, the notice
// also names the time they knew; moved before its confirmation goes, it gets only a
// confirmation of the new time.
func TestAnEmailAfterSeveralMovesDescribesTheLastAndWhatTheClientHad(t *testing.T) {
	f := newClinicFixture(t, utcAt(2026, 3, 20, 9))
	ctx := context.Background()
	b := f.Book(t, sydneyAt(2026, 3, 26, 10))
	f.drain(t) // the confirmation for Thu 26 Mar, 10:00 goes
	for _, at := range []time.Time{sydneyAt(2026, 3, 27, 14), sydneyAt(2026, 3, 27, 11)} {
		_, err := f.st.Reschedule(ctx, store.System, b.Appointments[0].ID, at)
		must(t, err)
	}
	f.drain(t)
	got := f.delivered(t)
	if len(got) != 2 || !strings.HasPrefix(decodeHeader(got[1].Header.Get("Subject")), "Moved:") {
		t.Fatalf("received %q; want the confirmation and one move notice", subjects(got))
	}
	notice := got[1].Text
	for _, want := range []string{"Fri 27 Mar 2026, 11:00 AEDT", "the time: it was Thu 26 Mar 2026, 10:00 AEDT"} {
		if !strings.Contains(notice, want) {
			t.Errorf("move notice does not say %q:\n%s", want, notice)
		}
	}
	if strings.Contains(notice, "14:00") {
		t.Errorf("move notice names the time in between, which the client never heard of:\n%s", notice)
	}

	// Moved again, and cancelled before that notice goes: the cancellation says which session,
	// in the client's terms.
	_, err := f.st.Reschedule(ctx, store.System, b.Appointments[0].ID, sydneyAt(2026, 3, 27, 13))
	must(t, err)
	_, err = f.st.Cancel(ctx, store.System, b.Appointments[0].ID, "")
	must(t, err)
	f.drain(t)
	got = f.delivered(t)
	if len(got) != 3 || !strings.HasPrefix(decodeHeader(got[2].Header.Get("Subject")), "Cancelled:") ||
		!strings.Contains(got[2].Text, "Our last email to you gave its time as Fri 27 Mar 2026, 11:00 AEDT") {
		t.Fatalf("after a move and a cancellation received %q; want one cancellation naming the time last sent:\n%v",
			subjects(got), got[len(got)-1].Text)
	}

	g := f.Book(t, sydneyAt(2026, 3, 30, 10)) // its confirmation has not gone when it moves
	_, err = f.st.Reschedule(ctx, store.System, g.Appointments[0].ID, sydneyAt(2026, 3, 30, 15))
	must(t, err)
	f.drain(t)
	got = f.delivered(t)[3:]
	if len(got) != 1 || !strings.HasPrefix(decodeHeader(got[0].Header.Get("Subject")), "Your session is booked") ||
		!strings.Contains(got[0].Text, "Mon 30 Mar 2026, 15:00 AEDT") || strings.Contains(got[0].Text, "10:00") {
		t.Fatalf("after a move before the confirmation went, received %q; want one confirmation of 15:00:\n%v", subjects(got), got)
	}
}

// TestCancelSendsTheNoticeAndNoReminder.
func TestCancelSendsTheNoticeAndNoReminder(t *testing.T) {
	f := newClinicFixture(t, utcAt(2026, 3, 20, 9))
	b := f.Book(t, sydneyAt(2026, 3, 26, 10))
	_, err := f.st.Cancel(context.Background(), store.System, b.Appointments[0].ID, "")
	must(t, err)
	for at := f.clock.Now(); at.Before(utcAt(2026, 3, 27, 0)); at = at.Add(time.Hour) {
		f.at(at)
		f.drain(t)
	}
	got := subjects(f.delivered(t))
	if len(got) != 1 || !strings.HasPrefix(got[0], "Cancelled:") {
		t.Errorf("received %q; want only the cancellation notice", got)
	}
}

// TestTenMinutesOfSMTPOutageDeliversEveryDueMessageOnce: the server answers 421 for ten
// minutes while a confirmation and a reminder fall due; when it recovers, each goes out once.
func TestTenMinutesOfSMTPOutageDeliversEveryDueMessageOnce(t *testing.T) {
	start := utcAt(2026, 3, 24, 22).Add(55 * time.Minute) // 09:55 AEDT
	f := newClinicFixture(t, start)
	f.srv.setRefusal("MAIL", 421)
	f.Book(t, sydneyAt(2026, 3, 25, 12)) // its 2-hour reminder is due at 10:00, inside the outage
	for at := start; at.Before(start.Add(40 * time.Minute)); at = at.Add(20 * time.Second) {
		if at.Sub(start) >= 10*time.Minute {
			f.srv.setRefusal("", 0)
		}
		f.at(at)
		f.drain(t)
	}
	got := subjects(f.delivered(t))
	sort.Strings(got)
	if len(got) != 2 || !strings.HasPrefix(got[0], "Reminder:") || !strings.HasPrefix(got[1], "Your session is booked") {
		t.Fatalf("after the outage the server received %q; want the confirmation and the reminder, once each", got)
	}
	rows, err := f.st.Outbox(context.Background(), store.System, store.OutboxFilter{Limit: 50})
	must(t, err)
	for _, r := range rows {
		if r.Status != "sent" && r.SendAfter.Before(f.clock.Now()) {
			t.Errorf("%s: %s after the outage; want sent", r.Kind, r.Status)
		}
	}
}

// TestOutageUntilTheAppointmentExpiresTheReminderForReception: a reminder still not out when
// the session starts is never sent, and shows in reception's list of problems.
func TestOutageUntilTheAppointmentExpiresTheReminderForReception(t *testing.T) {
	start := utcAt(2026, 3, 24, 22).Add(55 * time.Minute)
	f := newClinicFixture(t, start)
	f.srv.setRefusal("MAIL", 421)
	b := f.Book(t, sydneyAt(2026, 3, 25, 12))
	for at := start; at.Before(start.Add(3 * time.Hour)); at = at.Add(5 * time.Minute) {
		f.at(at)
		f.drain(t)
	}
	f.srv.setRefusal("", 0)
	f.at(f.clock.Now().Add(time.Hour))
	f.drain(t)
	for _, s := range subjects(f.delivered(t)) {
		if strings.HasPrefix(s, "Reminder:") {
			t.Errorf("a reminder went out after the session started: %q", s)
		}
	}
	problems, err := f.st.Outbox(context.Background(), store.Actor{Role: clinic.RoleReception},
		store.OutboxFilter{RefType: "appointment", RefID: b.Appointments[0].ID})
	must(t, err)
	expired := 0
	for _, r := range problems {
		if r.Kind == "reminder" && r.Status == "expired" && strings.Contains(r.LastError, "421") {
			expired++
		}
	}
	if expired != 1 {
		t.Errorf("reception sees %d expired reminders with the server's answer; want 1: %+v", expired, problems)
	}
}

// TestKilledBetweenAcceptanceAndMarkingSentDuplicatesAtMostOnce: the worker dies after the
// server accepted a reminder but before it recorded that; the restarted worker sends it once
// more with the same Message-ID, and never a third time.
func TestKilledBetweenAcceptanceAndMarkingSentDuplicatesAtMostOnce(t *testing.T) {
	f := newClinicFixture(t, utcAt(2026, 3, 20, 9))
	f.Book(t, sydneyAt(2026, 3, 26, 10))
	f.drain(t) // the confirmation
	f.at(time.Date(2026, 3, 23, 23, 0, 0, 0, time.UTC))
	crashing := *f.worker
	crashing.Transport = afterSend{Transport: f.worker.Transport, then: func() { f.st.Close() }}
	if _, err := crashing.Drain(context.Background()); err == nil {
		t.Fatal("the crashed worker's Drain reported no error")
	}
	f.restart(t)
	f.worker.Wanted = f.st.StillWanted
	for range 10 {
		f.clock.Advance(time.Minute)
		f.drain(t)
	}
	var ids []string
	for _, m := range f.delivered(t)[1:] {
		ids = append(ids, m.Header.Get("Message-Id"))
	}
	if len(ids) != 2 || ids[0] != ids[1] {
		t.Errorf("reminder deliveries carry Message-IDs %q; want exactly two, the same", ids)
	}
}

// TestNudgeToBookTheNextSessionCarriesOneClickUnsubscribe: session 1 of 4 is done, the rest
// were cancelled, and a day later the client hears from the clinic, with the unsubscribe
// headers a mail program shows as a button.
func TestNudgeToBookTheNextSessionCarriesOneClickUnsubscribe(t *testing.T) {
	f := newClinicFixture(t, utcAt(2026, 3, 20, 9))
	b := f.Book(t, sydneyAt(2026, 3, 23, 10), sydneyAt(2026, 3, 30, 10), sydneyAt(2026, 4, 6, 10), sydneyAt(2026, 4, 13, 10))
	ctx := context.Background()
	for _, a := range b.Appointments[1:] {
		_, err := f.st.Cancel(ctx, store.System, a.ID, "")
		must(t, err)
	}
	f.drain(t) // the confirmation and the cancellation notices
	f.at(b.Appointments[0].End)
	_, err := f.st.SetStatus(ctx, store.System, b.Appointments[0].ID, "completed")
	must(t, err)
	sched := f.scheduler()
	f.clock.Advance(23 * time.Hour)
	if n, err := sched.Scan(ctx); err != nil || n != 0 {
		t.Fatalf("23 hours after the session Scan queued %d (%v); want nothing yet", n, err)
	}
	f.clock.Advance(time.Hour)
	for range 2 {
		if _, err := sched.Scan(ctx); err != nil {
			t.Fatal(err)
		}
	}
	before := len(f.srv.messages())
	f.drain(t)
	got := f.delivered(t)[before:]
	if len(got) != 1 {
		t.Fatalf("two scans and a drain sent %q; want one nudge", subjects(got))
	}
	m := got[0]
	if s := decodeHeader(m.Header.Get("Subject")); s != "Book session 2 of 4 with Sam Okafor" {
		t.Errorf("Subject = %q", s)
	}
	lu := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<"+baseURL+"/unsubscribe/") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q, -Post %q; want the one-click pair", lu, m.Header.Get("List-Unsubscribe-Post"))
	}
	u, _ := url.Parse(strings.Trim(lu, "<>"))
	if !strings.Contains(m.Text, "sessions=1") || !strings.Contains(m.Text, u.Path) {
		t.Errorf("nudge text lacks the booking link or the unsubscribe link:\n%s", m.Text)
	}
}

func (f *clinicFixture) scheduler() *mail.Scheduler {
	return &mail.Scheduler{Store: f.st, Now: f.clock.Now}
}

func base64Reader(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }

// TestRunSchedulesAndSendsNudges: the worker's Run loop runs the scheduler next to the outbox,
// so serve needs nothing more to send "book your next session".
func TestRunSchedulesAndSendsNudges(t *testing.T) {
	f := newClinicFixture(t, utcAt(2026, 3, 20, 9))
	b := f.Book(t, sydneyAt(2026, 3, 23, 10), sydneyAt(2026, 3, 30, 10))
	ctx := context.Background()
	_, err := f.st.Cancel(ctx, store.System, b.Appointments[1].ID, "")
	must(t, err)
	f.drain(t)
	f.at(b.Appointments[0].End)
	_, err = f.st.SetStatus(ctx, store.System, b.Appointments[0].ID, "completed")
	must(t, err)
	f.clock.Advance(25 * time.Hour)

	runCtx, stop := context.WithCancel(ctx)
	f.worker.Every = 10 * time.Millisecond
	f.worker.Scheduler = &mail.Scheduler{Store: f.st, Now: f.clock.Now, Every: 10 * time.Millisecond}
	done := make(chan struct{})
	go func() { f.worker.Run(runCtx); close(done) }()
	var got []string
	for range 500 {
		got = subjects(f.delivered(t))
		if len(got) == 3 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	if len(got) != 3 || got[2] != "Book session 2 of 2 with Sam Okafor" {
		t.Errorf("while Run ran the server received %q; want the nudge after the confirmation and the notice", got)
	}
}
