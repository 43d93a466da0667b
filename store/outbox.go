package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"allium/internal/requestid"
)

// Email is a message to queue. It is written in the transaction of the change that causes it
// and sent later by the mail worker; DedupeKey makes queuing the same message twice a no-op.
type Email struct {
	Kind      string // names the template in views/email
	To        string
	RefType   string // what it is about, e.g. "appointment"
	RefID     int64
	DedupeKey string
	Payload   any // the template's data, kept as JSON
	SendAfter time.Time
	ExpiresAt time.Time // zero: never; past it the row expires instead of sending
}

// OutboxRow is a queued message as the worker sees it.
type OutboxRow struct {
	ID        int64
	Kind      string
	To        string
	RefType   string
	RefID     int64
	DedupeKey string
	Payload   []byte
	Status    string
	Attempts  int
	LastError string
	MessageID string // stable across retries, so a resend after a crash is recognisably the same message
	RequestID string // of the request that queued it; "" for mail the server queued on its own
	SendAfter time.Time
	ExpiresAt time.Time
	CreatedAt time.Time
	SentAt    time.Time
}

// enqueue writes an outbox row in the caller's transaction. A row with the same dedupe key
// already queued or sent means the message exists: nothing is added.
func enqueue(ctx context.Context, tx *sql.Tx, now time.Time, e Email) error {
	return enqueueAll(ctx, tx, now, []Email{e})
}

// outboxBatch bounds the rows of one INSERT, well inside SQLite's limit on bound values.
const outboxBatch = 50

// enqueueAll writes the outbox rows of several messages in the caller's transaction, in one
// statement per batch rather than one per message; dedupe keys work as in enqueue.
func enqueueAll(ctx context.Context, tx *sql.Tx, now time.Time, emails []Email) error {
	for len(emails) > 0 {
		n := min(len(emails), outboxBatch)
		args := make([]any, 0, n*11)
		ids := randomBytes(16 * n) // one read of the system's randomness for the batch's Message-IDs
		for i, e := range emails[:n] {
			payload, err := json.Marshal(e.Payload)
			if err != nil {
				return fmt.Errorf("enqueue %s: %w", e.Kind, err)
			}
			send := e.SendAfter
			if send.IsZero() {
				send = now
			}
			var expires int64
			if !e.ExpiresAt.IsZero() {
				expires = unix(e.ExpiresAt)
			}
			args = append(args, e.Kind, e.To, e.RefType, e.RefID, e.DedupeKey, string(payload), unix(send), expires,
				hex.EncodeToString(ids[16*i:16*i+16]), unix(now), requestid.From(ctx))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, recipient, ref_type, ref_id, dedupe_key, payload,
			send_after, expires_at, message_id, created_at, request_id) VALUES `+repeatRow("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", n)+`
			ON CONFLICT (dedupe_key) DO NOTHING`, args...); err != nil {
			return fmt.Errorf("enqueue %s: %w", emails[0].Kind, err)
		}
		emails = emails[n:]
	}
	return nil
}

// Enqueue queues messages in their own transaction, for mail not tied to another change.
func (s *Store) Enqueue(ctx context.Context, emails ...Email) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, e := range emails {
			if err := enqueue(ctx, tx, s.now(), e); err != nil {
				return err
			}
		}
		return nil
	})
}

const outboxColumns = `id, kind, recipient, ref_type, ref_id, dedupe_key, payload, status, attempts, last_error,
	message_id, send_after, expires_at, created_at, sent_at, request_id`

func scanOutbox(row interface{ Scan(...any) error }) (OutboxRow, error) {
	var r OutboxRow
	var payload string
	var send, expires, created int64
	var sent sql.NullInt64
	err := row.Scan(&r.ID, &r.Kind, &r.To, &r.RefType, &r.RefID, &r.DedupeKey, &payload, &r.Status, &r.Attempts,
		&r.LastError, &r.MessageID, &send, &expires, &created, &sent, &r.RequestID)
	r.Payload = []byte(payload)
	r.SendAfter, r.CreatedAt, r.SentAt = unixTime(send), unixTime(created), nullUnix(sent)
	if expires != 0 {
		r.ExpiresAt = unixTime(expires)
	}
	return r, err
}

// ClaimDue leases up to limit messages that are due: queued ones whose time has come, and ones
// whose lease ran out because a worker died mid-send. Rows past their expiry are marked expired
// instead. A leased row is invisible to other workers until the lease ends.
func (s *Store) ClaimDue(ctx context.Context, limit int, lease time.Duration) ([]OutboxRow, error) {
	var out []OutboxRow
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'expired', lease_until = 0,
			last_error = CASE WHEN last_error = '' THEN 'not sent before it stopped being useful' ELSE last_error END
			WHERE status IN ('queued', 'sending') AND expires_at <> 0 AND expires_at <= ? AND lease_until <= ?`, now, now); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox
				WHERE (status = 'queued' AND send_after <= ?) OR (status = 'sending' AND lease_until <= ?)
				ORDER BY send_after, id LIMIT ?)
			RETURNING `+outboxColumns, now+int64(lease/time.Second), now, now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// MarkSent records that the SMTP server accepted the message. Messages carrying a single-use
// link drop their payload once sent, so the database keeps only the token's hash.
func (s *Store) MarkSent(ctx context.Context, id int64) error {
	return s.setOutbox(ctx, id, `status = 'sent', sent_at = ?, lease_until = 0, last_error = '',
		payload = CASE WHEN kind IN ('password_reset', 'signin_link', 'staff_invite', 'booking_hold') THEN '{}' ELSE payload END`, unix(s.now()))
}

// MarkRetry puts a message back in the queue after a temporary failure.
func (s *Store) MarkRetry(ctx context.Context, id int64, reason string, next time.Time) error {
	return s.setOutbox(ctx, id, `status = 'queued', send_after = ?, lease_until = 0, last_error = ?`, unix(next), reason)
}

// MarkFailed stops a message after a permanent failure; the owner and reception see it.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	return s.setOutbox(ctx, id, `status = 'failed', lease_until = 0, last_error = ?`, reason)
}

// MarkCancelled stops a message that is no longer wanted (its appointment was cancelled or moved).
func (s *Store) MarkCancelled(ctx context.Context, id int64, reason string) error {
	return s.setOutbox(ctx, id, `status = 'cancelled', lease_until = 0, last_error = ?`, reason)
}

func (s *Store) setOutbox(ctx context.Context, id int64, set string, args ...any) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET `+set+` WHERE id = ?`, append(args, id)...)
		return err
	})
}

