package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// deskMoveDays is how many days of free times the move page lists at once.
const deskMoveDays = 7

// DeskMoveForm lists free times with the same therapist and service for a week.
func (a *App) DeskMoveForm(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	if !clinic.ApptAllows(a.apptChange(ap, clinic.ApptMove, actor(c).Role)) {
		return a.flashKind(c, deskApptHref(ap.ID), "Only a booked appointment can be moved.", "error")
	}
	date, bad := a.deskParseDate(c.QueryParam("date"), a.deskMoveStart(ap))
	if bad != "" {
		return a.deskMovePage(c, http.StatusUnprocessableEntity, ap, date, "date", bad)
	}
	return a.deskMovePage(c, http.StatusOK, ap, date, "", "")
}

// deskMoveStart is the first day the move page shows: the appointment's own, or today for
// one already past.
func (a *App) deskMoveStart(ap store.Appointment) clinic.Date {
	day, today := clinic.DateOf(ap.Start, a.Loc()), a.deskToday()
	if day.Before(today) {
		return today
	}
	return day
}

// DeskMove moves the appointment to the chosen start through the store, which checks it
// again: a time taken meanwhile is a 409, a time that was never offered a 422.
func (a *App) DeskMove(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	date, _ := a.deskParseDate(c.FormValue("date"), a.deskMoveStart(ap))
	f := newForm(c)
	v := f.Text("start", "The new time", 40, true)
	at, perr := time.Parse(time.RFC3339, v)
	if !f.Valid() || perr != nil {
		return a.deskMovePage(c, http.StatusUnprocessableEntity, ap, date, "start", "Please choose a new time from the list.")
	}
	moved, err := a.Store.Reschedule(c.Request().Context(), actor(c), ap.ID, at)
	if se, ok := sessionError(err); ok {
		status := http.StatusUnprocessableEntity
		if errors.Is(se.Err, clinic.ErrSlotTaken) || errors.Is(se.Err, clinic.ErrNoRoom) || errors.Is(se.Err, clinic.ErrTimeOff) {
			status = http.StatusConflict
		}
		return a.deskMovePage(c, status, ap, date, "start", sessionRefusal(se))
	}
	if errors.Is(err, store.ErrConflict) {
		return a.deskMovePage(c, http.StatusConflict, ap, date, "start", "This appointment changed meanwhile and can no longer be moved. Open it again to see why.")
	}
	if err != nil {
		return err
	}
	return a.flash(c, deskApptHref(ap.ID), "Moved to "+a.Dates().When(moved.Start)+".")
}

// deskMovePage renders the free times from date, with a message beside a field if any.
func (a *App) deskMovePage(c echo.Context, status int, ap store.Appointment, date clinic.Date, field, msg string) error {
	days, err := a.deskFreeDays(c.Request().Context(), ap, date)
	if err != nil {
		return err
	}
	data := views.DeskMove{Page: a.page(c, "Move "+ap.ClientName+"'s appointment"), Nav: deskNav(c),
		Appt: views.DeskAppt{Appointment: ap}, Days: days, Date: date.String(),
		Prev: date.AddDays(-deskMoveDays).String(), Next: date.AddDays(deskMoveDays).String()}
	if field != "" {
		data.Page.Errors[field] = msg
	}
	return a.renderStatus(c, status, "desk_move", data)
}

// deskFreeDays lists the free starts of the appointment's therapist and service from date
// for a week, treating the appointment's own time as free (it moves out of it) but not
// offering it again. Reception may book up to the minute, so no notice applies.
func (a *App) deskFreeDays(ctx context.Context, ap store.Appointment, date clinic.Date) ([]views.DeskSlotDay, error) {
	sv, err := a.Store.ServiceByID(ctx, ap.ServiceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil // a retired service: nothing to offer
	}
	if err != nil {
		return nil, err
	}
	loc := a.Loc()
	q, err := a.Store.MoveQuery(ctx, ap, sv.Service, deskMidnight(date, loc), deskMidnight(date.AddDays(deskMoveDays), loc))
	if err != nil {
		return nil, err
	}
	q.MinNotice = clinic.NoNotice
	var days []views.DeskSlotDay
	for _, s := range clinic.FreeTimes(q) {
		if s.Start.Equal(ap.Start) {
			continue
		}
		label := a.Dates().DayOf(s.Start)
		if len(days) == 0 || days[len(days)-1].Label != label {
			days = append(days, views.DeskSlotDay{Label: label})
		}
		d := &days[len(days)-1]
		d.Slots = append(d.Slots, views.DeskSlot{Value: s.Start.UTC().Format(time.RFC3339), Time: a.Dates().Clock(s.Start)})
	}
	return days, nil
}
