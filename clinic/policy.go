package clinic

import "time"

// DefaultCancelWindow is how long before a start a client may still cancel
// or move an appointment online, at no charge.
const DefaultCancelWindow = 24 * time.Hour

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
// before" is still 24 hours; zero means DefaultCancelWindow and a negative
// window means none. Exactly window before the start is still in time.
func ClassifyCancel(now, start time.Time, window time.Duration) CancelTiming {
	if window == 0 {
		window = DefaultCancelWindow
	}
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
