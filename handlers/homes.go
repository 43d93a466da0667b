package handlers

import (
	"github.com/labstack/echo/v4"

	"allium/views"
)

// ClientHome is a client's start page: their bookings.
func (a *App) ClientHome(c echo.Context) error {
	return a.render(c, "client_home", views.Simple{Page: a.page(c, "My bookings")})
}

// TherapistHome is a therapist's day.
func (a *App) TherapistHome(c echo.Context) error {
	return a.render(c, "therapist_home", views.Simple{Page: a.page(c, "My day")})
}
