package store

import (
	"context"
	"encoding/json"
	"errors"

	"allium/clinic"
)

// StillWanted re-checks at send time that a queued message still makes sense. The rule is
// clinic.StillWanted, for every kind; this reads what it needs to know about the message's
// subject now: the appointment, the course, the plan or the therapist's day.
func (s *Store) StillWanted(ctx context.Context, row OutboxRow) (bool, error) {
	r := clinic.Reminder{Kind: clinic.ReminderKind(row.Kind)}
	var st clinic.SendState
	var err error
	switch r.Kind {
	case clinic.ReminderConfirmation, clinic.ReminderUpcoming, clinic.ReminderReschedule:
		if row.RefType == "course" {
			r.CourseID = row.RefID
			st.CourseBooked, err = s.courseBooked(ctx, row.RefID)
			break
		}
		var p ApptMail
		if json.Unmarshal(row.Payload, &p) != nil || p.Version == 0 {
			return true, nil // a payload that names no version was not made to be checked
		}
		r.ApptID, r.Version = row.RefID, p.Version
		err = s.r.QueryRowContext(ctx, `SELECT status, version FROM appointments WHERE id = ?`, row.RefID).
			Scan(&st.ApptStatus, &st.ApptVersion)
		if err != nil {
			return false, translate(err)
		}
	case clinic.ReminderBookNext, clinic.ReminderGapWarning:
		err = s.nudgeFacts(ctx, row, &r, &st)
	case clinic.ReminderMaintenanceDue:
		err = s.maintenanceFacts(ctx, row, &st)
	case clinic.ReminderDayList:
		err = s.dayListFacts(ctx, row, &st)
	case clinic.ReminderReassessmentDue, clinic.ReminderOutcomeRequest:
		var ok bool
		if ok, err = s.reviewFacts(ctx, row, &r, &st); err == nil && !ok {
			return false, nil
		}
	}
	if errors.Is(err, ErrNotFound) {
		return false, nil // what the message is about is gone; a retry would find it gone again
	}
	if err != nil {
		return false, err
	}
	return clinic.StillWanted(r, st), nil
}

// courseBooked reports whether any session of a course is still booked.
func (s *Store) courseBooked(ctx context.Context, courseID int64) (bool, error) {
	var live bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM appointments WHERE course_id = ? AND status = `+sqlBooked+`)`,
		courseID).Scan(&live)
	return live, err
}

// nudgeFacts reads, for a course nudge, whether the client opted out, how far the course is
// and whether anything is booked after the session the nudge followed.
func (s *Store) nudgeFacts(ctx context.Context, row OutboxRow, r *clinic.Reminder, st *clinic.SendState) error {
	var p NudgeMail
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return err
	}
	r.To = clinic.RecipientClient
	if p.ToTherapist {
		r.To = clinic.RecipientTherapist
	}
	var done, planned int
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM appointments WHERE course_id = co.id AND status = `+sqlCompleted+`), co.sessions,
		EXISTS (SELECT 1 FROM appointments WHERE client_id = co.client_id AND status = `+sqlBooked+` AND starts_at >= ?),
		coalesce((SELECT nudges_opt_out FROM clients WHERE id = ?), 0)
		FROM courses co WHERE co.id = ?`, p.LastEnd, p.ClientID, p.CourseID).
		Scan(&done, &planned, &st.NextSessionBooked, &st.NudgesOptedOut)
	st.CourseOpen = done < planned
	return translate(err)
}

// maintenanceFacts reads the plan's status, the client's opt-out and whether a visit is
// booked since the plan completed.
func (s *Store) maintenanceFacts(ctx context.Context, row OutboxRow, st *clinic.SendState) error {
	var p MaintenanceMail
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return err
	}
	err := s.r.QueryRowContext(ctx, `SELECT status, EXISTS (SELECT 1 FROM appointments WHERE client_id = ?
		AND status = `+sqlBooked+` AND starts_at >= ?), coalesce((SELECT nudges_opt_out FROM clients WHERE id = ?), 0)
		FROM treatment_plans WHERE id = ?`, p.ClientID, p.CompletedAt, p.ClientID, row.RefID).
		Scan(&st.PlanStatus, &st.MaintenanceBooked, &st.NudgesOptedOut)
	return translate(err)
}

// dayListFacts reads whether the therapist still asks for the list and how many booked
// appointments the day holds.
func (s *Store) dayListFacts(ctx context.Context, row OutboxRow, st *clinic.SendState) error {
	var p DayListMail
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return err
	}
	return s.r.QueryRowContext(ctx, `SELECT coalesce((SELECT day_list FROM staff_mail_prefs WHERE user_id = ?), 0),
		(SELECT count(*) FROM appointments a WHERE a.therapist_id = ? AND a.status = `+sqlBooked+`
		AND a.starts_at >= ? AND a.starts_at < ?)`, row.RefID, row.RefID, p.From, p.To).
		Scan(&st.DayListOn, &st.DayAppointments)
}
