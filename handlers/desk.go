package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// deskRoutes are reception's screens. Hours and time off are open to therapists too, for
// their own calendar only: the store refuses anyone else's.
func (a *App) deskRoutes() []Route {
	return []Route{
		{"GET", "/desk", "desk.home", desk, a.DeskHome},
		{"GET", "/desk/week", "desk.week", desk, a.DeskWeek},
		{"GET", "/desk/appointments/:id", "desk.appt", desk, a.DeskAppointment},
		{"POST", "/desk/appointments/:id/status", "desk.appt.status", desk, a.DeskSetStatus},
		{"POST", "/desk/appointments/:id/undo", "desk.appt.undo", desk, a.DeskUndo},
		{"POST", "/desk/appointments/:id/cancel", "desk.appt.cancel", desk, a.DeskCancel},
		{"GET", "/desk/appointments/:id/move", "desk.appt.move", desk, a.DeskMoveForm},
		{"POST", "/desk/appointments/:id/move", "desk.appt.move.post", desk, a.DeskMove},
		{"GET", "/desk/clients", "desk.clients", desk, a.DeskClients},
		{"POST", "/desk/clients", "desk.clients.post", desk, a.DeskAddClient},
		{"GET", "/desk/clients/:id", "desk.client", desk, a.DeskClient},
		{"POST", "/desk/clients/:id", "desk.client.update", desk, a.DeskUpdateClient},
		{"POST", "/desk/clients/:id/merge", "desk.client.merge", desk, a.DeskMergeClient},
		{"GET", "/desk/therapists", "desk.therapists", desk, a.DeskTherapists},
		{"GET", "/desk/therapists/:id/hours", "desk.hours", staff, a.DeskHoursForm},
		{"POST", "/desk/therapists/:id/hours", "desk.hours.post", staff, a.DeskSaveHours},
		{"POST", "/desk/therapists/:id/timeoff", "desk.timeoff.post", staff, a.DeskAddTimeOff},
		{"POST", "/desk/timeoff/:id/delete", "desk.timeoff.delete", staff, a.DeskDeleteTimeOff},
		{"GET", "/desk/recall", "desk.recall", desk, a.DeskRecall},
		{"POST", "/desk/recall/mark", "desk.recall.mark", desk, a.DeskRecallMark},
		{"POST", "/desk/recall/remind", "desk.recall.remind", desk, a.DeskRecallRemind},
	}
}

// deskNav is the desk's own navigation, shown under the page title. Therapists, who reach
// only their hours here, get none.
func deskNav(c echo.Context) []views.DeskNavLink {
	if u := currentUser(c); u == nil || u.Role == clinic.RoleTherapist {
		return nil
	}
	path := c.Request().URL.Path
	links := []views.DeskNavLink{{Href: views.PathHref("/desk"), Label: "Day"}, {Href: views.PathHref("/desk/clients"), Label: "Clients"},
		{Href: views.PathHref("/desk/recall"), Label: "Recall"}, {Href: views.PathHref("/desk/therapists"), Label: "Therapists"},
		{Href: views.PathHref("/desk/takings"), Label: "Takings"}}
	for i, l := range links {
		href := l.Href.String()
		links[i].Current = path == href || (href != "/desk" && strings.HasPrefix(path, href+"/")) ||
			(href == "/desk" && (path == "/desk/week" || strings.HasPrefix(path, "/desk/appointments/")))
	}
	return links
}

// deskMidnight is the first instant of a date in the clinic's zone.
func deskMidnight(d clinic.Date, loc *time.Location) time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
}

func (a *App) deskToday() clinic.Date { return clinic.DateOf(a.Now(), a.Loc()) }

// deskDate reads ?date=, today when absent.
func (a *App) deskDate(c echo.Context) (clinic.Date, string) {
	return a.deskParseDate(c.QueryParam("date"), a.deskToday())
}

