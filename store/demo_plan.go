package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"allium/clinic"
)

// DemoPlan gives a client of a generated clinic (which has no plans) a plan with two goals
// and a signed note, with scores, for each of their past sessions with the therapist who sees
// them most, so that the plan page draws a real progress chart. It goes through the store as
// that therapist would. A client who already has a plan keeps it: its id is returned and no
// note is added. The load tool and the page benchmarks measure the plan page with it.
func (s *Store) DemoPlan(ctx context.Context, clientID int64) (planID int64, notes int, err error) {
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM treatment_plans WHERE client_id = ?`, clientID).
		Scan(&planID); err != nil || planID > 0 {
		return planID, 0, err
	}
	var tid, first int64
	err = s.r.QueryRowContext(ctx, `SELECT therapist_id, min(starts_at) FROM appointments WHERE client_id = ? AND status <> `+sqlCancelled+`
		GROUP BY therapist_id ORDER BY count(*) DESC LIMIT 1`, clientID).Scan(&tid, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("demo plan: no therapist treats client %d: %w", clientID, ErrNotFound)
	}
	if err != nil {
		return 0, 0, err
	}
	by := Actor{UserID: tid, Role: clinic.RoleTherapist}
	d := clinic.NewTreatmentPlanDraft(time.Unix(first, 0).UTC())
	d.Layers = []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint}
	d.Goals = []clinic.Goal{
		{Description: "Sit through a working day without neck pain", Measure: clinic.MeasurePain, Baseline: 7, Target: 2},
		{Description: "Turn my head to reverse the car", Measure: clinic.MeasurePSFS, Activity: "Reversing the car", Baseline: 3, Target: 8},
	}
	if planID, err = s.CreatePlan(ctx, by, NewPlan{ClientID: clientID, Draft: d}); err != nil {
		return 0, 0, fmt.Errorf("demo plan: %w", err)
	}
	p, err := s.PlanByID(ctx, by, planID)
	if err != nil || len(p.Goals) != 2 {
		return planID, 0, fmt.Errorf("demo plan %d: %v", planID, err)
	}
	var appts []int64
	err = scanInto(ctx, s.r, func(r *sql.Rows) error {
		var a int64
		err := r.Scan(&a)
		appts = append(appts, a)
		return err
	}, `SELECT id FROM appointments WHERE client_id = ? AND therapist_id = ? AND status IN (`+sqlCompleted+`, `+sqlCheckedIn+`)
		ORDER BY starts_at`, clientID, tid)
	if err != nil {
		return planID, 0, err
	}
	for i, a := range appts {
		f := float64(i+1) / float64(len(appts))
		pain := int(7 - 5*f)
		n := clinic.SessionNote{PlanID: planID, Subjective: "Neck stiff after long days at the desk.", PainToday: &pain,
			Response: "Tissue softened; rotation easier.", NextFocus: "Upper trapezius and levator scapulae.",
			Scores: map[int64]float64{p.Goals[0].ID: float64(pain), p.Goals[1].ID: float64(int(3 + 5*f))}}
		if _, err := s.SignNote(ctx, by, a, n); err != nil {
			return planID, i, fmt.Errorf("demo note of appointment %d: %w", a, err)
		}
	}
	return planID, len(appts), nil
}
