package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// BookCourse proposes the whole course from the chosen first session: the same therapist, at the
// plan's spacing, as near the first session's time of day as possible. Each session can be
// swapped for another free time inside its window before confirming.
func (a *App) BookCourse(c echo.Context) error {
	if blocked, err := a.bookingBlocked(c); blocked || err != nil {
		return err
	}
	ctx := c.Request().Context()
	services, err := a.Store.Services(ctx)
	if err != nil {
		return err
	}
	p := a.page(c, "Your course")
	ch := a.readChoice(c, services, p.Errors)
	tid, first, err := parseSlotValue(c.QueryParam("slot"), a.Loc())
	if err != nil {
		p.Errors["slot"] = slotMessage(err, "Please choose a time for the first session.")
	}
	if len(p.Errors) > 0 {
		return a.invalid(c, "error", views.ErrorPage{Page: p, Heading: "Please choose again",
			Message: firstError(p.Errors)})
	}
	data, err := a.courseProposal(c, p, ch, tid, first)
	if err != nil {
		return err
	}
	return a.render(c, "book_course", data)
}

func firstError(errs map[string]string) string {
	for _, k := range []string{"service", "therapist", "sessions", "spacing", "date", "slot"} {
		if m, ok := errs[k]; ok {
			return m
		}
	}
	for _, m := range errs {
		return m
	}
	return ""
}

// courseProposal lays the course out and gathers each session's alternatives.
func (a *App) courseProposal(c echo.Context, p views.Page, ch bookingChoice, tid int64, first time.Time) (views.BookCourse, error) {
	ctx := c.Request().Context()
	loc := a.Loc()
	firstDay := clinic.DateOf(first, loc)
	span := clinic.CourseRange(firstDay, ch.Sessions, ch.Spacing)
	q, err := a.Store.SlotQueryFor(ctx, bookingFor(c, ch), ch.Service.Service, []int64{tid}, localMidnight(span.From, loc),
		localMidnight(span.To.AddDays(1), loc))
	if err != nil {
		return views.BookCourse{}, err
	}
	staff := false
	if u := currentUser(c); u != nil && u.Role.Staff() {
		q.MinNotice, staff = clinic.NoNotice, true
	}
	// The first session is asked of its own service: the longer first visit when the course
	// starts with one. The course's later sessions are laid out with the course's service.
	q1 := q
	if ch.First.ID != 0 {
		if q1, err = a.Store.SlotQueryFor(ctx, bookingFor(c, ch), ch.First.Service, []int64{tid}, localMidnight(span.From, loc),
			localMidnight(span.To.AddDays(1), loc)); err != nil {
			return views.BookCourse{}, err
		}
		if staff {
			q1.MinNotice = clinic.NoNotice
		}
	}
	data := views.BookCourse{Page: p, Service: ch.Service, First: ch.First, TherapistID: tid, Spacing: ch.Spacing.Target,
		ClientID: ch.ClientID, PlanID: ch.PlanID, NeedsAccount: currentUser(c) == nil,
		SignInHref: signInHref(courseURL(ch.Service.ID, tid, ch.Sessions, ch.Spacing.Target, first)),
		TimesHref: views.BookTimes{Service: ch.Service, First: ch.First, TherapistID: tid, Sessions: ch.Sessions,
			Spacing: ch.Spacing.Target, ClientID: ch.ClientID, PlanID: ch.PlanID}.Link(firstDay, firstDay)}
	firstSlot, firstErr := clinic.SlotAt(q1, first, tid)
	if firstErr != nil {
		data.Page.Errors["start_1"] = firstTimeMessage(firstErr)
		firstSlot = clinic.Slot{Start: first, TherapistID: tid}
	}
	free, free1 := clinic.FreeTimes(q), clinic.FreeTimes(q1)
	for _, pr := range clinic.ProposeCourse(q, firstSlot, ch.Sessions, ch.Spacing) {
		if pr.Session == 1 && firstErr != nil {
			// The later sessions keep to the chosen day, so the first may move only as far as
			// the spacing to session 2 allows.
			pr.Found, pr.Window.To = false, firstDay.AddDays(ch.Spacing.Min-1)
		}
		s := views.CourseSession{Index: pr.Session, Found: pr.Found,
			Window: pr.Window.From.String() + " to " + pr.Window.To.String()}
		if pr.Found {
			s.Value, s.When = slotValue(pr.Slot), pr.Slot.Start.In(loc).Format("Mon 2 Jan, 15:04")
		}
		switch {
		case pr.Session > 1:
			s.Options = alternatives(free, pr, loc)
		case !pr.Found:
			s.Options = alternatives(free1, pr, loc)
		}
		data.Sessions = append(data.Sessions, s)
	}
	return data, nil
}

