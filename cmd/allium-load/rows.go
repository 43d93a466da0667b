package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"allium/store"
)

// courseRowsFloor is what any booking code pays for the rows alone: the rows the POST run's
// courses wrote (each course, its appointments with their triggers, its mail and its audit row)
// inserted again, one course per transaction, by four INSERT ... SELECT statements from indexed
// copies, with no checks and no Go between them. It is the course_rows floor of the store's
// booking benchmark, taken here from the very courses the load run booked, in the same run.
// It runs on the scratch copy after the server has stopped; courses with ids above after are
// the run's.
func courseRowsFloor(ctx context.Context, path string, after int64, dur time.Duration) opFloor {
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_journal_mode=WAL&_synchronous="+store.Synchronous+
		"&_busy_timeout=5000&_txlock=immediate")
	if err != nil {
		return opFloor{Err: err}
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the temp tables live on the one connection
	var ids []int64
	err = scanRows(ctx, db, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	}, `SELECT id FROM courses WHERE id > ? ORDER BY id LIMIT 100`, after)
	if err == nil && len(ids) == 0 {
		err = fmt.Errorf("the run booked no course")
	}
	if err != nil {
		return opFloor{Err: err}
	}
	cols := map[string]string{}
	for _, t := range []string{"outbox", "audit_log"} {
		var names []string
		if err := scanRows(ctx, db, func(r *sql.Rows) error {
			var n string
			err := r.Scan(&n)
			names = append(names, n)
			return err
		}, `SELECT name FROM pragma_table_info(?)`, t); err != nil {
			return opFloor{Err: err}
		}
		cols[t] = strings.Join(names, ", ")
	}
	var setup []string
	for _, q := range []string{
		`CREATE TEMP TABLE c_courses AS SELECT * FROM courses WHERE id IN (%s)`,
		`CREATE TEMP TABLE c_appts AS SELECT * FROM appointments WHERE course_id IN (%s)`,
		`CREATE TEMP TABLE c_outbox AS SELECT coalesce(a.course_id, o.ref_id) AS course, o.* FROM outbox o
			LEFT JOIN appointments a ON o.ref_type = 'appointment' AND a.id = o.ref_id
			WHERE (o.ref_type = 'course' AND o.ref_id IN (%[1]s)) OR (o.ref_type = 'appointment' AND a.course_id IN (%[1]s))`,
		`CREATE TEMP TABLE c_audit AS SELECT a.course_id AS course, l.* FROM audit_log l JOIN appointments a ON a.id = l.record_id
			WHERE l.action = 'book' AND l.record_type = 'appointment' AND a.course_id IN (%s) AND a.course_index = 1`,
	} {
		setup = append(setup, fmt.Sprintf(q, placeholderList(ids)))
	}
	setup = append(setup, `CREATE INDEX temp.c_courses_id ON c_courses(id)`, `CREATE INDEX temp.c_appts_course ON c_appts(course_id)`,
		`CREATE INDEX temp.c_outbox_course ON c_outbox(course)`, `CREATE INDEX temp.c_audit_course ON c_audit(course)`)
	for _, q := range setup {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return opFloor{Err: fmt.Errorf("copy the run's courses: %w", err)}
		}
	}
	// Taking the copies out is the tool's bookkeeping, not what the floor measures, and without
	// foreign key checks: nothing refers to the run's bookings, but checking that an appointment
	// deleted has no invoice reads every invoice (their appointment index is partial, of
	// invoices only), 6.7 s a course on the large demo with its money.
	remove := func() error {
		if _, err := db.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return err
		}
		err := inTx(ctx, db, []string{
			`DELETE FROM outbox WHERE id IN (SELECT id FROM c_outbox)`,
			`DELETE FROM audit_log WHERE id IN (SELECT id FROM c_audit)`,
			`DELETE FROM appointments WHERE id IN (SELECT id FROM c_appts)`,
			`DELETE FROM courses WHERE id IN (SELECT id FROM c_courses)`,
		})
		if _, ferr := db.ExecContext(ctx, `PRAGMA foreign_keys = ON`); err == nil {
			err = ferr
		}
		return err
	}
	if err := remove(); err != nil {
		return opFloor{Err: err}
	}
	insert := []string{
		`INSERT INTO courses SELECT * FROM c_courses WHERE id = ?`,
		`INSERT INTO appointments SELECT * FROM c_appts WHERE course_id = ?`,
		`INSERT INTO audit_log (` + cols["audit_log"] + `) SELECT ` + cols["audit_log"] + ` FROM c_audit WHERE course = ?`,
		`INSERT INTO outbox (` + cols["outbox"] + `) SELECT ` + cols["outbox"] + ` FROM c_outbox WHERE course = ?`,
	}
	i := 0
	return measureOpAside(ctx, dur, func(ctx context.Context) error {
		id := ids[i%len(ids)]
		i++
		return inTx(ctx, db, insert, id)
	}, func() (bool, error) {
		if i == 0 || i%len(ids) != 0 {
			return false, nil
		}
		return true, remove() // every copy is back in: take them out again
	})
}

// measureOpAside is measureOp with bookkeeping between operations that is not timed: aside runs
// before each operation, and when it says it did something, its wall time and this process's
// CPU over it are left out of the floor. (Taking the course copies out again was counted once,
// and on the large demo the report summaries' delete triggers made it dearer than the inserts
// it is there for.)
func measureOpAside(ctx context.Context, dur time.Duration, op func(context.Context) error, aside func() (bool, error)) opFloor {
	warm := time.Now().Add(dur / 5)
	for time.Now().Before(warm) {
		if _, err := aside(); err != nil {
			return opFloor{Err: err}
		}
		if err := op(ctx); err != nil {
			return opFloor{Err: err}
		}
	}
	var lat []time.Duration
	var skipWall, skipCPU time.Duration
	m := startCPU(0)
	end := time.Now().Add(dur)
	for time.Now().Before(end) {
		w0, c0 := time.Now(), selfCPU()
		did, err := aside()
		if err != nil {
			return opFloor{Err: err}
		}
		if did {
			w := time.Since(w0)
			skipWall, skipCPU, end = skipWall+w, skipCPU+selfCPU()-c0, end.Add(w)
		}
		t0 := time.Now()
		if err := op(ctx); err != nil {
			return opFloor{Err: err}
		}
		lat = append(lat, time.Since(t0))
	}
	u := m.stop()
	wall := u.Wall - skipWall
	return opFloor{Ops: len(lat), PerSecond: float64(len(lat)) / wall.Seconds(), CPU: perOp(u.Self-skipCPU, len(lat)),
		Latency: summarise(lat)}
}

// inTx runs the statements, each with args, in one transaction.
func inTx(ctx context.Context, db *sql.DB, stmts []string, args ...any) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

func scanRows(ctx context.Context, db *sql.DB, each func(*sql.Rows) error, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// placeholderList writes ids as a literal SQL list; they are integers read from the database.
func placeholderList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}
