package clinic

import "time"

// RecallCourse is a course that has stalled: its last session is further back than the
// course's longest gap, nothing is booked ahead, and sessions remain.
type RecallCourse struct {
	CourseID, ClientID, TherapistID, ServiceID int64
	ClientName, ClientPhone, ClientEmail       string
	TherapistName, ServiceName                 string
	Sessions, Done, SpacingMax                 int
	LastAt                                     time.Time
}
