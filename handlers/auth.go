package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"allium/store"
	"allium/views"
)

// signIn starts a fresh session for a user: a new id, so a session fixed before sign-in is useless.
func (a *App) signIn(c echo.Context, u store.User) error {
	s := session(c)
	if s.ID != "" {
		if err := a.Store.DeleteSession(c.Request().Context(), s.ID); err != nil {
			return err
		}
	}
	s.ID, s.IsNew = "", true
	pending, _ := s.Values[keyAssessment].(string)
	safety, _ := s.Values[keySafety].(string)
	for k := range s.Values {
		delete(s.Values, k)
	}
	if safety != "" {
		s.Values[keySafety] = safety
	}
	s.Values[keyUser] = u.ID
	s.Values[keyRole] = string(u.Role)
	s.Values[keySignedIn] = a.Now().Unix()
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return a.pendingAssessment(c, pending, u)
}

func (a *App) SignInForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if has, err := a.Store.HasOwner(c.Request().Context()); err == nil && !has {
		return c.Redirect(http.StatusSeeOther, "/setup")
	}
	return a.render(c, "signin", views.Simple{Page: a.page(c, "Sign in"),
		Form: map[string]string{"next": a.safeNext(c.QueryParam("next"))}})
}

// SignIn checks the throttle before the password, and answers a wrong password, an unknown
// email and a deactivated account with the same words.
func (a *App) SignIn(c echo.Context) error {
	f := newForm(c)
	email := f.Email("email")
	password := f.raw("password", "Password", 200, false)
	f.Values["password"] = ""
	next := a.safeNext(c.FormValue("next"))
	f.Values["next"] = next
	if password == "" {
		f.fail("password", "Please enter your password.")
	}
	p := a.page(c, "Sign in")
	if !f.Valid() {
		p.Errors = f.Errors
		return a.invalid(c, "signin", views.Simple{Page: p, Form: f.Values})
	}
	ctx := c.Request().Context()
	wait, err := a.Store.SignInWait(ctx, a.Throttle, email, c.RealIP())
	if err != nil {
		return err
	}
	if wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		p.Flash, p.FlashKind = "Too many attempts to sign in from here. Please wait "+waitWords(wait)+
			", or reset your password, or ask for a sign-in link by email.", "error"
		return a.renderStatus(c, http.StatusTooManyRequests, "signin", views.Simple{Page: p, Form: f.Values})
	}
	u, err := a.Store.Authenticate(ctx, email, password)
	if errors.Is(err, store.ErrBadCredentials) {
		if err := a.Store.RecordSignInFailure(ctx, email, c.RealIP()); err != nil {
			return err
		}
		p.Errors = map[string]string{"password": "That email and password do not match an account. Please try again."}
		return a.invalid(c, "signin", views.Simple{Page: p, Form: f.Values})
	}
	if err != nil {
		return err
	}
	if err := a.Store.ClearSignInFailures(ctx, email, c.RealIP()); err != nil {
		return err
	}
	if u.Role.Staff() && u.TwoFactor {
		return a.awaitSecondFactor(c, u, next)
	}
	if err := a.signIn(c, u); err != nil {
		return err
	}
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// SignOut ends the session on the server, so the old cookie is worthless.
func (a *App) SignOut(c echo.Context) error {
	s := session(c)
	s.Options.MaxAge = -1
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/signin?signed_out=1")
}

func (a *App) ForgotForm(c echo.Context) error {
	return a.render(c, "forgot", views.Simple{Page: a.page(c, "Reset your password")})
}

// Forgot queues a reset link if the account exists and says the same thing either way.
func (a *App) Forgot(c echo.Context) error {
	f := newForm(c)
	email := f.Email("email")
	if !f.Valid() {
		return a.formInvalid(c, "forgot", "Reset your password", f)
	}
	err := a.Store.StartPasswordReset(c.Request().Context(), c.RealIP(), email, requestLimits("forgot", c.RealIP(), email)...)
	if err != nil {
		return a.limited(c, err)
	}
	return a.flash(c, "/signin", "If "+email+" has an account, a link to reset its password is on its way. It works for one hour.")
}

func (a *App) ResetForm(c echo.Context) error {
	if err := a.Store.CheckToken(c.Request().Context(), c.Param("token"), store.TokenReset); err != nil {
		return a.tokenGone(c, err)
	}
	return a.render(c, "reset", views.Simple{Page: a.page(c, "Choose a new password")})
}

