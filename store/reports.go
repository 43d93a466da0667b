package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"allium/clinic"
)

// reportScope is whose caseload a report covers: the owner sees the clinic
// (0), a therapist only their own sessions and plans. Anyone else learns
// nothing, not even that reports exist.
func reportScope(by Actor) (therapistID int64, err error) {
	switch by.Role {
	case clinic.RoleOwner:
		return 0, nil
	case clinic.RoleTherapist:
		if by.UserID != 0 { // 0 would mean every therapist
			return by.UserID, nil
		}
	}
	return 0, ErrNotFound
}

// AttendanceFacts counts, per therapist and per day in loc, the sessions that
// started in [from, to) and before now, leaving out those cancelled in good
// time: a cancellation with notice is an hour the clinic could fill, a late
// one or a no-show is not. Whole days that are over are read from report_days,
// which the schema keeps (migration 0020): a year is 16,500 rows there against
// 100,000 sessions. The rest (today so far, or a period not starting at
// midnight) is counted from the bookings, the day coming from the instant plus
// the zone's offset at that instant, which clinic.ZoneSpans lays out.
func (s *Store) AttendanceFacts(ctx context.Context, by Actor, from, to time.Time, loc *time.Location) ([]clinic.AttendanceFact, error) {
	tid, err := reportScope(by)
	if err != nil {
		return nil, err
	}
	if now := s.now(); to.After(now) {
		to = now
	}
	if !to.After(from) {
		return nil, nil
	}
	d0, d1, start, end, whole, err := s.reportDays(ctx, loc, from, to)
	if err != nil {
		return nil, err
	}
	var out []clinic.AttendanceFact
	scan := func(r *sql.Rows) error {
		var f clinic.AttendanceFact
		var n int64
		if err := r.Scan(&f.TherapistID, &f.TherapistName, &n, &f.Sessions, &f.NoShows, &f.LateCancels); err != nil {
			return err
		}
		f.Day = clinic.DayNumber(n)
		out = append(out, f)
		return nil
	}
	if whole {
		err = scanInto(ctx, s.r, scan, `SELECT r.therapist_id, u.name, r.day, sum(r.sessions), sum(r.no_shows), sum(r.late_cancels)
			FROM report_days r JOIN users u ON u.id = r.therapist_id
			WHERE r.day >= ? AND r.day < ? AND (? = 0 OR r.therapist_id = ?)
			GROUP BY r.therapist_id, r.day HAVING sum(r.sessions) > 0`, d0, d1, tid, tid)
		if err != nil {
			return nil, fmt.Errorf("attendance days: %w", err)
		}
	}
	for _, part := range [][2]time.Time{{from, start}, {end, to}} {
		if !part[1].After(part[0]) {
			continue
		}
		day, args := localDaySQL("a.starts_at", loc, part[0], part[1])
		args = append(args, unix(part[0]), unix(part[1]), tid, tid)
		err = scanInto(ctx, s.r, scan, `SELECT a.therapist_id, u.name, `+day+` AS day, count(*),
				sum(a.status = `+sqlNoShow+`), sum(a.status = `+sqlCancelled+`)
			FROM appointments a JOIN users u ON u.id = a.therapist_id
			WHERE a.starts_at >= ? AND a.starts_at < ? AND (a.status <> `+sqlCancelled+` OR a.late_cancel = 1)
				AND (? = 0 OR a.therapist_id = ?)
			GROUP BY a.therapist_id, day`, args...)
		if err != nil {
			return nil, fmt.Errorf("attendance facts: %w", err)
		}
	}
	return out, nil
}

// localDaySQL is an SQL expression for the day number in loc of the unix
// seconds in col, exact across the offset changes in [from, to).
func localDaySQL(col string, loc *time.Location, from, to time.Time) (string, []any) {
	spans := clinic.ZoneSpans(loc, from, to)
	if len(spans) == 1 {
		return "((" + col + " + ?) / 86400)", []any{spans[0].Offset}
	}
	var b strings.Builder
	var args []any
	b.WriteString("((" + col + " + CASE")
	for _, sp := range spans[:len(spans)-1] {
		b.WriteString(" WHEN " + col + " < ? THEN ?")
		args = append(args, unix(sp.Until), sp.Offset)
	}
	b.WriteString(" ELSE ? END) / 86400)")
	return b.String(), append(args, spans[len(spans)-1].Offset)
}

