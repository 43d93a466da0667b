package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"allium"
	"allium/assets"
	"allium/clinic"
	"allium/store"
	"allium/views"
)

// newEmptyJourneyApp is the running app on an empty database, as `allium serve` starts on a
// new clinic's first day: no settings, no people, no demo.
func newEmptyJourneyApp(t *testing.T) *journeyClinic {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "empty.db"), allium.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	j := &journeyClinic{st: st}
	as, err := assets.New()
	if err != nil {
		t.Fatal(err)
	}
	if j.views, err = views.New(as.URL); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	j.url = "http://" + srv.Listener.Addr().String()
	e, _, err := New(ctx, Config{Store: st, Views: j.views, Assets: as, BaseURL: j.url,
		SessionKey: []byte("journey-session-key-0123456789abcdef"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	return j
}

// mailTo is the newest message in the built-in mailbox for an address.
func (j *journeyClinic) mailTo(t *testing.T, to string) store.MailboxMessage {
	t.Helper()
	j.deliver(t)
	box, err := j.st.Mailbox(context.Background(), store.Actor{Role: clinic.RoleOwner}, to, 1)
	if err != nil || len(box) == 0 {
		t.Fatalf("no mail for %s: %v", to, err)
	}
	return box[0]
}

// TestJourneyClinicOpensFromAnEmptyDatabase: the owner sets up a new clinic through the guided
// setup (details, a service, a room, a therapist and their hours), the therapist accepts the
// invitation from the mailbox, a visitor books the service online seeing its price and the
// policy, and the owner's checklist is empty.
func TestJourneyClinicOpensFromAnEmptyDatabase(t *testing.T) {
	j := newEmptyJourneyApp(t)
	b := newBrowser(t, j.url)

	b.open("/")
	b.wantText("Set up your clinic")
	b.fill("#f-clinic", "Banksia Remedial")
	b.fill("#f-name", "Mei Lin")
	b.fill("#f-email", "mei@banksia.test")
	b.fill("#f-password", journeyPassword)
	b.submit("main form button.primary")

	// 1. The clinic.
	b.wantText("Setting up your clinic")
	b.fill("#f-phone", "02 9555 0199")
	b.fill("#f-address", "7 Banksia Street, Newtown NSW 2042")
	b.fill("#f-cancel_terms", "A late cancellation costs half the fee.")
	b.submit("main form button.primary")

	// 2. A service.
	b.wantText("Add a service")
	b.fill("#f-name", "Remedial 60")
	b.fill("#f-price", "95")
	b.submit("main form button.primary")
	b.wantText("$95.00")

	// 3. A room.
	b.submit("#setup-next")
	b.fill("#f-name", "Wattle room")
	b.submit("main form.stack button.primary")
	b.wantText("Wattle room")

	// 4. The team: invite Sam, then choose what Sam offers.
	b.submit("#setup-next")
	b.fill("#f-name", "Sam Okafor")
	b.fill("#f-email", "sam@banksia.test")
	b.submit("main form.stack button.primary")
	b.wantText("Invitation sent")
	b.clickText("Sam Okafor")
	b.do("offer Remedial 60", chromedpClick("main input[name=service]"))
	b.fill("#f-bio", "Sports injuries and desk necks.")
	b.submit("main form button.primary")

	// 5. Hours.
	b.open("/desk/therapists?setup=1")
	b.clickText("Hours and time off")
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		b.fill("#f-"+d, "08:00-18:00")
	}
	b.submit("main form button.primary")
	b.wantText("Hours saved")

	// Sam accepts the invitation from the mailbox.
	invite := regexp.MustCompile(`/invite/\S+`).FindString(j.mailTo(t, "sam@banksia.test").Text)
	if invite == "" {
		t.Fatal("no invitation link in Sam's mail")
	}
	b.signOut()
	b.open(invite)
	b.fill("#f-password", journeyPassword)
	b.submit("main form button.primary")
	b.wantText("Your account is ready")
	b.signOut()

	// A visitor sees the front page and books, with the price and policy before confirming.
	b.open("/")
	b.wantText("60 minutes · $95.00")
	b.wantText("Sports injuries and desk necks.")
	b.open("/book")
	b.do("choose Remedial 60", chromedpClick("main input[name=service]"))
	b.submit("main form button.primary")
	b.wantText("$95.00 a session")
	b.do("choose the first free time", chromedpClick("main .slots label.slot"))
	b.submit("main form button.primary")
	b.wantText("60 minutes, $95.00 a session")
	b.wantText("A late cancellation costs half the fee.")
	b.fill("#f-name", "Robin Tran")
	b.fill("#f-email", "robin.tran@example.com")
	b.fill("#f-phone", "0400 111 222")
	b.do("consent", chromedpClick("#f-consent"))
	b.submit("main form button.primary")
	b.wantText("Check your email to confirm")
	hold := regexp.MustCompile(`/book/hold/[A-Za-z0-9_-]+`).FindString(j.mailTo(t, "robin.tran@example.com").Text)
	if hold == "" {
		t.Fatal("no link to confirm the booking in Robin's mail")
	}
	b.open(hold)
	b.submit("main form button.primary")
	b.wantText("booked")
	if conf := j.mailTo(t, "robin.tran@example.com"); !strings.Contains(conf.Text, "up to 24 hours before") ||
		!strings.Contains(conf.Text, "A late cancellation costs half the fee.") {
		t.Errorf("the confirmation does not state the policy:\n%s", conf.Text)
	}

	// The owner's checklist is empty.
	b.signOut() // booking signed the visitor in
	b.open("/signin")
	b.fill("#f-email", "mei@banksia.test")
	b.fill("#f-password", journeyPassword)
	b.submit("main form button.primary")
	b.open("/admin")
	b.wantText("Online booking is open.")
}
