package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/jordan-wright/email"

	"allium/clinic"
	"allium/internal/requestid"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/mail"
	"allium/store"
	"allium/views"
)

// smtpServer is a real SMTP server on 127.0.0.1 that requires PLAIN authentication on a plain
// connection, keeps what it accepts, and refuses on demand.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	got  []received
	// refuse, when set, is the answer at the named stage: "MAIL", "RCPT" or "DATA".
	refuse      *smtp.SMTPError
	refuseStage string
}

type received struct {
	From string
	To   []string
	Data []byte
}

func startSMTP(t testing.TB) *smtpServer {
	t.Helper()
	srv := &smtpServer{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: srv}, nil }))
	s.Domain = "mx.test"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = ln.Addr().String()
	go s.Serve(ln) //nolint:errcheck // ends when the server closes
	t.Cleanup(func() { s.Close() })
	return srv
}

// setRefusal makes the server answer code at stage until called with code 0.
func (s *smtpServer) setRefusal(stage string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse, s.refuseStage = nil, stage
	if code != 0 {
		enh := smtp.EnhancedCode{4, 3, 0}
		if code >= 500 {
			enh = smtp.EnhancedCode{5, 1, 1}
		}
		s.refuse = &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: "not now, test refusal"}
	}
}

func (s *smtpServer) refusal(stage string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil && s.refuseStage == stage {
		return s.refuse
	}
	return nil
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

type smtpSession struct {
	srv    *smtpServer
	authed bool
	from   string
	to     []string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "allium" || pass != "s3cret" {
			return smtp.ErrAuthFailed // 535, as a real server answers a wrong password
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return s.srv.refusal("MAIL")
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.srv.refusal("RCPT"); err != nil {
		return err
	}
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := s.srv.refusal("DATA"); err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.got = append(s.srv.got, received{From: s.from, To: s.to, Data: b})
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

const baseURL = "https://wattle.example"

type fixture struct {
	path   string
	st     *store.Store
	clock  *testkit.Clock
	views  *views.Views
	tr     func(*store.Store) mail.Transport
	worker *mail.Worker
}

// newFixture makes a store with a named clinic and a worker sending through tr.
func newFixture(t testing.TB, tr func(*store.Store) mail.Transport) *fixture {
	t.Helper()
	_, vs := testclinic.MustViews(t)
	f := &fixture{path: testclinic.FreshDB(t), clock: testkit.NewClock(testkit.Epoch), views: vs, tr: tr}
	f.restart(t)
	set := clinic.DefaultSettings()
	set.Name, set.Email, set.TimeZone = "Wattle Lane Remedial", "desk@wattle.example", "UTC"
	if err := f.st.SaveSettings(context.Background(), store.System, set); err != nil {
		t.Fatal(err)
	}
	return f
}

// restart opens the database afresh with a new worker, as a new process would.
func (f *fixture) restart(t testing.TB) {
	t.Helper()
	st := testclinic.Open(t, f.path)
	st.Now = f.clock.Now
	f.st = st
	f.worker = &mail.Worker{Store: st, Views: f.views, Transport: f.tr(st), From: "Wattle Lane Remedial <hello@wattle.example>",
		BaseURL: baseURL, Now: f.clock.Now, Log: slog.New(slog.DiscardHandler)}
}

func smtpTransport(t testing.TB, srv *smtpServer) func(*store.Store) mail.Transport {
	return func(*store.Store) mail.Transport {
		tr, err := mail.ParseSMTPURL("smtp://allium:s3cret@" + srv.addr + "?tls=none")
		if err != nil {
			t.Fatal(err)
		}
		tr.Timeout = 10 * time.Second
		return tr
	}
}

// queueReset queues a password reset email to alex and returns its outbox row.
func (f *fixture) queueReset(t *testing.T, key string, expires time.Time) store.OutboxRow {
	t.Helper()
	err := f.st.Enqueue(context.Background(), store.Email{Kind: "password_reset", To: "alex@example.com", RefType: "user",
		RefID: 1, DedupeKey: key, Payload: store.TokenMail{Name: "Alex", Token: "tok-" + key}, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	return f.row(t, key)
}

func (f *fixture) row(t *testing.T, key string) store.OutboxRow {
	t.Helper()
	rows, err := f.st.Outbox(context.Background(), store.Actor{Role: clinic.RoleOwner}, store.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.DedupeKey == key {
			return r
		}
	}
	t.Fatalf("no outbox row %q", key)
	return store.OutboxRow{}
}

func (f *fixture) drain(t *testing.T) int {
	t.Helper()
	n, err := f.worker.Drain(context.Background())
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	return n
}

// parsed is a message as a mail program reads it.
type parsed struct {
	Header netmail.Header
	Text   string
	HTML   string
}

func parseMessage(t *testing.T, raw []byte) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, raw)
	}
	p := parsed{Header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("Content-Type = %q (%v); want multipart", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		b, err := io.ReadAll(part) // quoted-printable is decoded by the reader
		if err != nil {
			t.Fatal(err)
		}
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.Text = string(b)
		case "text/html":
			p.HTML = string(b)
		}
	}
	return p
}

func TestSMTPDelivery(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, smtpTransport(t, srv))
	row := f.queueReset(t, "reset:1", time.Time{})

	if n := f.drain(t); n != 1 {
		t.Fatalf("Drain sent %d; want 1", n)
	}
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages; want 1", len(got))
	}
	if got[0].From != "hello@wattle.example" || len(got[0].To) != 1 || got[0].To[0] != "alex@example.com" {
		t.Errorf("envelope from %q to %v; want hello@wattle.example to alex@example.com", got[0].From, got[0].To)
	}
	m := parseMessage(t, got[0].Data)
	for _, h := range []struct{ name, want string }{
		{"Message-Id", "<" + row.MessageID + "@wattle.example>"},
		{"Subject", "Reset your password for Wattle Lane Remedial"},
		{"To", "<alex@example.com>"},
		{"Auto-Submitted", "auto-generated"},
	} {
		if v := m.Header.Get(h.name); v != h.want {
			t.Errorf("%s = %q; want %q", h.name, v, h.want)
		}
	}
	if from, err := m.Header.AddressList("From"); err != nil || from[0].Name != "Wattle Lane Remedial" || from[0].Address != "hello@wattle.example" {
		t.Errorf("From = %v (%v)", from, err)
	}
	if reply, err := m.Header.AddressList("Reply-To"); err != nil || reply[0].Address != "desk@wattle.example" {
		t.Errorf("Reply-To = %v (%v); want the clinic's email", reply, err)
	}
	if date, err := m.Header.Date(); err != nil || !date.Equal(f.clock.Now()) {
		t.Errorf("Date = %v (%v); want the worker's clock %v", date, err, f.clock.Now())
	}
	link := baseURL + "/reset/tok-reset:1"
	if !strings.Contains(m.Text, link) || !strings.Contains(m.Text, "Hello Alex") {
		t.Errorf("text part lacks the greeting or %s:\n%s", link, m.Text)
	}
	if !strings.Contains(m.HTML, `href="`+link+`"`) || !strings.Contains(m.HTML, "Wattle Lane Remedial") {
		t.Errorf("HTML part lacks the link:\n%s", m.HTML)
	}

	sent := f.row(t, "reset:1")
	if sent.Status != "sent" || sent.Attempts != 1 || string(sent.Payload) != "{}" {
		t.Errorf("row after delivery: %s, %d attempts, payload %s; want sent once, token dropped", sent.Status, sent.Attempts, sent.Payload)
	}
	f.clock.Advance(time.Hour)
	if n := f.drain(t); n != 0 || len(srv.messages()) != 1 {
		t.Errorf("a second drain sent %d more; want nothing", n)
	}
}

