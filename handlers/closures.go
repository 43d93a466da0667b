package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// closureRoutes: dates the whole clinic is closed (the owner's), and one-off hours of a
// therapist for a date (whoever may change the therapist's hours).
func (a *App) closureRoutes() []Route {
	return []Route{
		{"GET", "/admin/closures", "admin.closures", ownerOnly, a.ClosuresList},
		{"POST", "/admin/closures", "admin.closures.post", ownerOnly, a.ClosureAdd},
		{"POST", "/admin/closures/:date/delete", "admin.closure.delete", ownerOnly, a.ClosureDelete},
		{"POST", "/desk/therapists/:id/datehours", "desk.datehours.post", staff, a.DeskSetDateHours},
		{"POST", "/desk/therapists/:id/datehours/:date/delete", "desk.datehours.delete", staff, a.DeskDeleteDateHours},
	}
}

// futureDate reads a date field that must be today or later in the clinic's zone.
func (a *App) futureDate(f *form, name, label string) clinic.Date {
	v := f.Text(name, label, 10, true)
	if v == "" {
		return clinic.Date{}
	}
	d, err := clinic.ParseDate(v)
	switch {
	case err != nil:
		f.fail(name, clinic.MsgDateFormat)
	case d.Before(clinic.DateOf(a.Now(), a.Loc())):
		f.fail(name, clinic.MsgDateInPast)
	}
	return d
}

func (a *App) ClosuresList(c echo.Context) error {
	return a.closuresPage(c, http.StatusOK, views.ClosuresPage{Page: a.page(c, "Closures")})
}

func (a *App) closuresPage(c echo.Context, status int, data views.ClosuresPage) error {
	list, err := a.Store.Closures(c.Request().Context(), actor(c), clinic.DateOf(a.Now(), a.Loc()))
	if err != nil {
		return err
	}
	data.Closures = list
	return a.renderStatus(c, status, "admin_closures", data)
}

// ClosureAdd closes the clinic for a date and lists the bookings that day, which stay booked.
func (a *App) ClosureAdd(c echo.Context) error {
	f := newForm(c)
	cl := store.Closure{Date: a.futureDate(f, "date", "Date"), Reason: f.Text("reason", "Reason", 100, false)}
	if !f.Valid() {
		p := a.page(c, "Closures")
		p.Errors = f.Errors
		return a.closuresPage(c, http.StatusUnprocessableEntity, views.ClosuresPage{Page: p, Form: f.Values})
	}
	conflicts, err := a.Store.AddClosure(c.Request().Context(), actor(c), cl, a.Loc())
	if err != nil {
		return err
	}
	if len(conflicts) == 0 {
		return a.flash(c, "/admin/closures", "Closed on "+cl.Date.String()+".")
	}
	p := a.page(c, "Closures")
	p.Flash, p.FlashKind = clinic.MsgClosedBooked, "warn"
	return a.closuresPage(c, http.StatusOK, views.ClosuresPage{Page: p, Conflicts: conflicts})
}

func (a *App) ClosureDelete(c echo.Context) error {
	d, err := clinic.ParseDate(c.Param("date"))
	if err != nil {
		return echo.ErrNotFound
	}
	if err := a.Store.DeleteClosure(c.Request().Context(), actor(c), d); err != nil {
		return err
	}
	return a.flash(c, "/admin/closures", "Open again on "+d.String()+".")
}

// DeskSetDateHours sets a therapist's hours for one date; empty hours are a day away. The
// bookings that no longer fit stay booked and are named in the message.
func (a *App) DeskSetDateHours(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c)
	dh := store.DateHours{TherapistID: id, Date: a.futureDate(f, "on_date", "Date")}
	dh.Shifts = deskParseShifts(f, "on_hours", "Hours that day")
	if !f.Valid() {
		return a.deskHoursPage(c, http.StatusUnprocessableEntity, id, f)
	}
	conflicts, err := a.Store.SetDateHours(c.Request().Context(), actor(c), dh, a.Loc())
	if err != nil {
		return err
	}
	to := "/desk/therapists/" + strconv.FormatInt(id, 10) + "/hours"
	if len(conflicts) == 0 {
		return a.flash(c, to, "Hours for "+dh.Date.String()+" saved.")
	}
	names := make([]string, len(conflicts))
	for i, b := range conflicts {
		names[i] = b.ClientName + " at " + b.Start.In(a.Loc()).Format("15:04")
	}
	return a.flashKind(c, to, "Hours for "+dh.Date.String()+" saved. "+clinic.MsgHoursDayShort+" "+strings.Join(names, "; ")+".", "warn")
}

func (a *App) DeskDeleteDateHours(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := clinic.ParseDate(c.Param("date"))
	if err != nil {
		return echo.ErrNotFound
	}
	if err := a.Store.DeleteDateHours(c.Request().Context(), actor(c), id, d); err != nil {
		return err
	}
	return a.flash(c, "/desk/therapists/"+strconv.FormatInt(id, 10)+"/hours", "Back to the weekly hours on "+d.String()+".")
}
