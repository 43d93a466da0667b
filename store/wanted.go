package store

import (
	"context"
	"encoding/json"
)

// StillWanted re-checks at send time that a queued message still makes sense. A message about
// an appointment carries the appointment's version when it was queued: if the appointment has
// since been cancelled or moved (a new version), the message is not wanted. Cancellation
// notices are the exception: they are about the cancelled state itself.
func (s *Store) StillWanted(ctx context.Context, row OutboxRow) (bool, error) {
	if row.RefType != "appointment" || row.Kind == "cancellation" {
		return true, nil
	}
	var p struct{ Version int64 }
	if err := json.Unmarshal(row.Payload, &p); err != nil || p.Version == 0 {
		return true, nil
	}
	var status string
	var version int64
	err := s.r.QueryRowContext(ctx, `SELECT status, version FROM appointments WHERE id = ?`, row.RefID).Scan(&status, &version)
	if err != nil {
		return false, translate(err)
	}
	return version == p.Version && status == "booked", nil
}