// deskParseDate reads a date, def when empty. A date that does not exist or lies absurdly
// far away comes back as def with the message to show.
func (a *App) deskParseDate(v string, def clinic.Date) (clinic.Date, string) {
	today := a.deskToday()
	v = strings.TrimSpace(v)
	if v == "" {
		return def, ""
	}
	d, err := clinic.ParseDate(v)
	if err != nil {
		return def, "There is no date " + strconv.Quote(v) + ". Please pick a date like " + today.String() + "."
	}
	if lo, hi := today.AddDays(-366*20), today.AddDays(366*5); d.Before(lo) || d.After(hi) {
		return def, "Please pick a date between " + lo.String() + " and " + hi.String() + "."
	}
	return d, ""
}

// DeskHome is reception's day: a column per therapist (or per room with ?by=room) and a row
// per 15 minutes. The day's bookings come from one query, whatever the number of therapists.
func (a *App) DeskHome(c echo.Context) error {
	day, bad := a.deskDate(c)
	data := views.DeskDay{Page: a.page(c, "Day"), Nav: deskNav(c), Today: a.deskToday().String(),
		ByRoom: c.QueryParam("by") == "room"}
	if bad != "" {
		return a.deskBadDate(c, data, bad)
	}
	ctx, loc := c.Request().Context(), a.Loc()
	from := deskMidnight(day, loc)
	f, err := a.deskDayFacts(ctx, actor(c), day, from, deskMidnight(day.AddDays(1), loc))
	if err != nil {
		return err
	}
	var shifts []clinic.Shift
	for _, t := range f.therapists {
		shifts = append(shifts, t.Shifts...)
	}
	cols, col, err := a.deskDayColumns(ctx, f, day, data.ByRoom)
	if err != nil {
		return err
	}
	data.DeskBoard = views.DeskBoard{Columns: cols, Bookings: f.books, ColumnOf: col, Shifts: shifts, Since: a.Now()}
	if day == a.deskToday() {
		data.Now = a.Now()
	}
	data.Heading, data.Date = a.Dates().Day(day), day.String()
	data.Prev, data.Next = day.AddDays(-1).String(), day.AddDays(1).String()
	return a.render(c, "desk_day", data)
}

// deskFacts is what the day view reads, in three queries however many therapists there are.
type deskFacts struct {
	books      []store.DayBooking
	therapists []store.DayTherapist
	away       []store.TimeOff
}

func (a *App) deskDayFacts(ctx context.Context, by store.Actor, day clinic.Date, from, to time.Time) (deskFacts, error) {
	var f deskFacts
	var err error
	if f.books, err = a.Store.DayView(ctx, by, from, to); err != nil {
		return f, err
	}
	if f.therapists, err = a.Store.DayTherapists(ctx, day.Weekday()); err != nil {
		return f, err
	}
	f.away, err = a.Store.TimeOffBetween(ctx, by, from, to)
	return f, err
}

func (a *App) deskBadDate(c echo.Context, data views.DeskDay, msg string) error {
	data.Page.Errors["date"] = msg
	data.Heading, data.Date = "Choose a date", data.Today
	today, _ := clinic.ParseDate(data.Today)
	data.Prev, data.Next = today.AddDays(-1).String(), today.AddDays(1).String()
	return a.invalid(c, "desk_day", data)
}

// deskDayColumns makes the day's columns: per therapist, or per room.
func (a *App) deskDayColumns(ctx context.Context, f deskFacts, day clinic.Date, byRoom bool) ([]views.DeskColumn, func(store.DayBooking) int, error) {
	if byRoom {
		rooms, err := a.Store.Rooms(ctx)
		if err != nil {
			return nil, nil, err
		}
		cols, col := deskRoomColumns(rooms, f.books)
		return cols, col, nil
	}
	unlisted, err := a.deskUnlisted(ctx, f, day)
	if err != nil {
		return nil, nil, err
	}
	cols, col := deskTherapistColumns(append(f.therapists, unlisted...), f.away, day, a.Loc())
	return cols, col, nil
}

