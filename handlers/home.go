package handlers

import (
	"net/http"
	"time"

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
		return a.frontPage(c)
	}
	to := map[clinic.Role]string{clinic.RoleClient: "/my", clinic.RoleTherapist: "/therapist",
		clinic.RoleReception: "/desk", clinic.RoleOwner: "/admin"}[u.Role]
	return c.Redirect(http.StatusSeeOther, to)
}

// frontPage is what a client wants to know before booking: the services with their length and
// price, the therapists, the opening hours (the therapists' hours put together), where the
// clinic is and how to call it.
func (a *App) frontPage(c echo.Context) error {
	ctx := c.Request().Context()
	data := views.PublicHome{Page: a.page(c, "")}
	var err error
	if data.Services, err = a.Store.Services(ctx); err != nil {
		return err
	}
	if data.Therapists, err = a.Store.PublicTherapists(ctx); err != nil {
		return err
	}
	hours, err := a.Store.AllHours(ctx)
	if err != nil {
		return err
	}
	var working []clinic.WeeklyHours
	for _, t := range data.Therapists {
		working = append(working, hours[t.ID])
	}
	open := clinic.UnionHours(working...)
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		dh := views.DayHours{Day: wd.String(), Hours: "Closed"}
		if len(open[wd]) > 0 {
			dh.Hours = deskShiftsValue(open[wd])
		}
		data.Hours = append(data.Hours, dh)
	}
	if data.Open, err = a.bookingOpen(c); err != nil {
		return err
	}
	return a.render(c, "home", data)
}
