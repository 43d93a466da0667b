package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/jordan-wright/email"

	"allium/clinic"
	"allium/internal/requestid"
	"allium/store"
	"allium/views"
)

// Data is what an email template sees: the clinic, the base URL for links, and the payload
// the outbox row was queued with.
type Data struct {
	Clinic  views.Clinic
	BaseURL string
	To      string
	P       map[string]any
}

// Worker drains the outbox. Run one per process.
type Worker struct {
	Store     *store.Store
	Views     *views.Views
	Transport Transport
	From      string // "Clinic <clinic@example.com>"; a bare address gets the clinic's name as sent
	BaseURL   string
	Log       *slog.Logger
	Now       func() time.Time
	Every     time.Duration // how often to look for due mail
	Lease     time.Duration // how long a claimed row is hidden from other workers
	Batch     int
	// Wanted re-checks at send time that a message still makes sense (a reminder for an
	// appointment that was cancelled or moved does not). Nil means always wanted.
	Wanted func(ctx context.Context, row store.OutboxRow) (bool, error)
	// Scheduler queues nudges, gap warnings, day lists and maintenance prompts while Run runs.
	// Nil means one on the worker's store and clock.
	Scheduler *Scheduler
}

// Run sends due mail until ctx ends, then returns after the batch in hand. Every few minutes
// it also runs the scheduler, which queues the nudges and lists no booking change causes.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	t := time.NewTicker(w.Every)
	defer t.Stop()
	scan := time.NewTicker(w.Scheduler.every())
	defer scan.Stop()
	w.Scheduler.scan(ctx)
	for {
		if _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-scan.C:
			w.Scheduler.scan(ctx)
		}
	}
}