// deskUnlisted is anyone no longer listed as a therapist who still has bookings that day, with
// their hours, so no booking is ever hidden. It is rare, so their hours are read one by one.
func (a *App) deskUnlisted(ctx context.Context, f deskFacts, day clinic.Date) ([]store.DayTherapist, error) {
	listed := map[int64]bool{}
	for _, t := range f.therapists {
		listed[t.ID] = true
	}
	var out []store.DayTherapist
	for _, b := range f.books {
		if listed[b.TherapistID] || !b.Active() {
			continue
		}
		listed[b.TherapistID] = true
		h, err := a.Store.Hours(ctx, b.TherapistID)
		if err != nil {
			return nil, err
		}
		out = append(out, store.DayTherapist{ID: b.TherapistID, Name: b.TherapistName, Shifts: h[day.Weekday()]})
	}
	return out, nil
}

// deskTherapistColumns makes a column per therapist given, in order.
func deskTherapistColumns(therapists []store.DayTherapist, away []store.TimeOff,
	day clinic.Date, loc *time.Location) ([]views.DeskColumn, func(store.DayBooking) int) {
	index := make(map[int64]int, len(therapists))
	cols := make([]views.DeskColumn, 0, len(therapists))
	add := func(id int64, name string, shifts []clinic.Shift) {
		index[id] = len(cols)
		cols = append(cols, views.DeskColumn{Name: name, Link: views.DeskWeekHref(id, day), Note: deskShifts(shifts),
			Therapist: id, Day: day, Shifts: shifts})
	}
	for _, t := range therapists {
		add(t.ID, t.Name, t.Shifts)
	}
	for _, off := range away {
		if j, ok := index[off.TherapistID]; ok {
			cols[j].Away = append(cols[j].Away, deskAwayText(off, day, loc))
			cols[j].Off = append(cols[j].Off, off)
		}
	}
	return cols, func(b store.DayBooking) int {
		if j, ok := index[b.TherapistID]; ok {
			return j
		}
		return -1
	}
}

// deskRoomColumns makes a column per room, and one for bookings that need no room.
func deskRoomColumns(rooms []store.Room, books []store.DayBooking) ([]views.DeskColumn, func(store.DayBooking) int) {
	index := map[int64]int{}
	var cols []views.DeskColumn
	for _, r := range rooms {
		index[r.ID] = len(cols)
		cols = append(cols, views.DeskColumn{Name: r.Name})
	}
	for _, b := range books {
		if _, ok := index[b.RoomID]; !ok && b.Active() {
			name := b.RoomName
			if b.RoomID == 0 {
				name = "No room"
			}
			index[b.RoomID] = len(cols)
			cols = append(cols, views.DeskColumn{Name: name})
		}
	}
	return cols, func(b store.DayBooking) int {
		if j, ok := index[b.RoomID]; ok {
			return j
		}
		return -1
	}
}

// deskShifts is a day's hours as people read them: "09:00–12:30, 13:30–18:00".
func deskShifts(shifts []clinic.Shift) string {
	if len(shifts) == 0 {
		return "Not working"
	}
	s := ""
	for i, sh := range shifts {
		if i > 0 {
			s += ", "
		}
		s += sh.Start.String() + "–" + sh.End.String()
	}
	return s
}

// deskAwayText says when a therapist is away on a day: "Away all day" or "Away 09:00–13:00".
func deskAwayText(off store.TimeOff, day clinic.Date, loc *time.Location) string {
	from, to := deskMidnight(day, loc), deskMidnight(day.AddDays(1), loc)
	s, e := off.Start, off.End
	text := "Away all day"
	if s.After(from) || e.Before(to) {
		text = "Away " + deskLater(s, from).In(loc).Format("15:04") + "–" + deskEndClock(deskEarlier(e, to), day, loc)
	}
	if off.Reason != "" {
		text += ": " + off.Reason
	}
	return text
}

func deskEndClock(t time.Time, day clinic.Date, loc *time.Location) string {
	if clinic.DateOf(t, loc) != day {
		return "24:00"
	}
	return t.In(loc).Format("15:04")
}

