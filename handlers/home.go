package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/views"
)

// Home sends each role to its own start page; visitors see the clinic's front page.
func (a *App) Home(c echo.Context) error {
	u := currentUser(c)
	if u == nil {
		if has, err := a.Store.HasOwner(c.Request().Context()); err == nil && !has {
			return c.Redirect(http.StatusSeeOther, "/setup")
		}
		return a.render(c, "home", views.Simple{Page: a.page(c, "")})
	}
	to := map[clinic.Role]string{clinic.RoleClient: "/my", clinic.RoleTherapist: "/therapist",
		clinic.RoleReception: "/desk", clinic.RoleOwner: "/admin"}[u.Role]
	return c.Redirect(http.StatusSeeOther, to)
}
