package clinic

import "time"

// AuditEntry is one row of the audit log as the owner reads it.
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorID    int64
	ActorName  string
	ActorRole  string
	Action     string
	RecordType string
	RecordID   int64
	ClientID   int64
	Address    string
	Detail     string
}
