package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/mail"
	"allium/store"
	"allium/views"
)

// ClientHome lists a client's upcoming and recent sessions.
func (a *App) ClientHome(c echo.Context) error {
	ctx := c.Request().Context()
	by := actor(c)
	all, err := a.Store.ClientAppointments(ctx, by, by.ClientID, a.Now().AddDate(-1, 0, 0))
	if err != nil {
		return err
	}
	data := views.ClientHome{Page: a.page(c, "My bookings")}
	now := a.Now()
	for _, ap := range all {
		if ap.Start.After(now) && ap.Status == clinic.ApptBooked {
			data.Upcoming = append(data.Upcoming, ap)
		} else if !ap.Start.After(now) {
			data.Past = append([]store.Appointment{ap}, data.Past...)
		}
	}
	if data.Services, err = a.Store.Services(ctx); err != nil {
		return err
	}
	if data.Receipts, err = a.Store.ClientReceipts(ctx, by, by.ClientID); err != nil {
		return err
	}
	if data.Packages, err = a.Store.ClientPackages(ctx, by, by.ClientID); err != nil {
		return err
	}
	data.Currency = a.Settings().Currency
	if data.ReceiptsOptOut, err = a.Store.ReceiptsOptedOut(ctx, by, by.ClientID); err != nil {
		return err
	}
	return a.render(c, "client_home", data)
}

// managed resolves the appointment of a client page: the signed-in client's own
// (/my/appointments/:id) or the one a manage link names (/m/:token). Another client's
// appointment and a forged link both answer 404.
func (a *App) managed(c echo.Context) (store.Appointment, store.Actor, string, bool, error) {
	ctx := c.Request().Context()
	if tok := c.Param("token"); tok != "" {
		ap, by, err := a.Store.AppointmentByManageToken(ctx, tok, c.RealIP())
		if errors.Is(err, store.ErrLinkStale) {
			return ap, by, "/m/" + tok, true, nil
		}
		return ap, by, "/m/" + tok, false, err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return store.Appointment{}, store.Actor{}, "", false, err
	}
	by := actor(c)
	ap, err := a.Store.AppointmentByID(ctx, by, id)
	return ap, by, "/my/appointments/" + strconv.FormatInt(id, 10), false, err
}

// MyAppointment shows one appointment with what the client may do about it.
func (a *App) MyAppointment(c echo.Context) error {
	ap, by, base, stale, err := a.managed(c)
	if err != nil {
		return err
	}
	title := "Your appointment"
	if ap.Status == clinic.ApptCancelled {
		title = "This appointment was cancelled"
	}
	_, refused := clinic.NextApptStatus(a.apptChange(ap, clinic.ApptMove, clinic.RoleClient))
	data := views.AppointmentPage{Page: a.page(c, title), Appt: ap, Base: base, Stale: stale,
		CanChange: !stale && refused == nil, TooLate: !stale && errors.Is(refused, clinic.ErrApptTooLate)}
	if ap.CourseID != 0 && !stale {
		if data.Course, err = a.Store.CourseAppointments(c.Request().Context(), by, ap.ClientID, ap.CourseID); err != nil {
			return err
		}
		// A manage link opens without signing in; the money of a prepaid course is shown to the
		// signed-in client only.
		if by.Role == clinic.RoleClient {
			cm, err := a.Store.CoursePackage(c.Request().Context(), by, ap.CourseID)
			if err != nil {
				return err
			}
			data.Package, data.Currency = cm.Package, cm.Currency
		}
	}
	return a.render(c, "my_appointment", data)
}

