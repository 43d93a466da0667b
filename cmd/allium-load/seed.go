package main

// seedPlan gives the chart's client a plan with signed, scored notes when the clinic has none
// (the generated clinic has none), so that the plan page draws a real progress chart; see
// store.DemoPlan. It writes only to the scratch copy.
func (e *env) seedPlan() (int, error) {
	if !e.hasTable("treatment_plans") || e.Chart == 0 {
		return 0, nil
	}
	_, notes, err := e.st.DemoPlan(e.ctx, e.Chart)
	return notes, err
}
