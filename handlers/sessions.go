package handlers

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"allium/store"
)

const sessionCookie = "allium_session"

// sessionStore is a gorilla sessions.Store kept in SQLite. The cookie carries only a signed
// random id; the row is keyed by the id's hash. Ending a session deletes the row, so a copied
// cookie is dead the moment its owner signs out.
type sessionStore struct {
	st    *store.Store
	codec *securecookie.SecureCookie
	opts  sessions.Options
	// idle decides how long a session lives without use, from its values (staff or client).
	idle func(values map[any]any) time.Duration
}

func newSessionStore(st *store.Store, key []byte, secure bool) *sessionStore {
	codec := securecookie.New(key, nil)
	codec.MaxAge(0) // expiry is the server's business, not the cookie's
	return &sessionStore{st: st, codec: codec, idle: func(map[any]any) time.Duration { return 2 * time.Hour },
		opts: sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}}
}

// Get returns the request's session, loading it once per request.
func (s *sessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the cookie, or starts an empty one.
func (s *sessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.opts
	sess.Options, sess.IsNew = &opts, true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var id string
	if err := s.codec.Decode(name, c.Value, &id); err != nil {
		return sess, nil // a forged or stale cookie is just no session
	}
	rec, err := s.st.LoadSession(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return sess, nil
	}
	if err != nil {
		return sess, err
	}
	vals, err := decodeSessionValues(rec.Data)
	if err != nil {
		return sess, nil
	}
	sess.Values = vals
	sess.ID, sess.IsNew = id, false
	sess.Values[keySeen] = rec.SeenAt.Unix()
	sess.Values[keyCreated] = rec.CreatedAt.Unix()
	return sess, nil
}

// Save writes the session row and the cookie; MaxAge < 0 deletes both.
func (s *sessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.st.DeleteSession(ctx, sess.ID); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	if sess.ID == "" {
		sess.ID = store.NewSecret()
	}
	return s.write(ctx, w, sess)
}

func (s *sessionStore) write(ctx context.Context, w http.ResponseWriter, sess *sessions.Session) error {
	now := s.st.Now()
	created := now
	if v, ok := sess.Values[keyCreated].(int64); ok && !sess.IsNew {
		created = time.Unix(v, 0)
	}
	vals := map[any]any{}
	for k, v := range sess.Values {
		if k != keySeen && k != keyCreated {
			vals[k] = v
		}
	}
	data, err := encodeSessionValues(vals)
	if err != nil {
		return err
	}
	uid, _ := vals[keyUser].(int64)
	rec := store.SessionRecord{UserID: uid, Data: data, CreatedAt: created, SeenAt: now,
		ExpiresAt: now.Add(s.idle(vals))}
	if err := s.st.SaveSession(ctx, sess.ID, rec); err != nil {
		return err
	}
	sess.Values[keySeen] = now.Unix()
	encoded, err := s.codec.Encode(sess.Name(), sess.ID)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// Session value keys.
const (
	keyUser        = "uid"
	keySignedIn    = "signed_in_at"
	keyRole        = "role"
	keyAssessment  = "assessment"  // a visitor's assessment token, linked at sign-in
	keySafety      = "safety"      // an assessment that called for a doctor first; never replaced by a later one
	keyPendingUser = "pending_uid" // gave the right password, has not yet given their code
	keyPendingAt   = "pending_at"
	keyTOTPSetup   = "totp_setup" // the otpauth URL of a second factor being set up
	keySeen        = "_seen"
	keyCreated     = "_created"
)

// sessionString is a string value of the request's session, "" if none.
func sessionString(c echo.Context, key string) string {
	s := session(c)
	if s == nil {
		return ""
	}
	v, _ := s.Values[key].(string)
	return v
}

// A session's values are stored as a JSON object of strings and whole numbers after a marker
// byte, sessionJSON. They were gob, which is read on every request and compiles its decoder for
// each stream: 15 % of a light page's CPU (docs/performance.md). The values the handlers keep
// are all strings and int64s, which JSON tells apart; any other kind of value is stored as gob
// still, and rows written as gob before read as before (a gob stream never starts with a 0 byte).
const sessionJSON = 0

func encodeSessionValues(vals map[any]any) ([]byte, error) {
	plain := make(map[string]any, len(vals))
	for k, v := range vals {
		key, ok := k.(string)
		switch v.(type) {
		case string, int64:
		default:
			ok = false
		}
		if !ok {
			var buf bytes.Buffer
			err := gob.NewEncoder(&buf).Encode(vals)
			return buf.Bytes(), err
		}
		plain[key] = v
	}
	b, err := json.Marshal(plain)
	return append([]byte{sessionJSON}, b...), err
}

func decodeSessionValues(data []byte) (map[any]any, error) {
	vals := map[any]any{}
	if len(data) == 0 || data[0] != sessionJSON {
		err := gob.NewDecoder(bytes.NewReader(data)).Decode(&vals)
		return vals, err
	}
	d := json.NewDecoder(bytes.NewReader(data[1:]))
	d.UseNumber()
	var plain map[string]any
	if err := d.Decode(&plain); err != nil {
		return nil, err
	}
	for k, v := range plain {
		switch v := v.(type) {
		case string:
			vals[k] = v
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return nil, fmt.Errorf("session value %s: %w", k, err)
			}
			vals[k] = n
		default:
			return nil, fmt.Errorf("session value %s: %T", k, v)
		}
	}
	return vals, nil
}