func firstTimeMessage(err error) string {
	if errors.Is(err, clinic.ErrSlotTaken) || errors.Is(err, clinic.ErrNoRoom) {
		return "That first time is no longer free. Please choose another."
	}
	return "That first time cannot be booked: " + err.Error() + ". Please choose another."
}

// alternatives are the free times inside a session's window, nearest the proposed day first
// in time order, at most 16, so the list fits a phone screen.
func alternatives(free []clinic.Slot, pr clinic.Proposal, loc *time.Location) []views.SlotChoice {
	var out []views.SlotChoice
	for _, s := range free {
		d := clinic.DateOf(s.Start, loc)
		if d.Before(pr.Window.From) || d.After(pr.Window.To) {
			continue
		}
		dates := clinic.Dates{Loc: loc}
		out = append(out, views.SlotChoice{Value: slotValue(s), Day: dates.DayOf(s.Start), Time: dates.Clock(s.Start)})
		if len(out) == 16 {
			break
		}
	}
	return out
}

// BookConfirm books every chosen session in one transaction. A visitor's sessions are held
// instead, and a link emailed to them completes the booking: whoever typed an email has not
// shown it is theirs. Every visitor gets the same answer, so it tells nobody whether an email
// has an account. If a time was taken meanwhile, nothing is booked or held and the page says
// which session and offers the nearest alternatives.
func (a *App) BookConfirm(c echo.Context) error {
	f := newForm(c)
	req, visitor := a.parseBookingRequest(c, f)
	if err := a.blockVisitor(c, visitor); err != nil {
		return err
	}
	if blocked, err := a.bookingBlocked(c); blocked || err != nil {
		return err
	}
	if f.Valid() {
		// The booking checks the service itself, so the list of services is read only to
		// answer a refusal, not on every booking.
		ctx := c.Request().Context()
		if visitor != nil {
			err := a.Store.HoldBooking(ctx, c.RealIP(), store.HoldRequest{BookingRequest: req, Visitor: *visitor,
				TTL: a.Settings().BookingHold, Assessment: sessionString(c, keyAssessment),
				Limits: requestLimits("book", c.RealIP(), visitor.Email)})
			if err == nil {
				return c.Redirect(http.StatusSeeOther, "/book/sent")
			}
			return a.bookingRefused(c, f, req, err)
		}
		booked, err := a.Store.BookCourse(ctx, actor(c), req)
		if err == nil {
			return a.afterBooking(c, booked)
		}
		return a.bookingRefused(c, f, req, err)
	}
	sv, err := a.offeredService(c, f, req.ServiceID)
	if err != nil {
		return err
	}
	return a.bookingInvalid(c, sv, req, f)
}

// blockVisitor keeps a safety block this browser carries against the email and phone the
// visitor typed, so it follows the person rather than the browser.
func (a *App) blockVisitor(c echo.Context, v *store.Visitor) error {
	tok := sessionString(c, keySafety)
	if v == nil || tok == "" || (v.Email == "" && v.Phone == "") {
		return nil
	}
	_, err := a.Store.BlockVisitor(c.Request().Context(), tok, v.Email, v.Phone)
	return err
}