// Resend queues a failed, expired or sent message again with the same Message-ID. Staff only.
// A sent single-use link cannot be resent: its payload was dropped after sending, and the
// person asks for a new link instead.
func (s *Store) Resend(ctx context.Context, by Actor, id int64) error {
	if !by.Staff() {
		return ErrForbidden
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', send_after = ?, expires_at = 0, last_error = ''
			WHERE id = ? AND status IN ('failed', 'expired', 'sent')
			AND NOT (status = 'sent' AND kind IN ('password_reset', 'signin_link', 'staff_invite', 'booking_hold'))`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, now, "resend", "outbox", id, 0, "")
	})
}

// OutboxFilter selects messages for the owner's and reception's views.
type OutboxFilter struct {
	RefType  string
	RefID    int64
	Problems bool // only failed and expired
	Limit    int
}

// Outbox lists messages, newest first. Staff only.
func (s *Store) Outbox(ctx context.Context, by Actor, f OutboxFilter) ([]OutboxRow, error) {
	if !by.Staff() {
		return nil, ErrForbidden
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE (? = '' OR (ref_type = ? AND ref_id = ?)) AND (? = 0 OR status IN ('failed', 'expired'))
		ORDER BY id DESC LIMIT ?`, f.RefType, f.RefType, f.RefID, f.Problems, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		r, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MailboxMessage is a message delivered to the built-in mailbox.
type MailboxMessage struct {
	ID         int64
	MessageID  string
	To         string
	Subject    string
	Text       string
	HTML       string
	Raw        []byte
	ReceivedAt time.Time
}

// DeliverToMailbox keeps a message in the built-in mailbox. Delivering the same Message-ID
// again is a no-op, as a real mailbox would show one message.
func (s *Store) DeliverToMailbox(ctx context.Context, m MailboxMessage) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO mailbox (message_id, recipient, subject, text_body, html_body, raw, received_at)
			SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM mailbox WHERE message_id = ? AND recipient = ?)`,
			m.MessageID, m.To, m.Subject, m.Text, m.HTML, m.Raw, unix(s.now()), m.MessageID, m.To)
		return err
	})
}

// Mailbox lists the built-in mailbox, newest first, optionally for one recipient. Owner only.
func (s *Store) Mailbox(ctx context.Context, by Actor, to string, limit int) ([]MailboxMessage, error) {
	if by.Role != "owner" {
		return nil, ErrForbidden
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, message_id, recipient, subject, text_body, html_body, received_at
		FROM mailbox WHERE (? = '' OR recipient = ?) ORDER BY id DESC LIMIT ?`, to, to, limit)
	if err != nil {
		return nil, fmt.Errorf("mailbox: %w", err)
	}
	defer rows.Close()
	var out []MailboxMessage
	for rows.Next() {
		var m MailboxMessage
		var at int64
		if err := rows.Scan(&m.ID, &m.MessageID, &m.To, &m.Subject, &m.Text, &m.HTML, &at); err != nil {
			return nil, err
		}
		m.ReceivedAt = unixTime(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// MailboxMessageByID returns one message of the built-in mailbox. Owner only.
func (s *Store) MailboxMessageByID(ctx context.Context, by Actor, id int64) (MailboxMessage, error) {
	if by.Role != "owner" {
		return MailboxMessage{}, ErrForbidden
	}
	var m MailboxMessage
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT id, message_id, recipient, subject, text_body, html_body, received_at
		FROM mailbox WHERE id = ?`, id).Scan(&m.ID, &m.MessageID, &m.To, &m.Subject, &m.Text, &m.HTML, &at)
	if err != nil {
		return m, fmt.Errorf("mailbox message %d: %w", id, translate(err))
	}
	m.ReceivedAt = unixTime(at)
	return m, nil
}
