package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// bookingRoutes are the client's booking and manage pages. Staff use the same pages to book on
// a client's behalf (?client=ID).
func (a *App) bookingRoutes() []Route {
	return []Route{
		{"GET", "/book", "book", anyone, a.BookStart},
		{"GET", "/book/times", "book.times", anyone, a.BookTimes},
		{"GET", "/book/course", "book.course", anyone, a.BookCourse},
		{"POST", "/book/confirm", "book.confirm", anyone, a.BookConfirm},
		{"GET", "/book/sent", "book.sent", anyone, a.BookSent},
		{"GET", "/book/hold/:token", "book.hold", anyone, a.HoldForm},
		{"POST", "/book/hold/:token", "book.hold.post", anyone, a.HoldComplete},
		{"POST", "/waitlist", "waitlist", clientsOnly, a.WaitlistJoin},
		{"GET", "/my/appointments/:id", "my.appointment", clientsOnly, a.MyAppointment},
		// Before the cancel routes: the authorisation matrix walks the table in order, and a
		// cancelled appointment has no calendar file.
		{"GET", "/my/appointments/:id/calendar.ics", "my.appointment.ics", clientsOnly, a.MyAppointmentCalendar},
		{"GET", "/m/:token/calendar.ics", "manage.ics", anyone, a.MyAppointmentCalendar},
		{"POST", "/my/appointments/:id/cancel", "my.appointment.cancel", clientsOnly, a.MyCancel},
		{"GET", "/my/appointments/:id/move", "my.appointment.move", clientsOnly, a.MyMoveForm},
		{"POST", "/my/appointments/:id/move", "my.appointment.move.post", clientsOnly, a.MyMove},
		{"GET", "/m/:token", "manage", anyone, a.MyAppointment},
		{"POST", "/m/:token/cancel", "manage.cancel", anyone, a.MyCancel},
		{"GET", "/m/:token/move", "manage.move", anyone, a.MyMoveForm},
		{"POST", "/m/:token/move", "manage.move.post", anyone, a.MyMove},
	}
}

// bookingChoice is what the booking pages carry from step to step, in the query string.
type bookingChoice struct {
	Service   store.Service
	First     store.Service // the first visit's service when a course starts with a longer one; zero otherwise
	Therapist int64         // 0: first available
	ClientID  int64         // staff booking for a client
	PlanID    int64         // staff booking a plan's course: the course is linked to it
	Sessions  int
	Spacing   clinic.Spacing
	Date      clinic.Date
}

// readChoice parses and checks the booking query. Field problems go into errs.
func (a *App) readChoice(c echo.Context, services []store.Service, errs map[string]string) bookingChoice {
	ch := bookingChoice{Sessions: 1, Spacing: clinic.DefaultSpacing(), Date: clinic.DateOf(a.Now().Add(24*time.Hour), a.Loc())}
	sv := c.QueryParam("service")
	for _, s := range services {
		if strconv.FormatInt(s.ID, 10) == sv || s.Key == sv {
			ch.Service = s
			ch.Sessions = s.CourseSessions
			if s.Kind.Course() && s.SpacingDays >= ch.Spacing.Min && s.SpacingDays <= ch.Spacing.Max {
				ch.Spacing.Target = s.SpacingDays // the service's course default
			}
		}
	}
	if ch.Service.ID == 0 {
		errs["service"] = "Please choose a service from the list."
	}
	if v := c.QueryParam("first"); v != "" {
		for _, s := range services {
			if strconv.FormatInt(s.ID, 10) == v || s.Key == v {
				ch.First = s
			}
		}
		switch {
		case ch.First.ID == 0:
			errs["service"] = "Please choose a service from the list."
		case ch.First.ID == ch.Service.ID:
			ch.First = store.Service{}
		}
	}
	if v := c.QueryParam("therapist"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !contains(ch.Service.Therapists, id) {
			errs["therapist"] = "Please choose a therapist who offers this service, or first available."
		}
		ch.Therapist = id
	}
	if v := c.QueryParam("sessions"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > clinic.MaxPlannedSessions {
			errs["sessions"] = fmt.Sprintf("Choose from 1 to %d sessions.", clinic.MaxPlannedSessions)
		}
		ch.Sessions = n
	}
	if v := c.QueryParam("spacing"); v != "" {
		n, err := strconv.Atoi(v)
		sp, ok := clinic.CourseSpacing(n)
		if err != nil || !ok {
			errs["spacing"] = fmt.Sprintf("Sessions can be %d to %d days apart.", clinic.MinCourseDays, clinic.MaxCourseDays)
		} else {
			ch.Spacing = sp
		}
	}
	if v := c.QueryParam("date"); v != "" {
		d, err := clinic.ParseDate(v)
		if err != nil {
			errs["date"] = "Please enter a date like 2026-12-08."
		} else {
			ch.Date = d
		}
	}
	if u := currentUser(c); u != nil && u.Role.Staff() {
		ch.ClientID, _ = strconv.ParseInt(c.QueryParam("client"), 10, 64)
		ch.PlanID, _ = strconv.ParseInt(c.QueryParam("plan"), 10, 64)
	}
	return ch
}

