package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"allium/clinic"
)

// Actor is who is asking: every store method that touches a person's data takes one and
// filters by it. IP is recorded in the audit log.
type Actor struct {
	UserID   int64
	Role     clinic.Role
	ClientID int64 // the client record of a signed-in client; 0 for staff
	IP       string
}

// System is the actor for work the server does on its own (the demo, the outbox worker).
var System = Actor{Role: "system"}

// Staff reports whether the actor works at the clinic.
func (a Actor) Staff() bool { return a.Role.Staff() || a.Role == System.Role }

// User is a person who can sign in.
type User struct {
	ID        int64
	Role      clinic.Role
	Email     string
	Name      string
	Phone     string
	Active    bool
	HasPass   bool
	TwoFactor bool // signs in with a one-time code after the password
	CreatedAt time.Time
}

const userColumns = `id, role, email, name, phone, active, password_hash <> '', totp_secret <> '', created_at`

// scanUser reads userColumns, then any columns after them into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var created int64
	err := row.Scan(append([]any{&u.ID, &u.Role, &u.Email, &u.Name, &u.Phone, &u.Active, &u.HasPass, &u.TwoFactor, &created}, extra...)...)
	u.CreatedAt = unixTime(created)
	return u, err
}

// NewUser is what CreateUser needs. Password may be empty (an invited staff member or a
// client who signs in with emailed links).
type NewUser struct {
	Role     clinic.Role
	Email    string
	Name     string
	Phone    string
	Password string
	// EmailProven says the person showed they read mail at Email (they followed a link sent
	// there). Only then is a client account joined to a client record reception made for that
	// email: otherwise anyone who typed a client's email would see their bookings and plan.
	EmailProven  bool
	passwordHash string // already hashed (a hold keeps only the hash); used when Password is empty
}

// CreateUser adds a person. Returns ErrConflict if the email is taken. A client user gets a
// client record too, or, with EmailProven, is linked to the unlinked record with that email.
func (s *Store) CreateUser(ctx context.Context, by Actor, nu NewUser) (User, error) {
	var u User
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.createUser(ctx, tx, by, nu)
		return err
	})
	return u, err
}

func (s *Store) createUser(ctx context.Context, tx *sql.Tx, by Actor, nu NewUser) (User, error) {
	if !nu.Role.Valid() {
		return User{}, fmt.Errorf("create user: invalid role %q", nu.Role)
	}
	hash := nu.passwordHash
	if nu.Password != "" {
		var err error
		if hash, err = HashPassword(nu.Password); err != nil {
			return User{}, err
		}
	}
	now := unix(s.now())
	res, err := tx.ExecContext(ctx, `INSERT INTO users (role, email, name, phone, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, nu.Role, nu.Email, nu.Name, nu.Phone, hash, now, now)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", translate(err))
	}
	id, _ := res.LastInsertId()
	if nu.Role == clinic.RoleClient {
		if err := linkClient(ctx, tx, id, nu, now); err != nil {
			return User{}, err
		}
	}
	if err := audit(ctx, tx, by, now, "create", "user", id, 0, string(nu.Role)); err != nil {
		return User{}, err
	}
	return User{ID: id, Role: nu.Role, Email: nu.Email, Name: nu.Name, Phone: nu.Phone, Active: true,
		HasPass: hash != "", CreatedAt: unixTime(now)}, nil
}

// linkClient attaches a new client account to the client record reception made for the same
// email when the email is proven, or makes a record of its own.
func linkClient(ctx context.Context, tx *sql.Tx, userID int64, nu NewUser, now int64) error {
	if nu.EmailProven {
		res, err := tx.ExecContext(ctx, `UPDATE clients SET user_id = ?, updated_at = ?
			WHERE id = (SELECT id FROM clients WHERE email = ? AND user_id IS NULL AND merged_into IS NULL ORDER BY id LIMIT 1)`,
			userID, now, nu.Email)
		if err != nil {
			return fmt.Errorf("link client: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO clients (user_id, name, email, phone, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, userID, nu.Name, nu.Email, nu.Phone, now, now)
	if err != nil {
		return fmt.Errorf("create client record: %w", err)
	}
	return nil
}

// UserByID returns a user. Returns ErrNotFound if there is none.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, translate(err))
	}
	return u, nil
}

// SignedIn returns the user a session names and, for a client, their client record's id (0
// if none): what every signed-in request needs, in one query (two queries were a tenth of a
// light page's CPU).
func (s *Store) SignedIn(ctx context.Context, id int64) (User, int64, error) {
	var clientID int64
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+`,
		coalesce((SELECT c.id FROM clients c WHERE c.user_id = users.id), 0) FROM users WHERE id = ?`, id), &clientID)
	if err != nil {
		return User{}, 0, fmt.Errorf("user %d: %w", id, translate(err))
	}
	return u, clientID, nil
}

// UserByEmail returns a user by email, any case. Returns ErrNotFound if there is none.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if err != nil {
		return User{}, fmt.Errorf("user by email: %w", translate(err))
	}
	return u, nil
}

// ClientIDForUser returns the client record of a client user, or 0 for staff.
func (s *Store) ClientIDForUser(ctx context.Context, userID int64) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM clients WHERE user_id = ?`, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// ErrBadCredentials is returned for a wrong password, an unknown email and an inactive account
// alike, so a caller cannot tell which.
var ErrBadCredentials = errors.New("email or password is not right")

// Authenticate checks an email and password. Returns ErrBadCredentials on any mismatch.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	var hash string
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if err == nil {
		err = s.r.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&hash)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if err != nil || hash == "" {
		checkPassword(dummyHash, password) // same work as a real check
		return User{}, ErrBadCredentials
	}
	if !checkPassword(hash, password) || !u.Active {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// SetPassword changes a user's password and ends all their sessions on the server, keeping
// none: the caller starts a fresh one.
func (s *Store) SetPassword(ctx context.Context, by Actor, userID int64, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, now, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return audit(ctx, tx, by, now, "password_change", "user", userID, 0, "")
	})
}

// Staff lists the clinic's staff, owners first.
func (s *Store) Staff(ctx context.Context) ([]User, error) {
	return s.queryUsers(ctx, `WHERE role <> 'client'
		ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'therapist' THEN 1 ELSE 2 END, name`)
}

// queryUsers runs a users query given its WHERE and ORDER clauses.
func (s *Store) queryUsers(ctx context.Context, where string, args ...any) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetActive activates or deactivates a staff member; deactivating ends their sessions.
// The owner cannot deactivate themselves (the clinic would be left without an owner).
func (s *Store) SetActive(ctx context.Context, by Actor, userID int64, active bool) error {
	if userID == by.UserID && !active {
		return fmt.Errorf("deactivate yourself: %w", ErrConflict)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE users SET active = ?, updated_at = ? WHERE id = ? AND role <> 'client'`,
			active, now, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if !active {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		action := "deactivate"
		if active {
			action = "activate"
		}
		return audit(ctx, tx, by, now, action, "user", userID, 0, "")
	})
}

// HasOwner reports whether the clinic has been set up.
func (s *Store) HasOwner(ctx context.Context) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'owner' AND active = 1`).Scan(&n)
	return n > 0, err
}

// CreateFirstOwner makes the owner of a new clinic. Returns ErrConflict if an owner exists, so
// the setup page cannot be used twice.
func (s *Store) CreateFirstOwner(ctx context.Context, ip string, nu NewUser) (User, error) {
	var u User
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'owner'`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		nu.Role = clinic.RoleOwner
		var err error
		u, err = s.createUser(ctx, tx, Actor{Role: "setup", IP: ip}, nu)
		return err
	})
	return u, err
}
