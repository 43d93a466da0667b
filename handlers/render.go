package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/views"
)

// page fills the chrome every page shares: who is signed in, the CSRF token, the flash
// message, the clinic's details and the navigation for the role.
func (a *App) page(c echo.Context, title string) views.Page {
	set := a.Settings()
	p := views.Page{Title: title, Loc: a.Loc(), Today: clinic.DateOf(a.Now(), a.Loc()), Errors: map[string]string{},
		Clinic: views.ClinicOf(set)}
	p.CSRF, _ = c.Get(ctxCSRF).(string)
	if u := currentUser(c); u != nil {
		p.User = &views.User{ID: u.ID, Name: u.Name, Role: string(u.Role)}
		p.Nav = navFor(u.Role, c.Request().URL.Path)
		p.Wide = u.Role == clinic.RoleReception || u.Role == clinic.RoleOwner
	} else {
		p.Nav = navFor("", c.Request().URL.Path)
		// From a booking page, signing in comes back to the same choices.
		if req := c.Request(); req.Method == http.MethodGet && strings.HasPrefix(req.URL.Path, "/book") {
			for i := range p.Nav {
				if next := a.safeNext(req.URL.RequestURI()); p.Nav[i].Href == "/signin" && next != "" {
					p.Nav[i].Href = signInHref(next)
				}
			}
		}
	}
	p.Flash, p.FlashKind = a.takeFlash(c)
	return p
}

// navFor is the navigation of each role; the current section is marked.
func navFor(role clinic.Role, path string) []views.NavLink {
	var links []views.NavLink
	switch role {
	case clinic.RoleClient:
		links = []views.NavLink{{Href: "/my", Label: "My bookings"}, {Href: "/my/plan", Label: "My plan"}, {Href: "/book", Label: "Book"},
			{Href: "/assessment", Label: "Assessment"}, {Href: "/account", Label: "Account"}}
	case clinic.RoleTherapist:
		links = []views.NavLink{{Href: "/therapist", Label: "My day"}, {Href: "/reports/outcomes", Label: "Reports"},
			{Href: "/account", Label: "Account"}}
	case clinic.RoleReception:
		links = []views.NavLink{{Href: "/desk", Label: "Today"}, {Href: "/account", Label: "Account"}}
	case clinic.RoleOwner:
		links = []views.NavLink{{Href: "/admin", Label: "Clinic"}, {Href: "/desk", Label: "Day"}, {Href: "/admin/staff", Label: "Staff"},
			{Href: "/admin/mail", Label: "Mail"}, {Href: "/admin/assessments", Label: "Assessments"}, {Href: "/reports/outcomes", Label: "Reports"},
			{Href: "/admin/audit", Label: "Audit log"}, {Href: "/admin/retention", Label: "Retention"},
			{Href: "/admin/settings", Label: "Settings"}, {Href: "/account", Label: "Account"}}
	default:
		links = []views.NavLink{{Href: "/assessment", Label: "Free assessment"}, {Href: "/book", Label: "Book"},
			{Href: "/signin", Label: "Sign in"}}
	}
	// Exactly one item is current: the one whose address is the longest prefix of the path,
	// so /admin/mail marks Mail, not Clinic as well.
	best := -1
	for i, l := range links {
		if (path == l.Href || strings.HasPrefix(path, l.Href+"/")) && (best < 0 || len(l.Href) > len(links[best].Href)) {
			best = i
		}
	}
	if best >= 0 {
		links[best].Current = true
	}
	return links
}

// render writes a page with 200.
func (a *App) render(c echo.Context, name string, data any) error {
	return a.renderStatus(c, http.StatusOK, name, data)
}

// renderStatus renders into a buffer and writes it with the status, so a template error
// becomes the error page instead of half a page.
func (a *App) renderStatus(c echo.Context, status int, name string, data any) error {
	return a.Views.Render(&pageWriter{c: c, status: status}, name, data)
}

// pageWriter sends the status and type with the first bytes. Views.Render writes only a page
// that rendered completely, so a template error still becomes an error page, and the page is
// not copied through a second buffer on its way out.
type pageWriter struct {
	c       echo.Context
	status  int
	started bool
}

func (p *pageWriter) Write(b []byte) (int, error) {
	res := p.c.Response()
	if !p.started {
		p.started = true
		res.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		res.WriteHeader(p.status)
	}
	return res.Write(b)
}

// invalid re-renders a form page with 422 and the messages beside the fields.
func (a *App) invalid(c echo.Context, name string, data any) error {
	return a.renderStatus(c, http.StatusUnprocessableEntity, name, data)
}

// flash keeps a message for the next page and redirects there with 303 (POST, redirect, GET).
func (a *App) flash(c echo.Context, to, msg string) error {
	return a.flashKind(c, to, msg, "")
}

func (a *App) flashKind(c echo.Context, to, msg, kind string) error {
	if err := a.setFlash(c, msg, kind); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, to)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext accepts only a local path to return to after sign-in, never another site: a path
// of a page of ours (a GET route), with no whitespace, control or invisible formatting
// characters and no backslash anywhere. Browsers drop tabs and newlines from a Location and
// read a backslash as a slash, so "/\t/evil.com" is "//evil.com" to them: another host.
func (a *App) safeNext(next string) string {
	if next == "" || next[0] != '/' {
		return ""
	}
	for _, r := range next {
		if r <= ' ' || r == 0x7f || r == '\\' || unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf) {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" ||
		strings.HasPrefix(u.Path, "//") || strings.HasPrefix(u.EscapedPath(), "//") || !a.isPage(u.Path) {
		return ""
	}
	return next
}

// isPage reports whether a path is one of the route table's GET routes.
func (a *App) isPage(p string) bool {
	segs := strings.Split(p, "/")
	for _, pattern := range a.pages {
		if matchRoute(strings.Split(pattern, "/"), segs) {
			return true
		}
	}
	return false
}

func matchRoute(pattern, segs []string) bool {
	if len(pattern) != len(segs) {
		return false
	}
	for i, ps := range pattern {
		if strings.HasPrefix(ps, ":") {
			if segs[i] == "" {
				return false
			}
		} else if ps != segs[i] {
			return false
		}
	}
	return true
}
