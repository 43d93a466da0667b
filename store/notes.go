package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"allium/clinic"
)

// ErrNoteSigned says a signed note was asked to change. It comes joined with ErrConflict: the
// only way to add to a signed note is an addendum.
var ErrNoteSigned = errors.New("the note is signed; add an addendum instead")

// AppointmentNote is the note of one appointment as a clinician opens it: the note (a new
// draft when none was saved), its appointment, whether the reader may edit it, and what the
// form offers. The store locks a signed note, and the schema's triggers are the backstop.
type AppointmentNote struct {
	clinic.SessionNote
	Appointment Appointment
	Editable    bool
	NotYet      string            // why the note cannot be written yet (a session days ahead); "" otherwise
	Goals       []clinic.PlanGoal // the plan's goals, for this session's scores
	Plans       []PlanRef         // the client's plans the session may belong to
	Findings    []FindingsRef     // the client's findings the note may refer to
}

// PlanRef and FindingsRef name a plan or a findings record in a choice list.
type PlanRef struct {
	ID        int64
	Status    clinic.PlanStatus
	StartDate clinic.Date
}

// FindingsRef names a findings record in a choice list.
type FindingsRef struct {
	ID        int64
	Kind      string
	CreatedAt time.Time
}

// NoteForAppointment reads the note of an appointment for a clinician, or a new empty one
// (ID 0) when none has been saved, with what the form needs; the view is recorded.
func (s *Store) NoteForAppointment(ctx context.Context, by Actor, apptID int64) (AppointmentNote, error) {
	var n AppointmentNote
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.readNote(ctx, tx, by, `n.appointment_id = ?`, apptID, apptID)
		if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, s.auditRead(ctx, by, "view", "note", n.ID, n.Appointment.ClientID, fmt.Sprintf("appointment %d", apptID))
}

