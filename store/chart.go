package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"allium/clinic"
)

// The chart is the clinical record: findings, plans, session notes, readings, reassessments
// and referrals. Only the owner and a treating therapist (one who has or had an appointment
// with the client) read it; everyone else gets ErrNotFound, as for a client who does not
// exist. Every read and every write of it lands in the audit log, so even reads run in a
// write transaction.

// ErrInvalidRecord says a clinical record failed its checks. Handlers run the same Validate
// first and answer 422; this is the backstop for a caller that did not.
var ErrInvalidRecord = errors.New("invalid clinical record")

// invalid wraps the first problem of a record into ErrInvalidRecord.
func invalidRecord(what string, problems map[string]string) error {
	for k, v := range problems {
		return fmt.Errorf("%s: %s: %s: %w", what, k, v, ErrInvalidRecord)
	}
	return nil
}

// clinicalAccess admits the owner and treating therapists to a client's clinical record.
func clinicalAccess(ctx context.Context, tx *sql.Tx, by Actor, clientID int64) error {
	var ok bool
	var err error
	switch by.Role {
	case clinic.RoleOwner:
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM clients WHERE id = ?)`, clientID).Scan(&ok)
	case clinic.RoleTherapist:
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM appointments
			WHERE client_id = ? AND therapist_id = ? AND status <> 'cancelled')`, clientID, by.UserID).Scan(&ok)
	}
	if err != nil {
		return fmt.Errorf("clinical access: %w", err)
	}
	if !ok {
		return fmt.Errorf("client %d: %w", clientID, ErrNotFound)
	}
	return nil
}

// clinicalWriter is clinicalAccess for a change: the change is signed by a real person.
func clinicalWriter(ctx context.Context, tx *sql.Tx, by Actor, clientID int64) error {
	if by.UserID == 0 {
		return fmt.Errorf("clinical record written by no one: %w", ErrForbidden)
	}
	return clinicalAccess(ctx, tx, by, clientID)
}

// ChartClient is the chart's header: who the client is and what to be careful of.
type ChartClient struct {
	ID        int64
	Name      string
	Email     string
	Phone     string
	BirthDate string // YYYY-MM-DD, or "" when not known
	Cautions  string
	// ConsentTreatment is when the client consented to treatment; zero when not recorded.
	ConsentTreatment time.Time
}

// Age is the client's age in whole years on a day, or -1 when the birth date is not known.
func (c ChartClient) Age(on clinic.Date) int {
	b, err := clinic.ParseDate(c.BirthDate)
	if err != nil {
		return -1
	}
	age := on.Y - b.Y
	if on.M < b.M || (on.M == b.M && on.D < b.D) {
		age--
	}
	return age
}

func chartClient(ctx context.Context, tx *sql.Tx, id int64) (ChartClient, error) {
	var c ChartClient
	var consent sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, name, email, phone, birth_date, cautions, consent_treatment_at
		FROM clients WHERE id = ?`, id).Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.BirthDate, &c.Cautions, &consent)
	if err != nil {
		return c, fmt.Errorf("chart client %d: %w", id, err)
	}
	c.ConsentTreatment = nullUnix(consent)
	return c, nil
}

// ChartAssessment is the client's latest submitted self-assessment, as the therapist reads it.
type ChartAssessment struct {
	ID             int64
	SubmittedAt    time.Time
	Answers        clinic.AssessmentAnswers
	Result         clinic.AssessmentResult
	ConfirmedClass string // the therapist's class after seeing the client; "" until confirmed
	ConfirmedBy    string
}

func latestAssessment(ctx context.Context, tx *sql.Tx, clientID int64) (*ChartAssessment, error) {
	var a ChartAssessment
	var answers, result string
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT a.id, a.updated_at, a.answers, a.result, coalesce(a.confirmed_class, ''),
		coalesce(u.name, '') FROM assessments a LEFT JOIN users u ON u.id = a.confirmed_by
		WHERE a.client_id = ? AND a.status = 'submitted' ORDER BY a.updated_at DESC, a.id DESC LIMIT 1`, clientID).
		Scan(&a.ID, &at, &answers, &result, &a.ConfirmedClass, &a.ConfirmedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest assessment: %w", err)
	}
	a.SubmittedAt = unixTime(at)
	if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
		return nil, fmt.Errorf("assessment %d answers: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(result), &a.Result); err != nil {
		return nil, fmt.Errorf("assessment %d result: %w", a.ID, err)
	}
	return &a, nil
}

