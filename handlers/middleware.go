package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"allium/clinic"
	"allium/internal/requestid"
	"allium/store"
)

// Context keys.
const (
	ctxUser  = "user"
	ctxActor = "actor"
	ctxSess  = "session"
	ctxCSRF  = "csrf"
)

// middleware installs the chain every request passes. The request id comes first and goes into
// the request's context, so every line logged while serving it (here, in the store, in mail)
// carries it. The access log wraps recover, so a request that panicked still gets its line,
// with the 500 it answered, beside the panic's own line with its stack.
func (a *App) middleware(e *echo.Echo) {
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{RequestIDHandler: func(c echo.Context, id string) {
		c.SetRequest(c.Request().WithContext(requestid.With(c.Request().Context(), id)))
	}}))
	e.Use(a.accessLog)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			a.Log.ErrorContext(c.Request().Context(), "panic", "err", err, "stack", string(stack))
			return err
		}}))
	e.Use(a.securityHeaders)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M", Skipper: isImport}))
	e.Use(importLimit)
	e.Use(a.loadUser)
	e.Use(a.csrf)
}

func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

func (a *App) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req := c.Request()
		level := slog.LevelInfo
		if c.Response().Status >= 500 {
			level = slog.LevelError
		}
		// The path only: query strings can carry tokens and search terms with a person's name.
		a.Log.Log(req.Context(), level, "request", "method", req.Method, "path", loggedPath(c),
			"status", c.Response().Status, "ms", time.Since(start).Milliseconds())
		return nil
	}
}

// contentPolicy is every page's Content-Security-Policy: no inline script or style.
const contentPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// mailPreviewPolicy lets style attributes through for the page that shows an email's HTML
// part in a sandboxed frame: the frame inherits the page's policy, and email is styled with
// style attributes. Scripts stay off, in the page and (by the sandbox) in the frame.
const mailPreviewPolicy = contentPolicy + "; style-src-attr 'unsafe-inline'"

// loggedPath is the request's path as logs keep it: a secret link's token (a reset, sign-in,
// invite, manage, calendar, unsubscribe, assessment or booking link) is replaced by the first
// bytes of its SHA-256, enough to follow one link through the log, useless to open it.
func loggedPath(c echo.Context) string {
	p := c.Request().URL.Path
	if tok := c.Param("token"); tok != "" {
		sum := sha256.Sum256([]byte(tok))
		p = strings.Replace(p, url.PathEscape(tok), "~"+hex.EncodeToString(sum[:4]), 1)
		p = strings.Replace(p, tok, "~"+hex.EncodeToString(sum[:4]), 1)
	}
	return p
}

// securityHeaders sets a strict policy: no inline script, no framing, no sniffing. Over https
// the browser is told to use nothing else for a year; pages reached by a secret link are never
// stored by any cache.
func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if a.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if strings.Contains(c.Path(), ":token") {
			h.Set("Cache-Control", "no-store")
		}
		h.Set("Content-Security-Policy", contentPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		return next(c)
	}
}

// loadUser reads the session and, when someone is signed in, the user and the acting identity
// the store needs. Sessions past the absolute limit, or of deactivated users, end here.
func (a *App) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/assets/") {
			return next(c)
		}
		sess, err := a.sessions.Get(c.Request(), sessionCookie)
		if err != nil {
			return err
		}
		c.Set(ctxSess, sess)
		uid, _ := sess.Values[keyUser].(int64)
		if uid == 0 {
			return next(c)
		}
		u, clientID, err := a.Store.SignedIn(c.Request().Context(), uid)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (!u.Active || a.pastAbsolute(sess, u.Role))) {
			return a.endSession(c, sess, next)
		}
		if err != nil {
			return err
		}
		actor := store.Actor{UserID: u.ID, Role: u.Role, IP: c.RealIP()}
		if u.Role == clinic.RoleClient {
			actor.ClientID = clientID
		}
		c.Set(ctxUser, &u)
		c.Set(ctxActor, actor)
		c.Response().Header().Set("Cache-Control", "no-store")
		if err := a.touch(c, sess); err != nil {
			return err
		}
		if a.needsEnrolment(c) {
			if c.Request().Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/account/2fa")
			}
			if c.Path() != "/account/2fa" {
				return echo.NewHTTPError(http.StatusForbidden)
			}
		}
		return next(c)
	}
}

func (a *App) pastAbsolute(sess *sessions.Session, role clinic.Role) bool {
	at, _ := sess.Values[keySignedIn].(int64)
	if !role.Staff() {
		return false
	}
	return a.Now().After(time.Unix(at, 0).Add(a.Settings().StaffAbsolute))
}

func (a *App) endSession(c echo.Context, sess *sessions.Session, next echo.HandlerFunc) error {
	sess.Options.MaxAge = -1
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	fresh, _ := a.sessions.New(c.Request(), sessionCookie)
	c.Set(ctxSess, fresh)
	return next(c)
}

// touch extends an idle session at most once a minute, so reading pages does not turn every
// request into a database write.
func (a *App) touch(c echo.Context, sess *sessions.Session) error {
	seen, _ := sess.Values[keySeen].(int64)
	if a.Now().Sub(time.Unix(seen, 0)) < time.Minute {
		return nil
	}
	return sess.Save(c.Request(), c.Response())
}

// currentUser is the signed-in user, or nil.
func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(ctxUser).(*store.User)
	return u
}

// actor is who is asking, for the store. Anonymous requests get an actor with no user.
func actor(c echo.Context) store.Actor {
	if a, ok := c.Get(ctxActor).(store.Actor); ok {
		return a
	}
	return store.Actor{Role: "anonymous", IP: c.RealIP()}
}

func session(c echo.Context) *sessions.Session {
	s, _ := c.Get(ctxSess).(*sessions.Session)
	return s
}

// guard admits the listed roles. Anonymous people are sent to sign in; signed-in people of
// another role get the same 404 as a page that does not exist.
func (a *App) guard(roles []clinic.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				next := c.Request().URL.RequestURI()
				if c.Request().Method != http.MethodGet {
					next = "/"
				}
				return c.Redirect(http.StatusSeeOther, "/signin?next="+urlQueryEscape(next))
			}
			for _, r := range roles {
				if u.Role == r {
					return next(c)
				}
			}
			return echo.ErrNotFound
		}
	}
}

// isImport: the client import takes a whole export file, larger than any form.
func isImport(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/admin/import") }

// importLimit refuses an import larger than clinic.MaxImportFileSize from its Content-Length,
// before a byte of it is read, and stops reading one that grows past it on the way.
func importLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isImport(c) {
			return next(c)
		}
		req := c.Request()
		const slack = 64 << 10 // the rest of the form around the file
		if req.ContentLength > clinic.MaxImportFileSize+slack {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "import")
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, clinic.MaxImportFileSize+slack)
		return next(c)
	}
}

// noStore keeps a page out of every cache: pages reached by a secret link, whose copy in a
// shared or back-button cache would show a person's details to the next user of the device.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}
