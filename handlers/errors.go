package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// handleError is the one place errors become pages. Internal error text goes to the log with
// the request id, never to the browser: a database error can carry a client's name.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	var timing *clinic.ErrApptTiming
	switch {
	case errors.As(err, &he):
		status = he.Code
	case errors.As(err, &timing):
		// Too early or too late for the appointment's rules: the sentence says when it can be.
		status = http.StatusUnprocessableEntity
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrForbidden):
		status = http.StatusNotFound
	case errors.Is(err, store.ErrConflict):
		status = http.StatusConflict
	}
	if status >= 500 {
		a.Log.ErrorContext(c.Request().Context(), "request failed", "err", err, "path", loggedPath(c))
	}
	heading, msg := errorText(status, he)
	if timing != nil {
		heading, msg = "Not at this time", timing.Error()
	}
	data := views.ErrorPage{Page: a.page(c, heading), Heading: heading, Message: msg}
	if status >= 500 {
		data.RequestID = requestID(c)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if rerr := a.renderStatus(c, status, "error", data); rerr != nil {
		a.Log.ErrorContext(c.Request().Context(), "render error page", "err", rerr)
		_ = c.String(status, heading)
	}
}

func errorText(status int, he *echo.HTTPError) (string, string) {
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return "Page not found", "We could not find that page. It may have moved, or the link may be incomplete."
	case http.StatusForbidden:
		if he != nil && he.Message == "csrf" {
			return "Please try that again", "This form had expired, so nothing was changed. Go back, reload the page and send it again."
		}
		return "Not allowed", "You do not have access to this page."
	case http.StatusConflict:
		return "That changed meanwhile", "Someone else changed this at the same moment, so nothing was saved. Reload the page and try again."
	case http.StatusRequestEntityTooLarge:
		if he != nil && he.Message == "import" {
			return "That file is too large", fmt.Sprintf("Client files of up to %d MB can be imported, about %d clients. "+
				"Export only the columns of the clients' details, or split the file, and try again.",
				clinic.MaxImportFileSize>>20, clinic.MaxImportRows)
		}
		return "Too much to send", "That was more than we can accept in one go. Please shorten it and try again."
	case http.StatusTooManyRequests:
		return "Please wait a moment", "There were too many attempts. Please wait a few minutes and try again."
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "Please check what you sent", "Something in the request was not in a form we understand. Go back and try again."
	}
	return "Something went wrong", "Sorry, something went wrong on our side and nothing was changed. Please try again in a moment."
}
