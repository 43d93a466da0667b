package store

import (
	"context"
	"database/sql"
	"fmt"

	"allium/clinic"
)

// Findings are written once and never changed (a correction is a new record); clinic.Findings
// says what a valid one is.

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
		if err := correctable(ctx, tx, f); err != nil {
			return err
		}
		now := unix(s.now())
		err := tx.QueryRowContext(ctx, `INSERT INTO findings (client_id, therapist_id, appointment_id, kind, complaint,
			aggravating, easing, impression, confirmed_class, chart_regions, channels, supersedes_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.ClientID, by.UserID, chartNullID(f.AppointmentID),
			f.Kind, f.Complaint, f.Aggravating, f.Easing, f.Impression, f.ConfirmedClass, joinChartCodes(f.Regions),
			joinChartCodes(f.Channels), chartNullID(f.SupersedesID), now).Scan(&id)
		if err != nil {
			return fmt.Errorf("record findings: %w", translate(err))
		}
		if err := insertFindingRows(ctx, tx, id, f); err != nil {
			return err
		}
		detail := f.Kind
		if f.SupersedesID != 0 {
			detail = fmt.Sprintf("%s, corrects %d", f.Kind, f.SupersedesID)
		}
		return audit(ctx, tx, by, now, "create", "findings", id, f.ClientID, detail)
	})
	return id, err
}

// correctable checks that the record a correction supersedes is the same client's and not
// already corrected: another client's is not found, a corrected one is a conflict.
func correctable(ctx context.Context, tx *sql.Tx, f clinic.Findings) error {
	if f.SupersedesID == 0 {
		return nil
	}
	var clientID int64
	var corrected bool
	err := tx.QueryRowContext(ctx, `SELECT client_id, EXISTS (SELECT 1 FROM findings c WHERE c.supersedes_id = f.id)
		FROM findings f WHERE f.id = ?`, f.SupersedesID).Scan(&clientID, &corrected)
	switch {
	case err != nil:
		return fmt.Errorf("findings %d: %w", f.SupersedesID, translate(err))
	case clientID != f.ClientID:
		return fmt.Errorf("findings %d: %w", f.SupersedesID, ErrNotFound)
	case corrected:
		return fmt.Errorf("findings %d is already corrected: %w", f.SupersedesID, ErrConflict)
	}
	return nil
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
	err := s.read(ctx, func(tx *sql.Tx) error {
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
		return nil
	})
	if err != nil {
		return f, err
	}
	return f, s.auditView(ctx, by, "findings", id, f.ClientID)
}

func clientFindings(ctx context.Context, tx *sql.Tx, clientID int64) ([]clinic.Findings, error) {
	return queryFindings(ctx, tx, `f.client_id = ? ORDER BY f.created_at DESC, f.id DESC`,
		`finding_id IN (SELECT id FROM findings WHERE client_id = ?)`, clientID)
}

// queryFindings reads the findings records that where selects and then their rows, each kind
// in one query for all of them (rowsWhere selects the same records by finding_id).
func queryFindings(ctx context.Context, tx *sql.Tx, where, rowsWhere string, arg any) ([]clinic.Findings, error) {
	rows, err := tx.QueryContext(ctx, `SELECT f.id, f.client_id, f.therapist_id, u.name, coalesce(f.appointment_id, 0), f.kind,
		f.complaint, f.aggravating, f.easing, f.impression, f.confirmed_class, f.chart_regions, f.channels, f.created_at,
		coalesce(f.supersedes_id, 0), coalesce(c.id, 0), coalesce(cu.name, ''), coalesce(c.created_at, 0)
		FROM findings f JOIN users u ON u.id = f.therapist_id
		LEFT JOIN findings c ON c.supersedes_id = f.id LEFT JOIN users cu ON cu.id = c.therapist_id WHERE `+where, arg)
	if err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	var out []clinic.Findings
	for rows.Next() {
		var f clinic.Findings
		var regions, channels string
		var at, cAt int64
		var corr clinic.FindingsCorrection
		if err := rows.Scan(&f.ID, &f.ClientID, &f.TherapistID, &f.TherapistName, &f.AppointmentID, &f.Kind, &f.Complaint,
			&f.Aggravating, &f.Easing, &f.Impression, &f.ConfirmedClass, &regions, &channels, &at, &f.SupersedesID,
			&corr.ID, &corr.TherapistName, &cAt); err != nil {
			rows.Close()
			return nil, err
		}
		f.Regions, f.Channels, f.CreatedAt = splitChartCodes(regions), splitChartCodes(channels), unixTime(at)
		if corr.ID != 0 {
			corr.At = unixTime(cAt)
			f.CorrectedBy = &corr
		}
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