func deskLater(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func deskEarlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// DeskWeek is one therapist's week, Monday to Sunday, on the same grid as the day.
func (a *App) DeskWeek(c echo.Context) error {
	day, bad := a.deskDate(c)
	data := views.DeskDay{Page: a.page(c, "Week"), Nav: deskNav(c), Today: a.deskToday().String(), Week: true}
	ctx, loc, by := c.Request().Context(), a.Loc(), actor(c)
	therapists, err := a.Store.Therapists(ctx)
	if err != nil {
		return err
	}
	data.Therapists = therapists
	if len(therapists) == 0 {
		data.Heading = "Week"
		return a.render(c, "desk_day", data)
	}
	t, err := deskPickTherapist(c, therapists)
	if err != nil {
		return err
	}
	data.Therapist = t
	if bad != "" {
		return a.deskBadDate(c, data, bad)
	}
	monday := day.AddDays(-((int(day.Weekday()) + 6) % 7))
	from, to := deskMidnight(monday, loc), deskMidnight(monday.AddDays(7), loc)
	books, err := a.Store.DayView(ctx, by, from, to, t.ID)
	if err != nil {
		return err
	}
	hours, err := a.Store.Hours(ctx, t.ID)
	if err != nil {
		return err
	}
	away, err := a.Store.TimeOffBetween(ctx, by, from, to)
	if err != nil {
		return err
	}
	cols, shifts := deskWeekColumns(monday, hours, away, t.ID, loc)
	data.DeskBoard = views.DeskBoard{Columns: cols, Bookings: books, Shifts: shifts, Since: a.Now(), ColumnOf: func(b store.DayBooking) int {
		return monday.DaysUntil(clinic.DateOf(b.Start, loc))
	}}
	data.Heading = t.Name + ", week of " + from.Format("2 January 2006")
	data.Date, data.Prev, data.Next = day.String(), day.AddDays(-7).String(), day.AddDays(7).String()
	return a.render(c, "desk_day", data)
}

// deskPickTherapist is the therapist named by ?therapist=, or the first one. An unknown or
// forged id is a 404.
func deskPickTherapist(c echo.Context, therapists []store.User) (store.User, error) {
	v := c.QueryParam("therapist")
	if v == "" {
		return therapists[0], nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	for _, t := range therapists {
		if err == nil && t.ID == id {
			return t, nil
		}
	}
	return store.User{}, echo.ErrNotFound
}

func deskWeekColumns(monday clinic.Date, hours clinic.WeeklyHours, away []store.TimeOff, tid int64, loc *time.Location) ([]views.DeskColumn, []clinic.Shift) {
	cols := make([]views.DeskColumn, 7)
	var shifts []clinic.Shift
	for i := range cols {
		d := monday.AddDays(i)
		cols[i] = views.DeskColumn{Name: deskMidnight(d, loc).Format("Mon 2 Jan"), Link: views.DeskDayHref(d),
			Note: deskShifts(hours[d.Weekday()]), Therapist: tid, Day: d, Shifts: hours[d.Weekday()]}
		shifts = append(shifts, hours[d.Weekday()]...)
		for _, off := range away {
			if off.TherapistID == tid && off.Start.Before(deskMidnight(d.AddDays(1), loc)) && off.End.After(deskMidnight(d, loc)) {
				cols[i].Away = append(cols[i].Away, deskAwayText(off, d, loc))
				cols[i].Off = append(cols[i].Off, off)
			}
		}
	}
	return cols, shifts
}

// DeskTherapists lists the therapists with their week and hours.
func (a *App) DeskTherapists(c echo.Context) error {
	therapists, err := a.Store.Therapists(c.Request().Context())
	if err != nil {
		return err
	}
	return a.render(c, "desk_therapists", views.DeskTherapists{Page: a.page(c, "Therapists"), Nav: deskNav(c), Setup: setupSteps(c, "/desk/therapists"),
		Therapists: therapists, Today: a.deskToday().String()})
}
