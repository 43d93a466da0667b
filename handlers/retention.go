package handlers

import (
	"errors"
	"strconv"

	"github.com/labstack/echo/v4"

	"allium/store"
	"allium/views"
)

// RetentionList shows the owner the records the nightly job found past the retention period.
func (a *App) RetentionList(c echo.Context) error {
	list, err := a.Store.RetentionReviews(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	p := views.RetentionPage{Page: a.page(c, "Retention"), Years: a.Settings().RetentionYears}
	for _, r := range list {
		p.Reviews = append(p.Reviews, views.RetentionRow{ClientID: r.ClientID, Name: r.Name,
			LastContact: r.LastContact.String(), KeptUntil: r.KeptUntil.String()})
	}
	return a.render(c, "admin_retention", p)
}

// RetentionApprove de-identifies one listed client on the owner's approval.
func (a *App) RetentionApprove(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	err = a.Store.Deidentify(c.Request().Context(), actor(c), id)
	if errors.Is(err, store.ErrNotDue) {
		return a.flashKind(c, "/admin/retention", "That record is not past its retention period any more; it was kept.", "warn")
	}
	if err != nil {
		return err
	}
	return a.flash(c, "/admin/retention", "The record was de-identified.")
}
