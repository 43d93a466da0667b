package handlers

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// deskRecallMonths is how far back a stalled course or a lapsed client is still worth a call.
const deskRecallMonths = 6

// DeskRecall is reception's recall list: reassessments due, stalled courses, maintenance
// visits due and clients lapsed after discharge, each with its reason, reception's mark, a
// booking link prefilled for the visit it calls for, and the marks to record a call.
func (a *App) DeskRecall(c echo.Context) error {
	now, loc := a.Now(), a.Loc()
	list, err := a.Store.RecallList(c.Request().Context(), actor(c), now.AddDate(0, -deskRecallMonths, 0), 200)
	if err != nil {
		return err
	}
	data := views.DeskRecall{Page: a.page(c, "Recall"), Nav: deskNav(c)}
	today := clinic.DateOf(now, loc)
	for _, rc := range list {
		e := views.DeskRecallCourse{RecallCourse: rc, BookHref: recallBookHref(rc, today)}
		if !rc.LastAt.IsZero() {
			e.Last, e.DaysSince = a.Dates().DayOf(rc.LastAt), clinic.DateOf(rc.LastAt, loc).DaysUntil(today)
		}
		if !rc.MarkedAt.IsZero() {
			e.Marked = a.Dates().DayOf(rc.MarkedAt)
		}
		data.Courses = append(data.Courses, e)
	}
	return a.render(c, "desk_recall", data)
}

// recallBookHref is the booking an entry calls for, prefilled: the rest of a stalled course;
// the reassessment visit from the plan's review date; a maintenance visit from its due date;
// any visit with the client's therapist for a lapsed client.
func recallBookHref(rc clinic.RecallCourse, today clinic.Date) views.Href {
	q := url.Values{"client": {strconv.FormatInt(rc.ClientID, 10)}, "therapist": {strconv.FormatInt(rc.TherapistID, 10)}}
	from := rc.Due
	if from.Before(today) {
		from = today
	}
	switch rc.Reason {
	case clinic.RecallStalled:
		q.Set("service", strconv.FormatInt(rc.ServiceID, 10))
		q.Set("sessions", strconv.Itoa(max(rc.Sessions-rc.Done, 1)))
	case clinic.RecallReassessDue:
		q.Set("service", "reassessment_30")
		q.Set("date", from.String())
	case clinic.RecallMaintenanceDue:
		q.Set("date", from.String())
	}
	return views.BookHref(q)
}

// DeskRecallRemind sends the client of a maintenance entry the prompt to book, by email,
// and marks the entry contacted.
func (a *App) DeskRecallRemind(c echo.Context) error {
	f := newForm(c)
	plan := f.ID("ref", "Entry")
	if !f.Valid() {
		return a.flashKind(c, "/desk/recall", firstError(f.Errors), "error")
	}
	to, err := a.Store.RemindMaintenance(c.Request().Context(), actor(c), plan)
	switch {
	case errors.Is(err, store.ErrNoEmail):
		return a.flashKind(c, "/desk/recall", "This client has no email address: please call them.", "error")
	case errors.Is(err, store.ErrConflict):
		return a.flashKind(c, "/desk/recall", "This plan has moved on since the list was shown.", "error")
	case err != nil:
		return err
	}
	return a.flash(c, "/desk/recall", "A reminder to book the maintenance visit is on its way to "+to+".")
}

// DeskRecallMark records reception's call about an entry: contacted, snoozed or dismissed.
func (a *App) DeskRecallMark(c echo.Context) error {
	f := newForm(c)
	reason := clinic.RecallReason(f.OneOf("reason", "Reason", string(clinic.RecallReassessDue), string(clinic.RecallStalled),
		string(clinic.RecallMaintenanceDue), string(clinic.RecallLapsed)))
	mark := clinic.RecallMark(f.OneOf("mark", "What happened", string(clinic.RecallContacted), string(clinic.RecallSnoozed),
		string(clinic.RecallDismissed)))
	ref := f.ID("ref", "Entry")
	if !f.Valid() {
		return a.flashKind(c, "/desk/recall", firstError(f.Errors), "error")
	}
	if err := a.Store.MarkRecall(c.Request().Context(), actor(c), reason, ref, mark); err != nil {
		return err
	}
	words := map[clinic.RecallMark]string{clinic.RecallContacted: "Marked as contacted.",
		clinic.RecallSnoozed:   "Snoozed for " + strconv.Itoa(clinic.RecallSnoozeDays) + " days.",
		clinic.RecallDismissed: "Dismissed: it will not come back."}
	return a.flash(c, "/desk/recall", words[mark])
}
