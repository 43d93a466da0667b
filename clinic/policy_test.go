package clinic

import (
	"testing"
	"time"
)

func TestClassifyCancel(t *testing.T) {
	start := time.Date(2027, time.October, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		before time.Duration // how long before the start the client cancels
		window time.Duration
		want   CancelTiming
	}{
		{"two days ahead", 48 * time.Hour, 0, CancelInTime},
		{"exactly 24 hours ahead", 24 * time.Hour, 0, CancelInTime},
		{"a minute inside the window", 24*time.Hour - time.Minute, 0, CancelLate},
		{"an hour before", time.Hour, 0, CancelLate},
		{"at the start", 0, 0, CancelAfterStart},
		{"after the start", -10 * time.Minute, 0, CancelAfterStart},
		{"clinic with a 48 hour window", 30 * time.Hour, 48 * time.Hour, CancelLate},
		{"clinic with no window", time.Minute, -1, CancelInTime},
	}
	for _, tt := range tests {
		now := start.Add(-tt.before)
		got := ClassifyCancel(now, start, tt.window)
		if got != tt.want {
			t.Errorf("%s: ClassifyCancel = %v, want %v", tt.name, got, tt.want)
		}
		if can, want := CanClientChange(now, start, tt.window), tt.want == CancelInTime; can != want {
			t.Errorf("%s: CanClientChange = %v, want %v", tt.name, can, want)
		}
	}
}

// The window is real time: the day before a 10:00 appointment on the
// Sunday the clocks go forward, 10:00 is 23 hours ahead, so it is late.
func TestCancelWindowAcrossDST(t *testing.T) {
	loc := sydney(t)
	start := time.Date(2027, time.October, 3, 10, 0, 0, 0, loc)
	dayBefore := time.Date(2027, time.October, 2, 10, 0, 0, 0, loc)
	if got := ClassifyCancel(dayBefore, start, 0); got != CancelLate {
		t.Errorf("cancel at the same wall time the day before: got %v, want %v (%v ahead)", got, CancelLate, start.Sub(dayBefore))
	}
}
