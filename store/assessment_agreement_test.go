package store

import (
	"context"
	"testing"

	"allium/clinic"
)

func TestAssessmentAgreementCountsConfirmedResultsForTheOwnerOnly(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	for i, pair := range [][2]string{{"mechanical", "mechanical"}, {"mechanical", "systemic"}, {"mechanical", "mechanical"}, {"systemic", ""}} {
		var confirmed any
		if pair[1] != "" {
			confirmed = pair[1]
		}
		if _, err := s.w.ExecContext(ctx, `INSERT INTO assessments (token_hash, status, primary_class, confirmed_class, created_at, updated_at)
			VALUES (?, 'submitted', ?, ?, 0, 0)`, []byte{byte(i)}, pair[0], confirmed); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AssessmentAgreement(ctx, Actor{Role: clinic.RoleReception}, ""); err == nil {
		t.Fatal("reception read the agreement table")
	}
	rows, err := s.AssessmentAgreement(ctx, Actor{Role: clinic.RoleOwner}, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]int{}
	for _, r := range rows {
		got[[2]string{r.Computed, r.Confirmed}] = r.Count
	}
	if len(got) != 2 || got[[2]string{"mechanical", "mechanical"}] != 2 || got[[2]string{"mechanical", "systemic"}] != 1 {
		t.Fatalf("agreement = %v", got)
	}
}