// MyAppointmentCalendar is the appointment as a calendar file, to add it to the client's own
// calendar. A cancelled appointment or an old link has none.
func (a *App) MyAppointmentCalendar(c echo.Context) error {
	ap, _, base, stale, err := a.managed(c)
	if err != nil {
		return err
	}
	if stale || ap.Status == clinic.ApptCancelled {
		return echo.ErrNotFound
	}
	body := mail.ClientCalendar(a.calendarClinic(), mail.MethodPublish, ap, base, a.Now())
	c.Response().Header().Set("Content-Disposition", `attachment; filename="appointment.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}

// apptChange is what clinic's appointment rules need to decide whether role may make ev
// happen to ap now.
func (a *App) apptChange(ap store.Appointment, ev clinic.ApptEvent, role clinic.Role) clinic.ApptChange {
	return ap.Change(ev, role, a.Now(), a.Settings(), a.Loc())
}

// MyCancel cancels the client's appointment, outside the cancellation window only.
func (a *App) MyCancel(c echo.Context) error {
	ap, by, base, stale, err := a.managed(c)
	if err != nil {
		return err
	}
	if stale {
		return a.flashKind(c, base, "This link is for an appointment that has since changed.", "error")
	}
	f := newForm(c)
	reason := f.Text("reason", "Reason", 300, false)
	if !f.Valid() {
		return a.flashKind(c, base, firstError(f.Errors), "error")
	}
	_, err = a.Store.Cancel(c.Request().Context(), by, ap.ID, reason)
	if errors.Is(err, store.ErrTooLate) {
		return a.flashKind(c, base, "It is too close to your appointment to cancel online. Please call us on "+a.Settings().Phone+".", "error")
	}
	if err != nil {
		return err
	}
	to := base
	if c.Param("token") == "" {
		to = "/my"
	}
	return a.flash(c, to, "Your appointment on "+a.Dates().When(ap.Start)+" is cancelled. We have emailed you a note of it.")
}

// MyMoveForm lists free times with the same therapist for a week.
func (a *App) MyMoveForm(c echo.Context) error {
	ap, _, base, stale, err := a.managed(c)
	if err != nil {
		return err
	}
	if stale {
		return a.flashKind(c, base, "This appointment can no longer be moved online.", "error")
	}
	switch _, err := clinic.NextApptStatus(a.apptChange(ap, clinic.ApptMove, clinic.RoleClient)); {
	case errors.Is(err, clinic.ErrApptTooLate):
		return a.flashKind(c, base, "It is too close to your appointment to move it online. Please call us on "+a.Settings().Phone+".", "error")
	case err != nil:
		return a.flashKind(c, base, "This appointment can no longer be moved online.", "error")
	}
	p := a.page(c, "Move your appointment")
	date := clinic.DateOf(ap.Start, a.Loc()).AddDays(-3)
	if v := c.QueryParam("date"); v != "" {
		if date, err = clinic.ParseDate(v); err != nil {
			p.Errors["date"] = "Please enter a date like 2026-12-08."
			return a.invalid(c, "my_move", views.MovePage{Page: p, Appt: ap, Base: base})
		}
	}
	days, err := a.freeWeek(c, ap, date)
	if err != nil {
		return err
	}
	return a.render(c, "my_move", views.MovePage{Page: p, Appt: ap, Base: base, Days: days, Date: date.String(),
		Prev: date.AddDays(-7).String(), Next: date.AddDays(7).String()})
}

// freeWeek is the week of free times from date for the appointment's therapist and service,
// not counting the appointment's own time as taken.
func (a *App) freeWeek(c echo.Context, ap store.Appointment, date clinic.Date) ([]views.SlotDay, error) {
	ctx := c.Request().Context()
	sv, err := a.Store.ServiceByID(ctx, ap.ServiceID)
	if err != nil {
		return nil, err
	}
	q, err := a.Store.MoveQuery(ctx, ap, sv.Service, localMidnight(date, a.Loc()), localMidnight(date.AddDays(7), a.Loc()))
	if err != nil {
		return nil, err
	}
	var slots []clinic.Slot
	for _, s := range clinic.FreeTimes(q) {
		if !s.Start.Equal(ap.Start) {
			slots = append(slots, s)
		}
	}
	return groupByDay(slots, a.Loc(), map[int64]string{ap.TherapistID: ap.TherapistName}), nil
}

// MyMove moves the appointment to the chosen time.
func (a *App) MyMove(c echo.Context) error {
	ap, by, base, stale, err := a.managed(c)
	if err != nil {
		return err
	}
	if stale {
		return a.flashKind(c, base, "This link is for an appointment that has since changed.", "error")
	}
	tid, at, err := parseSlotValue(c.FormValue("slot"), a.Loc())
	if err == nil && tid != ap.TherapistID {
		err = errSlotGarbled
	}
	if err != nil {
		return a.moveInvalid(c, ap, base, http.StatusUnprocessableEntity, slotMessage(err, "Please choose a new time from the list."))
	}
	moved, err := a.Store.Reschedule(c.Request().Context(), by, ap.ID, at)
	if se, ok := sessionError(err); ok {
		status := http.StatusUnprocessableEntity
		if errors.Is(se.Err, clinic.ErrSlotTaken) || errors.Is(se.Err, clinic.ErrNoRoom) {
			status = http.StatusConflict
		}
		return a.moveInvalid(c, ap, base, status, sessionRefusal(se))
	}
	if errors.Is(err, store.ErrTooLate) {
		return a.flashKind(c, base, "It is too close to your appointment to move it online. Please call us on "+a.Settings().Phone+".", "error")
	}
	if err != nil {
		return err
	}
	to := "/my/appointments/" + strconv.FormatInt(moved.ID, 10)
	if c.Param("token") != "" {
		if to, err = a.Store.ManagePath(c.Request().Context(), moved.ID, moved.Version); err != nil {
			return err
		}
	}
	return a.flash(c, to, "Moved to "+a.Dates().When(moved.Start)+". We have emailed you the new time.")
}

func (a *App) moveInvalid(c echo.Context, ap store.Appointment, base string, status int, msg string) error {
	p := a.page(c, "Move your appointment")
	p.Errors["slot"] = msg
	date := clinic.DateOf(ap.Start, a.Loc()).AddDays(-3)
	days, err := a.freeWeek(c, ap, date)
	if err != nil {
		return err
	}
	return a.renderStatus(c, status, "my_move", views.MovePage{Page: p, Appt: ap, Base: base, Days: days, Date: date.String(),
		Prev: date.AddDays(-7).String(), Next: date.AddDays(7).String()})
}

// TherapistHome is a therapist's day: their appointments, in order.
func (a *App) TherapistHome(c echo.Context) error {
	loc := a.Loc()
	day := clinic.DateOf(a.Now(), loc)
	if v := c.QueryParam("date"); v != "" {
		d, err := clinic.ParseDate(v)
		if err != nil {
			return echo.NewHTTPError(http.StatusUnprocessableEntity)
		}
		day = d
	}
	u := currentUser(c)
	var ids []int64
	if u.Role == clinic.RoleTherapist {
		ids = []int64{u.ID}
	}
	list, err := a.Store.DaySchedule(c.Request().Context(), actor(c), localMidnight(day, loc), localMidnight(day.AddDays(1), loc), ids...)
	if err != nil {
		return err
	}
	p, now := a.page(c, "My day"), a.Now()
	rows := make([]views.TherapistAppt, len(list))
	for i, ap := range list {
		rows[i] = views.NewTherapistAppt(p, ap, ap.TherapistID == u.ID && clinic.NoteOpen(ap.Status, ap.Start, now, loc))
	}
	return a.render(c, "therapist_home", views.TherapistDay{Page: p, Date: day.String(),
		Prev: day.AddDays(-1).String(), Next: day.AddDays(1).String(), Appointments: rows})
}
