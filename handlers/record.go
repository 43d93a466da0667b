package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"allium/store"
	"allium/views"
)

// MyRecord answers a client's request for everything the clinic holds about them.
func (a *App) MyRecord(c echo.Context) error {
	return a.clientRecord(c, actor(c).ClientID, "/my/record")
}

// DeskClientRecord produces a client's record for reception, for a request by post.
func (a *App) DeskClientRecord(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	return a.clientRecord(c, id, fmt.Sprintf("/desk/clients/%d/record", id))
}

// clientRecord answers with the readable document, or the JSON when the path ends in .json.
func (a *App) clientRecord(c echo.Context, clientID int64, base string) error {
	rec, err := a.Store.ClientRecord(c.Request().Context(), actor(c), clientID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if strings.HasSuffix(c.Request().URL.Path, ".json") {
		name := fmt.Sprintf("record-%s.json", rec.GeneratedAt.Format("2006-01-02"))
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
		return c.JSONPretty(http.StatusOK, rec, "  ")
	}
	return a.render(c, "client_record", views.ClientRecordPage{Page: a.page(c, "Your record"), Record: rec, JSONHref: base + ".json"})
}
