package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"allium/clinic"
)

func reminder(key string) Email {
	return Email{Kind: "reminder", To: "alex@example.com", RefType: "appointment", RefID: 7, DedupeKey: key,
		Payload: map[string]any{"Version": 1}}
}

// outboxRow reads one row as the owner's mail page would show it.
func outboxRow(t *testing.T, s *Store, id int64) OutboxRow {
	t.Helper()
	rows, err := s.Outbox(context.Background(), owner, OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("outbox row %d not found", id)
	return OutboxRow{}
}

func mustClaim(t *testing.T, s *Store, lease time.Duration) []OutboxRow {
	t.Helper()
	rows, err := s.ClaimDue(context.Background(), 10, lease)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	return rows
}

func TestEnqueueDedupes(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	if err := s.Enqueue(ctx, reminder("reminder:7:48h")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := s.Enqueue(ctx, reminder("reminder:7:48h"), reminder("reminder:7:2h")); err != nil {
		t.Fatalf("Enqueue with a known dedupe key: %v; want a silent no-op", err)
	}
	if n := countRows(t, s, "outbox", "dedupe_key = ?", "reminder:7:48h"); n != 1 {
		t.Errorf("rows with the same dedupe key = %d; want 1", n)
	}
	if n := countRows(t, s, "outbox", ""); n != 2 {
		t.Errorf("outbox rows = %d; want 2 (two distinct keys)", n)
	}
	// A message already sent is not queued again either.
	rows := mustClaim(t, s, time.Minute)
	for _, r := range rows {
		if err := s.MarkSent(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Enqueue(ctx, reminder("reminder:7:48h")); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "outbox", "status = 'queued'"); n != 0 {
		t.Errorf("queued rows after re-enqueuing a sent message = %d; want 0", n)
	}
}

func TestClaimDueLeases(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	later := reminder("later")
	later.SendAfter = testEpoch.Add(time.Hour)
	if err := s.Enqueue(ctx, reminder("now"), later); err != nil {
		t.Fatal(err)
	}

	first := mustClaim(t, s, 2*time.Minute)
	if len(first) != 1 || first[0].DedupeKey != "now" || first[0].Attempts != 1 || first[0].Status != "sending" {
		t.Fatalf("first claim = %+v; want the due row only, sending, attempt 1", first)
	}
	if first[0].MessageID == "" {
		t.Error("claimed row has no Message-ID")
	}
	clock.Advance(time.Minute)
	if again := mustClaim(t, s, 2*time.Minute); len(again) != 0 {
		t.Errorf("claim within the lease = %d rows; want none (another worker holds it)", len(again))
	}
	clock.Advance(time.Minute) // the lease ends: the worker holding it is presumed dead
	reclaimed := mustClaim(t, s, 2*time.Minute)
	if len(reclaimed) != 1 || reclaimed[0].ID != first[0].ID {
		t.Fatalf("claim after the lease = %+v; want row %d again", reclaimed, first[0].ID)
	}
	if got := reclaimed[0]; got.Attempts != 2 || got.MessageID != first[0].MessageID {
		t.Errorf("reclaimed row: attempts %d, message id %q; want 2 and %q (same message)", got.Attempts, got.MessageID, first[0].MessageID)
	}

	clock.Advance(time.Hour)
	due := mustClaim(t, s, 2*time.Minute)
	if len(due) != 2 {
		t.Errorf("claim an hour later = %d rows; want 2 (the later one is due, the first lease ran out again)", len(due))
	}
}

func TestClaimDueExpires(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	e := reminder("reminder:7:2h")
	e.ExpiresAt = testEpoch.Add(30 * time.Minute)
	if err := s.Enqueue(ctx, e, reminder("other")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Minute)
	rows := mustClaim(t, s, time.Minute)
	if len(rows) != 1 || rows[0].DedupeKey != "other" {
		t.Fatalf("claim after expiry = %+v; want only the row without expiry", rows)
	}
	if err := s.MarkSent(ctx, rows[0].ID); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := s.w.QueryRow(`SELECT id FROM outbox WHERE dedupe_key = ?`, "reminder:7:2h").Scan(&id); err != nil {
		t.Fatal(err)
	}
	got := outboxRow(t, s, id)
	if got.Status != "expired" || got.LastError == "" {
		t.Errorf("expired row: status %q, last error %q; want expired with a reason", got.Status, got.LastError)
	}
	problems, err := s.Outbox(ctx, owner, OutboxFilter{Problems: true})
	if err != nil || len(problems) != 1 || problems[0].ID != id {
		t.Errorf("Outbox(problems) = %d rows, %v; want the expired row", len(problems), err)
	}

	// A row whose worker died mid-send expires too once the lease and the expiry have passed.
	e2 := reminder("reminder:8:2h")
	e2.ExpiresAt = clock.Now().Add(5 * time.Minute)
	if err := s.Enqueue(ctx, e2); err != nil {
		t.Fatal(err)
	}
	if rows := mustClaim(t, s, 2*time.Minute); len(rows) != 1 {
		t.Fatalf("claim = %d rows; want the new reminder", len(rows))
	}
	clock.Advance(10 * time.Minute)
	if rows := mustClaim(t, s, 2*time.Minute); len(rows) != 0 {
		t.Errorf("claim after lease and expiry = %+v; want nothing sent", rows)
	}
	if n := countRows(t, s, "outbox", "dedupe_key = ? AND status = 'expired'", "reminder:8:2h"); n != 1 {
		t.Error("a stale sending row past its expiry was not marked expired")
	}
}

func TestMarkRetryFailedSentAndResend(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	if err := s.Enqueue(ctx, reminder("r")); err != nil {
		t.Fatal(err)
	}
	row := mustClaim(t, s, time.Minute)[0]

	if err := s.MarkRetry(ctx, row.ID, "451 try later", clock.Now().Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got := outboxRow(t, s, row.ID)
	if got.Status != "queued" || got.LastError != "451 try later" || !got.SendAfter.Equal(clock.Now().Add(5*time.Minute)) {
		t.Errorf("after MarkRetry: %s %q %v; want queued, the reason, send in 5 minutes", got.Status, got.LastError, got.SendAfter)
	}
	clock.Advance(4 * time.Minute)
	if rows := mustClaim(t, s, time.Minute); len(rows) != 0 {
		t.Errorf("claim before the retry time = %d rows; want 0", len(rows))
	}
	clock.Advance(time.Minute)
	row = mustClaim(t, s, time.Minute)[0]
	if row.Attempts != 2 {
		t.Errorf("attempts on the retry = %d; want 2", row.Attempts)
	}

	if err := s.MarkFailed(ctx, row.ID, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	got = outboxRow(t, s, row.ID)
	if got.Status != "failed" || got.LastError != "550 no such user" {
		t.Errorf("after MarkFailed: %s %q; want failed with the reason", got.Status, got.LastError)
	}
	clock.Advance(time.Hour)
	if rows := mustClaim(t, s, time.Minute); len(rows) != 0 {
		t.Errorf("claim of a failed row = %d rows; want 0", len(rows))
	}

	client := Actor{UserID: 99, Role: clinic.RoleClient}
	if err := s.Resend(ctx, client, row.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("Resend by a client = %v; want ErrForbidden", err)
	}
	reception := Actor{UserID: mustCreateUser(t, s, clinic.RoleReception, "jo@example.com", "").ID, Role: clinic.RoleReception}
	if err := s.Resend(ctx, reception, row.ID); err != nil {
		t.Fatalf("Resend by reception: %v", err)
	}
	again := mustClaim(t, s, time.Minute)
	if len(again) != 1 || again[0].MessageID != row.MessageID || again[0].LastError != "" {
		t.Fatalf("claim after Resend = %+v; want the same message, error cleared", again)
	}
	if err := s.Resend(ctx, reception, row.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Resend of a message being sent = %v; want ErrNotFound", err)
	}
	if err := s.MarkSent(ctx, row.ID); err != nil {
		t.Fatal(err)
	}
	got = outboxRow(t, s, row.ID)
	if got.Status != "sent" || !got.SentAt.Equal(clock.Now().Truncate(time.Second)) {
		t.Errorf("after MarkSent: %s at %v; want sent now", got.Status, got.SentAt)
	}
	if n := countRows(t, s, "audit_log", "action = 'resend' AND record_type = 'outbox' AND record_id = ?", row.ID); n != 1 {
		t.Errorf("audit rows for the resend = %d; want 1", n)
	}
}

func TestMarkSentForgetsSingleUseLinks(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	link := Email{Kind: "password_reset", To: "mei@example.com", DedupeKey: "reset:1", Payload: TokenMail{Name: "Mei", Token: "secret-token"}}
	if err := s.Enqueue(ctx, link, reminder("keep")); err != nil {
		t.Fatal(err)
	}
	for _, r := range mustClaim(t, s, time.Minute) {
		if err := s.MarkSent(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := s.Outbox(ctx, owner, OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		var p map[string]any
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		switch r.Kind {
		case "password_reset":
			if len(p) != 0 {
				t.Errorf("sent reset link keeps its payload %s; want {} (only the token's hash may stay)", r.Payload)
			}
		case "reminder":
			if p["Version"] != float64(1) {
				t.Errorf("sent reminder payload = %s; want it kept", r.Payload)
			}
		}
	}
}

func TestMailbox(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	m := MailboxMessage{MessageID: "<abc@clinic.example>", To: "alex@example.com", Subject: "Your booking", Text: "See you", HTML: "<p>See you</p>", Raw: []byte("raw")}
	for range 2 {
		if err := s.DeliverToMailbox(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	box, err := s.Mailbox(ctx, owner, "", 10)
	if err != nil || len(box) != 1 || box[0].Subject != "Your booking" {
		t.Fatalf("Mailbox = %+v, %v; want one message (the same Message-ID twice is one message)", box, err)
	}
	got, err := s.MailboxMessageByID(ctx, owner, box[0].ID)
	if err != nil || got.Text != "See you" || got.HTML != "<p>See you</p>" {
		t.Errorf("MailboxMessageByID = %+v, %v", got, err)
	}
	if _, err := s.Mailbox(ctx, Actor{UserID: 5, Role: clinic.RoleReception}, "", 10); !errors.Is(err, ErrForbidden) {
		t.Errorf("Mailbox for reception = %v; want ErrForbidden", err)
	}
	if _, err := s.MailboxMessageByID(ctx, owner, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("MailboxMessageByID(999) = %v; want ErrNotFound", err)
	}
}
