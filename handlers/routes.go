package handlers

import (
	"io"
	"mime"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"

	"allium/clinic"
)

// Who may use a route. A nil list means anyone, signed in or not.
var (
	anyone      []clinic.Role
	signedIn    = []clinic.Role{clinic.RoleOwner, clinic.RoleTherapist, clinic.RoleReception, clinic.RoleClient}
	staff       = []clinic.Role{clinic.RoleOwner, clinic.RoleTherapist, clinic.RoleReception}
	desk        = []clinic.Role{clinic.RoleOwner, clinic.RoleReception}
	clinicians  = []clinic.Role{clinic.RoleOwner, clinic.RoleTherapist}
	ownerOnly   = []clinic.Role{clinic.RoleOwner}
	clientsOnly = []clinic.Role{clinic.RoleClient}
)

// Route is one line of the route table. The table is the single source of who may reach what:
// the authorisation matrix test walks it, so a new route without an expectation fails.
type Route struct {
	Method string
	Path   string
	Name   string
	Allow  []clinic.Role
	handle echo.HandlerFunc
}

// Routes is the route table.
func (a *App) Routes() []Route {
	routes := []Route{
		{"GET", "/", "home", anyone, a.Home},
		{"GET", "/healthz", "healthz", anyone, a.Healthz},

		{"GET", "/signin", "signin", anyone, a.SignInForm},
		{"POST", "/signin", "signin.post", anyone, a.SignIn},
		{"POST", "/signout", "signout", anyone, a.SignOut},
		{"GET", "/forgot", "forgot", anyone, a.ForgotForm},
		{"POST", "/forgot", "forgot.post", anyone, a.Forgot},
		{"GET", "/reset/:token", "reset", anyone, a.ResetForm},
		{"POST", "/reset/:token", "reset.post", anyone, a.Reset},
		{"GET", "/signin/link", "signinlink", anyone, a.SignInLinkForm},
		{"POST", "/signin/link", "signinlink.post", anyone, a.SignInLinkRequest},
		{"GET", "/signin/link/:token", "signinlink.use", anyone, a.SignInLinkConfirm},
		{"POST", "/signin/link/:token", "signinlink.use.post", anyone, a.SignInLinkUse},
		{"GET", "/setup", "setup", anyone, a.SetupForm},
		{"POST", "/setup", "setup.post", anyone, a.Setup},
		{"GET", "/invite/:token", "invite", anyone, a.InviteForm},
		{"POST", "/invite/:token", "invite.post", anyone, a.InviteAccept},

		{"GET", "/account", "account", signedIn, a.Account},
		{"POST", "/account/password", "account.password", signedIn, a.ChangePassword},
		{"POST", "/account/signout-everywhere", "account.signout_all", signedIn, a.SignOutEverywhere},

		{"GET", "/my", "client.home", clientsOnly, a.ClientHome},
		{"GET", "/therapist", "therapist.home", clinicians, a.TherapistHome},

		{"GET", "/admin", "admin.home", ownerOnly, a.AdminHome},
		{"GET", "/admin/settings", "admin.settings", ownerOnly, a.SettingsForm},
		{"POST", "/admin/settings", "admin.settings.post", ownerOnly, a.SaveSettings},
		{"GET", "/admin/staff", "admin.staff", ownerOnly, a.StaffList},
		{"POST", "/admin/staff/invite", "admin.staff.invite", ownerOnly, a.StaffInvite},
		{"POST", "/admin/staff/:id/active", "admin.staff.active", ownerOnly, a.StaffSetActive},
		{"GET", "/admin/mail", "admin.mail", ownerOnly, a.MailList},
		{"GET", "/admin/mail/:id", "admin.mail.show", ownerOnly, a.MailShow},
		{"POST", "/admin/outbox/:id/resend", "admin.outbox.resend", desk, a.OutboxResend},
		{"GET", "/admin/audit", "admin.audit", ownerOnly, a.AuditList},
		{"GET", "/admin/assessments", "admin.assessments", ownerOnly, a.AssessmentsOverview},
	}
	routes = append(routes, a.setupRoutes()...)
	routes = append(routes, a.closureRoutes()...)
	routes = append(routes, a.importRoutes()...)
	routes = append(routes, a.twoFactorRoutes()...)
	routes = append(routes, a.bookingRoutes()...)
	routes = append(routes, a.deskRoutes()...)
	routes = append(routes, a.moneyRoutes()...)
	routes = append(routes, a.prepaidRoutes()...)
	routes = append(routes, a.assessmentRoutes()...)
	routes = append(routes, a.reminderRoutes()...)
	routes = append(routes, a.chartRoutes()...)
	routes = append(routes, a.reportRoutes()...)
	return routes
}

func (a *App) register(e *echo.Echo) {
	e.GET("/assets/*", a.serveAsset)
	for _, r := range a.Routes() {
		var mw []echo.MiddlewareFunc
		if r.Allow != nil {
			mw = append(mw, a.guard(r.Allow))
		}
		e.Add(r.Method, r.Path, r.handle, mw...).Name = r.Name
		if r.Method == http.MethodGet {
			a.pages = append(a.pages, r.Path)
		}
	}
}

// serveAsset serves embedded files under their fingerprinted URL, cacheable for a year.
func (a *App) serveAsset(c echo.Context) error {
	f, name, err := a.Assets.Open(c.Param("*"))
	if err != nil {
		return echo.ErrNotFound
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	return c.Stream(http.StatusOK, ct, f.(io.Reader))
}

// Healthz answers 200 when the database answers, for monitors and load balancers.
func (a *App) Healthz(c echo.Context) error {
	if _, err := a.Store.HasOwner(c.Request().Context()); err != nil {
		return err
	}
	return c.String(http.StatusOK, "ok")
}