// parseBookingRequest reads the confirmation form: the service, the sessions' times, consent,
// and who the booking is for (a visitor's details, or the client staff chose). Problems are
// left on f beside their fields.
func (a *App) parseBookingRequest(c echo.Context, f *form) (store.BookingRequest, *store.Visitor) {
	req := store.BookingRequest{ServiceID: f.ID("service", "Service"), Spacing: clinic.DefaultSpacing(),
		Consent: f.Bool("consent"), Reminders: f.Bool("reminders")}
	if c.FormValue("first") != "" {
		req.FirstServiceID = f.ID("first", "First visit")
	}
	if n, err := strconv.Atoi(c.FormValue("spacing")); err == nil {
		if sp, ok := clinic.CourseSpacing(n); ok {
			req.Spacing = sp
		}
	}
	for i := 1; i <= clinic.MaxPlannedSessions; i++ {
		name := "start_" + strconv.Itoa(i)
		v := f.Text(name, fmt.Sprintf("Session %d", i), 64, false)
		if v == "" {
			break
		}
		tid, at, err := parseSlotValue(v, a.Loc())
		if err == nil && ((req.TherapistID != 0 && tid != req.TherapistID) ||
			(len(req.Starts) > 0 && !at.After(req.Starts[len(req.Starts)-1]))) {
			err = errSlotGarbled
		}
		if err != nil {
			f.fail(name, slotMessage(err, fmt.Sprintf("Please choose a time for session %d from the list.", i)))
			continue
		}
		req.TherapistID = tid
		req.Starts = append(req.Starts, at)
	}
	if len(req.Starts) == 0 {
		f.fail("start_1", "Please choose a time for the first session.")
	}
	if !req.Consent {
		f.fail("consent", "Please agree to treatment so we can book you in.")
	}
	u := currentUser(c)
	switch {
	case u == nil:
		v := &store.Visitor{Name: f.Text("name", "Your name", 100, true), Email: f.Email("email"),
			Phone: f.Text("phone", "Phone", 40, true)}
		if pw := c.FormValue("password"); pw != "" {
			v.Password = f.NewPassword("password")
		}
		return req, v
	case u.Role.Staff():
		req.ClientID = f.ID("client", "Client")
		req.PlanID, _ = strconv.ParseInt(c.FormValue("plan"), 10, 64)
	}
	return req, nil
}

// bookingRefused answers a booking the store turned down: the taken session with its nearest
// alternatives, or the form again with the reason beside its field.
func (a *App) bookingRefused(c echo.Context, f *form, req store.BookingRequest, err error) error {
	if errors.Is(err, store.ErrLimited) {
		return a.limited(c, err)
	}
	sv, lerr := a.offeredService(c, f, req.ServiceID)
	if lerr != nil {
		return lerr
	}
	if sv.ID == 0 {
		return a.bookingInvalid(c, sv, req, f)
	}
	if se, ok := sessionError(err); ok {
		if errors.Is(se.Err, clinic.ErrSlotTaken) {
			mine, err := a.Store.AlreadyBooked(c.Request().Context(), actor(c), req)
			if err != nil {
				return err
			}
			if mine {
				return a.alreadyBooked(c)
			}
		}
		return a.sessionTaken(c, sv, req, se)
	}
	switch {
	case errors.Is(err, store.ErrBookingBlocked):
		return a.callToBook(c)
	case errors.Is(err, store.ErrNotFound):
		f.fail("client", "Please choose a client from the list.")
	default:
		return err
	}
	return a.bookingInvalid(c, sv, req, f)
}

// callToBook is the answer to a person whose assessment said to see a doctor before massage.
func (a *App) callToBook(c echo.Context) error {
	return a.renderStatus(c, http.StatusForbidden, "error", views.ErrorPage{Page: a.page(c, "Please call us"),
		Heading: "Please call us to book", Message: "Your answers suggest seeing a doctor before massage. Please call the clinic on " + a.Settings().Phone + " and we will help."})
}

// BookSent is where every visitor lands after confirming: the same page whoever they are.
func (a *App) BookSent(c echo.Context) error {
	return a.render(c, "book_sent", views.Simple{Page: a.page(c, "Check your email")})
}

