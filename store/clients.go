package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"allium/clinic"
)

// ClientDetails is what reception types in for a new client.
type ClientDetails struct {
	Name     string
	Email    string // optional: some clients only give a phone number
	Phone    string
	Cautions string
}

// ErrClientExists is returned by AddClient, with the existing record, when a client with the
// same email is already on file: the desk opens that one rather than making a twin.
var ErrClientExists = fmt.Errorf("a client with this email is already on file: %w", ErrConflict)

const clientColumns = `c.id, coalesce(c.user_id, 0), c.name, c.email, c.phone, c.birth_date, c.cautions, c.notes,
	c.consent_treatment_at, c.consent_reminders, c.nudges_opt_out, c.booking_blocked, c.created_at`

func scanClient(row interface{ Scan(...any) error }) (clinic.Client, error) {
	var c clinic.Client
	var consent sql.NullInt64
	var created int64
	err := row.Scan(&c.ID, &c.UserID, &c.Name, &c.Email, &c.Phone, &c.BirthDate, &c.Cautions, &c.Notes,
		&consent, &c.ConsentReminders, &c.NudgesOptOut, &c.BookingBlocked, &created)
	c.ConsentTreatmentAt, c.CreatedAt = nullUnix(consent), unixTime(created)
	return c, err
}

func queryClients(ctx context.Context, db querier, where string, args ...any) ([]clinic.Client, error) {
	var out []clinic.Client
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		c, err := scanClient(r)
		out = append(out, c)
		return err
	}, `SELECT `+clientColumns+` FROM clients c WHERE c.merged_into IS NULL AND `+where, args...)
	return out, err
}

// likeEscape makes user text match literally inside a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// digitsOnly keeps the digits of a phone number as typed, so "0412 345" finds "0412345678".
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SearchClients finds clients whose name, email or phone contains q, names starting with q
// first. An empty q lists the newest clients. Staff only.
func (s *Store) SearchClients(ctx context.Context, by Actor, q string, limit int) ([]clinic.Client, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return queryClients(ctx, s.r, `1 = 1 ORDER BY c.id DESC LIMIT ?`, limit)
	}
	pat := "%" + likeEscape(q) + "%"
	digits := digitsOnly(q)
	return queryClients(ctx, s.r, `(c.name LIKE ? ESCAPE '\' OR c.email LIKE ? ESCAPE '\' OR c.phone LIKE ? ESCAPE '\'
		OR (? <> '' AND replace(replace(replace(c.phone, ' ', ''), '-', ''), '+', '') LIKE '%' || ? || '%'))
		ORDER BY c.name LIKE ? ESCAPE '\' DESC, c.name COLLATE NOCASE, c.id LIMIT ?`,
		pat, pat, pat, digits, digits, likeEscape(q)+"%", limit)
}