// bookingFor is the client the booking pages search for, so that their own sessions are not
// offered again: the signed-in client, or the client reception is booking for; 0 for a visitor.
func bookingFor(c echo.Context, ch bookingChoice) int64 {
	if id := actor(c).ClientID; id != 0 {
		return id
	}
	return ch.ClientID
}

// bookingBlocked answers while the clinic is not yet set up for online booking, and for a
// visitor whose assessment said to see a doctor before massage:
// online booking is closed to them, and the page says what to do instead. Staff booking on a
// client's behalf are not affected.
func (a *App) bookingBlocked(c echo.Context) (bool, error) {
	if u := currentUser(c); u != nil && u.Role.Staff() {
		return false, nil
	}
	blocked, err := a.assessmentBlocksBooking(c)
	if err != nil {
		return false, err
	}
	if blocked {
		return true, a.renderStatus(c, http.StatusForbidden, "error", views.ErrorPage{Page: a.page(c, "Please call us"),
			Heading: "Please call us to book", Message: "Your assessment answers suggest seeing a doctor before massage. " +
				"Please do that first, then call the clinic on " + a.Settings().Phone + " and we will book you in."})
	}
	// Until something can be booked, say so with the phone rather than show empty lists.
	open, err := a.bookingOpen(c)
	if err != nil || open {
		return false, err
	}
	return true, a.render(c, "book_not_open", views.NotOpen{Page: a.page(c, "Online booking is not open yet")})
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// BookStart: choose a service and a therapist (or first available).
func (a *App) BookStart(c echo.Context) error {
	if blocked, err := a.bookingBlocked(c); blocked || err != nil {
		return err
	}
	services, therapists, err := a.catalogue(c)
	if err != nil {
		return err
	}
	ch := a.readChoice(c, services, map[string]string{})
	data := bookStartData(a.page(c, "Book"), services, therapists, ch)
	if ch.ClientID != 0 { // reception, from an empty time on the board
		data.Day, data.Slot = c.QueryParam("day"), c.QueryParam("slot")
	}
	return a.render(c, "book_start", data)
}

// catalogue is what the booking pages choose from: the services and the therapists.
func (a *App) catalogue(c echo.Context) ([]store.Service, []store.User, error) {
	ctx := c.Request().Context()
	services, err := a.Store.Services(ctx)
	if err != nil {
		return nil, nil, err
	}
	therapists, err := a.Store.Therapists(ctx)
	return services, therapists, err
}

func bookStartData(p views.Page, services []store.Service, therapists []store.User, ch bookingChoice) views.BookStart {
	b := views.BookStart{Page: p, Services: services, Therapists: therapists, Service: ch.Service.ID,
		Therapist: ch.Therapist, Date: ch.Date.String(), ClientID: ch.ClientID, PlanID: ch.PlanID}
	if ch.PlanID != 0 { // the plan's course: its number of sessions and spacing go on to the next page
		b.Sessions, b.Spacing = ch.Sessions, ch.Spacing.Target
	}
	return b
}

// BookTimes is the booking page: a strip of two weeks of days marked with how many times each
// has free, and the chosen day's times grouped by therapist. ?date= is the strip's first day,
// ?day= the chosen one (by default the first day with a free time).
func (a *App) BookTimes(c echo.Context) error {
	if blocked, err := a.bookingBlocked(c); blocked || err != nil {
		return err
	}
	ctx := c.Request().Context()
	services, therapists, err := a.catalogue(c)
	if err != nil {
		return err
	}
	p := a.page(c, "Choose a time")
	ch := a.readChoice(c, services, p.Errors)
	if len(p.Errors) > 0 {
		return a.invalid(c, "book_start", bookStartData(p, services, therapists, ch))
	}
	ids := ch.Service.Therapists
	firstService := ch.Service
	if ch.First.ID != 0 {
		// The first visit is the longer one; the same therapist carries on with the course.
		firstService, ids = ch.First, nil
		for _, id := range ch.Service.Therapists {
			if contains(ch.First.Therapists, id) {
				ids = append(ids, id)
			}
		}
	}
	if ch.Therapist != 0 {
		ids = []int64{ch.Therapist}
	}
	loc := a.Loc()
	from := localMidnight(ch.Date, loc)
	to := localMidnight(ch.Date.AddDays(views.StripDays), loc)
	q, err := a.Store.SlotQueryFor(ctx, bookingFor(c, ch), firstService.Service, ids, from, to)
	if err != nil {
		return err
	}
	if u := currentUser(c); u != nil && u.Role.Staff() {
		q.MinNotice = clinic.NoNotice
	}
	data := views.BookTimes{Page: p, Service: ch.Service, First: ch.First, TherapistID: ch.Therapist, Sessions: ch.Sessions,
		Spacing: ch.Spacing.Target, ClientID: ch.ClientID, PlanID: ch.PlanID, Date: ch.Date, Chosen: c.QueryParam("slot")}
	day, _ := clinic.ParseDate(c.QueryParam("day"))
	var daySlots []clinic.Slot
	data.Strip, data.Day, daySlots = dayStrip(clinic.FreeTimes(q), ch.Date, day, loc)
	data.Groups = dayGroups(daySlots, therapists, a.Dates())
	data.Chosen = nearestSlot(daySlots, data.Chosen, loc)
	return a.render(c, "book_times", data)
}

// nearestSlot is the time to show chosen for a time picked on the desk's board: that time if
// it is free for the service, else the therapist's next free time that day (the board does
// not know the service's length or the buffer after the session before). Empty when none.
func nearestSlot(slots []clinic.Slot, want string, loc *time.Location) string {
	tid, at, err := parseSlotValue(want, loc)
	if err != nil {
		return ""
	}
	for _, s := range slots {
		if s.TherapistID == tid && !s.Start.Before(at) {
			return slotValue(s)
		}
	}
	return ""
}

// dayStrip counts each day's free times (distinct starts: one time offered by two therapists
// is one choice for the client) and picks the day to show (pickDay).
func dayStrip(slots []clinic.Slot, first, want clinic.Date, loc *time.Location) ([]views.StripDay, clinic.Date, []clinic.Slot) {
	strip := make([]views.StripDay, views.StripDays)
	// FreeTimes lists the slots by start, so each day's are one run of them, found by comparing
	// starts with the days' midnights: the day is not worked out slot by slot, and the chosen
	// day's slots are handed on without copying.
	var midnight [views.StripDays + 1]int64
	for i := range midnight {
		midnight[i] = localMidnight(first.AddDays(i), loc).Unix()
	}
	var runs [views.StripDays][2]int
	day := 0
	for k, s := range slots {
		at := s.Start.Unix()
		for day < views.StripDays && at >= midnight[day+1] {
			day++
		}
		if day == views.StripDays {
			break
		}
		if at < midnight[day] {
			continue
		}
		if strip[day].Free == 0 {
			runs[day][0] = k
		}
		if strip[day].Free == 0 || !slots[k-1].Start.Equal(s.Start) {
			strip[day].Free++
		}
		runs[day][1] = k + 1
	}
	for i := range strip {
		strip[i].Date = first.AddDays(i)
	}
	pick := pickDay(strip, first, want)
	strip[pick].Current = true
	return strip, strip[pick].Date, slots[runs[pick][0]:runs[pick][1]]
}

// pickDay is the strip's day to show: the one asked for if it is on the strip, else the first
// with a free time, else the first.
func pickDay(strip []views.StripDay, first, want clinic.Date) int {
	if i := first.DaysUntil(want); want != (clinic.Date{}) && i >= 0 && i < len(strip) {
		return i
	}
	for i, d := range strip {
		if d.Free > 0 {
			return i
		}
	}
	return 0
}

// dayGroups are the chosen day's times by therapist, in the order therapists are listed; each
// group names its therapist once, so a time is a short chip.
func dayGroups(slots []clinic.Slot, therapists []store.User, dates clinic.Dates) []views.SlotGroup {
	var groups []views.SlotGroup
	for _, t := range therapists {
		g := views.SlotGroup{Therapist: t.Name}
		for _, s := range slots {
			if s.TherapistID == t.ID {
				g.Slots = append(g.Slots, views.SlotChoice{Value: slotValue(s), Time: dates.Clock(s.Start)})
			}
		}
		if len(g.Slots) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

func localMidnight(d clinic.Date, loc *time.Location) time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
}

func namesOf(users []store.User) map[int64]string {
	m := make(map[int64]string, len(users))
	for _, u := range users {
		m[u.ID] = u.Name
	}
	return m
}

// slotValue encodes a slot for a form: the therapist and the exact instant, so a repeated
// wall-clock time on the day clocks go back still names one moment.
func slotValue(s clinic.Slot) string {
	return strconv.FormatInt(s.TherapistID, 10) + "@" + s.Start.UTC().Format(time.RFC3339)
}

// parseSlotValue reads a slot from a form or a link. The pages send instants in UTC. A value
// with another offset was typed or forged, and it is taken only if that offset is the clinic's
// at that instant: otherwise it names a wall-clock time the clinic's clock never shows (the hour
// skipped when clocks go forward) or another zone's, and booking whatever instant it happens to
// name would surprise the client. The error is a sentence for the client when there is a better
// one than "choose from the list".
func parseSlotValue(v string, loc *time.Location) (int64, time.Time, error) {
	tid, at, ok := strings.Cut(v, "@")
	id, err1 := strconv.ParseInt(tid, 10, 64)
	t, err2 := time.Parse(time.RFC3339, at)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return 0, time.Time{}, errSlotGarbled
	}
	_, off := t.Zone()
	if _, here := t.In(loc).Zone(); off == 0 || off == here {
		return id, t, nil
	}
	y, m, d := t.Date()
	if w := time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, loc); w.Hour() != t.Hour() || w.Minute() != t.Minute() {
		return 0, time.Time{}, slotProblem(fmt.Sprintf("There is no %s on %s here: the clocks go forward an hour that night. Please choose a time from the list.",
			t.Format("15:04"), t.Format("Mon 2 Jan 2006")))
	}
	return 0, time.Time{}, errSlotGarbled
}