// ConfirmAssessmentClass records the therapist's view of the class after seeing the client,
// beside (never over) the scored result.
func (s *Store) ConfirmAssessmentClass(ctx context.Context, by Actor, assessmentID int64, class string) error {
	if !clinic.KnownComplaintClass(class) {
		return fmt.Errorf("class %q: %w", class, ErrInvalidRecord)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var clientID sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT client_id FROM assessments WHERE id = ? AND status = 'submitted'`,
			assessmentID).Scan(&clientID)
		if err != nil {
			return err
		}
		if err := clinicalWriter(ctx, tx, by, clientID.Int64); err != nil {
			return err
		}
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE assessments SET confirmed_class = ?, confirmed_by = ?, updated_at = updated_at
			WHERE id = ?`, class, by.UserID, assessmentID); err != nil {
			return fmt.Errorf("confirm class: %w", err)
		}
		return audit(ctx, tx, by, now, "confirm_class", "assessment", assessmentID, clientID.Int64, class)
	})
}

// RecordTreatmentConsent notes that the client gave consent to treatment in the clinic, for a
// client who booked without giving it online. A plan cannot start without it.
func (s *Store) RecordTreatmentConsent(ctx context.Context, by Actor, clientID int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalWriter(ctx, tx, by, clientID); err != nil {
			return err
		}
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET consent_treatment_at = coalesce(consent_treatment_at, ?),
			updated_at = ? WHERE id = ?`, now, now, clientID); err != nil {
			return fmt.Errorf("record consent: %w", err)
		}
		return audit(ctx, tx, by, now, "consent_treatment", "client", clientID, clientID, "recorded in clinic")
	})
}

// ChartFlag is a safety outcome or caution raised by the self-assessment, and whether a
// therapist has cleared it. An open flag whose action is refer, defer or clearance keeps a
// plan from starting.
type ChartFlag struct {
	AssessmentID int64
	Code         string
	Label        string
	Action       string
	Note         string
	Cleared      bool
	ClearedNote  string
	ClearedBy    string
	ClearedAt    time.Time
}

// flagCodeSafety is the code of the flag the safety gate's outcome raises.
const flagCodeSafety = "safety"

func assessmentFlags(a *ChartAssessment) []ChartFlag {
	if a == nil {
		return nil
	}
	var out []ChartFlag
	if o := a.Result.Safety.Outcome; o != "" && o != clinic.SafetyClear {
		label := a.Result.Safety.Headline
		if label == "" {
			label = "Safety check: " + strings.ReplaceAll(string(o), "_", " ")
		}
		out = append(out, ChartFlag{AssessmentID: a.ID, Code: flagCodeSafety, Label: label, Action: string(o)})
	}
	for _, c := range a.Result.Cautions {
		out = append(out, ChartFlag{AssessmentID: a.ID, Code: c.Code, Label: c.Label, Action: c.Action, Note: c.Note})
	}
	return out
}

func chartFlags(ctx context.Context, tx *sql.Tx, a *ChartAssessment) ([]ChartFlag, error) {
	flags := assessmentFlags(a)
	if len(flags) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT f.code, f.note, u.name, f.cleared_at FROM flag_clearances f
		JOIN users u ON u.id = f.cleared_by WHERE f.assessment_id = ?`, a.ID)
	if err != nil {
		return nil, fmt.Errorf("flag clearances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, note, name string
		var at int64
		if err := rows.Scan(&code, &note, &name, &at); err != nil {
			return nil, err
		}
		for i := range flags {
			if flags[i].Code == code {
				flags[i].Cleared, flags[i].ClearedNote, flags[i].ClearedBy, flags[i].ClearedAt = true, note, name, unixTime(at)
			}
		}
	}
	return flags, rows.Err()
}

