package main

import (
	"fmt"
	"time"

	"allium/clinic"
	"allium/store"
)

// seedPlan gives the chart's client a plan with two goals and a signed note, with scores, for
// each of their past sessions with the therapist who sees them most, when the client has no plan
// (the generated clinic has none), so that the plan page draws a real progress chart. It goes
// through the store, as the therapist would, and writes only to the scratch copy.
func (e *env) seedPlan() (int, error) {
	if !e.hasTable("treatment_plans") || e.Chart == 0 {
		return 0, nil
	}
	var plans int64
	if err := e.db.QueryRowContext(e.ctx, `SELECT count(*) FROM treatment_plans WHERE client_id = ?`, e.Chart).Scan(&plans); err != nil || plans > 0 {
		return 0, err
	}
	var tid int64
	if err := e.db.QueryRowContext(e.ctx, `SELECT therapist_id FROM appointments WHERE client_id = ? AND status <> 'cancelled'
		GROUP BY therapist_id ORDER BY count(*) DESC LIMIT 1`, e.Chart).Scan(&tid); err != nil {
		return 0, err
	}
	by := store.Actor{UserID: tid, Role: clinic.RoleTherapist}
	var first int64
	if err := e.db.QueryRowContext(e.ctx, `SELECT min(starts_at) FROM appointments WHERE client_id = ? AND therapist_id = ?`,
		e.Chart, tid).Scan(&first); err != nil {
		return 0, err
	}
	d := clinic.NewTreatmentPlanDraft(time.Unix(first, 0).UTC())
	d.Layers = []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint}
	d.Goals = []clinic.Goal{
		{Description: "Sit through a working day without neck pain", Measure: clinic.MeasurePain, Baseline: 7, Target: 2},
		{Description: "Turn my head to reverse the car", Measure: clinic.MeasurePSFS, Activity: "Reversing the car", Baseline: 3, Target: 8},
	}
	id, err := e.st.CreatePlan(e.ctx, by, store.NewPlan{ClientID: e.Chart, Draft: d})
	if err != nil {
		return 0, fmt.Errorf("seed plan: %w", err)
	}
	p, err := e.st.PlanByID(e.ctx, by, id)
	if err != nil || len(p.Goals) != 2 {
		return 0, fmt.Errorf("seed plan %d: %v", id, err)
	}
	rows, err := e.db.QueryContext(e.ctx, `SELECT id FROM appointments WHERE client_id = ? AND therapist_id = ?
		AND status IN ('completed', 'checked_in') ORDER BY starts_at`, e.Chart, tid)
	if err != nil {
		return 0, err
	}
	var appts []int64
	for rows.Next() {
		var a int64
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return 0, err
		}
		appts = append(appts, a)
	}
	rows.Close()
	for i, a := range appts {
		f := float64(i+1) / float64(len(appts))
		pain := int(7 - 5*f)
		n := store.SessionNote{PlanID: id, Subjective: "Neck stiff after long days at the desk.", PainToday: &pain,
			Response: "Tissue softened; rotation easier.", NextFocus: "Upper trapezius and levator scapulae.",
			Scores: map[int64]float64{p.Goals[0].ID: float64(pain), p.Goals[1].ID: float64(int(3 + 5*f))}}
		if _, err := e.st.SignNote(e.ctx, by, a, n); err != nil {
			return i, fmt.Errorf("seed note of appointment %d: %w", a, err)
		}
	}
	return len(appts), nil
}
