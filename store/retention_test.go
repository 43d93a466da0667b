package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testkit"
)

// The retention job lists by the clinic's days. Alex (an adult, last seen 12 March 2026) is
// past seven years from 13 March 2033. Bea was first seen at 17, so her record is kept until
// she turns 25 on 1 October 2033; she is listed from the first minute of 2 October in Sydney,
// the night the clocks go forward, when it is still 1 October in UTC. Nothing is removed.
func TestRetentionJobMinorRuleAcrossDST(t *testing.T) {
	s, clock := newTestStore(t)
	ctx := context.Background()
	syd := testkit.Sydney()
	_, alex := mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	_, bea := mustCreateClient(t, s, "Bea Young", "bea@example.com")
	seen := func(id int64, created time.Time, birth string) {
		if _, err := s.w.Exec(`UPDATE clients SET created_at = ?, birth_date = ? WHERE id = ?`, unix(created), birth, id); err != nil {
			t.Fatal(err)
		}
	}
	seen(alex, time.Date(2026, 3, 12, 10, 0, 0, 0, syd), "")
	seen(bea, time.Date(2026, 3, 10, 10, 0, 0, 0, syd), "2008-10-01")

	listed := func(at time.Time) map[int64]bool {
		t.Helper()
		clock.Set(at)
		if _, err := s.ListRetentionDue(ctx); err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		reviews, err := s.RetentionReviews(ctx, Actor{Role: clinic.RoleOwner})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reviews {
			out[r.ClientID] = true
		}
		return out
	}
	if got := listed(time.Date(2033, 3, 12, 23, 59, 0, 0, syd)); len(got) != 0 {
		t.Errorf("on the last day of seven years: listed %v, want nobody", got)
	}
	if got := listed(time.Date(2033, 3, 13, 0, 1, 0, 0, syd)); !got[alex] || got[bea] {
		t.Errorf("13 March 2033: listed %v, want Alex only", got)
	}
	if got := listed(time.Date(2033, 10, 1, 23, 30, 0, 0, syd)); got[bea] {
		t.Error("Bea listed on her 25th birthday")
	}
	if got := listed(time.Date(2033, 10, 2, 0, 10, 0, 0, syd)); !got[bea] || !got[alex] {
		t.Errorf("2 October 2033, 00:10 in Sydney: listed %v, want Alex and Bea", got)
	}
	var name string
	if err := s.r.QueryRow(`SELECT name FROM clients WHERE id = ?`, bea).Scan(&name); err != nil || name != "Bea Young" {
		t.Errorf("the job changed a record without approval: %q %v", name, err)
	}
	// Reception cannot approve; the owner can, and only for a listed client.
	if err := s.Deidentify(ctx, Actor{Role: clinic.RoleReception}, bea); err != ErrNotFound {
		t.Errorf("reception approving: %v", err)
	}
	_, carl := mustCreateClient(t, s, "Carl New", "carl@example.com")
	if err := s.Deidentify(ctx, Actor{Role: clinic.RoleOwner}, carl); !errors.Is(err, ErrNotDue) {
		t.Errorf("approving a client never listed: %v, want not due", err)
	}
	if _, err := s.w.Exec(`INSERT INTO mailbox (message_id, recipient, subject, text_body, html_body, raw, received_at)
		VALUES ('<m@x>', 'bea@example.com', 'Your booking, Bea', '', '', x'', 0)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Deidentify(ctx, Actor{Role: clinic.RoleOwner}, bea); err != nil {
		t.Fatal(err)
	}
	if err := s.r.QueryRow(`SELECT name FROM clients WHERE id = ?`, bea).Scan(&name); err != nil || strings.Contains(name, "Bea") {
		t.Errorf("after approval the name is %q (%v)", name, err)
	}
	if n := countRows(t, s, "mailbox", "recipient = ?", "bea@example.com"); n != 0 {
		t.Errorf("%d messages to Bea kept", n)
	}
	if n := countRows(t, s, "audit_log", "action = 'deidentify' AND client_id = ?", bea); n != 1 {
		t.Errorf("%d audit rows for the de-identification, want 1", n)
	}
}
