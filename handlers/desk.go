package handlers

import (
	"github.com/labstack/echo/v4"

	"allium/views"
)

// deskRoutes are reception's screens.
func (a *App) deskRoutes() []Route {
	return []Route{
		{"GET", "/desk", "desk.home", desk, a.DeskHome},
	}
}

// DeskHome is reception's day.
func (a *App) DeskHome(c echo.Context) error {
	return a.render(c, "desk_home", views.Simple{Page: a.page(c, "Today")})
}
