// Package mail sends what the outbox holds: a worker claims due rows with a lease, checks the
// message is still wanted, renders it from views/email and hands it to a transport (SMTP, or
// the built-in mailbox when no server is configured). Nothing sends mail from a request.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"time"

	"github.com/jordan-wright/email"

	"allium/store"
)

// Transport delivers one built message.
type Transport interface {
	Send(ctx context.Context, m *email.Email) error
}

// PermanentError marks a failure that retrying will not fix (a 5xx answer, a rejected address).
type PermanentError struct{ Err error }

func (e PermanentError) Error() string { return e.Err.Error() }
func (e PermanentError) Unwrap() error { return e.Err }

// SMTP sends through an SMTP server. Each message dials afresh with deadlines: a reminder
// service sends a few messages a minute, and a long-lived idle pool is what goes stale.
type SMTP struct {
	Addr     string // host:port
	Host     string
	Auth     smtp.Auth
	TLS      string // "starttls", "implicit" or "none"
	Timeout  time.Duration
	TLSConf  *tls.Config
	HelloFor string
}

// ParseSMTPURL reads smtp://user:pass@host:587?tls=starttls|implicit|none.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("SMTP URL must look like smtp://user:pass@host:587?tls=starttls")
	}
	s := &SMTP{Host: u.Hostname(), TLS: u.Query().Get("tls"), Timeout: 30 * time.Second}
	if s.TLS == "" {
		s.TLS = "starttls"
		if u.Scheme == "smtps" {
			s.TLS = "implicit"
		}
	}
	switch s.TLS {
	case "starttls", "implicit", "none":
	default:
		return nil, fmt.Errorf("SMTP tls must be starttls, implicit or none, not %q", s.TLS)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"starttls": "587", "implicit": "465", "none": "25"}[s.TLS]
	}
	s.Addr = net.JoinHostPort(s.Host, port)
	if u.User != nil {
		pass, _ := u.User.Password()
		s.Auth = plainAuth{user: u.User.Username(), pass: pass, host: s.Host, allowPlain: s.TLS == "none"}
	}
	s.TLSConf = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	return s, nil
}

// Send delivers m, with the whole exchange bounded by the timeout and the context.
func (s *SMTP) Send(ctx context.Context, m *email.Email) error {
	d := net.Dialer{Timeout: s.Timeout}
	var conn net.Conn
	var err error
	if s.TLS == "implicit" {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: s.TLSConf}).DialContext(ctx, "tcp", s.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.Addr)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(s.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	return classify(s.exchange(conn, m))
}

func (s *SMTP) exchange(conn net.Conn, m *email.Email) error {
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	if s.TLS == "starttls" {
		if err := c.StartTLS(s.TLSConf); err != nil {
			return err
		}
	}
	if s.Auth != nil {
		if err := c.Auth(s.Auth); err != nil {
			return err
		}
	}
	raw, err := m.Bytes()
	if err != nil {
		return PermanentError{err}
	}
	from, err := envelope(m.From)
	if err != nil {
		return PermanentError{err}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, to := range append(append(append([]string{}, m.To...), m.Cc...), m.Bcc...) {
		addr, err := envelope(to)
		if err != nil {
			return PermanentError{err}
		}
		if err := c.Rcpt(addr); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// classify marks 5xx answers permanent; everything else (4xx, network, timeouts) is worth a retry.
func classify(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return PermanentError{err}
	}
	return err
}

// plainAuth is PLAIN authentication that, unlike net/smtp's, may be allowed over an unencrypted
// connection when the operator chose tls=none (a relay on localhost).
type plainAuth struct {
	user, pass, host string
	allowPlain       bool
}

func (a plainAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !a.allowPlain {
		return "", nil, PermanentError{errors.New("refusing to send the SMTP password over an unencrypted connection")}
	}
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected SMTP auth challenge")
	}
	return nil, nil
}

// Mailbox keeps messages in the database for the owner to read at /admin/mail.
type Mailbox struct{ Store *store.Store }

// Send stores the message, once per Message-ID and recipient.
func (b Mailbox) Send(ctx context.Context, m *email.Email) error {
	raw, err := m.Bytes()
	if err != nil {
		return PermanentError{err}
	}
	for _, to := range m.To {
		err := b.Store.DeliverToMailbox(ctx, store.MailboxMessage{MessageID: m.Headers.Get("Message-Id"), To: to,
			Subject: m.Subject, Text: string(m.Text), HTML: string(m.HTML), Raw: raw})
		if err != nil {
			return err
		}
	}
	return nil
}
