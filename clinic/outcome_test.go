package clinic

import (
	"strings"
	"testing"
	"time"
)

func TestCompareScores(t *testing.T) {
	tests := []struct {
		name          string
		m             GoalMeasure
		baseline, now float64
		want          ChangeVerdict
	}{
		{"pain down 2 points", MeasurePain, 6, 4, ChangeImproved},
		{"pain down 1 of 6 (17%)", MeasurePain, 6, 5, ChangeNone},
		{"pain down 1 of 3 (33%)", MeasurePain, 3, 2, ChangeImproved},
		{"pain down 1 of 4 (25%)", MeasurePain, 4, 3, ChangeNone},
		{"pain down exactly 30% under 2 points", MeasurePain, 5, 3.5, ChangeImproved},
		{"pain down just under 30%", MeasurePain, 5, 3.6, ChangeNone},
		{"pain down 30% with float rounding", MeasurePain, 6, 4.2, ChangeImproved},
		{"psfs mean up 2 with float rounding", MeasurePSFSMean, 3.3, 5.3, ChangeImproved},
		{"pain down 1 of 10", MeasurePain, 10, 9, ChangeNone},
		{"pain gone from 1", MeasurePain, 1, 0, ChangeImproved},
		{"pain same", MeasurePain, 5, 5, ChangeNone},
		{"pain up 2 points", MeasurePain, 5, 7, ChangeWorse},
		{"pain up 1 of 5 (20%)", MeasurePain, 5, 6, ChangeNone},
		{"pain up 1 of 3 (33%)", MeasurePain, 3, 4, ChangeWorse},
		{"pain up from 0 by 1", MeasurePain, 0, 1, ChangeNone},
		{"pain up from 0 by 2", MeasurePain, 0, 2, ChangeWorse},
		{"psfs activity up 3", MeasurePSFS, 4, 7, ChangeImproved},
		{"psfs activity up 2", MeasurePSFS, 4, 6, ChangeNone},
		{"psfs activity up 2 of 2 (no percent rule)", MeasurePSFS, 2, 4, ChangeNone},
		{"psfs activity down 3", MeasurePSFS, 6, 3, ChangeWorse},
		{"psfs mean up 2", MeasurePSFSMean, 4, 6, ChangeImproved},
		{"psfs mean up 1.9", MeasurePSFSMean, 4, 5.9, ChangeNone},
		{"psfs mean down 2", MeasurePSFSMean, 5, 3, ChangeWorse},
	}
	for _, tt := range tests {
		if got := CompareScores(tt.m, tt.baseline, tt.now); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAssessGoal(t *testing.T) {
	pain := Goal{Description: "sleep through", Measure: MeasurePain, Baseline: 7, Target: 3}
	psfs := Goal{Description: "lift child", Measure: MeasurePSFS, Activity: "lift child", Baseline: 3, Target: 8}
	tests := []struct {
		name      string
		g         Goal
		now       float64
		verdict   ChangeVerdict
		gain      float64
		targetMet bool
	}{
		{"pain at target", pain, 3, ChangeImproved, 4, true},
		{"pain below target", pain, 1, ChangeImproved, 6, true},
		{"pain improved short of target", pain, 5, ChangeImproved, 2, false},
		{"pain worse", pain, 9, ChangeWorse, -2, false},
		{"psfs at target", psfs, 8, ChangeImproved, 5, true},
		{"psfs short of target", psfs, 7, ChangeImproved, 4, false},
		{"psfs unchanged", psfs, 4, ChangeNone, 1, false},
	}
	for _, tt := range tests {
		got := AssessGoal(tt.g, tt.now)
		if got.Verdict != tt.verdict || got.Gain != tt.gain || got.TargetMet != tt.targetMet {
			t.Errorf("%s: got %s gain %g met %v; want %s gain %g met %v", tt.name,
				got.Verdict, got.Gain, got.TargetMet, tt.verdict, tt.gain, tt.targetMet)
		}
	}
}

func TestSuggestDecision(t *testing.T) {
	pain := Goal{Description: "sleep", Measure: MeasurePain, Baseline: 7, Target: 3}
	psfs := Goal{Description: "lift", Measure: MeasurePSFS, Baseline: 3, Target: 8}
	tests := []struct {
		name     string
		progress []GoalProgress
		used     int
		want     ReassessDecision
	}{
		{"nothing recorded", nil, 0, ""},
		{"all met", []GoalProgress{AssessGoal(pain, 2), AssessGoal(psfs, 9)}, 0, DecisionGoalMet},
		{"all met after extension", []GoalProgress{AssessGoal(pain, 3)}, 1, DecisionGoalMet},
		{"partial", []GoalProgress{AssessGoal(pain, 2), AssessGoal(psfs, 4)}, 0, DecisionExtend},
		{"partial after extension", []GoalProgress{AssessGoal(pain, 5)}, 1, DecisionRefer},
		{"no change", []GoalProgress{AssessGoal(pain, 6), AssessGoal(psfs, 4)}, 0, DecisionChangeApproach},
		{"no change after extension", []GoalProgress{AssessGoal(pain, 6)}, 1, DecisionRefer},
		{"one goal worse", []GoalProgress{AssessGoal(pain, 2), AssessGoal(psfs, 0)}, 0, DecisionRefer},
	}
	for _, tt := range tests {
		got, why := SuggestDecision(tt.progress, tt.used)
		if got != tt.want || why == "" {
			t.Errorf("%s: got %q (%q), want %q with a reason", tt.name, got, why, tt.want)
		}
	}
}

func TestPlanReassessment(t *testing.T) {
	on := planTestDay(2027, 3, 22)
	tests := []struct {
		d                     ReassessDecision
		maintenanceDays       int
		wantEvent             PlanEvent
		wantNext, wantMaint   time.Time
		wantReferral, wantNew bool
	}{
		{DecisionGoalMet, 0, PlanEventGoalMet, time.Time{}, time.Time{}, false, false},
		{DecisionMaintenance, 0, PlanEventGoalMet, time.Time{}, planTestDay(2027, 4, 19), false, false},
		{DecisionMaintenance, 21, PlanEventGoalMet, time.Time{}, planTestDay(2027, 4, 12), false, false},
		{DecisionExtend, 0, PlanEventExtend, planTestDay(2027, 4, 19), time.Time{}, false, false},
		{DecisionChangeApproach, 0, PlanEventChangeApproach, time.Time{}, time.Time{}, false, true},
		{DecisionRefer, 0, PlanEventRefer, time.Time{}, time.Time{}, true, false},
	}
	for _, tt := range tests {
		got, err := PlanReassessment(tt.d, on, 7, tt.maintenanceDays)
		if err != nil {
			t.Errorf("%s: %v", tt.d, err)
			continue
		}
		if got.Event != tt.wantEvent || !got.NextReassessment.Equal(tt.wantNext) || !got.MaintenanceDue.Equal(tt.wantMaint) ||
			got.NeedsReferral != tt.wantReferral || got.NeedsNewPlan != tt.wantNew {
			t.Errorf("%s: got %+v", tt.d, got)
		}
	}
	if got, _ := PlanReassessment(DecisionExtend, on, 7, 0); got.ExtensionSessions != 4 {
		t.Errorf("extend: got %d sessions, want 4", got.ExtensionSessions)
	}
	for _, bad := range []struct {
		d    ReassessDecision
		days int
	}{{DecisionMaintenance, 10}, {DecisionMaintenance, 60}, {"keep_going", 0}} {
		if _, err := PlanReassessment(bad.d, on, 7, bad.days); err == nil {
			t.Errorf("%s every %d days: got no error", bad.d, bad.days)
		}
	}
}

// The decision's event must be one the plan machine accepts from review.
func TestPlanReassessmentEventsApply(t *testing.T) {
	for _, d := range []ReassessDecision{DecisionGoalMet, DecisionMaintenance, DecisionExtend, DecisionChangeApproach, DecisionRefer} {
		out, err := PlanReassessment(d, planTestDay(2027, 3, 22), 7, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NextPlanStatus(planReadyFacts(PlanReassessDue), out.Event); err != nil {
			t.Errorf("%s -> %s: %v", d, out.Event, err)
		}
	}
}

func TestNewProgressChartEmpty(t *testing.T) {
	c := NewProgressChart(MeasurePain, nil, 6, 2)
	if !c.Empty || c.Points != "" || len(c.Dots) != 0 || len(c.XTicks) != 0 {
		t.Errorf("got %+v, want an empty chart", c)
	}
	if got, want := len(c.YTicks), 6; got != want {
		t.Errorf("got %d y ticks, want %d (0,2,...,10)", got, want)
	}
	if c.ViewBox != "0 0 320 180" {
		t.Errorf("got viewBox %q", c.ViewBox)
	}
	if c.BaselineY != 67.2 || c.TargetY != 126.4 {
		t.Errorf("got baseline y %g, target y %g; want 67.2, 126.4", c.BaselineY, c.TargetY)
	}
}

func TestNewProgressChartOne(t *testing.T) {
	c := NewProgressChart(MeasurePSFS, []ChartReading{{Taken: planTestDay(2027, 4, 5), Value: 5}}, 3, 8)
	if c.Empty || c.Points != "170,82" {
		t.Errorf("got points %q, want one point in the middle, 170,82", c.Points)
	}
	if len(c.XTicks) != 1 || c.XTicks[0].Label != "5 Apr" {
		t.Errorf("got x ticks %+v, want one labelled 5 Apr", c.XTicks)
	}
}

func TestNewProgressChartFifty(t *testing.T) {
	var rs []ChartReading
	for i := range 50 {
		rs = append(rs, ChartReading{Session: i + 1, Value: float64(i % 12)})
	}
	c := NewProgressChart(MeasurePain, rs, 8, 3)
	if got := len(strings.Fields(c.Points)); got != 50 {
		t.Fatalf("got %d points, want 50", got)
	}
	first, last := c.Dots[0], c.Dots[49]
	if first.X != c.Left || last.X != c.Right {
		t.Errorf("got x from %g to %g, want the plot edges %g to %g", first.X, last.X, c.Left, c.Right)
	}
	if c.Dots[11].Y != c.Top || c.Dots[10].Y != c.Top || c.Dots[0].Y != c.Bottom {
		t.Errorf("got y %g (11 clamped), %g (10), %g (0); want %g, %g, %g", c.Dots[11].Y, c.Dots[10].Y, c.Dots[0].Y, c.Top, c.Top, c.Bottom)
	}
	if n := len(c.XTicks); n < 2 || n > 8 {
		t.Errorf("got %d x ticks, want 2 to 8", n)
	}
	if c.XTicks[0].Label != "S1" || c.XTicks[len(c.XTicks)-1].Label != "S50" {
		t.Errorf("got x ticks %+v, want first S1 and last S50", c.XTicks)
	}
	for i := 1; i < len(c.XTicks); i++ {
		if gap := c.XTicks[i].At - c.XTicks[i-1].At; gap < 20 {
			t.Errorf("ticks %d and %d are %g apart: labels would overlap", i-1, i, gap)
		}
	}
}

func TestXTickIndexes(t *testing.T) {
	for n := 1; n <= 60; n++ {
		idx := chartXTickIndexes(n)
		if len(idx) > chartMaxXTicks || idx[0] != 0 || idx[len(idx)-1] != n-1 {
			t.Errorf("n=%d: got %v", n, idx)
		}
		if n <= chartMaxXTicks && len(idx) != n {
			t.Errorf("n=%d: got %d ticks, want every reading labelled", n, len(idx))
		}
	}
}
