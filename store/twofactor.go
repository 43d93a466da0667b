package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"allium/clinic"
)

// Staff two-factor sign-in: time-based one-time codes (RFC 6238, 30-second steps, six digits,
// the kind every authenticator app makes), checked by pquerna/otp. A code is accepted once:
// the last step used is kept, and a code of that step or an earlier one is refused, so a code
// read over a shoulder or from a log is no use a second time.

// totpOptions are the parameters every authenticator app assumes.
func totpOptions() totp.ValidateOpts {
	return totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
}

// RecoveryCodes is how many single-use recovery codes a staff member gets.
const RecoveryCodes = 10

// EnableTwoFactor turns on two-factor sign-in for the acting staff member with a secret they
// have just proved by a code from their app, and returns their recovery codes, which are shown
// once and kept only as hashes. ErrBadCredentials if the code does not fit.
func (s *Store) EnableTwoFactor(ctx context.Context, by Actor, secret, code string) ([]string, error) {
	if !by.Role.Staff() {
		return nil, ErrNotFound
	}
	step, ok := codeStep(secret, code, s.now(), 0)
	if !ok {
		return nil, ErrBadCredentials
	}
	codes := make([]string, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = ?, totp_step = ?, updated_at = ? WHERE id = ?`,
			secret, step, now, by.UserID); err != nil {
			return err
		}
		if err := saveRecoveryCodes(ctx, tx, by.UserID, codes); err != nil {
			return err
		}
		return audit(ctx, tx, by, now, "enable_2fa", "user", by.UserID, 0, "")
	})
	return codes, err
}

// NewRecoveryCodes replaces the acting staff member's recovery codes with ten new ones.
func (s *Store) NewRecoveryCodes(ctx context.Context, by Actor) ([]string, error) {
	codes := make([]string, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var on bool
		if err := tx.QueryRowContext(ctx, `SELECT totp_secret <> '' FROM users WHERE id = ?`, by.UserID).Scan(&on); err != nil || !on {
			return cmpErr(translate(err), ErrNotFound)
		}
		if err := saveRecoveryCodes(ctx, tx, by.UserID, codes); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "new_recovery_codes", "user", by.UserID, 0, "")
	})
	return codes, err
}

func saveRecoveryCodes(ctx context.Context, tx *sql.Tx, userID int64, codes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, hash) VALUES (?, ?)`, userID, hashID(normalCode(c))); err != nil {
			return err
		}
	}
	return nil
}

// newRecoveryCode is ten letters and digits, in two groups of five: 50 bits, easy to type.
func newRecoveryCode() string {
	s := strings.ToLower(base32.StdEncoding.EncodeToString(randomBytes(10)))[:10]
	return s[:5] + "-" + s[5:]
}

// normalCode is a code as typed, without spaces, dashes or case.
func normalCode(c string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(c)))
}

// codeStep reports whether code is the TOTP code of secret at now, or one step either side (a
// phone's clock drifts), and which step it is. Steps at or before after are refused.
func codeStep(secret, code string, now time.Time, after int64) (int64, bool) {
	code = normalCode(code)
	if len(code) != 6 || secret == "" {
		return 0, false
	}
	step := now.Unix() / 30
	for _, st := range []int64{step - 1, step, step + 1} {
		if st <= after {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*30, 0), totpOptions())
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}

// UseSecondFactor checks a one-time code, or failing that a recovery code, for a user who has
// just given the right password, and uses it up. Returns ErrBadCredentials for a wrong, used
// or replayed code.
func (s *Store) UseSecondFactor(ctx context.Context, ip string, userID int64, code string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var secret string
		var last int64
		var role clinic.Role
		if err := tx.QueryRowContext(ctx, `SELECT totp_secret, totp_step, role FROM users WHERE id = ? AND active = 1`, userID).
			Scan(&secret, &last, &role); err != nil {
			return fmt.Errorf("second factor: %w", translate(err))
		}
		now := unix(s.now())
		by := Actor{UserID: userID, Role: role, IP: ip}
		if step, ok := codeStep(secret, code, s.now(), last); ok {
			_, err := tx.ExecContext(ctx, `UPDATE users SET totp_step = ? WHERE id = ?`, step, userID)
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL`,
			now, userID, hashID(normalCode(code)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrBadCredentials
		}
		return audit(ctx, tx, by, now, "use_recovery_code", "user", userID, 0, "")
	})
}

// RecoveryCodesLeft is how many unused recovery codes the acting user has.
func (s *Store) RecoveryCodesLeft(ctx context.Context, by Actor) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, by.UserID).Scan(&n)
	return n, err
}

// ResetTwoFactor turns off a staff member's second factor and ends their sessions, so they
// sign in with their password and set it up again: the way back for someone who lost both
// their phone and their recovery codes. Owner only; audited.
func (s *Store) ResetTwoFactor(ctx context.Context, by Actor, userID int64) error {
	if by.Role != clinic.RoleOwner {
		return ErrNotFound
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = '', totp_step = 0, updated_at = ? WHERE id = ? AND role <> 'client'`, now, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		for _, q := range []string{`DELETE FROM recovery_codes WHERE user_id = ?`, `DELETE FROM sessions WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, by, now, "reset_2fa", "user", userID, 0, "")
	})
}