func TestSMTPTemporaryRefusalRetriesWithBackoff(t *testing.T) {
	for _, stage := range []string{"MAIL", "RCPT", "DATA"} {
		t.Run(stage, func(t *testing.T) {
			srv := startSMTP(t)
			f := newFixture(t, smtpTransport(t, srv))
			f.queueReset(t, "reset:1", time.Time{})
			srv.setRefusal(stage, 451)

			var lastWait time.Duration
			for attempt := 1; attempt <= 4; attempt++ {
				if n := f.drain(t); n != 0 {
					t.Fatalf("attempt %d: Drain sent %d while the server refuses", attempt, n)
				}
				r := f.row(t, "reset:1")
				wait := r.SendAfter.Sub(f.clock.Now())
				if r.Status != "queued" || r.Attempts != attempt || !strings.Contains(r.LastError, "451") {
					t.Fatalf("attempt %d: %s, %d attempts, %q; want queued with the 451", attempt, r.Status, r.Attempts, r.LastError)
				}
				if wait <= lastWait {
					t.Errorf("attempt %d: next try in %v; want longer than %v", attempt, wait, lastWait)
				}
				lastWait = wait
				f.clock.Advance(wait - time.Second)
				if n := f.drain(t); n != 0 || f.row(t, "reset:1").Attempts != attempt {
					t.Fatalf("attempt %d: retried before the backoff ended", attempt)
				}
				f.clock.Advance(time.Second)
			}
			if lastWait != 8*time.Minute {
				t.Errorf("fourth backoff = %v; want 8m (1, 2, 4, 8 minutes)", lastWait)
			}

			srv.setRefusal("", 0)
			if n := f.drain(t); n != 1 {
				t.Fatalf("Drain after the server recovered sent %d; want 1", n)
			}
			f.clock.Advance(time.Hour)
			f.drain(t)
			if n := len(srv.messages()); n != 1 {
				t.Errorf("server received %d messages; want exactly 1", n)
			}
			if r := f.row(t, "reset:1"); r.Status != "sent" || r.Attempts != 5 {
				t.Errorf("row: %s after %d attempts; want sent after 5", r.Status, r.Attempts)
			}
		})
	}
}