func (w *Worker) defaults() {
	if w.Every == 0 {
		w.Every = 5 * time.Second
	}
	if w.Lease == 0 {
		w.Lease = 2 * time.Minute
	}
	if w.Batch == 0 {
		w.Batch = 20
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	w.Log = requestid.Logger(w.Log)
	if w.Scheduler == nil {
		w.Scheduler = &Scheduler{Store: w.Store, Now: w.Now, Log: w.Log}
	}
}

// Drain sends every message due now and reports how many went out.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	w.defaults()
	sent := 0
	for ctx.Err() == nil {
		rows, err := w.Store.ClaimDue(ctx, w.Batch, w.Lease)
		if err != nil || len(rows) == 0 {
			return sent, err
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		// A few at a time: SMTP round trips dominate, and servers limit parallel sessions.
		sem := make(chan struct{}, 4)
		for _, r := range rows {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				ok, err := w.deliver(ctx, r)
				mu.Lock()
				defer mu.Unlock()
				if ok {
					sent++
				}
				if err != nil {
					errs = append(errs, err)
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// deliver handles one claimed row and records the outcome; it reports whether mail went out.
// A panic in rendering or sending is caught so one bad row cannot stop the queue.
func (w *Worker) deliver(ctx context.Context, r store.OutboxRow) (sent bool, err error) {
	if r.RequestID != "" {
		ctx = requestid.With(ctx, r.RequestID) // its lines name the request that queued it
	}
	defer func() {
		if p := recover(); p != nil {
			err = w.Store.MarkFailed(ctx, r.ID, fmt.Sprintf("internal error: %v", p))
		}
	}()
	if w.Wanted != nil {
		ok, err := w.Wanted(ctx, r)
		if err != nil {
			return false, w.retry(ctx, r, err)
		}
		if !ok {
			return false, w.Store.MarkCancelled(ctx, r.ID, "no longer wanted: the appointment changed")
		}
	}
	m, err := w.Build(ctx, r)
	if err != nil {
		return false, w.Store.MarkFailed(ctx, r.ID, err.Error())
	}
	sendCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	sendErr := w.Transport.Send(sendCtx, m)
	// The outcome is recorded even if ctx ended meanwhile (a shutdown): a message the server
	// accepted but left 'sending' would go out a second time once its lease ran out.
	ctx = context.WithoutCancel(ctx)
	if sendErr != nil {
		var perm PermanentError
		if errors.As(sendErr, &perm) {
			w.Log.WarnContext(ctx, "mail failed", "id", r.ID, "kind", r.Kind, "err", sendErr)
			return false, w.Store.MarkFailed(ctx, r.ID, sendErr.Error())
		}
		return false, w.retry(ctx, r, sendErr)
	}
	return true, w.Store.MarkSent(ctx, r.ID)
}

// expiringBackoffCap is the longest wait between tries of a message that expires.
const expiringBackoffCap = 15 * time.Minute

// retry puts the row back with exponential backoff: 1, 2, 4 ... minutes, at most an hour, or
// 15 minutes for a message that expires.
// Rows with an expiry (reminders) stop when the appointment starts; others after 3 days.
func (w *Worker) retry(ctx context.Context, r store.OutboxRow, cause error) error {
	wait := time.Minute << min(r.Attempts-1, 6)
	if wait > time.Hour {
		wait = time.Hour
	}
	// A reminder is worth nothing after its appointment starts: a long wait could step over
	// the server's recovery and the appointment together.
	if !r.ExpiresAt.IsZero() && wait > expiringBackoffCap {
		wait = expiringBackoffCap
	}
	now := w.Now()
	if r.ExpiresAt.IsZero() && now.Sub(r.CreatedAt) > 72*time.Hour {
		return w.Store.MarkFailed(ctx, r.ID, "gave up after 3 days: "+cause.Error())
	}
	w.Log.InfoContext(ctx, "mail deferred", "id", r.ID, "kind", r.Kind, "attempt", r.Attempts, "err", cause)
	return w.Store.MarkRetry(ctx, r.ID, cause.Error(), now.Add(wait))
}

// Build renders a row into a message with a stable Message-ID, so a resend after a crash is
// recognisably the same message to the recipient's mail program.
func (w *Worker) Build(ctx context.Context, r store.OutboxRow) (*email.Email, error) {
	set, err := w.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	d := Data{Clinic: views.ClinicOf(set),
		BaseURL: w.BaseURL, To: r.To}
	if err := json.Unmarshal(r.Payload, &d.P); err != nil {
		return nil, fmt.Errorf("payload of %s: %w", r.Kind, err)
	}
	d.P, _ = wholeNumbers(d.P).(map[string]any)
	out, err := w.Views.RenderEmail(r.Kind, d)
	if err != nil {
		return nil, err
	}
	m := email.NewEmail()
	m.From, m.To, m.Subject = w.From, []string{r.To}, out.Subject
	if !strings.Contains(w.From, "<") {
		// The clinic's name as it is now, not as it was when the server started.
		m.From = (&netmail.Address{Name: set.Name, Address: w.From}).String()
	}
	m.Text, m.HTML = []byte(out.Text), []byte(out.HTML)
	m.Headers = textproto.MIMEHeader{}
	m.Headers.Set("Message-Id", "<"+r.MessageID+"@"+domainOf(w.From)+">")
	m.Headers.Set("Date", w.Now().Format(time.RFC1123Z))
	m.Headers.Set("Auto-Submitted", "auto-generated")
	if set.Email != "" {
		m.ReplyTo = []string{set.Email}
	}
	atts, err := w.attachments(ctx, r, d, set)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		if _, err := m.Attach(strings.NewReader(a.Body), a.Name, a.Type); err != nil {
			return nil, err
		}
	}
	if u, ok := d.P["Unsubscribe"].(string); ok && u != "" {
		m.Headers.Set("List-Unsubscribe", "<"+w.BaseURL+u+">")
		m.Headers.Set("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	return m, nil
}

// attachments are the file a payload carries and the calendar files of appointment emails.
func (w *Worker) attachments(ctx context.Context, r store.OutboxRow, d Data, set clinic.Settings) ([]attachment, error) {
	var out []attachment
	if a, ok := d.P["Attachment"].(map[string]any); ok {
		name, _ := a["Name"].(string)
		ct, _ := a["Type"].(string)
		body, _ := a["Body"].(string)
		out = append(out, attachment{Name: name, Type: ct, Body: body})
	}
	if r.Kind == "receipt" {
		pdf, name, err := w.receipt(ctx, r, set)
		if err != nil {
			return nil, err
		}
		return append(out, attachment{Name: name, Type: "application/pdf", Body: string(pdf)}), nil
	}
	var p struct{ Sessions []store.SessionLine }
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		return out, nil // not an appointment email
	}
	var ids []int64
	for _, s := range p.Sessions {
		if s.ApptID != 0 {
			ids = append(ids, s.ApptID)
		}
	}
	organizer := set.Email
	if organizer == "" {
		organizer, _ = envelope(w.From)
	}
	cal, err := w.calendarFiles(ctx, r.Kind, ids, CalendarClinic{Name: set.Name, Email: organizer, Address: set.Address,
		Phone: set.Phone, Host: CalendarHost(w.BaseURL), BaseURL: w.BaseURL})
	return append(out, cal...), err
}

func domainOf(from string) string {
	addr, err := envelope(from)
	if err != nil || !strings.Contains(addr, "@") {
		return "allium.invalid"
	}
	return addr[strings.LastIndex(addr, "@")+1:]
}

// envelope returns the bare address of "Name <a@b>" or "a@b".
func envelope(s string) (string, error) {
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return "", err
	}
	return a.Address, nil
}

// wholeNumbers turns the float64s that JSON decoding makes of whole numbers back into ints, so
// templates can compare a session index or a count with a literal ({{if gt .Size 1}}).
func wholeNumbers(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = wholeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = wholeNumbers(e)
		}
	}
	return v
}

// receipt draws the PDF of a receipt email from the payment and its invoice as stored; both
// never change, so the PDF sent after a crash or a retry is the one the payment made.
func (w *Worker) receipt(ctx context.Context, r store.OutboxRow, set clinic.Settings) ([]byte, string, error) {
	var p store.ReceiptMail
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		return nil, "", fmt.Errorf("receipt payload: %w", err)
	}
	var rc clinic.Receipt
	var err error
	if p.AppointmentID != 0 { // a session drawn from a prepaid course
		rc, err = w.Store.PrepaidReceipt(ctx, store.System, p.AppointmentID, false)
	} else {
		rc, err = w.Store.Receipt(ctx, store.System, p.PaymentID, false)
	}
	if err != nil {
		return nil, "", fmt.Errorf("receipt %d/%d: %w", p.PaymentID, p.AppointmentID, err)
	}
	loc, err := set.Location()
	if err != nil {
		return nil, "", err
	}
	pdf, err := views.ReceiptPDF(rc, loc)
	name := fmt.Sprintf("receipt-%s-%d.pdf", rc.Invoice.NumberText(), rc.PaymentID)
	if rc.Session > 0 {
		name = fmt.Sprintf("receipt-%s-S%d.pdf", rc.Invoice.NumberText(), rc.Session)
	}
	return pdf, name, err
}