// ClientByID returns a client's record: staff see any, a client only their own. Anything else
// is ErrNotFound, the same as a missing record.
func (s *Store) ClientByID(ctx context.Context, by Actor, id int64) (clinic.Client, error) {
	if !by.Staff() && (by.ClientID == 0 || by.ClientID != id) {
		return clinic.Client{}, ErrNotFound
	}
	list, err := queryClients(ctx, s.r, `c.id = ?`, id)
	if err != nil {
		return clinic.Client{}, err
	}
	if len(list) == 0 {
		return clinic.Client{}, fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// AddClient makes a client record for someone who phoned or walked in; they can make an
// account later with the same email and it links to this record. Staff only.
func (s *Store) AddClient(ctx context.Context, by Actor, d ClientDetails) (clinic.Client, error) {
	if !by.Staff() {
		return clinic.Client{}, ErrNotFound
	}
	var c clinic.Client
	err := s.write(ctx, func(tx *sql.Tx) error {
		if d.Email != "" {
			same, err := queryClients(ctx, tx, `c.email = ? ORDER BY c.id LIMIT 1`, d.Email)
			if err != nil {
				return err
			}
			if len(same) > 0 {
				c = same[0]
				return ErrClientExists
			}
		}
		now := unix(s.now())
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO clients (name, email, phone, cautions, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, d.Name, d.Email, d.Phone, d.Cautions, now, now).Scan(&id); err != nil {
			return fmt.Errorf("add client: %w", err)
		}
		list, err := queryClients(ctx, tx, `c.id = ?`, id)
		if err != nil || len(list) == 0 {
			return errors.Join(ErrNotFound, err)
		}
		c = list[0]
		return audit(ctx, tx, by, now, "create", "client", id, id, "")
	})
	return c, err
}

// RecallList is reception's recall list: plans whose reassessment is due, stalled courses,
// maintenance visits due and clients lapsed after discharge, none with anything booked ahead,
// each with reception's mark; dismissed entries and those snoozed past today are left out.
// Staff only. Entries come grouped by reason, longest waiting first.
func (s *Store) RecallList(ctx context.Context, by Actor, since time.Time, limit int) ([]clinic.RecallCourse, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	_, loc, err := s.settingsZone(ctx, s.r)
	if err != nil {
		return nil, err
	}
	today := clinic.DateOf(s.now(), loc)
	stalled, err := s.stalledCourses(ctx, since, limit)
	if err != nil {
		return nil, err
	}
	plans, err := s.recallPlans(ctx, since, today)
	if err != nil {
		return nil, err
	}
	marks, err := recallMarks(ctx, s.r)
	if err != nil {
		return nil, err
	}
	var out []clinic.RecallCourse
	for _, rc := range append(plans, stalled...) {
		if m, ok := marks[recallKey{rc.Reason, rc.RefID()}]; ok {
			rc.Mark, rc.MarkedAt, rc.SnoozedUntil = m.Mark, m.MarkedAt, m.SnoozedUntil
		}
		if rc.Shown(today) {
			out = append(out, rc)
		}
	}
	order := map[clinic.RecallReason]int{clinic.RecallReassessDue: 0, clinic.RecallStalled: 1, clinic.RecallMaintenanceDue: 2,
		clinic.RecallLapsed: 3}
	slices.SortStableFunc(out, func(a, b clinic.RecallCourse) int { return order[a.Reason] - order[b.Reason] })
	return out[:min(len(out), limit)], nil
}

type recallKey struct {
	reason clinic.RecallReason
	ref    int64
}

// recallMarks reads every mark: a table of a few hundred rows at most.
func recallMarks(ctx context.Context, q rowsQuerier) (map[recallKey]clinic.RecallCourse, error) {
	out := map[recallKey]clinic.RecallCourse{}
	err := scanInto(ctx, q, func(r *sql.Rows) error {
		var k recallKey
		var m clinic.RecallCourse
		var until string
		var at int64
		if err := r.Scan(&k.reason, &k.ref, &m.Mark, &until, &at); err != nil {
			return err
		}
		m.SnoozedUntil, m.MarkedAt = parseCivilDay(until), unixTime(at)
		out[k] = m
		return nil
	}, `SELECT reason, ref_id, mark, snoozed_until, marked_at FROM recall_marks`)
	return out, err
}

// recallPlans are the plans that call for a visit nobody has booked: a reassessment due, a
// maintenance visit due, or a discharge long enough ago to count as lapsed. Only each client's
// newest plan counts, and only a client with nothing booked ahead. Only plans that last moved
// since `since` are looked at, through treatment_plans_recall, so the cost follows the recent
// months, not the clinic's history of plans.
func (s *Store) recallPlans(ctx context.Context, since time.Time, today clinic.Date) ([]clinic.RecallCourse, error) {
	now := s.now()
	var out []clinic.RecallCourse
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		var rc clinic.RecallCourse
		var status clinic.PlanStatus
		var review, maint string
		var last sql.NullInt64
		if err := r.Scan(&rc.PlanID, &rc.ClientID, &rc.ClientName, &rc.ClientPhone, &rc.ClientEmail, &rc.TherapistID,
			&rc.TherapistName, &status, &review, &maint, &rc.Sessions, &last); err != nil {
			return err
		}
		rc.LastAt = nullUnix(last)
		switch {
		case status == clinic.PlanReassessDue:
			rc.Reason, rc.Due = clinic.RecallReassessDue, parseCivilDay(review)
		case maint != "":
			if rc.Due = parseCivilDay(maint); today.Before(rc.Due) {
				return nil
			}
			rc.Reason = clinic.RecallMaintenanceDue
		case last.Valid && rc.LastAt.After(since) && rc.LastAt.Before(now.AddDate(0, 0, -clinic.LapsedAfterDays)):
			rc.Reason = clinic.RecallLapsed
		default:
			return nil
		}
		out = append(out, rc)
		return nil
	}, `SELECT p.id, p.client_id, c.name, c.phone, c.email, p.therapist_id, t.name, p.status, p.reassessment_date,
			p.maintenance_due, p.planned_sessions,
			(SELECT max(a.starts_at) FROM appointments a WHERE a.client_id = p.client_id AND a.starts_at < ?1
				AND a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`, `+sqlCompleted+`))
		FROM treatment_plans p JOIN clients c ON c.id = p.client_id JOIN users t ON t.id = p.therapist_id
		WHERE p.status IN ('`+string(clinic.PlanReassessDue)+`', '`+string(clinic.PlanCompleted)+`', '`+string(clinic.PlanDiscontinued)+`')
			AND p.updated_at >= ?2 AND c.merged_into IS NULL
			AND NOT EXISTS (SELECT 1 FROM treatment_plans n WHERE n.client_id = p.client_id AND n.id > p.id
				AND n.status NOT IN ('`+string(clinic.PlanCancelled)+`', '`+string(clinic.PlanEnteredInError)+`'))
			AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = p.client_id AND a.starts_at >= ?1
				AND a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`))
		ORDER BY p.id`, unix(now), unix(since))
	return out, err
}