// openPlanFlags are the client's flags not yet cleared, as the plan rules see them.
func openPlanFlags(ctx context.Context, tx *sql.Tx, clientID int64) ([]clinic.PlanFlag, error) {
	a, err := latestAssessment(ctx, tx, clientID)
	if err != nil {
		return nil, err
	}
	flags, err := chartFlags(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	var out []clinic.PlanFlag
	for _, f := range flags {
		if !f.Cleared {
			out = append(out, clinic.PlanFlag{Code: f.Code, Action: f.Action})
		}
	}
	return out, nil
}

// ClearFlag records why a flag raised by the client's latest assessment no longer stands (a
// doctor's clearance, say). The note is required: a clearance without a reason is not one.
func (s *Store) ClearFlag(ctx context.Context, by Actor, clientID int64, code, note string) error {
	if strings.TrimSpace(note) == "" {
		return fmt.Errorf("clear flag without a note: %w", ErrInvalidRecord)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalWriter(ctx, tx, by, clientID); err != nil {
			return err
		}
		a, err := latestAssessment(ctx, tx, clientID)
		if err != nil {
			return err
		}
		known := false
		for _, f := range assessmentFlags(a) {
			known = known || f.Code == code
		}
		if !known {
			return fmt.Errorf("flag %q: %w", code, ErrNotFound)
		}
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO flag_clearances (client_id, assessment_id, code, note, cleared_by, cleared_at)
			VALUES (?, ?, ?, ?, ?, ?)`, clientID, a.ID, code, note, by.UserID, now); err != nil {
			return fmt.Errorf("clear flag: %w", err)
		}
		return audit(ctx, tx, by, now, "clear_flag", "assessment", a.ID, clientID, code)
	})
}

// ChartHeader reads what every chart page shows at the top (who, age, cautions and flags) for
// a clinician, and records the view.
func (s *Store) ChartHeader(ctx context.Context, by Actor, clientID int64) (ChartClient, []ChartFlag, error) {
	var c ChartClient
	var flags []ChartFlag
	err := s.write(ctx, func(tx *sql.Tx) error {
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
		return audit(ctx, tx, by, unix(s.now()), "view", "chart_header", clientID, clientID, "")
	})
	return c, flags, err
}

// ChartSession is one appointment on the chart's timeline with the state of its note: what the
// chart and the findings form show of it. Its client is the chart's.
type ChartSession struct {
	ID            int64
	TherapistID   int64
	ServiceID     int64
	CourseID      int64
	CourseIndex   int
	CourseSize    int
	TherapistName string
	ServiceName   string
	Start         time.Time
	Status        string
	PlanID        int64 // the plan of the session's course, or else of its note; 0 for none
	NoteID        int64
	NoteStatus    string // "", "draft" or "signed"
}

// chartSessions reads the client's appointments from the client index alone (migration 0010
// makes it cover the columns read here), then their courses, notes and names in one query
// each: joining them row by row fetched a few scattered pages for every session, and a view
// reads with a cold page cache whenever anything was written since the last one.
func chartSessions(ctx context.Context, tx *sql.Tx, clientID int64) ([]ChartSession, error) {
	var out []ChartSession
	err := eachChartRow(ctx, tx, `SELECT id, therapist_id, service_id, coalesce(course_id, 0), course_index, starts_at, status
		FROM appointments WHERE client_id = ? ORDER BY starts_at DESC`, clientID, func(r *sql.Rows) error {
		cs := ChartSession{CourseSize: 1}
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
func sessionCourses(ctx context.Context, tx *sql.Tx, clientID int64, out []ChartSession) error {
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
func sessionNotes(ctx context.Context, tx *sql.Tx, clientID int64, out []ChartSession) error {
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
func sessionNames(ctx context.Context, tx *sql.Tx, out []ChartSession) error {
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

// Chart is everything the client's chart page shows.
type Chart struct {
	Client     ChartClient
	Assessment *ChartAssessment // nil when the client has not submitted one
	Flags      []ChartFlag
	Findings   []clinic.Findings // newest first
	Plans      []TreatmentPlan   // newest first, with goals, readings and sessions (PlanByID reads the rest)
	Sessions   []ChartSession    // newest first
	Referrals  []clinic.Referral // newest first, without their letters (ReferralByID reads one whole)
	Today      clinic.Date       // in the clinic's zone, for the due dates
	Location   *time.Location    // the clinic's zone
}

// ChartCourse is a booked course as the plan page offers it for linking.
type ChartCourse struct {
	ID         int64
	PlanID     int64
	Sessions   int
	FirstStart time.Time
	Service    string
}

// ClientChart reads a client's whole chart for a clinician and records the view. A plan whose
// review has come moves to reassess_due first.
func (s *Store) ClientChart(ctx context.Context, by Actor, clientID int64) (Chart, error) {
	var ch Chart
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
func (s *Store) clientChartMovingDue(ctx context.Context, by Actor, clientID int64) (Chart, error) {
	var ch Chart
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
		return audit(ctx, tx, by, unix(s.now()), "view", "chart", clientID, clientID, "")
	})
	return ch, err
}

func (s *Store) chartIn(ctx context.Context, tx *sql.Tx, by Actor, clientID int64, ch *Chart) error {
	if err := clinicalAccess(ctx, tx, by, clientID); err != nil {
		return err
	}
	var err error
	if ch.Today, ch.Location, err = s.today(ctx, tx); err != nil {
		return err
	}
	return loadChart(ctx, tx, clientID, ch)
}

func loadChart(ctx context.Context, tx *sql.Tx, clientID int64, ch *Chart) error {
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
func unlinkedCourses(ctx context.Context, tx *sql.Tx, clientID int64) ([]ChartCourse, error) {
	var out []ChartCourse
	err := eachChartRow(ctx, tx, `SELECT co.id, co.sessions, s.name FROM courses co JOIN services s ON s.id = co.service_id
		WHERE co.client_id = ? AND co.plan_id IS NULL ORDER BY co.id DESC`, clientID, func(r *sql.Rows) error {
		var c ChartCourse
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

// RecordFindings stores a findings record for a client the therapist treats and returns its id.
func (s *Store) RecordFindings(ctx context.Context, by Actor, f clinic.Findings) (int64, error) {
	if err := invalidRecord("findings", f.Validate()); err != nil {
		return 0, err
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalWriter(ctx, tx, by, f.ClientID); err != nil {
			return err
		}
		if err := ownAppointment(ctx, tx, f.ClientID, f.AppointmentID); err != nil {
			return err
		}
		now := unix(s.now())
		err := tx.QueryRowContext(ctx, `INSERT INTO findings (client_id, therapist_id, appointment_id, kind, complaint,
			aggravating, easing, impression, confirmed_class, chart_regions, channels, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.ClientID, by.UserID, chartNullID(f.AppointmentID),
			f.Kind, f.Complaint, f.Aggravating, f.Easing, f.Impression, f.ConfirmedClass, joinChartCodes(f.Regions),
			joinChartCodes(f.Channels), now).Scan(&id)
		if err != nil {
			return fmt.Errorf("record findings: %w", err)
		}
		if err := insertFindingRows(ctx, tx, id, f); err != nil {
			return err
		}
		return audit(ctx, tx, by, now, "create", "findings", id, f.ClientID, f.Kind)
	})
	return id, err
}