func (a *App) Reset(c echo.Context) error {
	if err := a.Store.CheckToken(c.Request().Context(), c.Param("token"), store.TokenReset); err != nil {
		return a.tokenGone(c, err) // a dead link says so before any form problem
	}
	f := newForm(c)
	pw := f.NewPassword("password")
	if !f.Valid() {
		return a.formInvalid(c, "reset", "Choose a new password", f)
	}
	u, err := a.Store.ResetPassword(c.Request().Context(), c.RealIP(), c.Param("token"), pw)
	if err != nil {
		return a.tokenGone(c, err)
	}
	// Resetting is the way out of a sign-in block that the 429 page offers.
	if err := a.Store.ClearSignInFailures(c.Request().Context(), u.Email, ""); err != nil {
		return err
	}
	return a.flash(c, "/signin", "Your password is changed. Please sign in with it.")
}

// tokenGone answers a used, expired or unknown link with one calm page.
func (a *App) tokenGone(c echo.Context, err error) error {
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return a.renderStatus(c, http.StatusNotFound, "error", views.ErrorPage{Page: a.page(c, "Link expired"),
		Heading: "This link no longer works", Message: "Links in our emails work once and only for a short time. Please ask for a new one."})
}

func (a *App) SignInLinkForm(c echo.Context) error {
	return a.render(c, "signin_link", views.Simple{Page: a.page(c, "Email me a sign-in link")})
}

func (a *App) SignInLinkRequest(c echo.Context) error {
	f := newForm(c)
	email := f.Email("email")
	if !f.Valid() {
		return a.formInvalid(c, "signin_link", "Email me a sign-in link", f)
	}
	err := a.Store.StartSignInLink(c.Request().Context(), c.RealIP(), email, requestLimits("signin_link", c.RealIP(), email)...)
	if err != nil {
		return a.limited(c, err)
	}
	return a.flash(c, "/signin", "If "+email+" has a client account, a sign-in link is on its way. It works once, for 15 minutes.")
}

// SignInLinkConfirm shows a button rather than signing in on GET, so a mail scanner that
// follows links cannot use up the link.
func (a *App) SignInLinkConfirm(c echo.Context) error {
	if err := a.Store.CheckToken(c.Request().Context(), c.Param("token"), store.TokenSignIn); err != nil {
		return a.tokenGone(c, err)
	}
	return a.render(c, "signin_link_use", views.Simple{Page: a.page(c, "Sign in")})
}