// NoteByID reads a saved note for a clinician and records the view.
func (s *Store) NoteByID(ctx context.Context, by Actor, id int64) (AppointmentNote, error) {
	var n AppointmentNote
	err := s.read(ctx, func(tx *sql.Tx) error {
		var apptID int64
		if err := tx.QueryRowContext(ctx, `SELECT appointment_id FROM session_notes WHERE id = ?`, id).Scan(&apptID); err != nil {
			return fmt.Errorf("note %d: %w", id, translate(err))
		}
		var err error
		if n, err = s.readNote(ctx, tx, by, `n.id = ?`, id, apptID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, s.auditView(ctx, by, "note", id, n.Appointment.ClientID)
}

// readNote loads an appointment's note (or a new one) after checking the reader treats the client.
func (s *Store) readNote(ctx context.Context, tx *sql.Tx, by Actor, where string, arg any, apptID int64) (AppointmentNote, error) {
	appts, err := queryAppts(ctx, tx, `a.id = ?`, apptID)
	if err != nil {
		return AppointmentNote{}, err
	}
	if len(appts) == 0 {
		return AppointmentNote{}, fmt.Errorf("appointment %d: %w", apptID, ErrNotFound)
	}
	if err := clinicalAccess(ctx, tx, by, appts[0].ClientID); err != nil {
		return AppointmentNote{}, err
	}
	note, err := scanNote(ctx, tx, where, arg)
	if errors.Is(err, sql.ErrNoRows) {
		note, err = clinic.SessionNote{Status: "draft"}, nil
		if note.PlanID, err = defaultNotePlan(ctx, tx, appts[0]); err != nil {
			return AppointmentNote{}, err
		}
	}
	if err != nil {
		return AppointmentNote{}, err
	}
	n := AppointmentNote{SessionNote: note, Appointment: appts[0]}
	if !n.Signed() {
		err := s.noteWriter(ctx, tx, by, n.Appointment, clinic.ApptDraftNote)
		var timing *clinic.ErrApptTiming
		if errors.As(err, &timing) {
			n.NotYet = timing.Error()
		}
		n.Editable = err == nil
	}
	return n, noteExtras(ctx, tx, &n)
}

// noteWriter allows only the appointment's own therapist to write its note, and then as
// clinic's appointment rules say for ev (drafting or signing): a session that takes place,
// written from its day and signed once it has started. A refusal for the time is clinic's
// *ErrApptTiming, whose sentence the therapist reads.
func (s *Store) noteWriter(ctx context.Context, tx *sql.Tx, by Actor, a Appointment, ev clinic.ApptEvent) error {
	if by.UserID == 0 || by.UserID != a.TherapistID {
		return fmt.Errorf("note of appointment %d: %w", a.ID, ErrForbidden)
	}
	set, err := s.settingsIn(ctx, tx)
	if err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	_, err = clinic.NextApptStatus(a.Change(ev, apptRole(by), s.now(), set, loc))
	var status *clinic.ErrApptStatus
	if errors.As(err, &status) {
		return fmt.Errorf("appointment %d is %s: %w", a.ID, a.Status, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("note of appointment %d: %w", a.ID, err)
	}
	return nil
}

func scanNote(ctx context.Context, tx *sql.Tx, where string, arg any) (clinic.SessionNote, error) {
	var n clinic.SessionNote
	var pain, signed sql.NullInt64
	var created, updated int64
	err := tx.QueryRowContext(ctx, `SELECT n.id, coalesce(n.plan_id, 0), coalesce(n.findings_id, 0), n.status, n.subjective,
		n.pain_today, n.change_since_last, n.objective, n.response, n.progress, n.next_focus, n.home_care, n.adverse,
		n.adverse_severity, n.adverse_note, n.version, n.created_at, n.updated_at, n.signed_at, coalesce(u.name, '')
		FROM session_notes n LEFT JOIN users u ON u.id = n.signed_by WHERE `+where, arg).Scan(&n.ID, &n.PlanID,
		&n.FindingsID, &n.Status, &n.Subjective, &pain, &n.Change, &n.Objective, &n.Response, &n.Progress, &n.NextFocus,
		&n.HomeCare, &n.Adverse, &n.AdverseSeverity, &n.AdverseNote, &n.Version, &created, &updated, &signed, &n.SignedBy)
	if err != nil {
		return n, err
	}
	n.PainToday, n.CreatedAt, n.UpdatedAt, n.SignedAt = chartIntPtr(pain), unixTime(created), unixTime(updated), nullUnix(signed)
	if err := loadNoteRows(ctx, tx, &n); err != nil {
		return n, err
	}
	return n, nil
}

func loadNoteRows(ctx context.Context, tx *sql.Tx, n *clinic.SessionNote) error {
	err := eachChartRow(ctx, tx, `SELECT technique, region, side, muscle, point, minutes, pressure, note FROM note_treatments
		WHERE note_id = ? ORDER BY position`, n.ID, func(r *sql.Rows) error {
		var t clinic.NoteTreatment
		var min sql.NullInt64
		err := r.Scan(&t.Technique, &t.Region, &t.Side, &t.Muscle, &t.Point, &min, &t.Pressure, &t.Note)
		t.Minutes = chartIntPtr(min)
		n.Treatments = append(n.Treatments, t)
		return err
	})
	if err != nil {
		return fmt.Errorf("note treatments: %w", err)
	}
	n.Scores = map[int64]float64{}
	err = eachChartRow(ctx, tx, `SELECT goal_id, value FROM outcome_readings WHERE note_id = ?`, n.ID, func(r *sql.Rows) error {
		var id int64
		var v float64
		err := r.Scan(&id, &v)
		n.Scores[id] = v
		return err
	})
	if err != nil {
		return fmt.Errorf("note scores: %w", err)
	}
	return eachChartRow(ctx, tx, `SELECT d.id, d.text, u.name, d.created_at FROM note_addenda d JOIN users u ON u.id = d.author_id
		WHERE d.note_id = ? ORDER BY d.id`, n.ID, func(r *sql.Rows) error {
		var d clinic.NoteAddendum
		var at int64
		err := r.Scan(&d.ID, &d.Text, &d.Author, &at)
		d.At = unixTime(at)
		n.Addenda = append(n.Addenda, d)
		return err
	})
}

// defaultNotePlan is the plan a new note belongs to: its course's plan, else the client's
// newest plan that is under way.
func defaultNotePlan(ctx context.Context, tx *sql.Tx, a Appointment) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT plan_id FROM courses WHERE id = ?),
		(SELECT id FROM treatment_plans WHERE client_id = ? AND status IN ('active', 'extended', 'reassess_due')
		 ORDER BY id DESC LIMIT 1), 0)`, a.CourseID, a.ClientID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("note plan: %w", err)
	}
	return id, nil
}

// noteExtras fills the choices the note form offers: the plan's goals, the client's plans and
// findings records.
func noteExtras(ctx context.Context, tx *sql.Tx, n *AppointmentNote) error {
	clientID := n.Appointment.ClientID
	err := eachChartRow(ctx, tx, `SELECT id, status, start_date FROM treatment_plans WHERE client_id = ?
		AND status NOT IN ('`+string(clinic.PlanCancelled)+`', '`+string(clinic.PlanEnteredInError)+`') ORDER BY id DESC`, clientID, func(r *sql.Rows) error {
		var p PlanRef
		var start string
		err := r.Scan(&p.ID, &p.Status, &start)
		p.StartDate = parseCivilDay(start)
		n.Plans = append(n.Plans, p)
		return err
	})
	if err != nil {
		return fmt.Errorf("note plans: %w", err)
	}
	err = eachChartRow(ctx, tx, `SELECT id, kind, created_at FROM findings WHERE client_id = ? ORDER BY id DESC`, clientID,
		func(r *sql.Rows) error {
			var f FindingsRef
			var at int64
			err := r.Scan(&f.ID, &f.Kind, &at)
			f.CreatedAt = unixTime(at)
			n.Findings = append(n.Findings, f)
			return err
		})
	if err != nil || n.PlanID == 0 {
		return err
	}
	p := clinic.TreatmentPlan{ID: n.PlanID}
	if err := loadGoals(ctx, tx, &p); err != nil {
		return err
	}
	n.Goals = p.Goals
	return nil
}

// SaveNoteDraft saves the note of an appointment as a draft, creating it on the first save,
// and returns its id. Only the appointment's therapist may write it. A signed note answers
// ErrNoteSigned joined with ErrConflict and is left exactly as it was.
func (s *Store) SaveNoteDraft(ctx context.Context, by Actor, apptID int64, n clinic.SessionNote) (int64, error) {
	return s.saveNote(ctx, by, apptID, n, false)
}

// SignNote saves the note's final text and signs it in one step. From then on it is locked.
// A session that has not started yet answers clinic's *ErrApptTiming, and nothing is saved.
func (s *Store) SignNote(ctx context.Context, by Actor, apptID int64, n clinic.SessionNote) (int64, error) {
	return s.saveNote(ctx, by, apptID, n, true)
}

func (s *Store) saveNote(ctx context.Context, by Actor, apptID int64, n clinic.SessionNote, sign bool) (int64, error) {
	if err := invalidRecord("note", n.Validate(sign)); err != nil {
		return 0, err
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		ev := clinic.ApptDraftNote
		if sign {
			ev = clinic.ApptSignNote
		}
		a, err := s.writableNoteAppointment(ctx, tx, by, apptID, ev)
		if err != nil {
			return err
		}
		if err := noteLinks(ctx, tx, a.ClientID, n); err != nil {
			return err
		}
		now := unix(s.now())
		if id, err = upsertNote(ctx, tx, by, a, n, now); err != nil {
			return err
		}
		if err := replaceNoteRows(ctx, tx, by, a, id, n); err != nil {
			return err
		}
		action, detail := "update", "draft"
		if sign {
			action, detail = "sign", "signed"
			if _, err := tx.ExecContext(ctx, `UPDATE session_notes SET status = 'signed', signed_at = ?, signed_by = ?
				WHERE id = ?`, now, by.UserID, id); err != nil {
				return fmt.Errorf("sign note: %w", err)
			}
		}
		if err := audit(ctx, tx, by, now, action, "note", id, a.ClientID, detail); err != nil || !sign {
			return err
		}
		// A signed note counts its session as done for the plan, as a completion does.
		today, _, err := s.today(ctx, tx)
		if err != nil {
			return err
		}
		return s.markDuePlans(ctx, tx, a.ClientID, today)
	})
	return id, err
}

func (s *Store) writableNoteAppointment(ctx context.Context, tx *sql.Tx, by Actor, apptID int64, ev clinic.ApptEvent) (Appointment, error) {
	appts, err := queryAppts(ctx, tx, `a.id = ?`, apptID)
	if err != nil {
		return Appointment{}, err
	}
	if len(appts) == 0 {
		return Appointment{}, fmt.Errorf("appointment %d: %w", apptID, ErrNotFound)
	}
	a := appts[0]
	if err := clinicalWriter(ctx, tx, by, a.ClientID); err != nil {
		return a, err
	}
	if err := s.noteWriter(ctx, tx, by, a, ev); err != nil {
		return a, err
	}
	var status string
	err = tx.QueryRowContext(ctx, `SELECT status FROM session_notes WHERE appointment_id = ?`, apptID).Scan(&status)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return a, err
	}
	if status == "signed" {
		return a, errors.Join(ErrConflict, ErrNoteSigned)
	}
	return a, nil
}

// noteLinks checks that the plan, findings and goals a note names are the client's.
func noteLinks(ctx context.Context, tx *sql.Tx, clientID int64, n clinic.SessionNote) error {
	if err := planSourcesOf(ctx, tx, NewPlan{ClientID: clientID, FindingsID: n.FindingsID, PreviousPlanID: n.PlanID}); err != nil {
		return err
	}
	if len(n.Scores) > 0 && n.PlanID == 0 {
		return fmt.Errorf("scores without a plan: %w", ErrInvalidRecord)
	}
	for goal := range n.Scores {
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM plan_goals WHERE id = ? AND plan_id = ?)`,
			goal, n.PlanID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("goal %d of plan %d: %w", goal, n.PlanID, ErrNotFound)
		}
	}
	return nil
}

