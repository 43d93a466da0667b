package handlers

import (
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"allium/store"
	"allium/views"
)

// Staff two-factor sign-in. After the right password, a staff member who set it up is asked
// for the code their app shows (or a recovery code) before the session becomes theirs. The
// session meanwhile holds only who passed the password and when, for five minutes.

// twoFactorRoutes are the second step of sign-in, enrolment and the owner's reset.
func (a *App) twoFactorRoutes() []Route {
	return []Route{
		{"GET", "/signin/code", "signin.code", anyone, a.SecondFactorForm},
		{"POST", "/signin/code", "signin.code.post", anyone, a.SecondFactor},
		{"GET", "/account/2fa", "account.2fa", staff, a.TwoFactorSetup},
		{"GET", "/account/2fa/qr.png", "account.2fa.qr", staff, a.TwoFactorQR},
		{"POST", "/account/2fa", "account.2fa.post", staff, a.TwoFactorEnable},
		{"POST", "/account/2fa/codes", "account.2fa.codes", staff, a.TwoFactorNewCodes},
		{"POST", "/admin/staff/:id/2fa/reset", "admin.staff.2fa.reset", ownerOnly, a.TwoFactorReset},
	}
}

const secondFactorWindow = 5 * time.Minute

// awaitSecondFactor keeps, in a fresh session, that u gave the right password, and sends
// them to give their code. Nothing else of the session is theirs yet.
func (a *App) awaitSecondFactor(c echo.Context, u store.User, next string) error {
	s := session(c)
	if s.ID != "" {
		if err := a.Store.DeleteSession(c.Request().Context(), s.ID); err != nil {
			return err
		}
	}
	s.ID, s.IsNew = "", true
	for k := range s.Values {
		delete(s.Values, k)
	}
	s.Values[keyPendingUser] = u.ID
	s.Values[keyPendingAt] = a.Now().Unix()
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	to := "/signin/code"
	if next != "" {
		to += "?next=" + url.QueryEscape(next)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// pendingUser is the staff member who gave the right password in this browser in the last
// five minutes, or nil.
func (a *App) pendingUser(c echo.Context) (*store.User, error) {
	s := session(c)
	uid, _ := s.Values[keyPendingUser].(int64)
	at, _ := s.Values[keyPendingAt].(int64)
	if uid == 0 || a.Now().Sub(time.Unix(at, 0)) > secondFactorWindow {
		return nil, nil
	}
	u, err := a.Store.UserByID(c.Request().Context(), uid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Active) {
		return nil, nil
	}
	return &u, err
}

func (a *App) SecondFactorForm(c echo.Context) error {
	u, err := a.pendingUser(c)
	if err != nil || u == nil {
		return orRedirect(c, err, "/signin")
	}
	return a.render(c, "signin_code", views.Simple{Page: a.page(c, "Your sign-in code"),
		Form: map[string]string{"next": a.safeNext(c.QueryParam("next"))}})
}

// SecondFactor checks the code. Wrong codes count as failed sign-ins, so guessing codes waits
// like guessing passwords.
func (a *App) SecondFactor(c echo.Context) error {
	u, err := a.pendingUser(c)
	if err != nil || u == nil {
		return orRedirect(c, err, "/signin")
	}
	f := newForm(c)
	code := f.Text("code", "Code", 40, true)
	next := a.safeNext(c.FormValue("next"))
	f.Values["next"], f.Values["code"] = next, ""
	ctx := c.Request().Context()
	p := a.page(c, "Your sign-in code")
	if f.Valid() {
		wait, err := a.Store.SignInWait(ctx, a.Throttle, u.Email, c.RealIP())
		if err != nil {
			return err
		}
		if wait > 0 {
			p.Flash, p.FlashKind = "Too many attempts from here. Please wait "+waitWords(wait)+".", "error"
			return a.renderStatus(c, http.StatusTooManyRequests, "signin_code", views.Simple{Page: p, Form: f.Values})
		}
		err = a.Store.UseSecondFactor(ctx, c.RealIP(), u.ID, code)
		if err == nil {
			if err := a.signIn(c, *u); err != nil {
				return err
			}
			return c.Redirect(http.StatusSeeOther, cmpOr(next, "/"))
		}
		if !errors.Is(err, store.ErrBadCredentials) {
			return err
		}
		if err := a.Store.RecordSignInFailure(ctx, u.Email, c.RealIP()); err != nil {
			return err
		}
		f.fail("code", "That code is not right, or was used already. Please enter the code your app shows now, or a recovery code.")
	}
	p.Errors = f.Errors
	return a.invalid(c, "signin_code", views.Simple{Page: p, Form: f.Values})
}

func cmpOr(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

func orRedirect(c echo.Context, err error, to string) error {
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// TwoFactorSetup shows the QR code of a new secret, kept in the session until a code from the
// app proves it was scanned.
func (a *App) TwoFactorSetup(c echo.Context) error {
	noStore(c)
	u := currentUser(c)
	data := views.TwoFactorPage{Page: a.page(c, "Two-step sign-in"), On: u.TwoFactor, Required: a.Settings().StaffTwoFactor}
	if u.TwoFactor {
		left, err := a.Store.RecoveryCodesLeft(c.Request().Context(), actor(c))
		if err != nil {
			return err
		}
		data.CodesLeft = left
		return a.render(c, "account_2fa", data)
	}
	key, err := a.pendingKey(c, true)
	if err != nil {
		return err
	}
	data.Secret = key.Secret()
	return a.render(c, "account_2fa", data)
}

// pendingKey is the secret being set up in this session, made when fresh is true and none is.
func (a *App) pendingKey(c echo.Context, fresh bool) (*otp.Key, error) {
	if v := sessionString(c, keyTOTPSetup); v != "" {
		return otp.NewKeyFromURL(v)
	}
	if !fresh {
		return nil, echo.ErrNotFound
	}
	u := currentUser(c)
	key, err := totp.Generate(totp.GenerateOpts{Issuer: a.Settings().Name, AccountName: u.Email})
	if err != nil {
		return nil, err
	}
	s := session(c)
	s.Values[keyTOTPSetup] = key.URL()
	return key, s.Save(c.Request(), c.Response())
}

// TwoFactorQR draws the secret being set up as a QR code for the app to scan.
func (a *App) TwoFactorQR(c echo.Context) error {
	noStore(c)
	key, err := a.pendingKey(c, false)
	if err != nil {
		return err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "image/png")
	c.Response().WriteHeader(http.StatusOK)
	return png.Encode(c.Response(), img)
}

// TwoFactorEnable turns the second factor on once a code proves the app has the secret, and
// shows the recovery codes, once.
func (a *App) TwoFactorEnable(c echo.Context) error {
	noStore(c)
	key, err := a.pendingKey(c, false)
	if err != nil {
		return c.Redirect(http.StatusSeeOther, "/account/2fa")
	}
	f := newForm(c)
	code := f.Text("code", "Code", 20, true)
	data := views.TwoFactorPage{Page: a.page(c, "Two-step sign-in"), Secret: key.Secret(), Required: a.Settings().StaffTwoFactor}
	if f.Valid() {
		codes, err := a.Store.EnableTwoFactor(c.Request().Context(), actor(c), key.Secret(), code)
		if err == nil {
			s := session(c)
			delete(s.Values, keyTOTPSetup)
			if err := s.Save(c.Request(), c.Response()); err != nil {
				return err
			}
			data.On, data.Codes = true, codes
			return a.render(c, "account_2fa", data)
		}
		if !errors.Is(err, store.ErrBadCredentials) {
			return err
		}
		f.fail("code", "That code does not match. Scan the picture again, then enter the code your app shows now.")
	}
	data.Page.Errors = f.Errors
	return a.invalid(c, "account_2fa", data)
}

// TwoFactorNewCodes replaces the recovery codes and shows the new ones, once.
func (a *App) TwoFactorNewCodes(c echo.Context) error {
	noStore(c)
	if !currentUser(c).TwoFactor {
		return c.Redirect(http.StatusSeeOther, "/account/2fa")
	}
	codes, err := a.Store.NewRecoveryCodes(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return a.render(c, "account_2fa", views.TwoFactorPage{Page: a.page(c, "Two-step sign-in"), On: true, Codes: codes,
		Required: a.Settings().StaffTwoFactor})
}

// TwoFactorReset is the owner turning off a staff member's second factor, for someone who
// lost their phone and their recovery codes.
func (a *App) TwoFactorReset(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.Store.ResetTwoFactor(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return a.flash(c, "/admin/staff", "Two-step sign-in is reset. They sign in with their password and set it up again.")
}

// needsEnrolment reports whether a signed-in staff member must set up two-step sign-in before
// anything else: the owner requires it and they have not.
func (a *App) needsEnrolment(c echo.Context) bool {
	u := currentUser(c)
	if u == nil || !u.Role.Staff() || u.TwoFactor || !a.Settings().StaffTwoFactor {
		return false
	}
	switch c.Path() {
	case "/account/2fa", "/account/2fa/qr.png", "/signout", "/assets/*":
		return false
	}
	return true
}
