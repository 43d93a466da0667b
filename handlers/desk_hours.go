package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/views"
)

// deskWeekOrder is the hours form's order of days: the working week first.
var deskWeekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday,
	time.Saturday, time.Sunday}

// deskConflictReach is how far ahead the hours page looks for bookings that no longer fit.
const deskConflictReach = 366 * 24 * time.Hour

// DeskHoursForm shows a therapist's weekly hours, time off and the bookings that no longer fit
// them. A therapist may open only their own; anyone else's is a 404.
func (a *App) DeskHoursForm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return a.deskHoursPage(c, http.StatusOK, id, nil)
}

func (a *App) deskHoursPage(c echo.Context, status int, id int64, f *form) error {
	ctx, by, loc, now := c.Request().Context(), actor(c), a.Loc(), a.Now()
	ts, err := a.Store.TherapistSchedule(ctx, by, id, now)
	if err != nil {
		return err
	}
	conflicts, err := a.Store.ScheduleConflicts(ctx, by, id, now, now.Add(deskConflictReach), loc)
	if err != nil {
		return err
	}
	data := views.DeskHours{Page: a.page(c, ts.Therapist.Name+": hours and time off"), Nav: deskNav(c),
		Therapist: ts.Therapist, Form: map[string]string{}}
	for _, wd := range deskWeekOrder {
		data.Days = append(data.Days, views.DeskHoursDay{Name: deskDayField(wd), Label: wd.String(), Value: deskShiftsValue(ts.Hours[wd])})
	}
	for _, off := range ts.TimeOff {
		data.TimeOff = append(data.TimeOff, views.DeskTimeOff{ID: off.ID, When: deskSpan(off.Start, off.End, loc), Reason: off.Reason})
	}
	dates, err := a.Store.DateHoursOf(ctx, by, id, clinic.DateOf(now, loc))
	if err != nil {
		return err
	}
	for _, dh := range dates {
		row := views.DeskDateHours{Date: dh.Date.String(), Label: time.Date(dh.Date.Y, dh.Date.M, dh.Date.D, 12, 0, 0, 0, time.UTC).Format("Mon 2 Jan 2006"),
			Hours: deskShiftsValue(dh.Shifts)}
		if row.Hours == "" {
			row.Hours = "Away"
		}
		data.DateHours = append(data.DateHours, row)
	}
	for _, sc := range conflicts {
		why := "Outside the working hours"
		switch {
		case sc.Closed:
			why = "The clinic is closed that day"
		case sc.Away:
			why = "During time off"
		}
		data.Conflicts = append(data.Conflicts, views.DeskConflict{Appt: deskApptHref(sc.AppointmentID), Client: sc.ClientName,
			When: a.Dates().When(sc.Start), Why: why})
	}
	if f != nil {
		data.Page.Errors, data.Form = f.Errors, f.Values
		for i := range data.Days {
			if v, ok := f.Values[data.Days[i].Name]; ok {
				data.Days[i].Value = v
			}
		}
	}
	return a.renderStatus(c, status, "desk_hours", data)
}

func deskDayField(wd time.Weekday) string { return strings.ToLower(wd.String()) }

// deskShiftsValue writes shifts the way the form reads them: "09:00-12:30, 13:30-18:00".
func deskShiftsValue(shifts []clinic.Shift) string {
	parts := make([]string, len(shifts))
	for i, sh := range shifts {
		parts[i] = sh.Start.String() + "-" + sh.End.String()
	}
	return strings.Join(parts, ", ")
}

// deskSpan says when time off runs: "Mon 2 Mar 09:00 – Fri 6 Mar 24:00".
func deskSpan(from, to time.Time, loc *time.Location) string {
	end := to.In(loc).Format("Mon 2 Jan 2006 15:04")
	if l := to.In(loc); l.Hour() == 0 && l.Minute() == 0 {
		end = l.Add(-time.Minute).Format("Mon 2 Jan 2006") + " 24:00"
	}
	return from.In(loc).Format("Mon 2 Jan 2006 15:04") + " – " + end
}

// DeskSaveHours replaces the weekly hours. Bookings that no longer fit stay booked and are
// listed on the page it leads back to, for someone to move or cancel.
func (a *App) DeskSaveHours(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c)
	var week clinic.WeeklyHours
	for _, wd := range deskWeekOrder {
		week[wd] = deskParseShifts(f, deskDayField(wd), wd.String())
	}
	if !f.Valid() {
		return a.deskHoursPage(c, http.StatusUnprocessableEntity, id, f)
	}
	ctx, by := c.Request().Context(), actor(c)
	if _, err := a.Store.TherapistSchedule(ctx, by, id, a.Now()); err != nil {
		return err // not a therapist, or not this therapist's own: hours are never set for them
	}
	conflicts, err := a.Store.SetHours(ctx, by, id, week, a.Loc())
	if err != nil {
		return err
	}
	return a.deskHoursSaved(c, id, "Hours saved.", len(conflicts))
}