// HoldForm shows a button rather than booking on GET, so a mail scanner that follows links
// cannot use up the link.
func (a *App) HoldForm(c echo.Context) error {
	noStore(c)
	if err := a.Store.CheckHold(c.Request().Context(), c.Param("token")); err != nil {
		return a.tokenGone(c, err)
	}
	return a.render(c, "book_hold", views.Simple{Page: a.page(c, "Confirm your booking")})
}

// HoldComplete books a held booking for the person whose email the link was sent to, in
// whichever browser opened it, and signs them in.
func (a *App) HoldComplete(c echo.Context) error {
	noStore(c)
	booked, err := a.Store.CompleteHold(c.Request().Context(), c.RealIP(), c.Param("token"))
	var se *store.SessionError
	switch {
	case err == nil:
		return a.afterBooking(c, booked)
	case errors.Is(err, store.ErrBookingBlocked):
		return a.callToBook(c)
	case errors.Is(err, store.ErrStaffEmail):
		return a.renderStatus(c, http.StatusConflict, "error", views.ErrorPage{Page: a.page(c, "Please sign in"),
			Heading: "Please sign in to book", Message: "This email belongs to a staff account. Please sign in and book from the desk."})
	case errors.As(err, &se):
		return a.renderStatus(c, http.StatusConflict, "error", views.ErrorPage{Page: a.page(c, "Please choose again"),
			Heading: "Nothing was booked", Message: fmt.Sprintf("Session %d (%s) cannot be booked any more: %v. Please choose your times again.",
				se.Session, se.Start.In(a.Loc()).Format("Mon 2 Jan, 15:04"), se.Err)})
	}
	return a.tokenGone(c, err)
}

// offeredService finds the chosen service among those offered, or marks the choice invalid.
func (a *App) offeredService(c echo.Context, f *form, id int64) (store.Service, error) {
	services, err := a.Store.Services(c.Request().Context())
	if err != nil {
		return store.Service{}, err
	}
	for _, s := range services {
		if s.ID == id && id != 0 {
			return s, nil
		}
	}
	f.fail("service", "Please choose a service from the list.")
	return store.Service{}, nil
}

// bookingInvalid re-renders the course page with the submitted choices and the field messages.
func (a *App) bookingInvalid(c echo.Context, sv store.Service, req store.BookingRequest, f *form) error {
	p := a.page(c, "Your course")
	p.Errors = f.Errors
	data := views.BookCourse{Page: p, Service: sv, First: a.firstService(c, req), TherapistID: req.TherapistID,
		Spacing: req.Spacing.Target, ClientID: req.ClientID, PlanID: req.PlanID, NeedsAccount: currentUser(c) == nil, Form: f.Values}
	if len(req.Starts) > 0 {
		data.SignInHref = signInHref(courseURL(sv.ID, req.TherapistID, len(req.Starts), req.Spacing.Target, req.Starts[0]))
	}
	for i, st := range req.Starts {
		data.Sessions = append(data.Sessions, views.CourseSession{Index: i + 1, Found: true,
			Value: slotValue(clinic.Slot{TherapistID: req.TherapistID, Start: st}), When: st.In(a.Loc()).Format("Mon 2 Jan, 15:04")})
	}
	return a.invalid(c, "book_course", data)
}

