package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"allium/mail"
	"allium/views"
)

// reminderRoutes are the calendar feed, a clinician's calendar and day-list settings, and the
// one-click unsubscribe link of nudge emails.
func (a *App) reminderRoutes() []Route {
	return []Route{
		// The token is the credential: calendar apps cannot sign in. It ends in ".ics" because
		// some calendar apps only subscribe to addresses that look like a calendar file.
		{"GET", "/ical/:token", "ical.feed", anyone, a.CalendarFeed},
		{"GET", "/account/calendar", "account.calendar", clinicians, a.CalendarSettings},
		{"POST", "/account/ical", "account.ical", clinicians, a.CreateCalendarFeed},
		{"POST", "/account/ical/revoke", "account.ical.revoke", clinicians, a.RevokeCalendarFeed},
		{"POST", "/account/daylist", "account.daylist", clinicians, a.SetDayList},
		{"GET", "/unsubscribe/:token", "unsubscribe", anyone, a.UnsubscribeForm},
		{"POST", "/unsubscribe/:token", "unsubscribe.post", anyone, a.Unsubscribe},
	}
}

func (a *App) calendarClinic() mail.CalendarClinic {
	set := a.Settings()
	return mail.CalendarClinic{Name: set.Name, Email: set.Email, Address: set.Address, Phone: set.Phone,
		Host: mail.CalendarHost(a.BaseURL), BaseURL: a.BaseURL}
}

// CalendarFeed serves a clinician's schedule to a calendar app that knows the secret address.
func (a *App) CalendarFeed(c echo.Context) error {
	token := strings.TrimSuffix(c.Param("token"), ".ics")
	u, appts, err := a.Store.CalendarFeed(c.Request().Context(), token, a.Now())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("Content-Disposition", `inline; filename="schedule.ics"`)
	body := mail.TherapistFeed(a.calendarClinic(), u.Name, appts, a.Now())
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}

// CalendarSettings shows the feed and day-list choices. feedURL is set only right after a new
// feed is made: it cannot be shown again.
func (a *App) CalendarSettings(c echo.Context) error {
	return a.calendarPage(c, "")
}

func (a *App) calendarPage(c echo.Context, feedURL string) error {
	ctx := c.Request().Context()
	since, err := a.Store.CalendarFeedSince(ctx, actor(c))
	if err != nil {
		return err
	}
	dayList, err := a.Store.DayListWanted(ctx, actor(c))
	if err != nil {
		return err
	}
	form := map[string]string{"FeedURL": feedURL}
	if !since.IsZero() {
		form["Since"] = a.Dates().When(since)
	}
	if dayList {
		form["DayList"] = "on"
	}
	if feedURL != "" {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return a.render(c, "account_calendar", views.Simple{Page: a.page(c, "Calendar and daily list"), Form: form})
}

// CreateCalendarFeed makes a new feed address and shows it once, in this response: only its
// hash is kept, so a redirect could not show it again.
func (a *App) CreateCalendarFeed(c echo.Context) error {
	token, err := a.Store.CreateCalendarFeed(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return a.calendarPage(c, a.BaseURL+"/ical/"+token+".ics")
}

// RevokeCalendarFeed turns the feed address off.
func (a *App) RevokeCalendarFeed(c echo.Context) error {
	if err := a.Store.RevokeCalendarFeed(c.Request().Context(), actor(c)); err != nil {
		return err
	}
	return a.flash(c, "/account/calendar", "Your calendar address is off. Calendar apps that used it stop updating.")
}

// SetDayList turns the evening email of tomorrow's list on or off.
func (a *App) SetDayList(c echo.Context) error {
	on := c.FormValue("on") == "1"
	if err := a.Store.SetDayList(c.Request().Context(), actor(c), on); err != nil {
		return err
	}
	msg := "You will get tomorrow's list at 6 pm on days with appointments."
	if !on {
		msg = "The daily list is off."
	}
	return a.flash(c, "/account/calendar", msg)
}