// ownAppointment checks that an optional appointment belongs to the client.
func ownAppointment(ctx context.Context, tx *sql.Tx, clientID, apptID int64) error {
	if apptID == 0 {
		return nil
	}
	var ok bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM appointments WHERE id = ? AND client_id = ?)`,
		apptID, clientID).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("appointment %d of client %d: %w", apptID, clientID, ErrNotFound)
	}
	return nil
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

func insertFindingRows(ctx context.Context, tx *sql.Tx, id int64, f clinic.Findings) error {
	for _, p := range f.Posture {
		if _, err := tx.ExecContext(ctx, `INSERT INTO finding_posture (finding_id, observation, side, note) VALUES (?, ?, ?, ?)`,
			id, p.Observation, p.Side, p.Note); err != nil {
			return fmt.Errorf("posture: %w", err)
		}
	}
	for _, r := range f.ROM {
		if _, err := tx.ExecContext(ctx, `INSERT INTO finding_rom (finding_id, joint, movement, side, mode, degrees, grade, pain, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, r.Joint, r.Movement, r.Side, r.Mode, chartNullInt(r.Degrees), r.Grade, r.Pain, r.Note); err != nil {
			return fmt.Errorf("range of motion: %w", err)
		}
	}
	for _, t := range f.Tests {
		if _, err := tx.ExecContext(ctx, `INSERT INTO finding_tests (finding_id, name, side, result, note) VALUES (?, ?, ?, ?, ?)`,
			id, t.Name, t.Side, t.Result, t.Note); err != nil {
			return fmt.Errorf("special test: %w", err)
		}
	}
	for _, p := range f.Palpation {
		if err := insertPalpation(ctx, tx, id, p); err != nil {
			return err
		}
	}
	for _, p := range f.Points {
		if _, err := tx.ExecContext(ctx, `INSERT INTO finding_points (finding_id, code, side, role, note) VALUES (?, ?, ?, ?, ?)`,
			id, p.Code, p.Side, p.Role, p.Note); err != nil {
			return fmt.Errorf("acupoint: %w", err)
		}
	}
	return nil
}