// sessionTaken answers a lost race or an invalid time: nothing was booked; the page names the
// session and offers the nearest free times for it.
func (a *App) sessionTaken(c echo.Context, sv store.Service, req store.BookingRequest, se *store.SessionError) error {
	status := http.StatusUnprocessableEntity
	msg := fmt.Sprintf("Session %d (%s) cannot be booked: %v. Nothing was booked; please choose another time for it.",
		se.Session, se.Start.In(a.Loc()).Format("Mon 2 Jan, 15:04"), se.Err)
	var spacing *clinic.ErrCourseSpacing
	if errors.As(se.Err, &spacing) {
		msg = spacing.Error() + " Nothing was booked; please choose another time for it."
	}
	if errors.Is(se.Err, clinic.ErrSlotTaken) || errors.Is(se.Err, clinic.ErrNoRoom) {
		status = http.StatusConflict
		msg = fmt.Sprintf("Sorry, session %d (%s) was just taken by someone else. Nothing was booked; please choose another time for it.",
			se.Session, se.Start.In(a.Loc()).Format("Mon 2 Jan, 15:04"))
	}
	p := a.page(c, "Your course")
	ch := bookingChoice{Service: sv, First: a.firstService(c, req), Sessions: len(req.Starts), Spacing: req.Spacing,
		ClientID: req.ClientID, PlanID: req.PlanID}
	data, err := a.courseProposal(c, p, ch, req.TherapistID, req.Starts[0])
	if err != nil {
		return err
	}
	for i := range data.Sessions {
		if i < len(req.Starts) && i+1 != se.Session {
			data.Sessions[i].Value = slotValue(clinic.Slot{TherapistID: req.TherapistID, Start: req.Starts[i]})
			data.Sessions[i].When = req.Starts[i].In(a.Loc()).Format("Mon 2 Jan, 15:04")
		}
	}
	data.Page.Errors["start_"+strconv.Itoa(se.Session)] = msg
	data.Page.Flash, data.Page.FlashKind = msg, "error"
	return a.renderStatus(c, status, "book_course", data)
}

// firstService is the first visit's service a refused request named, to show it again; zero
// when it named none or one not offered.
func (a *App) firstService(c echo.Context, req store.BookingRequest) store.Service {
	if req.FirstServiceID == 0 || req.FirstServiceID == req.ServiceID {
		return store.Service{}
	}
	services, err := a.Store.Services(c.Request().Context())
	if err != nil {
		return store.Service{}
	}
	for _, s := range services {
		if s.ID == req.FirstServiceID {
			return s
		}
	}
	return store.Service{}
}

// alreadyBooked answers a form sent again after its first copy booked every session.
func (a *App) alreadyBooked(c echo.Context) error {
	if u := currentUser(c); u != nil && u.Role.Staff() {
		return a.flash(c, "/desk", "These sessions were already booked for the client.")
	}
	return a.flash(c, "/my", "These sessions are already booked for you.")
}

func (a *App) afterBooking(c echo.Context, b store.Booked) error {
	if b.User != nil {
		if err := a.signIn(c, *b.User); err != nil {
			return err
		}
	}
	n := len(b.Appointments)
	what := "Your session is booked."
	if n > 1 {
		what = fmt.Sprintf("All %d sessions are booked.", n)
	}
	if u := currentUser(c); u != nil && u.Role.Staff() {
		return a.flash(c, "/desk/appointments/"+strconv.FormatInt(b.Appointments[0].ID, 10), what)
	}
	return a.flash(c, "/my", what+" A confirmation listing every session is on its way to "+b.Appointments[0].ClientEmail+".")
}

// WaitlistJoin records a client's wish for an earlier time.
func (a *App) WaitlistJoin(c echo.Context) error {
	f := newForm(c)
	sid := f.ID("service", "Service")
	tid, _ := strconv.ParseInt(c.FormValue("therapist"), 10, 64)
	from, err1 := clinic.ParseDate(f.Text("from", "From", 10, true))
	to, err2 := clinic.ParseDate(f.Text("to", "To", 10, true))
	if err1 != nil || err2 != nil || to.Before(from) {
		f.fail("from", "Please give a date range like 2026-12-01 to 2026-12-14.")
	}
	if !f.Valid() {
		return a.flashKind(c, "/my", firstError(f.Errors), "error")
	}
	if err := a.Store.JoinWaitlist(c.Request().Context(), actor(c), sid, tid, from, to); err != nil {
		return err
	}
	return a.flash(c, "/my", "You are on the waitlist. We will email you if an earlier time comes free.")
}

// courseURL is the course page of these choices, to come back to after signing in.
func courseURL(service, therapist int64, sessions, spacing int, first time.Time) string {
	return fmt.Sprintf("/book/course?service=%d&therapist=%d&sessions=%d&spacing=%d&slot=%s", service, therapist,
		sessions, spacing, url.QueryEscape(slotValue(clinic.Slot{TherapistID: therapist, Start: first})))
}

// signInHref is the sign-in page that returns to next.
func signInHref(next string) string { return "/signin?next=" + url.QueryEscape(next) }