func TestSMTPPermanentRejectionFails(t *testing.T) {
	for _, stage := range []string{"MAIL", "RCPT", "DATA"} {
		t.Run(stage, func(t *testing.T) {
			srv := startSMTP(t)
			f := newFixture(t, smtpTransport(t, srv))
			f.queueReset(t, "reset:1", time.Time{})
			srv.setRefusal(stage, 550)
			f.drain(t)
			r := f.row(t, "reset:1")
			if r.Status != "failed" || r.Attempts != 1 || !strings.Contains(r.LastError, "550") {
				t.Errorf("row after a 550: %s, %d attempts, %q; want failed at once with the reason", r.Status, r.Attempts, r.LastError)
			}
			srv.setRefusal("", 0)
			f.clock.Advance(24 * time.Hour)
			f.drain(t)
			if n := len(srv.messages()); n != 0 {
				t.Errorf("a failed message was sent later (%d)", n)
			}
			problems, _ := f.st.Outbox(context.Background(), store.Actor{Role: clinic.RoleReception}, store.OutboxFilter{Problems: true})
			if len(problems) != 1 {
				t.Errorf("reception's problem list has %d messages; want the failed one", len(problems))
			}
		})
	}
}

func TestSMTPWrongPasswordIsPermanent(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, func(*store.Store) mail.Transport {
		tr, err := mail.ParseSMTPURL("smtp://allium:wrong@" + srv.addr + "?tls=none")
		if err != nil {
			t.Fatal(err)
		}
		return tr
	})
	f.queueReset(t, "reset:1", time.Time{})
	f.drain(t)
	if r := f.row(t, "reset:1"); r.Status != "failed" || !strings.Contains(r.LastError, "535") {
		t.Errorf("row after a refused login: %s %q; want failed with the server's 535", r.Status, r.LastError)
	}
}

func TestUnreachableServerRetriesThenGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	f := newFixture(t, func(*store.Store) mail.Transport {
		tr, err := mail.ParseSMTPURL("smtp://" + addr + "?tls=none")
		if err != nil {
			t.Fatal(err)
		}
		return tr
	})
	f.queueReset(t, "reset:1", time.Time{})
	reminder := f.queueReset(t, "reminder", f.clock.Now().Add(10*time.Minute))
	f.drain(t)
	if r := f.row(t, "reset:1"); r.Status != "queued" || r.LastError == "" {
		t.Errorf("after a refused connection: %s %q; want queued to retry", r.Status, r.LastError)
	}
	f.clock.Advance(10 * time.Minute)
	f.drain(t)
	if r := f.row(t, reminder.DedupeKey); r.Status != "expired" {
		t.Errorf("message with a 10-minute expiry after 10 minutes: %s; want expired", r.Status)
	}
	for range 80 { // an hour at a time, past three days
		f.clock.Advance(time.Hour)
		f.drain(t)
	}
	if r := f.row(t, "reset:1"); r.Status != "failed" || !strings.Contains(r.LastError, "gave up after 3 days") {
		t.Errorf("after 3 days: %s %q; want failed, given up", r.Status, r.LastError)
	}
}