func insertPalpation(ctx context.Context, tx *sql.Tx, id int64, p clinic.PalpationFinding) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO finding_palpation (finding_id, region, side, muscle, finding_type, tenderness,
		tone, texture, trp_spot_tenderness, trp_taut_band, trp_recognised_pain, trp_referral, trp_twitch, trp_status,
		fascial_direction, fascial_layer, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, p.Region, p.Side, p.Muscle, p.Type, chartNullInt(p.Tenderness), p.Tone, p.Texture, p.Signs.SpotTenderness,
		p.Signs.TautBand, p.Signs.RecognisedPain, p.Signs.Referral, p.Signs.Twitch, p.TrPStatus, p.FascialDirection,
		p.FascialLayer, p.Note)
	if err != nil {
		return fmt.Errorf("palpation: %w", err)
	}
	return nil
}

// FindingsByID reads one findings record for a clinician and records the view.
func (s *Store) FindingsByID(ctx context.Context, by Actor, id int64) (clinic.Findings, error) {
	var f clinic.Findings
	err := s.write(ctx, func(tx *sql.Tx) error {
		list, err := queryFindings(ctx, tx, `f.id = ?`, `finding_id = ?`, id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return fmt.Errorf("findings %d: %w", id, ErrNotFound)
		}
		f = list[0]
		if err := clinicalAccess(ctx, tx, by, f.ClientID); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "view", "findings", id, f.ClientID, "")
	})
	return f, err
}

func clientFindings(ctx context.Context, tx *sql.Tx, clientID int64) ([]clinic.Findings, error) {
	return queryFindings(ctx, tx, `f.client_id = ? ORDER BY f.created_at DESC, f.id DESC`,
		`finding_id IN (SELECT id FROM findings WHERE client_id = ?)`, clientID)
}

