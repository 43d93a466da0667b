package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"allium/clinic"
)

// Lifetimes of emailed tokens.
const (
	ResetTTL  = time.Hour
	SignInTTL = 15 * time.Minute
	InviteTTL = 7 * 24 * time.Hour
)

// TokenMail is the payload of an email carrying a single-use link.
type TokenMail struct {
	Name  string
	Token string
	Role  string `json:",omitempty"`
}

// StartPasswordReset queues a reset link for an active account with a password. For an unknown
// or inactive email it does nothing and returns nil, so the caller answers the same either way.
// The limits are spent first, for known and unknown emails alike (ErrLimited when over one).
func (s *Store) StartPasswordReset(ctx context.Context, ip, email string, limits ...Limit) error {
	return s.mailToken(ctx, ip, email, TokenReset, "password_reset", ResetTTL, "", limits)
}

// StartSignInLink queues a one-time sign-in link for a client account; like StartPasswordReset
// it is silent about emails it does not know.
func (s *Store) StartSignInLink(ctx context.Context, ip, email string, limits ...Limit) error {
	return s.mailToken(ctx, ip, email, TokenSignIn, "signin_link", SignInTTL, clinic.RoleClient, limits)
}

// mailToken does much the same database work whether or not the email has an account: one
// write transaction with the limits' counts and an audit row either way (the owner sees requests
// for unknown emails too), and for an account the token and its email join it.
func (s *Store) mailToken(ctx context.Context, ip, email, purpose, kind string, ttl time.Duration, only clinic.Role, limits []Limit) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := spend(ctx, tx, s.now(), limits); err != nil {
			return err
		}
		var id int64
		var name string
		var role clinic.Role
		err := tx.QueryRowContext(ctx, `SELECT id, name, role FROM users WHERE email = ? AND active = 1`, email).Scan(&id, &name, &role)
		if errors.Is(err, sql.ErrNoRows) || (only != "" && role != only) {
			return audit(ctx, tx, Actor{Role: "visitor", IP: ip}, unix(s.now()), "request_"+purpose, "email", 0, 0, "no account")
		}
		if err != nil {
			return err
		}
		tok, err := s.issueToken(ctx, tx, id, purpose, ttl)
		if err != nil {
			return err
		}
		now := s.now()
		err = enqueue(ctx, tx, now, Email{Kind: kind, To: email, RefType: "user", RefID: id,
			DedupeKey: fmt.Sprintf("%s:%x", kind, hashID(tok)), Payload: TokenMail{Name: name, Token: tok},
			ExpiresAt: now.Add(ttl)})
		if err != nil {
			return err
		}
		return audit(ctx, tx, Actor{UserID: id, Role: role, IP: ip}, unix(now), "request_"+purpose, "user", id, 0, "")
	})
}

// ResetPassword sets a new password with a reset token, once. It ends every session of the
// user. Returns ErrNotFound for a used, expired or unknown token.
func (s *Store) ResetPassword(ctx context.Context, ip, tok, password string) (User, error) {
	return s.redeem(ctx, ip, tok, TokenReset, password)
}

// AcceptInvite sets an invited staff member's first password. Returns ErrNotFound for a used,
// expired or unknown token.
func (s *Store) AcceptInvite(ctx context.Context, ip, tok, password string) (User, error) {
	return s.redeem(ctx, ip, tok, TokenInvite, password)
}

// UseSignInLink signs a client in with an emailed link, once.
func (s *Store) UseSignInLink(ctx context.Context, ip, tok string) (User, error) {
	return s.redeem(ctx, ip, tok, TokenSignIn, "")
}

func (s *Store) redeem(ctx context.Context, ip, tok, purpose, password string) (User, error) {
	hash := ""
	if password != "" {
		var err error
		if hash, err = HashPassword(password); err != nil {
			return User{}, err
		}
	}
	var u User
	err := s.write(ctx, func(tx *sql.Tx) error {
		uid, err := s.consumeToken(ctx, tx, tok, purpose)
		if err != nil {
			return err
		}
		now := unix(s.now())
		if hash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, now, uid); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, uid); err != nil {
				return err
			}
		}
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND active = 1`, uid))
		if err != nil {
			return err
		}
		return audit(ctx, tx, Actor{UserID: uid, Role: u.Role, IP: ip}, now, "use_"+purpose, "user", uid, 0, "")
	})
	return u, err
}

// InviteStaff makes an account without a password and emails its holder a link to choose one.
// Owner only. Returns ErrConflict if the email is taken.
func (s *Store) InviteStaff(ctx context.Context, by Actor, role clinic.Role, email, name string) (User, error) {
	if by.Role != clinic.RoleOwner {
		return User{}, ErrForbidden
	}
	if !role.Staff() {
		return User{}, fmt.Errorf("invite %q: not a staff role", role)
	}
	var u User
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = s.createUser(ctx, tx, by, NewUser{Role: role, Email: email, Name: name}); err != nil {
			return err
		}
		tok, err := s.issueToken(ctx, tx, u.ID, TokenInvite, InviteTTL)
		if err != nil {
			return err
		}
		now := s.now()
		return enqueue(ctx, tx, now, Email{Kind: "staff_invite", To: email, RefType: "user", RefID: u.ID,
			DedupeKey: fmt.Sprintf("invite:%x", hashID(tok)), ExpiresAt: now.Add(InviteTTL),
			Payload: TokenMail{Name: name, Token: tok, Role: role.Label()}})
	})
	return u, err
}