// OutcomeFacts lists, for every plan whose first reassessment was recorded in
// [from, to), each goal's baseline and its score at that reassessment, with the
// plan's assessment class (the therapist's confirmed class where there is one)
// and layers. Later reassessments of an extended plan are left out so a plan
// counts once, measured over its first course.
func (s *Store) OutcomeFacts(ctx context.Context, by Actor, from, to time.Time) ([]clinic.OutcomeFact, error) {
	tid, err := reportScope(by)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, coalesce(asm.confirmed_class, asm.primary_class, ''), p.layers,
			g.position, g.measure, rg.baseline, rg.current
		FROM reassessments r
		JOIN treatment_plans p ON p.id = r.plan_id
		JOIN reassessment_goals rg ON rg.reassessment_id = r.id
		JOIN plan_goals g ON g.id = rg.goal_id
		LEFT JOIN assessments asm ON asm.id = p.assessment_id
		WHERE r.created_at >= ? AND r.created_at < ? AND (? = 0 OR p.therapist_id = ?)
			AND r.id = (SELECT min(r2.id) FROM reassessments r2 WHERE r2.plan_id = r.plan_id)
		ORDER BY p.id, g.position`, unix(from), unix(to), tid, tid)
	if err != nil {
		return nil, fmt.Errorf("outcome facts: %w", err)
	}
	defer rows.Close()
	var out []clinic.OutcomeFact
	for rows.Next() {
		var f clinic.OutcomeFact
		var layers string
		if err := rows.Scan(&f.PlanID, &f.Class, &layers, &f.Position, &f.Measure, &f.Baseline, &f.Current); err != nil {
			return nil, err
		}
		for _, l := range strings.Fields(layers) {
			f.Layers = append(f.Layers, clinic.PlanLayer(l))
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// UtilisationFacts gathers what the utilisation report sums for [from, to): the
// therapists in scope with their hours and time off, the rooms (the owner's
// report only: a room is the clinic's, not a caseload) and the sessions held.
// Therapists who no longer work here still count if they held sessions.
func (s *Store) UtilisationFacts(ctx context.Context, by Actor, from, to time.Time, loc *time.Location) (clinic.UtilisationFacts, error) {
	var f clinic.UtilisationFacts
	tid, err := reportScope(by)
	if err != nil {
		return f, err
	}
	hours, err := s.AllHours(ctx)
	if err != nil {
		return f, err
	}
	idx := map[int64]int{}
	err = scanInto(ctx, s.r, func(r *sql.Rows) error {
		var t clinic.UtilTherapist
		if err := r.Scan(&t.ID, &t.Name); err != nil {
			return err
		}
		t.Hours = hours[t.ID]
		idx[t.ID] = len(f.Therapists)
		f.Therapists = append(f.Therapists, t)
		return nil
	}, `SELECT id, name FROM users WHERE role = 'therapist' AND (? = 0 OR id = ?)
		AND (active = 1 OR EXISTS (SELECT 1 FROM appointments a WHERE a.therapist_id = users.id
			AND a.starts_at >= ? AND a.starts_at < ?))`,
		tid, tid, unix(from), unix(to))
	if err != nil {
		return f, fmt.Errorf("utilisation therapists: %w", err)
	}
	err = scanInto(ctx, s.r, func(r *sql.Rows) error {
		var id, st, en int64
		if err := r.Scan(&id, &st, &en); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			f.Therapists[i].TimeOff = append(f.Therapists[i].TimeOff, clinic.Interval{Start: unixTime(st), End: unixTime(en)})
		}
		return nil
	}, `SELECT therapist_id, starts_at, ends_at FROM time_off WHERE starts_at < ? AND ends_at > ?`, unix(to), unix(from))
	if err != nil {
		return f, fmt.Errorf("utilisation time off: %w", err)
	}
	if tid == 0 {
		err = scanInto(ctx, s.r, func(r *sql.Rows) error {
			var rm clinic.UtilRoom
			if err := r.Scan(&rm.ID, &rm.Name); err != nil {
				return err
			}
			f.Rooms = append(f.Rooms, rm)
			return nil
		}, `SELECT id, name FROM rooms WHERE active = 1`)
		if err != nil {
			return f, fmt.Errorf("utilisation rooms: %w", err)
		}
	}
	// Summed in SQL, the part of each session before the period's end: a year is about a
	// hundred thousand sessions, and reading them all costs more than the report's budget. Whole
	// days are read from report_days (migration 0020), but for the last twelve hours of the
	// period: a session of the day before the end may run past it (none is longer than twelve
	// hours), and only its part before the end counts.
	d0, d1, start, end, whole, err := s.reportDays(ctx, loc, from, to.Add(-12*time.Hour))
	if err != nil {
		return f, err
	}
	type key struct{ therapist, room int64 }
	secs := map[key]int64{}
	var order []key
	scan := func(r *sql.Rows) error {
		var k key
		var n int64
		if err := r.Scan(&k.therapist, &k.room, &n); err != nil {
			return err
		}
		if _, ok := secs[k]; !ok {
			order = append(order, k)
		}
		secs[k] += n
		return nil
	}
	if whole {
		err = scanInto(ctx, s.r, scan, `SELECT therapist_id, room_id, sum(booked_secs) FROM report_days
			WHERE day >= ? AND day < ? AND (? = 0 OR therapist_id = ?)
			GROUP BY therapist_id, room_id HAVING sum(booked_secs) > 0`, d0, d1, tid, tid)
		if err != nil {
			return f, fmt.Errorf("utilisation days: %w", err)
		}
	}
	for _, part := range [][2]time.Time{{from, start}, {end, to}} {
		if !part[1].After(part[0]) {
			continue
		}
		err = scanInto(ctx, s.r, scan, `SELECT therapist_id, coalesce(room_id, 0), sum(min(ends_at, ?) - starts_at) FROM appointments
			WHERE starts_at >= ? AND starts_at < ? AND status <> `+sqlCancelled+` AND (? = 0 OR therapist_id = ?)
			GROUP BY therapist_id, room_id`, unix(to), unix(part[0]), unix(part[1]), tid, tid)
		if err != nil {
			return f, fmt.Errorf("utilisation bookings: %w", err)
		}
	}
	for _, k := range order {
		f.Booked = append(f.Booked, clinic.UtilBooked{TherapistID: k.therapist, RoomID: k.room, Minutes: int(secs[k] / 60)})
	}
	return f, nil
}

// ClientsFacts gathers the clients report's facts for [from, to): how many
// clients were seen (a session held, not missed or cancelled) and how many of
// them had their first session ever in the period; the assessments submitted
// and whether a booking followed within clinic.ConversionDays (the owner's
// report only: an assessment belongs to no caseload yet); and the courses
// whose last session fell in the period, with the kind of service, the
// sessions attended and whether the client booked again within the longest
// spacing: the plan's where the course belongs to a treatment plan, else the
// course's own. The clinic's clients seen are counted from client_visits, a
// course's last session and attendance read from course_ends and the client's
// next booking after it from course_next, all kept by the schema from the
// bookings (migrations 0016 and 0020): working them out from the bookings each
// time cost most of a year's report.
func (s *Store) ClientsFacts(ctx context.Context, by Actor, from, to time.Time) (clinic.ClientsSeen, []clinic.ConversionFact, []clinic.CourseFact, error) {
	var seen clinic.ClientsSeen
	tid, err := reportScope(by)
	if err != nil {
		return seen, nil, nil, err
	}
	held := to
	if now := s.now(); held.After(now) {
		held = now
	}
	if tid == 0 {
		// Each client seen has one visit in the period whose previous one is before it.
		err = s.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(prev_at IS NULL), 0) FROM client_visits
			WHERE starts_at >= ? AND starts_at < ? AND (prev_at IS NULL OR prev_at < ?)`,
			unix(from), unix(held), unix(from)).Scan(&seen.Seen, &seen.New)
	} else {
		// A therapist's caseload is a twentieth of the clinic's: their own sessions, from their index.
		err = s.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(f.first_at >= ?), 0)
			FROM (SELECT DISTINCT client_id FROM appointments WHERE therapist_id = ? AND starts_at >= ? AND starts_at < ?
				AND status NOT IN (`+sqlCancelled+`, `+sqlNoShow+`)) d
			JOIN client_first_visit f ON f.client_id = d.client_id`,
			unix(from), tid, unix(from), unix(held)).Scan(&seen.Seen, &seen.New)
	}
	if err != nil {
		return seen, nil, nil, fmt.Errorf("clients seen: %w", err)
	}
	var conv []clinic.ConversionFact
	if tid == 0 {
		// Whether the client made a booking in the days after: assessment_bookings keeps
		// when they first did (migration 0020).
		err = scanInto(ctx, s.r, func(r *sql.Rows) error {
			var c clinic.ConversionFact
			if err := r.Scan(&c.Class, &c.Booked); err != nil {
				return err
			}
			conv = append(conv, c)
			return nil
		}, `SELECT coalesce(asm.confirmed_class, asm.primary_class), coalesce(k.made_at < asm.updated_at + ?, 0)
			FROM assessments asm LEFT JOIN assessment_bookings k ON k.assessment_id = asm.id
			WHERE asm.status = 'submitted' AND asm.updated_at >= ? AND asm.updated_at < ?`,
			clinic.ConversionDays*86400, unix(from), unix(to))
		if err != nil {
			return seen, nil, nil, fmt.Errorf("assessment conversion: %w", err)
		}
	}
	var courses []clinic.CourseFact
	err = scanInto(ctx, s.r, func(r *sql.Rows) error {
		var c clinic.CourseFact
		if err := r.Scan(&c.ClientID, &c.Kind, &c.Sessions, &c.Attended, &c.Rebooked); err != nil {
			return err
		}
		courses = append(courses, c)
		return nil
	}, `SELECT c.client_id, sv.kind, c.sessions, e.attended,
			coalesce(n.next_at <= e.last_at + coalesce(p.max_days, c.spacing_max) * 86400, 0)
		FROM course_ends e JOIN courses c ON c.id = e.course_id JOIN services sv ON sv.id = c.service_id
		LEFT JOIN course_next n ON n.course_id = e.course_id LEFT JOIN treatment_plans p ON p.id = c.plan_id
		WHERE e.last_at >= ? AND e.last_at < ? AND (? = 0 OR c.therapist_id = ?)`, unix(from), unix(held), tid, tid)
	if err != nil {
		return seen, nil, nil, fmt.Errorf("course completion: %w", err)
	}
	return seen, conv, courses, nil
}
