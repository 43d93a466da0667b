// Package handlers is Allium's HTTP layer: the one route table, the middleware (sessions,
// CSRF, roles, headers), form parsing and validation, and the one error handler. It is the
// only package that imports Echo.
package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"

	"allium/assets"
	"allium/backups"
	"allium/clinic"
	"allium/internal/requestid"
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
	// TrustedProxies are the address ranges of reverse proxies whose X-Forwarded-For header
	// may name the client. Empty: only the direct peer address counts.
	TrustedProxies []*net.IPNet
	Now            func() time.Time
	// Copies reports on the nightly backups and Litestream's replica for the owner's page;
	// nil shows neither as set up.
	Copies func(now time.Time) backups.Status
}

// App holds the web app's dependencies. Handlers are its methods.
type App struct {
	Config
	sessions *sessionStore
	// flashCodec seals the message a form leaves for the next page (flash.go).
	flashCodec *securecookie.SecureCookie
	settings   atomic.Pointer[clinic.Settings]
	loc        atomic.Pointer[time.Location]
	secure     bool
	// bodies are the body chart drawings, read once with their areas' centres.
	bodies  *views.BodyCharts
	csrfKey []byte // derives the CSRF tokens (csrf.go)
	// pages are the paths of the GET routes: the only places sign-in may return to.
	pages []string
}

// New builds the Echo server with every route and middleware.
func New(ctx context.Context, cfg Config) (*echo.Echo, *App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Log = requestid.Logger(cfg.Log)
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
	if err := a.loadBodyCharts(); err != nil {
		return nil, nil, err
	}
	a.sessions = newSessionStore(cfg.Store, cfg.SessionKey, a.secure)
	a.flashCodec = newFlashCodec(cfg.SessionKey)
	mac := hmac.New(sha256.New, cfg.SessionKey)
	mac.Write([]byte("allium csrf"))
	a.csrfKey = mac.Sum(nil)
	a.sessions.idle = a.idleFor
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
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

// ipExtractor decides which address is the client's. By default only the direct peer counts,
// so a forged X-Forwarded-For cannot reset sign-in throttling. With trusted proxy ranges, the
// header is read from the right, skipping only those proxies, and never loopback or private
// ranges that were not named.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseTrustedProxies reads a comma-separated list of CIDR ranges or single addresses.
func ParseTrustedProxies(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			if ip := net.ParseIP(f); ip != nil && ip.To4() != nil {
				f += "/32"
			} else {
				f += "/128"
			}
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an address or a CIDR range", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// Settings returns the clinic's settings as last loaded.
func (a *App) Settings() clinic.Settings { return *a.settings.Load() }

// Loc is the clinic's time zone.
func (a *App) Loc() *time.Location { return a.loc.Load() }

// Dates writes dates and times for people, in the clinic's zone, as every page does.
func (a *App) Dates() clinic.Dates {
	loc := a.Loc()
	return clinic.Dates{Loc: loc, Today: clinic.DateOf(a.Now(), loc)}
}

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

// loadBodyCharts reads the body chart drawings from the assets once, at start.
func (a *App) loadBodyCharts() error {
	front, err := a.Assets.ReadFile("img/body-front.svg")
	if err != nil {
		return fmt.Errorf("body chart: %w", err)
	}
	back, err := a.Assets.ReadFile("img/body-back.svg")
	if err != nil {
		return fmt.Errorf("body chart: %w", err)
	}
	a.bodies, err = views.NewBodyCharts(front, back)
	return err
}