func upsertNote(ctx context.Context, tx *sql.Tx, by Actor, a Appointment, n clinic.SessionNote, now int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO session_notes (appointment_id, client_id, therapist_id, plan_id, findings_id,
		subjective, pain_today, change_since_last, objective, response, progress, next_focus, home_care, adverse,
		adverse_severity, adverse_note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (appointment_id) DO UPDATE SET plan_id = excluded.plan_id, findings_id = excluded.findings_id,
		subjective = excluded.subjective, pain_today = excluded.pain_today, change_since_last = excluded.change_since_last,
		objective = excluded.objective, response = excluded.response, progress = excluded.progress,
		next_focus = excluded.next_focus, home_care = excluded.home_care, adverse = excluded.adverse,
		adverse_severity = excluded.adverse_severity, adverse_note = excluded.adverse_note,
		version = session_notes.version + 1, updated_at = excluded.updated_at
		RETURNING id`, a.ID, a.ClientID, by.UserID, chartNullID(n.PlanID), chartNullID(n.FindingsID), n.Subjective,
		chartNullInt(n.PainToday), n.Change, n.Objective, n.Response, n.Progress, n.NextFocus, n.HomeCare, n.Adverse,
		n.AdverseSeverity, n.AdverseNote, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save note: %w", err)
	}
	return id, nil
}

// replaceNoteRows rewrites a draft's treatments and scores; the triggers refuse it once signed.
func replaceNoteRows(ctx context.Context, tx *sql.Tx, by Actor, a Appointment, id int64, n clinic.SessionNote) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM note_treatments WHERE note_id = ?`, id); err != nil {
		return fmt.Errorf("note treatments: %w", err)
	}
	for i, t := range n.Treatments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO note_treatments (note_id, position, technique, region, side, muscle,
			point, minutes, pressure, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, i, t.Technique, t.Region, t.Side,
			t.Muscle, t.Point, chartNullInt(t.Minutes), t.Pressure, t.Note); err != nil {
			return fmt.Errorf("note treatment: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outcome_readings WHERE note_id = ?`, id); err != nil {
		return fmt.Errorf("note scores: %w", err)
	}
	for goal, v := range n.Scores {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outcome_readings (client_id, plan_id, goal_id, note_id, value, taken_at,
			recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ClientID, n.PlanID, goal, id, v, unix(a.Start),
			chartNullID(by.UserID)); err != nil {
			return fmt.Errorf("note score: %w", err)
		}
	}
	return nil
}

// AddAddendum adds text to a signed note. Any clinician who treats the client may; a draft is
// edited instead (ErrConflict).
func (s *Store) AddAddendum(ctx context.Context, by Actor, noteID int64, text string) error {
	if !clinic.ValidAddendum(text) {
		return fmt.Errorf("addendum of %d characters: %w", utf8.RuneCountInString(text), ErrInvalidRecord)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var clientID int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT client_id, status FROM session_notes WHERE id = ?`, noteID).Scan(&clientID, &status)
		if err != nil {
			return fmt.Errorf("note %d: %w", noteID, translate(err))
		}
		if err := clinicalWriter(ctx, tx, by, clientID); err != nil {
			return err
		}
		if status != "signed" {
			return fmt.Errorf("addendum to a draft note: %w", ErrConflict)
		}
		now := unix(s.now())
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO note_addenda (note_id, text, author_id, created_at) VALUES (?, ?, ?, ?)
			RETURNING id`, noteID, text, by.UserID, now).Scan(&id); err != nil {
			return fmt.Errorf("add addendum: %w", err)
		}
		return audit(ctx, tx, by, now, "addendum", "note", noteID, clientID, fmt.Sprintf("addendum %d", id))
	})
}

// MayWriteNote returns nil when the actor may write the note of this appointment now: their own
// appointment, a client they treat, a note not yet signed. Handlers ask before reading the form.
func (s *Store) MayWriteNote(ctx context.Context, by Actor, apptID int64) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		_, err := s.writableNoteAppointment(ctx, tx, by, apptID, clinic.ApptDraftNote)
		return err
	})
}
