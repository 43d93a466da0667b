package clinic

import (
	"testing"
	"time"
)

func TestClassifyCancel(t *testing.T) {
	start := time.Date(2027, time.October, 4, 10, 0, 0, 0, time.UTC)
	const day = 24 * time.Hour
	tests := []struct {
		name   string
		before time.Duration // how long before the start the client cancels
		window time.Duration
		want   CancelTiming
	}{
		{"two days ahead", 48 * time.Hour, day, CancelInTime},
		{"exactly 24 hours ahead", 24 * time.Hour, day, CancelInTime},
		{"a minute inside the window", 24*time.Hour - time.Minute, day, CancelLate},
		{"an hour before", time.Hour, day, CancelLate},
		{"at the start", 0, day, CancelAfterStart},
		{"after the start", -10 * time.Minute, day, CancelAfterStart},
		{"clinic with a 48 hour window", 30 * time.Hour, 48 * time.Hour, CancelLate},
		// The settings page allows 0: it means no window, not a default one.
		{"clinic with a window of 0, a minute before", time.Minute, 0, CancelInTime},
		{"clinic with a window of 0, at the start", 0, 0, CancelAfterStart},
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
	if got := ClassifyCancel(dayBefore, start, 24*time.Hour); got != CancelLate {
		t.Errorf("cancel at the same wall time the day before: got %v, want %v (%v ahead)", got, CancelLate, start.Sub(dayBefore))
	}
}

// What a client reads is the window the clinic enforces, whatever it is.
func TestChangePolicySaysTheSetting(t *testing.T) {
	for _, tt := range []struct {
		window time.Duration
		want   string
	}{
		{24 * time.Hour, "You can change or cancel online up to 24 hours before a session; after that, please call us."},
		{48 * time.Hour, "You can change or cancel online up to 2 days before a session; after that, please call us."},
		{time.Hour, "You can change or cancel online up to 1 hour before a session; after that, please call us."},
		{90 * time.Minute, "You can change or cancel online up to 90 minutes before a session; after that, please call us."},
		{0, "You can change or cancel online any time before a session starts."},
	} {
		if got := ChangePolicy(tt.window); got != tt.want {
			t.Errorf("ChangePolicy(%v) = %q, want %q", tt.window, got, tt.want)
		}
	}
}
