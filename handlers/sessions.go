package handlers

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
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
	if err := gob.NewDecoder(bytes.NewReader(rec.Data)).Decode(&sess.Values); err != nil {
		return sess, nil
	}
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
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(vals); err != nil {
		return err
	}
	uid, _ := vals[keyUser].(int64)
	rec := store.SessionRecord{UserID: uid, Data: buf.Bytes(), CreatedAt: created, SeenAt: now,
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
