package store

import (
	"context"
	"database/sql"
	"fmt"

	"allium/clinic"
)

// ImportReport is what an import did: the rows it created and those it skipped, with why.
type ImportReport struct {
	Created []clinic.ImportRow
	Skipped []clinic.ImportRow
}

// ClientImportKeys returns the keys (clinic.ImportKeys) of every client here, for the preview
// to mark the rows that match one. Owner only.
func (s *Store) ClientImportKeys(ctx context.Context, by Actor) (map[string]bool, error) {
	if err := ownerOnly(by); err != nil {
		return nil, err
	}
	return clientKeys(ctx, s.r)
}

func clientKeys(ctx context.Context, db rowsQuerier) (map[string]bool, error) {
	keys := map[string]bool{}
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var name, email, birth string
		if err := r.Scan(&name, &email, &birth); err != nil {
			return err
		}
		for _, k := range clinic.ImportKeys(name, email, birth) {
			keys[k] = true
		}
		return nil
	}, `SELECT name, email, birth_date FROM clients WHERE merged_into IS NULL`)
	return keys, err
}

// ImportClients creates the clients of an import in one transaction: every row without a
// problem, or none if anything fails. Duplicates are marked again inside the transaction, so
// a client added since the preview is not made twice. Owner only; audited as one event.
func (s *Store) ImportClients(ctx context.Context, by Actor, rows []clinic.ImportRow) (ImportReport, error) {
	var rep ImportReport
	if err := ownerOnly(by); err != nil {
		return rep, err
	}
	rows = append([]clinic.ImportRow(nil), rows...)
	err := s.write(ctx, func(tx *sql.Tx) error {
		rep = ImportReport{}
		keys, err := clientKeys(ctx, tx)
		if err != nil {
			return err
		}
		for i := range rows {
			if rows[i].Duplicate { // as the preview saw it; marked again below
				rows[i].Duplicate, rows[i].Problem = false, ""
			}
		}
		clinic.MarkDuplicates(rows, keys)
		ins, err := tx.PrepareContext(ctx, `INSERT INTO clients (name, email, phone, birth_date, notes, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		now := unix(s.now())
		for _, r := range rows {
			if r.Problem != "" {
				rep.Skipped = append(rep.Skipped, r)
				continue
			}
			if _, err := ins.ExecContext(ctx, r.Name, r.Email, r.Phone, r.BirthDate, r.Note, now, now); err != nil {
				return fmt.Errorf("import line %d: %w", r.Line, err)
			}
			rep.Created = append(rep.Created, r)
		}
		return audit(ctx, tx, by, now, "import", "clients", 0, 0,
			fmt.Sprintf("%d created, %d skipped", len(rep.Created), len(rep.Skipped)))
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}
