package handlers

import (
	"github.com/labstack/echo/v4"

	"allium/views"
)

// UnsubscribeForm asks before stopping nudges: mail scanners open links in emails, and a GET
// must never change anything.
func (a *App) UnsubscribeForm(c echo.Context) error {
	name, email, already, err := a.Store.UnsubscribeTarget(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	form := map[string]string{"Name": name, "Email": email}
	if already {
		form["Already"] = "yes"
	}
	return a.render(c, "unsubscribe", views.Simple{Page: a.page(c, "Stop suggestions"), Form: form})
}

// Unsubscribe stops nudges and maintenance prompts. It answers both the button on the form
// and a mail program's one-click request (RFC 8058), which carries no CSRF token: the signed
// link is the credential, and all it can do is stop suggestions.
func (a *App) Unsubscribe(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	if err := a.Store.Unsubscribe(ctx, token, c.RealIP()); err != nil {
		return err
	}
	name, _, _, err := a.Store.UnsubscribeTarget(ctx, token)
	if err != nil {
		return err
	}
	return a.render(c, "unsubscribe", views.Simple{Page: a.page(c, "No more suggestions"),
		Form: map[string]string{"Done": "yes", "Name": name}})
}