// afterSend runs then once the transport has answered: the moment a shutdown or a crash
// between the server's acceptance and the worker's record of it would matter.
type afterSend struct {
	mail.Transport
	then func()
}

func (a afterSend) Send(ctx context.Context, m *email.Email) error {
	err := a.Transport.Send(ctx, m)
	a.then()
	return err
}

// TestShutdownMidSendRecordsTheOutcome stops the worker (as serve does on SIGTERM) while the
// server is accepting a message: the message must be recorded as sent, not sent again later.
func TestShutdownMidSendRecordsTheOutcome(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, smtpTransport(t, srv))
	f.queueReset(t, "reset:1", time.Time{})

	ctx, stop := context.WithCancel(context.Background())
	stopping := *f.worker
	stopping.Transport = afterSend{Transport: f.worker.Transport, then: stop}
	if _, err := stopping.Drain(ctx); err != nil {
		t.Errorf("Drain stopped mid-send: %v", err)
	}
	if r := f.row(t, "reset:1"); r.Status != "sent" {
		t.Errorf("row after a shutdown mid-send: %s; want sent", r.Status)
	}
	f.clock.Advance(time.Hour)
	f.drain(t)
	if n := len(srv.messages()); n != 1 {
		t.Errorf("server received %d messages; want 1", n)
	}
}

// crashAfterSend makes the process die (its database gone) right after the server accepted.
func crashAfterSend(t *testing.T, f *fixture) {
	t.Helper()
	crashing := *f.worker
	crashing.Transport = afterSend{Transport: f.worker.Transport, then: func() { f.st.Close() }}
	if _, err := crashing.Drain(context.Background()); err == nil {
		t.Fatal("Drain of the crashed worker reported no error")
	}
	f.restart(t)
	if r := f.row(t, "reset:1"); r.Status != "sending" {
		t.Fatalf("row after the crash: %s; want still sending (the worker died before marking it)", r.Status)
	}
}

func TestWorkerKilledAfterSendingResendsOnceWithTheSameMessageID(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, smtpTransport(t, srv))
	row := f.queueReset(t, "reset:1", time.Time{})
	crashAfterSend(t, f)

	f.clock.Advance(time.Minute)
	if n := f.drain(t); n != 0 {
		t.Errorf("the restarted worker sent %d during the dead worker's lease; want 0", n)
	}
	f.clock.Advance(time.Minute) // the lease runs out
	if n := f.drain(t); n != 1 {
		t.Fatalf("Drain after the lease sent %d; want 1", n)
	}
	f.clock.Advance(time.Hour)
	f.drain(t)

	got := srv.messages()
	if len(got) != 2 {
		t.Fatalf("server received %d messages; want 2 (the original and one resend)", len(got))
	}
	want := "<" + row.MessageID + "@wattle.example>"
	for i, m := range got {
		if id := parseMessage(t, m.Data).Header.Get("Message-Id"); id != want {
			t.Errorf("message %d Message-Id = %q; want %q so mail programs see one message", i, id, want)
		}
	}
	if r := f.row(t, "reset:1"); r.Status != "sent" || r.Attempts != 2 {
		t.Errorf("row: %s after %d attempts; want sent after 2", r.Status, r.Attempts)
	}
}

