// Package handlers is Allium's HTTP layer: the one route table, the middleware (sessions,
// CSRF, roles, headers), form parsing and validation, and the one error handler. It is the
// only package that imports Echo.
package handlers

import (
	"context"
	"log/slog"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"allium/assets"
	"allium/clinic"
	"allium/store"
	"allium/views"
)

// Config is what the web app needs from the process.
type Config struct {
	Store      *store.Store
	Views      *views.Views
	Assets     *assets.Assets
	Log        *slog.Logger
	BaseURL    string // e.g. https://clinic.example; decides whether cookies are Secure
	SessionKey []byte // signs the session id in the cookie
	Throttle   store.Throttle
	Now        func() time.Time
}

// App holds the web app's dependencies. Handlers are its methods.
type App struct {
	Config
	sessions *sessionStore
	settings atomic.Pointer[clinic.Settings]
	loc      atomic.Pointer[time.Location]
	secure   bool
}

// New builds the Echo server with every route and middleware.
func New(ctx context.Context, cfg Config) (*echo.Echo, *App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Throttle.Window == 0 {
		cfg.Throttle = store.DefaultThrottle
	}
	a := &App{Config: cfg}
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme == "https" {
		a.secure = true
	}
	if err := a.reloadSettings(ctx); err != nil {
		return nil, nil, err
	}
	a.sessions = newSessionStore(cfg.Store, cfg.SessionKey, a.secure)
	a.sessions.idle = a.idleFor
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Only the direct peer address counts: a forged X-Forwarded-For must not reset sign-in
	// throttling. What this means behind a reverse proxy is in docs/configuration.md.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = a.handleError
	a.middleware(e)
	a.register(e)
	return e, a, nil
}

// idleFor is how long a session may go unused: the clinic's setting for clients or for staff.
func (a *App) idleFor(values map[any]any) time.Duration {
	if role, _ := values[keyRole].(string); clinic.Role(role) == clinic.RoleClient {
		return a.Settings().ClientIdle
	}
	return a.Settings().StaffIdle
}

// Settings returns the clinic's settings as last loaded.
func (a *App) Settings() clinic.Settings { return *a.settings.Load() }

// Loc is the clinic's time zone.
func (a *App) Loc() *time.Location { return a.loc.Load() }

func (a *App) reloadSettings(ctx context.Context) error {
	set, err := a.Store.Settings(ctx)
	if err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	a.settings.Store(&set)
	a.loc.Store(loc)
	return nil
}

// absURL makes a link for an email or a redirect from a path.
func (a *App) absURL(path string) string { return a.BaseURL + path }
