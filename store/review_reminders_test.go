package store

import (
	"context"
	"encoding/json"
	"testing"
)

func TestReviewNoticeAndOutcomeRequestGoOutAndStopWhenThePlanEnds(t *testing.T) {
	rc := newReminderClinic(t)
	ctx := context.Background()
	// A plan under review on Fri 20 Mar 2026, with the review booked at 10:00 that day.
	if _, err := rc.s.w.Exec(`INSERT INTO treatment_plans (id, client_id, therapist_id, status, layers, planned_sessions,
		target_days, min_days, max_days, start_date, reassessment_date, created_at, updated_at)
		VALUES (9, ?, ?, 'active', '[]', 4, 7, 3, 10, '2026-02-27', '2026-03-20', 0, 0)`, rc.client, rc.therapist.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.s.w.Exec(`INSERT INTO plan_goals (plan_id, position, description, measure, baseline, target) VALUES (9, 0, 'Reverse the car without pain', 'pain_0_10', 6, 2)`); err != nil {
		t.Fatal(err)
	}
	rc.book(t, local(2026, 3, 20, 10))
	rc.at(local(2026, 3, 17, 8)) // before the notice morning (three days ahead, 09:00)
	rc.scan(t)
	if n := len(rc.queued(t, "reassessment_due")); n != 0 {
		t.Fatalf("notices queued before their morning: %d", n)
	}
	rc.at(local(2026, 3, 17, 9))
	rc.scan(t)
	due := rc.queued(t, "reassessment_due")
	if len(due) != 2 {
		t.Fatalf("review notices = %d; want one to the client and one to the therapist", len(due))
	}
	rc.at(local(2026, 3, 19, 10)) // 24 hours before the booked review
	rc.scan(t)
	asks := rc.queued(t, "outcome_request")
	if len(asks) != 1 {
		t.Fatalf("outcome requests = %d; want 1", len(asks))
	}
	if ok, err := rc.s.StillWanted(ctx, asks[0]); err != nil || !ok {
		t.Fatalf("outcome request not wanted while the review is pending: %v, %v", ok, err)
	}
	rc.scan(t)
	if n := len(rc.queued(t, "outcome_request")); n != 1 {
		t.Errorf("a second scan queued again: %d", n)
	}
	if _, err := rc.s.w.Exec(`UPDATE treatment_plans SET status = 'discontinued' WHERE id = 9`); err != nil {
		t.Fatal(err)
	}
	if ok, err := rc.s.StillWanted(ctx, asks[0]); err != nil || ok {
		t.Errorf("outcome request still wanted after the plan ended: %v, %v", ok, err)
	}
}

func TestCourseEmailsNameTheGoalAndTheReview(t *testing.T) {
	rc := newReminderClinic(t)
	if _, err := rc.s.w.Exec(`INSERT INTO treatment_plans (id, client_id, therapist_id, status, layers, planned_sessions,
		target_days, min_days, max_days, start_date, reassessment_date, created_at, updated_at)
		VALUES (9, ?, ?, 'active', '[]', 4, 7, 3, 10, '2026-03-11', '2026-04-01', 0, 0)`, rc.client, rc.therapist.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.s.w.Exec(`INSERT INTO plan_goals (plan_id, position, description, measure, baseline, target)
		VALUES (9, 0, 'Turn my head fully without pain', 'pain_0_10', 6, 1)`); err != nil {
		t.Fatal(err)
	}
	rc.book(t, local(2026, 3, 12, 10), local(2026, 3, 19, 10))
	for _, kind := range []string{"confirmation", "reminder"} {
		rows := rc.queued(t, kind)
		if len(rows) == 0 {
			t.Fatalf("no %s queued", kind)
		}
		var p ApptMail
		if err := json.Unmarshal(rows[0].Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Goal != "Turn my head fully without pain" || p.Review != "Wed 1 Apr" {
			t.Errorf("%s payload goal %q, review %q", kind, p.Goal, p.Review)
		}
	}
}
