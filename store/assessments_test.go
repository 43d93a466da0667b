package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"allium"
	"allium/clinic"
)

func assessStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), allium.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func assessOutbox(t *testing.T, s *Store, kind string) []string {
	t.Helper()
	rows, err := s.r.Query(`SELECT recipient FROM outbox WHERE kind = ? ORDER BY id`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestAssessmentDraftSaveMergesAndCounts(t *testing.T) {
	ctx := context.Background()
	s := assessStore(t)
	tok, _, err := s.CreateAssessmentDraft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	steps := []clinic.AssessmentAnswers{
		{"a": {"1"}, "b": {"x", "y"}},
		{"c": {"2"}},
		{"a": {"3"}, "b": nil},
	}
	for i, st := range steps[:2] {
		if err := s.SaveAssessmentStep(ctx, tok, i, st); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveAssessmentStep(ctx, tok, 0, steps[2]); err != nil {
		t.Fatal(err)
	}
	got, err := s.AssessmentDraft(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Steps != 2 {
		t.Errorf("steps = %d, want 2 (saving step 1 again keeps the count)", got.Steps)
	}
	if v := got.Answers["a"]; len(v) != 1 || v[0] != "3" {
		t.Errorf("a = %v, want [3]", v)
	}
	if _, ok := got.Answers["b"]; ok {
		t.Errorf("b = %v, want removed", got.Answers["b"])
	}
	if v := got.Answers["c"]; len(v) != 1 || v[0] != "2" {
		t.Errorf("c = %v, want [2]", v)
	}
	if err := s.SaveAssessmentStep(ctx, tok, 5, steps[1]); !errors.Is(err, ErrConflict) {
		t.Errorf("skipping ahead: err = %v, want ErrConflict", err)
	}
}

func TestAssessmentDraftUnknownAndExpired(t *testing.T) {
	ctx := context.Background()
	s := assessStore(t)
	if _, err := s.AssessmentDraft(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown token: err = %v, want ErrNotFound", err)
	}
	tok, _, err := s.CreateAssessmentDraft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.Now = func() time.Time { return start.Add(AssessmentDraftTTL + time.Hour) }
	if _, err := s.AssessmentDraft(ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired draft: err = %v, want ErrNotFound", err)
	}
}

func TestSubmitAssessmentAlertsOnlyWhenBookingBlocked(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		blocked bool
		want    int
	}{{"emergency", true, 1}, {"clear", false, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			s := assessStore(t)
			if _, err := s.w.Exec(`INSERT INTO settings (key, value) VALUES ('email', 'desk@clinic.test')
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`); err != nil {
				t.Fatal(err)
			}
			tok, _, err := s.CreateAssessmentDraft(ctx)
			if err != nil {
				t.Fatal(err)
			}
			r := clinic.AssessmentResult{Version: "v1", Primary: clinic.ComplaintMechanical,
				Safety: clinic.AssessmentSafety{Outcome: clinic.SafetyClear, BookingBlocked: tc.blocked}}
			if tc.blocked {
				r.Safety.Outcome = clinic.SafetyEmergency
			}
			if err := s.SubmitAssessment(ctx, tok, r, time.Now()); err != nil {
				t.Fatal(err)
			}
			got := assessOutbox(t, s, "assessment_alert")
			if len(got) != tc.want || (tc.want == 1 && got[0] != "desk@clinic.test") {
				t.Errorf("alerts = %v, want %d to desk@clinic.test", got, tc.want)
			}
			// A second submit must not replace the stored result.
			r2 := r
			r2.Primary = clinic.ComplaintSystemic
			if err := s.SubmitAssessment(ctx, tok, r2, time.Now()); err != nil {
				t.Fatal(err)
			}
			a, err := s.AssessmentDraft(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if !a.Submitted || a.Result == nil || a.Result.Primary != clinic.ComplaintMechanical {
				t.Errorf("stored result = %+v, want the first (mechanical)", a.Result)
			}
			if err := s.SaveAssessmentStep(ctx, tok, 0, clinic.AssessmentAnswers{"a": {"1"}}); !errors.Is(err, ErrConflict) {
				t.Errorf("save after submit: err = %v, want ErrConflict", err)
			}
		})
	}
}

func TestLinkAssessmentToClient(t *testing.T) {
	ctx := context.Background()
	s := assessStore(t)
	var ids [2]int64
	for i, name := range []string{"Ann", "Bob"} {
		res, err := s.w.Exec(`INSERT INTO clients (name, created_at, updated_at) VALUES (?, 1, 1)`, name)
		if err != nil {
			t.Fatal(err)
		}
		ids[i], _ = res.LastInsertId()
	}
	tok, id, err := s.CreateAssessmentDraft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ann := Actor{UserID: 1, Role: clinic.RoleClient, ClientID: ids[0]}
	if err := s.LinkAssessment(ctx, Actor{Role: "anonymous"}, tok); !errors.Is(err, ErrForbidden) {
		t.Errorf("anonymous link: err = %v, want ErrForbidden", err)
	}
	if err := s.LinkAssessment(ctx, ann, tok); err != nil {
		t.Fatal(err)
	}
	bob := Actor{UserID: 2, Role: clinic.RoleClient, ClientID: ids[1]}
	if err := s.LinkAssessment(ctx, bob, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("second client takes it: err = %v, want ErrNotFound", err)
	}
	var client int64
	var expires any
	if err := s.r.QueryRow(`SELECT client_id, expires_at FROM assessments WHERE id = ?`, id).Scan(&client, &expires); err != nil {
		t.Fatal(err)
	}
	if client != ids[0] || expires != nil {
		t.Errorf("client, expires = %d, %v; want %d, NULL", client, expires, ids[0])
	}
}

// TestExpiredAnonymousAssessmentsArePruned: an assessment nobody signed in to keep holds health
// answers with no owner; once its link has expired the hourly prune deletes it. One linked to a
// client stays, however old.
func TestExpiredAnonymousAssessmentsArePruned(t *testing.T) {
	ctx := context.Background()
	s := assessStore(t)
	start := time.Now()
	s.Now = func() time.Time { return start }
	anonymous, anonID, err := s.CreateAssessmentDraft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAssessmentStep(ctx, anonymous, 0, clinic.AssessmentAnswers{"region": {"neck"}}); err != nil {
		t.Fatal(err)
	}
	kept, keptID, err := s.CreateAssessmentDraft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, client := mustCreateClient(t, s, "Alex", "alex@x.test")
	if err := s.LinkAssessment(ctx, Actor{Role: clinic.RoleClient, ClientID: client}, kept); err != nil {
		t.Fatal(err)
	}

	s.Now = func() time.Time { return start.Add(AssessmentDraftTTL - time.Hour) }
	if err := s.PruneExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "assessments", ""); n != 2 {
		t.Fatalf("assessments before the link expires = %d; want both kept", n)
	}
	s.Now = func() time.Time { return start.Add(AssessmentDraftTTL + time.Hour) }
	if err := s.PruneExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "assessments", "id = ?", anonID); n != 0 {
		t.Errorf("expired anonymous assessment still stored (%d rows)", n)
	}
	if n := countRows(t, s, "assessments", "id = ?", keptID); n != 1 {
		t.Errorf("the client's assessment was pruned (%d rows); want it kept", n)
	}
	if _, err := s.AssessmentDraft(ctx, kept); err != nil {
		t.Errorf("the client's assessment no longer opens: %v", err)
	}
}
