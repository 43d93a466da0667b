package store

import (
	"context"
	"errors"
	"testing"

	"allium/clinic"
)

func TestMergeMovesRecordsAndRetiresTheDuplicate(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	desk := Actor{Role: clinic.RoleReception, UserID: 1}
	_, keep := mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	dup, err := s.AddClient(ctx, System, ClientDetails{Name: "Alex Chen", Phone: "0400 123 456", Cautions: "On blood thinners"})
	if err != nil {
		t.Fatal(err)
	}
	// Records under the duplicate, including an append-only one and a signed note.
	if _, err := s.w.Exec(`INSERT INTO findings (client_id, therapist_id, kind, complaint, created_at) VALUES (?, 1, 'initial', 'neck', 0)`, dup.ID); err != nil {
		t.Fatal(err)
	}
	c, _ := s.ClientByID(ctx, desk, keep)
	if got, err := s.LikelyDuplicates(ctx, desk, c); err != nil || len(got) != 1 || got[0].ID != dup.ID {
		t.Fatalf("likely duplicates = %v, %v", got, err)
	}
	if err := s.MergeClients(ctx, Actor{Role: clinic.RoleTherapist, UserID: 2}, keep, dup.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a therapist merged records: %v", err)
	}
	if err := s.MergeClients(ctx, desk, keep, dup.ID); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "findings", "client_id = ?", keep); n != 1 {
		t.Errorf("findings under the kept record = %d, want 1", n)
	}
	got, err := s.ClientByID(ctx, desk, keep)
	if err != nil || got.Phone != "0400 123 456" || got.Cautions != "On blood thinners" {
		t.Errorf("kept record after merge = %+v, %v; want the duplicate's phone and cautions", got, err)
	}
	if _, err := s.ClientByID(ctx, desk, dup.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the merged duplicate still answers: %v", err)
	}
	if n := countRows(t, s, "audit_log", "action = 'merge' AND record_id = ?", keep); n != 1 {
		t.Errorf("merge audit rows = %d, want 1", n)
	}
	if _, err := s.w.Exec(`UPDATE findings SET complaint = 'changed' WHERE client_id = ?`, keep); err == nil {
		t.Error("after the merge a finding's content could be changed")
	}
}

func TestMergeRefusesTwoAccounts(t *testing.T) {
	s, _ := newTestStore(t)
	_, a := mustCreateClient(t, s, "Sam A", "a@example.com")
	_, b := mustCreateClient(t, s, "Sam B", "b@example.com")
	if err := s.MergeClients(context.Background(), Actor{Role: clinic.RoleOwner, UserID: 1}, a, b); !errors.Is(err, ErrBothAccounts) {
		t.Fatalf("merge of two accounts: %v, want ErrBothAccounts", err)
	}
}