var errSlotGarbled = errors.New("not a time from the list")

// slotProblem is a sentence for the client about a slot value.
type slotProblem string

func (p slotProblem) Error() string { return string(p) }

// slotMessage is what to tell the client about a slot that did not parse.
func slotMessage(err error, generic string) string {
	if errors.Is(err, errSlotGarbled) {
		return generic
	}
	return err.Error()
}

func groupByDay(slots []clinic.Slot, loc *time.Location, names map[int64]string) []views.SlotDay {
	var days []views.SlotDay
	for _, s := range slots {
		label := s.Start.In(loc).Format("Monday 2 January")
		if len(days) == 0 || days[len(days)-1].Label != label {
			days = append(days, views.SlotDay{Label: label})
		}
		d := &days[len(days)-1]
		d.Slots = append(d.Slots, views.SlotChoice{Value: slotValue(s), Time: s.Start.In(loc).Format("15:04"),
			Therapist: names[s.TherapistID]})
	}
	return days
}

// errorsAs is errors.As for a *store.SessionError.
// sessionRefusal is why a move to a time was refused, as the person moving it reads it.
func sessionRefusal(se *store.SessionError) string {
	var spacing *clinic.ErrCourseSpacing
	if errors.As(se.Err, &spacing) {
		return spacing.Error() + " Please choose another time."
	}
	return "That time cannot be booked: " + se.Err.Error() + ". Please choose another."
}

func sessionError(err error) (*store.SessionError, bool) {
	var se *store.SessionError
	ok := errors.As(err, &se)
	return se, ok
}