func (a *App) SignInLinkUse(c echo.Context) error {
	u, err := a.Store.UseSignInLink(c.Request().Context(), c.RealIP(), c.Param("token"))
	if err != nil {
		return a.tokenGone(c, err)
	}
	if err := a.signIn(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

// SetupForm exists only until the clinic has an owner.
func (a *App) SetupForm(c echo.Context) error {
	if has, err := a.Store.HasOwner(c.Request().Context()); err != nil || has {
		return orNotFound(err)
	}
	return a.render(c, "setup", views.Simple{Page: a.page(c, "Set up your clinic")})
}

func (a *App) Setup(c echo.Context) error {
	if has, err := a.Store.HasOwner(c.Request().Context()); err != nil || has {
		return orNotFound(err)
	}
	f := newForm(c)
	nu := store.NewUser{Name: f.Text("name", "Your name", 100, true), Email: f.Email("email"),
		Password: f.NewPassword("password")}
	clinicName := f.Text("clinic", "Clinic name", 100, true)
	if !f.Valid() {
		return a.formInvalid(c, "setup", "Set up your clinic", f)
	}
	ctx := c.Request().Context()
	u, err := a.Store.CreateFirstOwner(ctx, c.RealIP(), nu)
	if errors.Is(err, store.ErrConflict) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	set := a.Settings()
	set.Name = clinicName
	by := store.Actor{UserID: u.ID, Role: u.Role, IP: c.RealIP()}
	if err := a.Store.SaveSettings(ctx, by, set); err != nil {
		return err
	}
	if err := a.reloadSettings(ctx); err != nil {
		return err
	}
	if err := a.signIn(c, u); err != nil {
		return err
	}
	return a.flash(c, "/admin/settings?setup=1", "Welcome to Allium. A few short steps open your clinic for booking: "+
		"each one can be skipped now and changed later in the settings.")
}

func orNotFound(err error) error {
	if err != nil {
		return err
	}
	return echo.ErrNotFound
}

func (a *App) InviteForm(c echo.Context) error {
	if err := a.Store.CheckToken(c.Request().Context(), c.Param("token"), store.TokenInvite); err != nil {
		return a.tokenGone(c, err)
	}
	return a.render(c, "invite", views.Simple{Page: a.page(c, "Join the team")})
}

func (a *App) InviteAccept(c echo.Context) error {
	if err := a.Store.CheckToken(c.Request().Context(), c.Param("token"), store.TokenInvite); err != nil {
		return a.tokenGone(c, err)
	}
	f := newForm(c)
	pw := f.NewPassword("password")
	if !f.Valid() {
		return a.formInvalid(c, "invite", "Join the team", f)
	}
	u, err := a.Store.AcceptInvite(c.Request().Context(), c.RealIP(), c.Param("token"), pw)
	if err != nil {
		return a.tokenGone(c, err)
	}
	if err := a.signIn(c, u); err != nil {
		return err
	}
	return a.flash(c, "/", "Welcome, "+u.Name+". Your account is ready.")
}

func (a *App) Account(c echo.Context) error {
	return a.render(c, "account", views.Simple{Page: a.page(c, "Your account")})
}

// ChangePassword checks the current password, sets the new one, ends every session (the
// store does) and signs this browser in afresh.
func (a *App) ChangePassword(c echo.Context) error {
	f := newForm(c)
	current := f.raw("current", "Current password", 200, false)
	pw := f.NewPassword("password")
	u := currentUser(c)
	ctx := c.Request().Context()
	if f.Valid() {
		if _, err := a.Store.Authenticate(ctx, u.Email, current); err != nil {
			f.fail("current", "That is not your current password.")
		}
	}
	if !f.Valid() {
		return a.formInvalid(c, "account", "Your account", f)
	}
	if err := a.Store.SetPassword(ctx, actor(c), u.ID, pw); err != nil {
		return err
	}
	if err := a.signIn(c, *u); err != nil {
		return err
	}
	return a.flash(c, "/account", "Your password is changed. Any other device you used is signed out.")
}

func (a *App) SignOutEverywhere(c echo.Context) error {
	u := currentUser(c)
	if err := a.Store.DeleteUserSessions(c.Request().Context(), actor(c), u.ID); err != nil {
		return err
	}
	return a.SignOut(c)
}

// formInvalid re-renders a simple form page with 422, the messages beside the fields and the
// values as typed (password fields were already blanked by the form).
func (a *App) formInvalid(c echo.Context, name, title string, f *form) error {
	p := a.page(c, title)
	p.Errors = f.Errors
	return a.invalid(c, name, views.Simple{Page: p, Form: f.Values})
}

// requestLimits are the limits of a form that sends mail or starts work: per address, and per
// target email where there is one. They keep a stranger from filling someone's inbox or the
// clinic's outbox; a person asking twice or three times is never stopped.
func requestLimits(kind, addr, email string) []store.Limit {
	perAddress, perEmail, window := 10, 3, 15*time.Minute
	if kind == "assessment" {
		perAddress, window = 30, time.Hour
	}
	out := []store.Limit{{Kind: kind, Scope: "address", Key: addr, Max: perAddress, Window: window}}
	if email != "" {
		out = append(out, store.Limit{Kind: kind, Scope: "email", Key: email, Max: perEmail, Window: window})
	}
	return out
}

// limited answers a request over its limits with 429 and a calm page; other errors pass on.
func (a *App) limited(c echo.Context, err error) error {
	if !errors.Is(err, store.ErrLimited) {
		return err
	}
	c.Response().Header().Set("Retry-After", "900")
	msg := "We have had this request several times in a short while, so we have paused it for now. Please try again in 15 minutes."
	if ph := a.Settings().Phone; ph != "" {
		msg += " If it cannot wait, please call us on " + ph + "."
	}
	return a.renderStatus(c, http.StatusTooManyRequests, "error", views.ErrorPage{Page: a.page(c, "Please try again soon"),
		Heading: "Please try again in a little while", Message: msg})
}

// waitWords says a wait in words: "a minute", "4 minutes".
func waitWords(d time.Duration) string {
	m := int((d + time.Minute - time.Second) / time.Minute)
	if m <= 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", m)
}
