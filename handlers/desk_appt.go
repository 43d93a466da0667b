package handlers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// deskAppt loads the appointment named in the path; a forged id is a 404.
func (a *App) deskAppt(c echo.Context) (store.Appointment, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return store.Appointment{}, err
	}
	return a.Store.AppointmentByID(c.Request().Context(), actor(c), id)
}

// DeskAppointment shows one appointment with its actions and the mail sent about it.
func (a *App) DeskAppointment(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	return a.deskApptPage(c, http.StatusOK, ap, nil)
}

// deskApptPage renders the appointment page; with a form that failed, its messages show and
// the status says why (422 for what was sent, 409 for what changed meanwhile).
func (a *App) deskApptPage(c echo.Context, status int, ap store.Appointment, f *form) error {
	ctx, by := c.Request().Context(), actor(c)
	mail, err := a.deskMail(ctx, by, ap)
	if err != nil {
		return err
	}
	p := a.page(c, ap.ClientName+", "+a.Dates().When(ap.Start))
	can := func(ev clinic.ApptEvent) bool { return clinic.ApptAllows(a.apptChange(ap, ev, by.Role)) }
	data := views.DeskAppointment{Page: p, Nav: deskNav(c), Appt: views.DeskAppt{Appointment: ap}, Mail: mail,
		LateIfNow: clinic.ClassifyCancel(a.Now(), ap.Start, a.Settings().CancelWindow) != clinic.CancelInTime,
		Can: views.DeskActions{CheckIn: can(clinic.ApptCheckIn), Complete: can(clinic.ApptComplete),
			NoShow: can(clinic.ApptMarkNoShow), Move: can(clinic.ApptMove), Cancel: can(clinic.ApptCancel)}}
	if data.Money, err = a.deskMoney(c, ap); err != nil {
		return err
	}
	if undo, err := clinic.NextApptStatus(a.apptChange(ap, clinic.ApptUndo, by.Role)); err == nil {
		data.Can.Undo, data.Can.UndoTo = true, undo
	}
	// Before check-in opens nothing can be recorded; the desk is told when it can.
	var timing *clinic.ErrApptTiming
	if _, err := clinic.NextApptStatus(a.apptChange(ap, clinic.ApptCheckIn, by.Role)); errors.As(err, &timing) &&
		!data.Can.Complete && !data.Can.NoShow {
		data.Can.NotYet = timing.Error()
	}
	if f != nil {
		data.Page.Errors, data.Form = f.Errors, f.Values
	}
	return a.renderStatus(c, status, "desk_appointment", data)
}

// deskMail is the mail about an appointment, newest first: its own notices and reminders,
// and the confirmation of the course it belongs to.
func (a *App) deskMail(ctx context.Context, by store.Actor, ap store.Appointment) ([]views.DeskMail, error) {
	rows, err := a.Store.Outbox(ctx, by, store.OutboxFilter{RefType: "appointment", RefID: ap.ID})
	if err != nil {
		return nil, err
	}
	if ap.CourseID != 0 {
		course, err := a.Store.Outbox(ctx, by, store.OutboxFilter{RefType: "course", RefID: ap.CourseID})
		if err != nil {
			return nil, err
		}
		rows = append(rows, course...)
	}
	slices.SortFunc(rows, func(x, y store.OutboxRow) int { return int(y.ID - x.ID) })
	out := make([]views.DeskMail, len(rows))
	for i, r := range rows {
		out[i] = views.DeskMail{OutboxRow: r}
	}
	return out, nil
}

// DeskSetStatus records a check-in, a completed session or a no-show.
func (a *App) DeskSetStatus(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	var choices []string
	for _, st := range clinic.ApptRecordStatuses() {
		choices = append(choices, string(st))
	}
	status := clinic.ApptStatus(f.OneOf("status", "What happened", choices...))
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	done, err := a.Store.SetStatus(c.Request().Context(), actor(c), ap.ID, status)
	if err != nil {
		return a.deskRecordRefused(c, ap, f, err)
	}
	ev, _ := clinic.ApptRecordEvent(status)
	return a.flash(c, deskApptHref(ap.ID), done.ClientName+" is "+ev.Done()+". Made a mistake? Undo it today on this page.")
}

// DeskUndo takes back today's check-in, completion or no-show; the audit log keeps both.
func (a *App) DeskUndo(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	done, err := a.Store.UndoStatus(c.Request().Context(), actor(c), ap.ID)
	if err != nil {
		return a.deskRecordRefused(c, ap, f, err)
	}
	return a.flash(c, deskApptHref(ap.ID), "Undone: "+done.ClientName+" is "+strings.ToLower(done.Status.Label())+" again.")
}

// apptRefusal is clinic's sentence when the store refused a change because the appointment's
// status has moved on (a 409).
func apptRefusal(err error) (*clinic.ErrApptStatus, bool) {
	var refused *clinic.ErrApptStatus
	return refused, errors.Is(err, store.ErrConflict) && errors.As(err, &refused)
}

// deskConflict reads the appointment again after the store refused a change because its
// status moved on, and shows it as it is now, with clinic's reason, and a 409.
func (a *App) deskConflict(c echo.Context, id int64, f *form, field string, refused error) error {
	ap, err := a.Store.AppointmentByID(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	f.Errors = map[string]string{field: refused.Error()}
	return a.deskApptPage(c, http.StatusConflict, ap, f)
}

func deskApptHref(id int64) string {
	return views.DeskAppt{Appointment: store.Appointment{ID: id}}.Href()
}

// DeskCancel cancels with a reason. Inside the cancellation window it is marked late, and the
// flash says so, since the clinic's policy may charge for it.
func (a *App) DeskCancel(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	reason := f.Text("reason", "The reason", 300, true)
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	done, err := a.Store.Cancel(c.Request().Context(), actor(c), ap.ID, reason)
	if refused, ok := apptRefusal(err); ok {
		return a.deskConflict(c, ap.ID, f, "reason", refused)
	}
	if err != nil {
		return err
	}
	msg := "Cancelled. The time is free again."
	if done.ClientEmail != "" {
		msg += " " + done.ClientName + " is emailed a cancellation notice."
	}
	if done.LateCancel {
		msg = "Late cancellation: less than " + deskHours(a.Settings().CancelWindow) + " before the start. " + msg
	}
	return a.flash(c, deskApptHref(ap.ID), msg)
}

func deskHours(d time.Duration) string {
	if h := int(d / time.Hour); h != 1 {
		return strconv.Itoa(h) + " hours"
	}
	return "1 hour"
}

// deskRecordRefused answers a check-in, completion, no-show or undo the store did not make: a
// status that no longer allows it (409 with the appointment as it now is), or too early or too
// late in the day (422 beside the status); anything else is the error it is.
func (a *App) deskRecordRefused(c echo.Context, ap store.Appointment, f *form, err error) error {
	if refused, ok := apptRefusal(err); ok {
		return a.deskConflict(c, ap.ID, f, "status", refused)
	}
	var timing *clinic.ErrApptTiming
	if errors.As(err, &timing) {
		f.Errors["status"] = timing.Error()
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	return err
}
