package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"allium"
	"allium/clinic"
	"allium/store"
)

// person is someone the load runs sign in as, read from the database.
type person struct {
	UserID   int64
	ClientID int64
	Email    string
	Name     string
	Role     clinic.Role
}

// env is what the page table draws on: the people, the day measured, the database (read-only
// for picking, through the store for the query floors) and the running server.
type env struct {
	ctx      context.Context
	db       *sql.DB
	st       *store.Store
	loc      *time.Location
	base     string
	password string

	Day        clinic.Date // the busiest day of the coming week: what the day views show
	Owner      person
	Reception  person
	Therapist  person   // the busiest therapist on Day
	Client     person   // a client with a password, who books online
	Bookers    []person // clients with passwords who share the booking run, Client first
	Chart      int64    // a client with about 200 sessions (the most, if none has that many)
	ChartCount int
	Plan       int64 // the plan the plan page shows, once picked
	Counts     dbCounts
	signedIn   map[clinic.Role]identity
	byEmail    map[string]identity
}

// dbCounts is the size of the clinic measured.
type dbCounts struct {
	Therapists, Rooms, Clients, Appointments int
	Bytes                                    int64
}

// openEnv opens the database read-only for picking and the store for the query floors.
func openEnv(ctx context.Context, path, password string) (*env, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_query_only=true&_busy_timeout=5000")
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, path, allium.Schema)
	if err != nil {
		db.Close()
		return nil, err
	}
	set, err := st.Settings(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := set.Location()
	if err != nil {
		return nil, err
	}
	return &env{ctx: ctx, db: db, st: st, loc: loc, password: password, signedIn: map[clinic.Role]identity{},
		byEmail: map[string]identity{}}, nil
}

func (e *env) close() error { return errors.Join(e.st.Close(), e.db.Close()) }

// pick chooses the people and the day from what is in the database.
func (e *env) pick() error {
	c := &e.Counts
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM users WHERE role = 'therapist' AND active = 1`: &c.Therapists,
		`SELECT count(*) FROM rooms WHERE active = 1`:                        &c.Rooms,
		`SELECT count(*) FROM clients`:                                       &c.Clients,
		`SELECT count(*) FROM appointments`:                                  &c.Appointments,
	} {
		if err := e.db.QueryRowContext(e.ctx, q).Scan(dst); err != nil {
			return err
		}
	}
	e.Day = e.busiestDay()
	var err error
	if e.Owner, err = e.staff(`role = 'owner'`); err != nil {
		return fmt.Errorf("no owner to sign in as: %w", err)
	}
	e.Reception, _ = e.staff(`role = 'reception'`)
	from, to := e.dayRange(e.Day)
	if e.Therapist, err = e.staff(`role = 'therapist' ORDER BY (SELECT count(*) FROM appointments a
		WHERE a.therapist_id = u.id AND a.starts_at >= ? AND a.starts_at < ?) DESC`, from, to); err != nil {
		return fmt.Errorf("no therapist to sign in as: %w", err)
	}
	e.Bookers = e.clients(maxBookers)
	if len(e.Bookers) > 0 {
		e.Client = e.Bookers[0]
	}
	// The client nearest 200 sessions: the chart page's stated load.
	_ = e.db.QueryRowContext(e.ctx, `SELECT client_id, count(*) AS n FROM appointments GROUP BY client_id
		ORDER BY abs(n - 200), n DESC LIMIT 1`).Scan(&e.Chart, &e.ChartCount)
	return nil
}

// staff finds an active user with a password matching the condition on users u.
func (e *env) staff(cond string, args ...any) (person, error) {
	p := person{}
	err := e.db.QueryRowContext(e.ctx, `SELECT u.id, u.email, u.name, u.role FROM users u
		WHERE u.active = 1 AND u.password_hash <> '' AND `+cond+` LIMIT 1`, args...).Scan(&p.UserID, &p.Email, &p.Name, &p.Role)
	return p, err
}

// maxBookers is how many clients share the booking run. One person is never in two sessions
// at once, so with one client only one course could start in each time cell.
const maxBookers = 8

// clients finds up to n active clients with passwords, with their client records.
func (e *env) clients(n int) []person {
	rows, err := e.db.QueryContext(e.ctx, `SELECT u.id, c.id, u.email, u.name, u.role FROM users u
		JOIN clients c ON c.user_id = u.id WHERE u.role = 'client' AND u.active = 1 AND u.password_hash <> ''
		ORDER BY u.id LIMIT ?`, n)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []person
	for rows.Next() {
		var p person
		if rows.Scan(&p.UserID, &p.ClientID, &p.Email, &p.Name, &p.Role) == nil {
			out = append(out, p)
		}
	}
	return out
}

func (e *env) dayRange(d clinic.Date) (int64, int64) {
	from := time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, e.loc)
	return from.Unix(), time.Date(d.Y, d.M, d.D+1, 0, 0, 0, 0, e.loc).Unix()
}

// busiestDay is the day of the next seven with the most appointments: the day view's worst case.
func (e *env) busiestDay() clinic.Date {
	today := clinic.DateOf(time.Now(), e.loc)
	best, most := today, -1
	for i := range 7 {
		d := today.AddDays(i)
		from, to := e.dayRange(d)
		var n int
		if err := e.db.QueryRowContext(e.ctx, `SELECT count(*) FROM appointments WHERE starts_at >= ? AND starts_at < ?`,
			from, to).Scan(&n); err == nil && n > most {
			best, most = d, n
		}
	}
	return best
}

// hasTable reports whether the schema has a table, for pages whose tables arrive later.
func (e *env) hasTable(name string) bool {
	var n int
	_ = e.db.QueryRowContext(e.ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0
}

// as is the identity of a role, signed in once and reused by every connection.
func (e *env) as(role clinic.Role) (identity, error) {
	if role == "" {
		return identity{}, nil
	}
	if id, ok := e.signedIn[role]; ok {
		return id, nil
	}
	var p person
	switch role {
	case clinic.RoleOwner:
		p = e.Owner
	case clinic.RoleReception:
		p = e.Reception
	case clinic.RoleTherapist:
		p = e.Therapist
	case clinic.RoleClient:
		p = e.Client
	}
	if p.Email == "" {
		return identity{}, fmt.Errorf("no %s with a password in the database", role)
	}
	id, err := e.identityOf(p)
	if err != nil {
		return id, err
	}
	e.signedIn[role] = id
	return id, nil
}

// identityOf signs a person in, once; later calls reuse the identity.
func (e *env) identityOf(p person) (identity, error) {
	if id, ok := e.byEmail[p.Email]; ok {
		return id, nil
	}
	id, err := signIn(e.base, p.Email, e.password)
	if err == nil {
		e.byEmail[p.Email] = id
	}
	return id, err
}

// actor is the store's view of a person, for the query floors.
func (p person) actor() store.Actor {
	return store.Actor{UserID: p.UserID, Role: p.Role, ClientID: p.ClientID}
}
