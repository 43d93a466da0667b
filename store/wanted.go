package store

import (
	"context"
	"encoding/json"
	"errors"

	"allium/clinic"
)

// StillWanted re-checks at send time that a queued message still makes sense. A message about
// an appointment carries the appointment's version when it was queued: if the appointment has
// since been cancelled or moved (a new version), the message is not wanted. Cancellation
// notices are the exception: they are about the cancelled state itself. Nudges stop once the
// client has booked, or has asked for no more of them; a therapist's day list stops when the
// day is empty or the therapist no longer wants it. The rules are clinic.StillWanted; this
// gathers what they read.
func (s *Store) StillWanted(ctx context.Context, row OutboxRow) (bool, error) {
	switch row.Kind {
	case string(clinic.ReminderBookNext), string(clinic.ReminderGapWarning):
		return gone(s.nudgeWanted(ctx, row))
	case string(clinic.ReminderMaintenanceDue):
		return gone(s.maintenanceWanted(ctx, row))
	case string(clinic.ReminderDayList):
		return gone(s.dayListWanted(ctx, row))
	case string(clinic.ReminderReassessmentDue), string(clinic.ReminderOutcomeRequest):
		return gone(s.reviewWanted(ctx, row))
	}
	if row.RefType == "course" && row.Kind == string(clinic.ReminderConfirmation) {
		return s.courseLive(ctx, row.RefID)
	}
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

// courseLive: a course confirmation is worth sending while any of its sessions is still booked.
func (s *Store) courseLive(ctx context.Context, courseID int64) (bool, error) {
	var live bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM appointments WHERE course_id = ? AND status = 'booked')`,
		courseID).Scan(&live)
	return live, err
}

// nudgeWanted: the course still has sessions to go and nothing is booked after the last one.
func (s *Store) nudgeWanted(ctx context.Context, row OutboxRow) (bool, error) {
	var p NudgeMail
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return false, err
	}
	if !p.ToTherapist {
		if out, err := s.optedOut(ctx, p.ClientID); err != nil || out {
			return false, err
		}
	}
	var done, planned int
	var booked bool
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM appointments WHERE course_id = co.id AND status = 'completed'), co.sessions,
		EXISTS (SELECT 1 FROM appointments WHERE client_id = co.client_id AND status = 'booked' AND starts_at >= ?)
		FROM courses co WHERE co.id = ?`, p.LastEnd, p.CourseID).Scan(&done, &planned, &booked)
	if err != nil {
		return false, translate(err)
	}
	r := clinic.Reminder{Kind: clinic.ReminderKind(row.Kind)}
	return clinic.StillWanted(r, clinic.SendState{CourseOpen: done < planned, NextSessionBooked: booked}, s.now()), nil
}

// maintenanceWanted: the plan is still completed and no visit is booked since.
func (s *Store) maintenanceWanted(ctx context.Context, row OutboxRow) (bool, error) {
	var p MaintenanceMail
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return false, err
	}
	if out, err := s.optedOut(ctx, p.ClientID); err != nil || out {
		return false, err
	}
	var status string
	var booked bool
	err := s.r.QueryRowContext(ctx, `SELECT status, EXISTS (SELECT 1 FROM appointments WHERE client_id = ?
		AND status = 'booked' AND starts_at >= ?) FROM treatment_plans WHERE id = ?`, p.ClientID, p.CompletedAt, row.RefID).
		Scan(&status, &booked)
	if err != nil {
		return false, translate(err)
	}
	r := clinic.Reminder{Kind: clinic.ReminderMaintenanceDue}
	return clinic.StillWanted(r, clinic.SendState{PlanStatus: clinic.PlanStatus(status), MaintenanceBooked: booked}, s.now()), nil
}

// dayListWanted: the therapist still asks for the list and the day still has appointments.
func (s *Store) dayListWanted(ctx context.Context, row OutboxRow) (bool, error) {
	var p DayListMail
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return false, err
	}
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM appointments a JOIN staff_mail_prefs m ON m.user_id = a.therapist_id
		WHERE a.therapist_id = ? AND m.day_list = 1 AND a.status = 'booked' AND a.starts_at >= ? AND a.starts_at < ?`,
		row.RefID, p.From, p.To).Scan(&n)
	if err != nil {
		return false, err
	}
	r := clinic.Reminder{Kind: clinic.ReminderDayList}
	return clinic.StillWanted(r, clinic.SendState{DayAppointments: n}, s.now()), nil
}

func (s *Store) optedOut(ctx context.Context, clientID int64) (bool, error) {
	var out bool
	err := s.r.QueryRowContext(ctx, `SELECT nudges_opt_out FROM clients WHERE id = ?`, clientID).Scan(&out)
	return out, translate(err)
}

// gone turns "what the message is about no longer exists" into "not wanted": a retry would
// find it missing again.
func gone(ok bool, err error) (bool, error) {
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return ok, err
}
