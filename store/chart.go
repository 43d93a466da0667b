package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"allium/clinic"
)

func chartClient(ctx context.Context, tx *sql.Tx, id int64) (clinic.ChartClient, error) {
	var c clinic.ChartClient
	var consent sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, name, email, phone, birth_date, cautions, consent_treatment_at
		FROM clients WHERE id = ?`, id).Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.BirthDate, &c.Cautions, &consent)
	if err != nil {
		return c, fmt.Errorf("chart client %d: %w", id, err)
	}
	c.ConsentTreatment = nullUnix(consent)
	return c, nil
}

// ChartHeader reads what every chart page shows at the top (who, age, cautions and flags) for
// a clinician, and records the view.
func (s *Store) ChartHeader(ctx context.Context, by Actor, clientID int64) (clinic.ChartClient, []clinic.ChartFlag, error) {
	var c clinic.ChartClient
	var flags []clinic.ChartFlag
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := clinicalAccess(ctx, tx, by, clientID); err != nil {
			return err
		}
		var err error
		if c, err = chartClient(ctx, tx, clientID); err != nil {
			return err
		}
		a, err := latestAssessment(ctx, tx, clientID)
		if err != nil {
			return err
		}
		if flags, err = chartFlags(ctx, tx, a); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return c, flags, err
	}
	return c, flags, s.auditView(ctx, by, "chart_header", clientID, clientID)
}

// chartSessions reads the client's appointments from the client index alone (migration 0010
// makes it cover the columns read here), then their courses, notes and names in one query
// each: joining them row by row fetched a few scattered pages for every session, and a view
// reads with a cold page cache whenever anything was written since the last one.
func chartSessions(ctx context.Context, tx *sql.Tx, clientID int64) ([]clinic.ChartSession, error) {
	var out []clinic.ChartSession
	err := eachChartRow(ctx, tx, `SELECT id, therapist_id, service_id, coalesce(course_id, 0), course_index, starts_at, status
		FROM appointments WHERE client_id = ? ORDER BY starts_at DESC`, clientID, func(r *sql.Rows) error {
		cs := clinic.ChartSession{CourseSize: 1}
		var st int64
		if err := r.Scan(&cs.ID, &cs.TherapistID, &cs.ServiceID, &cs.CourseID, &cs.CourseIndex, &st, &cs.Status); err != nil {
			return err
		}
		cs.Start = unixTime(st)
		out = append(out, cs)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	if err := sessionCourses(ctx, tx, clientID, out); err != nil {
		return nil, err
	}
	if err := sessionNotes(ctx, tx, clientID, out); err != nil {
		return nil, err
	}
	return out, sessionNames(ctx, tx, out)
}

// sessionCourses gives each session its course's size and plan. A course's sessions are its
// client's.
func sessionCourses(ctx context.Context, tx *sql.Tx, clientID int64, out []clinic.ChartSession) error {
	type course struct{ size, plan int64 }
	courses := map[int64]course{}
	err := eachChartRow(ctx, tx, `SELECT id, sessions, coalesce(plan_id, 0) FROM courses WHERE client_id = ?`, clientID,
		func(r *sql.Rows) error {
			var id int64
			var c course
			err := r.Scan(&id, &c.size, &c.plan)
			courses[id] = c
			return err
		})
	if err != nil {
		return fmt.Errorf("chart courses: %w", err)
	}
	for i := range out {
		if c, ok := courses[out[i].CourseID]; ok && out[i].CourseID != 0 {
			out[i].CourseSize, out[i].PlanID = int(c.size), c.plan
		}
	}
	return nil
}

// sessionNotes gives each session its note, and the note's plan to a session whose course has
// none. A note is its appointment's client's.
func sessionNotes(ctx context.Context, tx *sql.Tx, clientID int64, out []clinic.ChartSession) error {
	index := make(map[int64]int, len(out))
	for i := range out {
		index[out[i].ID] = i
	}
	err := eachChartRow(ctx, tx, `SELECT appointment_id, id, coalesce(plan_id, 0), status FROM session_notes WHERE client_id = ?`,
		clientID, func(r *sql.Rows) error {
			var appt, id, plan int64
			var status string
			if err := r.Scan(&appt, &id, &plan, &status); err != nil {
				return err
			}
			if i, ok := index[appt]; ok {
				cs := &out[i]
				cs.NoteID, cs.NoteStatus = id, status
				if cs.PlanID == 0 {
					cs.PlanID = plan
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("chart notes: %w", err)
	}
	return nil
}

// sessionNames names the sessions' therapists and services, a handful for any client.
func sessionNames(ctx context.Context, tx *sql.Tx, out []clinic.ChartSession) error {
	therapists, services := map[int64]string{}, map[int64]string{}
	for _, cs := range out {
		therapists[cs.TherapistID], services[cs.ServiceID] = "", ""
	}
	if err := namesByID(ctx, tx, "users", therapists); err != nil {
		return err
	}
	if err := namesByID(ctx, tx, "services", services); err != nil {
		return err
	}
	for i := range out {
		out[i].TherapistName, out[i].ServiceName = therapists[out[i].TherapistID], services[out[i].ServiceID]
	}
	return nil
}

// namesByID fills in the name of every id in names from a table with id and name columns.
func namesByID(ctx context.Context, tx *sql.Tx, table string, names map[int64]string) error {
	args := make([]any, 0, len(names))
	for id := range names {
		args = append(args, id)
	}
	q := `SELECT id, name FROM ` + table + ` WHERE id IN (?` + strings.Repeat(`, ?`, len(args)-1) + `)`
	err := scanInto(ctx, tx, func(r *sql.Rows) error {
		var id int64
		var name string
		err := r.Scan(&id, &name)
		names[id] = name
		return err
	}, q, args...)
	if err != nil {
		return fmt.Errorf("%s names: %w", table, err)
	}
	return nil
}

// ClientChart reads a client's whole chart for a clinician and records the view. A plan whose
// review has come moves to reassess_due first.
func (s *Store) ClientChart(ctx context.Context, by Actor, clientID int64) (clinic.Chart, error) {
	var ch clinic.Chart
	due := false
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := s.chartIn(ctx, tx, by, clientID, &ch); err != nil {
			return err
		}
		due = anyPlanDue(ch.Plans, ch.Today)
		return nil
	})
	switch {
	case err != nil:
		return ch, err
	case due:
		return s.clientChartMovingDue(ctx, by, clientID)
	}
	return ch, s.auditView(ctx, by, "chart", clientID, clientID)
}

// clientChartMovingDue is ClientChart in one write transaction, for a view that moves a plan.
func (s *Store) clientChartMovingDue(ctx context.Context, by Actor, clientID int64) (clinic.Chart, error) {
	var ch clinic.Chart
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalAccess(ctx, tx, by, clientID); err != nil {
			return err
		}
		var err error
		if ch.Today, ch.Location, err = s.today(ctx, tx); err != nil {
			return err
		}
		if err := s.markDuePlans(ctx, tx, clientID, ch.Today); err != nil {
			return err
		}
		if err := loadChart(ctx, tx, clientID, &ch); err != nil {
			return err
		}
		ch.OrderTimeline(s.now())
		return audit(ctx, tx, by, unix(s.now()), "view", "chart", clientID, clientID, "")
	})
	return ch, err
}

func (s *Store) chartIn(ctx context.Context, tx *sql.Tx, by Actor, clientID int64, ch *clinic.Chart) error {
	if err := clinicalAccess(ctx, tx, by, clientID); err != nil {
		return err
	}
	var err error
	if ch.Today, ch.Location, err = s.today(ctx, tx); err != nil {
		return err
	}
	if err := loadChart(ctx, tx, clientID, ch); err != nil {
		return err
	}
	ch.OrderTimeline(s.now())
	return nil
}

func loadChart(ctx context.Context, tx *sql.Tx, clientID int64, ch *clinic.Chart) error {
	var err error
	if ch.Client, err = chartClient(ctx, tx, clientID); err != nil {
		return err
	}
	if ch.Assessment, err = latestAssessment(ctx, tx, clientID); err != nil {
		return err
	}
	if ch.Flags, err = chartFlags(ctx, tx, ch.Assessment); err != nil {
		return err
	}
	if ch.Findings, err = clientFindings(ctx, tx, clientID); err != nil {
		return err
	}
	if ch.Plans, err = clientPlanList(ctx, tx, clientID); err != nil {
		return err
	}
	if ch.Sessions, err = chartSessions(ctx, tx, clientID); err != nil {
		return err
	}
	ch.Referrals, err = clientReferrals(ctx, tx, ch.Client, `r.client_id = ?1`, clientID)
	return err
}

// unlinkedCourses are the client's courses not yet linked to a plan, newest first, with the
// start of each one's first session.
func unlinkedCourses(ctx context.Context, tx *sql.Tx, clientID int64) ([]clinic.ChartCourse, error) {
	var out []clinic.ChartCourse
	err := eachChartRow(ctx, tx, `SELECT co.id, co.sessions, s.name FROM courses co JOIN services s ON s.id = co.service_id
		WHERE co.client_id = ? AND co.plan_id IS NULL ORDER BY co.id DESC`, clientID, func(r *sql.Rows) error {
		var c clinic.ChartCourse
		err := r.Scan(&c.ID, &c.Sessions, &c.Service)
		out = append(out, c)
		return err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	// From the client index, which covers it: a course's sessions are its client's.
	first := map[int64]int64{}
	err = eachChartRow(ctx, tx, `SELECT course_id, min(starts_at) FROM appointments WHERE client_id = ? AND course_id IS NOT NULL
		GROUP BY course_id`, clientID, func(r *sql.Rows) error {
		var id, at int64
		err := r.Scan(&id, &at)
		first[id] = at
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("client courses: %w", err)
	}
	for i := range out {
		out[i].FirstStart = unixTime(first[out[i].ID])
	}
	return out, nil
}

// today is the date in the clinic's zone by the store's clock.
func (s *Store) today(ctx context.Context, tx *sql.Tx) (clinic.Date, *time.Location, error) {
	_, loc, err := s.settingsZone(ctx, tx)
	if err != nil {
		return clinic.Date{}, nil, err
	}
	return clinic.DateOf(s.now(), loc), loc, nil
}

func splitChartCodes(s string) []string { return strings.Fields(s) }

func joinChartCodes[T ~string](codes []T) string {
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = string(c)
	}
	return strings.Join(parts, " ")
}

func chartNullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func chartNullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// eachChartRow runs a query with one argument and calls fn for every row.
func eachChartRow(ctx context.Context, tx *sql.Tx, q string, arg any, fn func(*sql.Rows) error) error {
	return scanInto(ctx, tx, fn, q, arg)
}

func chartIntPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}