// MarkRecall records what reception did about an entry of the recall list: contacted, snoozed
// (for clinic.RecallSnoozeDays) or dismissed. Staff only; an entry that names no course or plan
// is not found.
func (s *Store) MarkRecall(ctx context.Context, by Actor, reason clinic.RecallReason, refID int64, mark clinic.RecallMark) error {
	if !by.Staff() {
		return ErrNotFound
	}
	if !reason.Valid() || !mark.Valid() {
		return fmt.Errorf("recall mark %q of %q: %w", mark, reason, ErrConflict)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		table := "treatment_plans"
		if reason == clinic.RecallStalled {
			table = "courses"
		}
		var clientID int64
		if err := tx.QueryRowContext(ctx, `SELECT client_id FROM `+table+` WHERE id = ?`, refID).Scan(&clientID); err != nil {
			return fmt.Errorf("recall %s %d: %w", reason, refID, translate(err))
		}
		_, loc, err := s.settingsZone(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		until := ""
		if mark == clinic.RecallSnoozed {
			until = clinic.DateOf(now, loc).AddDays(clinic.RecallSnoozeDays).String()
		}
		var byID any
		if by.UserID != 0 {
			byID = by.UserID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO recall_marks (reason, ref_id, client_id, mark, snoozed_until, marked_by,
			marked_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reason, ref_id) DO UPDATE SET mark = excluded.mark,
			snoozed_until = excluded.snoozed_until, marked_by = excluded.marked_by, marked_at = excluded.marked_at`,
			reason, refID, clientID, mark, until, byID, unix(now)); err != nil {
			return fmt.Errorf("recall mark: %w", err)
		}
		return audit(ctx, tx, by, unix(now), "recall_"+string(mark), string(reason), refID, clientID, until)
	})
}

// ErrNoEmail says a reminder was asked for a client with no email address on file.
var ErrNoEmail = errors.New("the client has no email address")

// RemindMaintenance queues, through the outbox, the maintenance prompt the scheduler sends on
// the due morning, now, for a recall entry reception is working on, and marks the entry
// contacted. The prompt's own send-time check still applies (no longer wanted once the client
// books, opts out or the plan moves on). Staff only; the client must have an email address.
func (s *Store) RemindMaintenance(ctx context.Context, by Actor, planID int64) (string, error) {
	if !by.Staff() {
		return "", ErrNotFound
	}
	var to string
	err := s.write(ctx, func(tx *sql.Tx) error {
		var clientID, updated int64
		var name string
		var status clinic.PlanStatus
		if err := tx.QueryRowContext(ctx, `SELECT p.client_id, p.status, p.updated_at, c.name, c.email FROM treatment_plans p
			JOIN clients c ON c.id = p.client_id WHERE p.id = ?`, planID).Scan(&clientID, &status, &updated, &name, &to); err != nil {
			return fmt.Errorf("plan %d: %w", planID, translate(err))
		}
		if status != clinic.PlanCompleted {
			return fmt.Errorf("plan %d is %s: %w", planID, status, ErrConflict)
		}
		if to == "" {
			return ErrNoEmail
		}
		_, loc, err := s.settingsZone(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		key := fmt.Sprintf("maintenance_due:plan:%d:recall:%s", planID, clinic.DateOf(now, loc))
		m := MaintenanceMail{ClientID: clientID, ClientName: name, CompletedAt: updated, BookPath: "/book",
			Unsubscribe: s.UnsubscribePath(clientID)}
		if err := enqueue(ctx, tx, now, Email{Kind: string(clinic.ReminderMaintenanceDue), To: to, RefType: "plan",
			RefID: planID, DedupeKey: key, Payload: m, ExpiresAt: now.Add(nudgeExpiry)}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO recall_marks (reason, ref_id, client_id, mark, marked_by, marked_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reason, ref_id) DO UPDATE SET mark = excluded.mark, snoozed_until = '',
			marked_by = excluded.marked_by, marked_at = excluded.marked_at`, clinic.RecallMaintenanceDue, planID, clientID,
			clinic.RecallContacted, chartNullID(by.UserID), unix(now)); err != nil {
			return fmt.Errorf("recall mark: %w", err)
		}
		return audit(ctx, tx, by, unix(now), "recall_reminder", string(clinic.RecallMaintenanceDue), planID, clientID, key)
	})
	return to, err
}