// queryFindings reads the findings records that where selects and then their rows, each kind
// in one query for all of them (rowsWhere selects the same records by finding_id).
func queryFindings(ctx context.Context, tx *sql.Tx, where, rowsWhere string, arg any) ([]clinic.Findings, error) {
	rows, err := tx.QueryContext(ctx, `SELECT f.id, f.client_id, f.therapist_id, u.name, coalesce(f.appointment_id, 0), f.kind,
		f.complaint, f.aggravating, f.easing, f.impression, f.confirmed_class, f.chart_regions, f.channels, f.created_at
		FROM findings f JOIN users u ON u.id = f.therapist_id WHERE `+where, arg)
	if err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	var out []clinic.Findings
	for rows.Next() {
		var f clinic.Findings
		var regions, channels string
		var at int64
		if err := rows.Scan(&f.ID, &f.ClientID, &f.TherapistID, &f.TherapistName, &f.AppointmentID, &f.Kind, &f.Complaint,
			&f.Aggravating, &f.Easing, &f.Impression, &f.ConfirmedClass, &regions, &channels, &at); err != nil {
			rows.Close()
			return nil, err
		}
		f.Regions, f.Channels, f.CreatedAt = splitChartCodes(regions), splitChartCodes(channels), unixTime(at)
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, loadFindingRows(ctx, tx, indexByID(out, func(f *clinic.Findings) int64 { return f.ID }), rowsWhere, arg)
}

// findingRows runs a query for one kind of findings row, in the order entered.
func findingRows(ctx context.Context, tx *sql.Tx, q, where string, arg any, fn func(*sql.Rows) error) error {
	return eachChartRow(ctx, tx, q+` WHERE `+where+` ORDER BY finding_id, id`, arg, fn)
}

func loadFindingRows(ctx context.Context, tx *sql.Tx, byID map[int64]*clinic.Findings, where string, arg any) error {
	err := findingRows(ctx, tx, `SELECT finding_id, observation, side, note FROM finding_posture`, where, arg,
		func(r *sql.Rows) error {
			var p clinic.PostureFinding
			var id int64
			if err := r.Scan(&id, &p.Observation, &p.Side, &p.Note); err != nil {
				return err
			}
			if f := byID[id]; f != nil {
				f.Posture = append(f.Posture, p)
			}
			return nil
		})
	if err != nil {
		return err
	}
	err = findingRows(ctx, tx, `SELECT finding_id, joint, movement, side, mode, degrees, grade, pain, note FROM finding_rom`,
		where, arg, func(r *sql.Rows) error {
			var m clinic.ROMFinding
			var id int64
			var deg sql.NullInt64
			if err := r.Scan(&id, &m.Joint, &m.Movement, &m.Side, &m.Mode, &deg, &m.Grade, &m.Pain, &m.Note); err != nil {
				return err
			}
			if f := byID[id]; f != nil {
				m.Degrees = chartIntPtr(deg)
				f.ROM = append(f.ROM, m)
			}
			return nil
		})
	if err != nil {
		return err
	}
	err = findingRows(ctx, tx, `SELECT finding_id, name, side, result, note FROM finding_tests`, where, arg,
		func(r *sql.Rows) error {
			var t clinic.TestFinding
			var id int64
			if err := r.Scan(&id, &t.Name, &t.Side, &t.Result, &t.Note); err != nil {
				return err
			}
			if f := byID[id]; f != nil {
				f.Tests = append(f.Tests, t)
			}
			return nil
		})
	if err != nil {
		return err
	}
	if err := loadPalpation(ctx, tx, byID, where, arg); err != nil {
		return err
	}
	return findingRows(ctx, tx, `SELECT finding_id, code, side, role, note FROM finding_points`, where, arg,
		func(r *sql.Rows) error {
			var p clinic.PointFinding
			var id int64
			if err := r.Scan(&id, &p.Code, &p.Side, &p.Role, &p.Note); err != nil {
				return err
			}
			if f := byID[id]; f != nil {
				f.Points = append(f.Points, p)
			}
			return nil
		})
}

func loadPalpation(ctx context.Context, tx *sql.Tx, byID map[int64]*clinic.Findings, where string, arg any) error {
	return findingRows(ctx, tx, `SELECT finding_id, region, side, muscle, finding_type, tenderness, tone, texture,
		trp_spot_tenderness, trp_taut_band, trp_recognised_pain, trp_referral, trp_twitch, trp_status, fascial_direction,
		fascial_layer, note FROM finding_palpation`, where, arg, func(r *sql.Rows) error {
		var p clinic.PalpationFinding
		var id int64
		var t sql.NullInt64
		if err := r.Scan(&id, &p.Region, &p.Side, &p.Muscle, &p.Type, &t, &p.Tone, &p.Texture, &p.Signs.SpotTenderness,
			&p.Signs.TautBand, &p.Signs.RecognisedPain, &p.Signs.Referral, &p.Signs.Twitch, &p.TrPStatus,
			&p.FascialDirection, &p.FascialLayer, &p.Note); err != nil {
			return err
		}
		if f := byID[id]; f != nil {
			p.Tenderness = chartIntPtr(t)
			f.Palpation = append(f.Palpation, p)
		}
		return nil
	})
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

// MayTreat returns nil when the actor may read and write the client's clinical record, and
// ErrNotFound otherwise. Handlers ask it before looking at a form, so a person without access
// learns nothing from the answer, not even which field was wrong. Nothing is read, so nothing
// is audited.
func (s *Store) MayTreat(ctx context.Context, by Actor, clientID int64) error {
	return s.read(ctx, func(tx *sql.Tx) error { return clinicalAccess(ctx, tx, by, clientID) })
}

// MayTreatPlan is MayTreat for the client a plan belongs to.
func (s *Store) MayTreatPlan(ctx context.Context, by Actor, planID int64) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		clientID, err := planClient(ctx, tx, planID)
		if err != nil {
			return err
		}
		return clinicalAccess(ctx, tx, by, clientID)
	})
}
