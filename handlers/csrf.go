package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"allium/store"
)

const csrfCookie = "allium_csrf"

// csrf guards every unsafe request with a token derived from what identifies the browser to
// us: the server session of a signed-in person, or a random cookie for a visitor. A token from
// before sign-in is worthless after it (the session is new), and a token read from another
// person's page does not fit this browser. The Origin header, which browsers send with every
// form POST, must name this site, so a page elsewhere cannot post here even with a token.
func (a *App) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// One-click unsubscribe (RFC 8058) is a POST from a mail program: no cookie, no token.
		if strings.HasPrefix(c.Path(), "/assets/") || c.Path() == "/unsubscribe/:token" {
			return next(c)
		}
		tok, err := a.csrfToken(c)
		if err != nil {
			return err
		}
		c.Set(ctxCSRF, tok)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if !a.sameOrigin(c.Request()) {
			return echo.NewHTTPError(http.StatusForbidden, "csrf")
		}
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue("csrf")
		}
		if !hmac.Equal([]byte(got), []byte(tok)) {
			return echo.NewHTTPError(http.StatusForbidden, "csrf")
		}
		return next(c)
	}
}

// csrfToken is the token of this browser's forms: bound to the signed-in session, or to the
// visitor's csrf cookie (made on first sight).
func (a *App) csrfToken(c echo.Context) (string, error) {
	binding := ""
	if s := session(c); currentUser(c) != nil && s != nil && s.ID != "" {
		binding = "session:" + s.ID
	} else {
		ck, err := c.Cookie(csrfCookie)
		seed := ""
		if err == nil && len(ck.Value) >= 32 {
			seed = ck.Value
		} else {
			seed = store.NewSecret()
			c.SetCookie(&http.Cookie{Name: csrfCookie, Value: seed, Path: "/", HttpOnly: true, Secure: a.secure,
				SameSite: http.SameSiteLaxMode})
		}
		binding = "visitor:" + seed
	}
	m := hmac.New(sha256.New, a.csrfKey)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// sameOrigin accepts a request whose Origin (or, lacking one, Referer) is this site, and one
// with neither: browsers send Origin with every cross-site POST, so its absence is not a page
// elsewhere posting (and the token still has to fit).
func (a *App) sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return true
	}
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return false
	}
	if base, err := url.Parse(a.BaseURL); err == nil && base.Host != "" {
		return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
	}
	return strings.EqualFold(u.Host, r.Host)
}