// stalledCourses are the courses whose last session was after since and further back than the
// course's longest gap, with nothing booked ahead and sessions remaining, longest waiting first.
// A session counts as done when it was held (booked, checked in or completed in the past);
// no-shows and cancellations do not. The schema keeps each course's last session not cancelled
// (course_ends): one whose last session is in the past has nothing booked ahead, so the list
// is a range of that table's index, and only the few courses with sessions missing (fewer
// attended than planned) have their sessions counted.
func (s *Store) stalledCourses(ctx context.Context, since time.Time, limit int) ([]clinic.RecallCourse, error) {
	now := unix(s.now())
	var out []clinic.RecallCourse
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		rc := clinic.RecallCourse{Reason: clinic.RecallStalled}
		var last int64
		err := r.Scan(&rc.CourseID, &rc.ClientID, &rc.ClientName, &rc.ClientPhone, &rc.ClientEmail, &rc.TherapistID,
			&rc.TherapistName, &rc.ServiceID, &rc.ServiceName, &rc.Sessions, &rc.SpacingMax, &last, &rc.Done)
		rc.LastAt = unixTime(last)
		out = append(out, rc)
		return err
	}, `SELECT co.id, co.client_id, c.name, c.phone, c.email, co.therapist_id, t.name, co.service_id, sv.name,
			co.sessions, co.spacing_max, x.last_at, x.done
		FROM (SELECT e.course_id, e.last_at, (SELECT count(*) FROM appointments a WHERE a.course_id = e.course_id
					AND a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`, `+sqlCompleted+`)) AS done
				FROM course_ends e JOIN courses co ON co.id = e.course_id
				WHERE e.last_at >= ?2 AND e.last_at < ?1 - co.spacing_max * 86400 AND e.attended < co.sessions) x
		JOIN courses co ON co.id = x.course_id
		JOIN clients c ON c.id = co.client_id
		JOIN users t ON t.id = co.therapist_id
		JOIN services sv ON sv.id = co.service_id
		WHERE x.done < co.sessions AND c.merged_into IS NULL
		ORDER BY x.last_at LIMIT ?3`, now, unix(since), limit)
	return out, err
}
