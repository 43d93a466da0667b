package handlers

import (
	"net/http"
	"net/url"
	"strings"

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

// safeNext accepts only a local path to return to after sign-in, never another site.
func safeNext(next string) string {
	if len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return ""
	}
	return next
}
