package handlers

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/views"
)

// deskRecallMonths is how far back a stalled course is still worth a call.
const deskRecallMonths = 6

// DeskRecall lists courses that have stalled: the last session is further back than the
// course's longest gap, nothing is booked ahead and sessions remain. Each links to booking
// the rest of the course for that client, service and therapist.
func (a *App) DeskRecall(c echo.Context) error {
	now, loc := a.Now(), a.Loc()
	list, err := a.Store.RecallList(c.Request().Context(), actor(c), now.AddDate(0, -deskRecallMonths, 0), 200)
	if err != nil {
		return err
	}
	data := views.DeskRecall{Page: a.page(c, "Recall"), Nav: deskNav(c)}
	today := clinic.DateOf(now, loc)
	for _, rc := range list {
		q := url.Values{"client": {strconv.FormatInt(rc.ClientID, 10)}, "service": {strconv.FormatInt(rc.ServiceID, 10)},
			"therapist": {strconv.FormatInt(rc.TherapistID, 10)}, "sessions": {strconv.Itoa(max(rc.Sessions-rc.Done, 1))}}
		data.Courses = append(data.Courses, views.DeskRecallCourse{RecallCourse: rc,
			Last: a.Dates().DayOf(rc.LastAt), DaysSince: clinic.DateOf(rc.LastAt, loc).DaysUntil(today),
			BookHref: "/book?" + q.Encode()})
	}
	return a.render(c, "desk_recall", data)
}
