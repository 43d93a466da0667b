package clinic

import (
	"fmt"
	"time"
)

// CancelTiming classifies a cancellation by when it happens.
type CancelTiming int

const (
	// CancelInTime is outside the window: free, and the client may do it
	// online.
	CancelInTime CancelTiming = iota
	// CancelLate is inside the window but before the start: the client must
	// call, and the clinic's late-cancellation terms apply.
	CancelLate
	// CancelAfterStart is at or after the start: recorded as a no-show.
	CancelAfterStart
)

func (c CancelTiming) String() string {
	switch c {
	case CancelInTime:
		return "in time"
	case CancelLate:
		return "late"
	case CancelAfterStart:
		return "after start"
	}
	return "unknown"
}

// ClassifyCancel says how a cancellation at now of an appointment at start
// counts. The window is real elapsed time, so on a DST weekend "24 hours
// before" is still 24 hours. The window is the clinic's setting as saved:
// zero (or less) means none, so any change before the start is in time.
// Exactly window before the start is still in time.
func ClassifyCancel(now, start time.Time, window time.Duration) CancelTiming {
	switch {
	case !now.Before(start):
		return CancelAfterStart
	case start.Sub(now) < window:
		return CancelLate
	}
	return CancelInTime
}

// CanClientChange reports whether a client may cancel or reschedule online;
// inside the window they must call the clinic.
func CanClientChange(now, start time.Time, window time.Duration) bool {
	return ClassifyCancel(now, start, window) == CancelInTime
}

// ChangePolicy is the sentence every page and email uses to tell a client
// how long before a session they may change or cancel it online. It is
// derived from the same window ClassifyCancel applies, so what a client
// reads is what the clinic enforces.
func ChangePolicy(window time.Duration) string {
	if window <= 0 {
		return "You can change or cancel online any time before a session starts."
	}
	return "You can change or cancel online up to " + HumanDuration(window) +
		" before a session; after that, please call us."
}

// HumanDuration writes a whole number of days, hours or minutes as a person
// says it: "24 hours", "2 days", "90 minutes".
func HumanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	}
	return plural(int64(d/time.Minute), "minute")
}