func TestMailboxTransport(t *testing.T) {
	f := newFixture(t, func(st *store.Store) mail.Transport { return mail.Mailbox{Store: st} })
	row := f.queueReset(t, "reset:1", time.Time{})
	crashAfterSend(t, f)
	f.clock.Advance(3 * time.Minute)
	if n := f.drain(t); n != 1 {
		t.Fatalf("Drain after the lease sent %d; want 1", n)
	}

	owner := store.Actor{Role: clinic.RoleOwner}
	box, err := f.st.Mailbox(context.Background(), owner, "alex@example.com", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(box) != 1 {
		t.Fatalf("mailbox holds %d messages; want 1 (a resend with the same Message-ID is the same message)", len(box))
	}
	got := box[0]
	if got.Subject != "Reset your password for Wattle Lane Remedial" || got.MessageID != "<"+row.MessageID+"@wattle.example>" {
		t.Errorf("mailbox message: %q %q", got.Subject, got.MessageID)
	}
	if !strings.Contains(got.Text, baseURL+"/reset/tok-reset:1") || !strings.Contains(got.HTML, "<a href=") {
		t.Errorf("mailbox bodies:\n%s\n%s", got.Text, got.HTML)
	}
	if r := f.row(t, "reset:1"); r.Status != "sent" {
		t.Errorf("row status = %s; want sent", r.Status)
	}
}

func TestUnwantedMessageIsCancelled(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, smtpTransport(t, srv))
	f.queueReset(t, "reminder:1", time.Time{})
	f.worker.Wanted = func(context.Context, store.OutboxRow) (bool, error) { return false, nil }
	f.drain(t)
	if r := f.row(t, "reminder:1"); r.Status != "cancelled" {
		t.Errorf("status = %s; want cancelled", r.Status)
	}
	if n := len(srv.messages()); n != 0 {
		t.Errorf("server received %d messages; want none", n)
	}
}

func TestBrokenPayloadFailsWithoutStoppingTheQueue(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, smtpTransport(t, srv))
	ctx := context.Background()
	if err := f.st.Enqueue(ctx, store.Email{Kind: "no_such_template", To: "alex@example.com", DedupeKey: "bad",
		Payload: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	f.queueReset(t, "reset:1", time.Time{})
	if n := f.drain(t); n != 1 {
		t.Errorf("Drain sent %d; want the good message to go out", n)
	}
	if r := f.row(t, "bad"); r.Status != "failed" || !strings.Contains(r.LastError, "no_such_template") {
		t.Errorf("bad row: %s %q; want failed, naming the template", r.Status, r.LastError)
	}
}

// TestBareSenderTakesTheClinicsCurrentName: with only an address configured, the sender's name
// is the clinic's name at send time, so renaming the clinic needs no restart.
func TestBareSenderTakesTheClinicsCurrentName(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, smtpTransport(t, srv))
	f.worker.From = "no-reply@wattle.example"
	set, _ := f.st.Settings(context.Background())
	set.Name = "Wattle Lane Remedial & Tui Na"
	if err := f.st.SaveSettings(context.Background(), store.System, set); err != nil {
		t.Fatal(err)
	}
	f.queueReset(t, "reset:name", time.Time{})
	f.drain(t)
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	from, err := parseMessage(t, got[0].Data).Header.AddressList("From")
	if err != nil || from[0].Name != "Wattle Lane Remedial & Tui Na" || from[0].Address != "no-reply@wattle.example" {
		t.Fatalf("From = %v (%v)", from, err)
	}
}

// A message that fails is logged under the id of the request that queued it, so the line
// can be matched to what the person did.
func TestFailureIsLoggedWithTheRequestThatQueuedIt(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, smtpTransport(t, srv))
	var log bytes.Buffer
	f.worker.Log = slog.New(slog.NewTextHandler(&log, nil))
	ctx := requestid.With(context.Background(), "req-42")
	if err := f.st.Enqueue(ctx, store.Email{Kind: "password_reset", To: "alex@example.com", RefType: "user", RefID: 1,
		DedupeKey: "reset:1", Payload: store.TokenMail{Name: "Alex", Token: "tok"}}); err != nil {
		t.Fatal(err)
	}
	srv.setRefusal("RCPT", 550)
	f.drain(t)
	if r := f.row(t, "reset:1"); r.RequestID != "req-42" {
		t.Errorf("the row keeps request id %q; want req-42", r.RequestID)
	}
	if !strings.Contains(log.String(), "msg=\"mail failed\"") || !strings.Contains(log.String(), "request_id=req-42") {
		t.Errorf("the failure is not logged with its request:\n%s", log.String())
	}
}