func (a *App) deskHoursSaved(c echo.Context, id int64, msg string, conflicts int) error {
	to := "/desk/therapists/" + strconv.FormatInt(id, 10) + "/hours"
	switch conflicts {
	case 0:
		return a.flash(c, to, msg)
	case 1:
		return a.flashKind(c, to, msg+" One booking no longer fits: it is listed below to move or cancel.", "warn")
	}
	return a.flashKind(c, to, msg+" "+strconv.Itoa(conflicts)+" bookings no longer fit: they are listed below to move or cancel.", "warn")
}

// deskParseShifts reads one day's shifts, "09:00-12:30, 13:30-18:00"; empty is a day off.
func deskParseShifts(f *form, name, label string) []clinic.Shift {
	v := f.Text(name, label, 200, false)
	var out []clinic.Shift
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(strings.NewReplacer("–", "-", "—", "-", " to ", "-").Replace(part))
		if part == "" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		s, err1 := deskParseClock(from)
		e, err2 := deskParseClock(to)
		if !ok || err1 != nil || err2 != nil {
			f.fail(name, label+": please write each shift as start-end on the 24-hour clock, like 09:00-12:30, 13:30-18:00.")
			return nil
		}
		out = append(out, clinic.Shift{Start: s, End: e})
	}
	var check clinic.WeeklyHours
	check[0] = out
	if err := check.Validate(); err != nil {
		f.fail(name, label+": each shift must end after it starts, and shifts must not overlap.")
	}
	return out
}

// deskParseClock reads "9:00" or "09:00".
func deskParseClock(s string) (clinic.ClockTime, error) {
	s = strings.TrimSpace(s)
	if len(s) == 4 && s[1] == ':' {
		s = "0" + s
	}
	return clinic.ParseClock(s)
}

// DeskAddTimeOff records time away from a date and time to another; the times may be left
// empty for whole days. Bookings inside it are listed, never dropped.
func (a *App) DeskAddTimeOff(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c)
	from, to := a.deskTimeOffSpan(f)
	reason := f.Text("reason", "The reason", 200, false)
	if !f.Valid() {
		return a.deskHoursPage(c, http.StatusUnprocessableEntity, id, f)
	}
	conflicts, err := a.Store.AddTimeOff(c.Request().Context(), actor(c), id, from, to, reason)
	if err != nil {
		return err
	}
	return a.deskHoursSaved(c, id, "Time off added.", len(conflicts))
}

// deskTimeOffSpan reads the time off form: from_date and to_date, with from_time (default
// the start of the day) and to_time (default the end of the day).
func (a *App) deskTimeOffSpan(f *form) (time.Time, time.Time) {
	loc := a.Loc()
	fromDate := f.Text("from_date", "The first day", 10, true)
	toDate := f.Text("to_date", "The last day", 10, false)
	fromTime := f.Text("from_time", "The start time", 5, false)
	toTime := f.Text("to_time", "The end time", 5, false)
	if toDate == "" {
		toDate = fromDate
	}
	from, err := clinic.ParseLocalStart(loc, fromDate, deskOr(fromTime, "00:00"))
	if err != nil {
		if fromDate != "" {
			f.fail("from_date", "Please give the first day as a date like 2026-12-08, and the time like 09:00.")
		}
		return from, from
	}
	var to time.Time
	if toTime == "" || toTime == "24:00" {
		d, derr := clinic.ParseDate(toDate)
		to, err = deskMidnight(d.AddDays(1), loc), derr
	} else {
		to, err = clinic.ParseLocalStart(loc, toDate, toTime)
	}
	switch {
	case err != nil:
		f.fail("to_date", "Please give the last day as a date like 2026-12-08, and the time like 17:00.")
	case f.Valid() && !to.After(from):
		f.fail("to_date", "The time off must end after it starts.")
	case f.Valid() && to.Sub(from) > 366*24*time.Hour:
		f.fail("to_date", "Time off can be at most a year at once.")
	}
	return from, to
}

func deskOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// DeskDeleteTimeOff removes time off; the page it leads back to is the therapist's.
func (a *App) DeskDeleteTimeOff(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tid, err := a.Store.DeleteTimeOff(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return a.flash(c, "/desk/therapists/"+strconv.FormatInt(tid, 10)+"/hours", "Time off removed.")
}
