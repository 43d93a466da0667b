package handlers

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"allium/store"
	"allium/views"
)

// DeskClients searches clients by name, phone or email, with the form to add one.
func (a *App) DeskClients(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if r := []rune(q); len(r) > 100 {
		q = string(r[:100])
	}
	found, err := a.Store.SearchClients(c.Request().Context(), actor(c), q, 50)
	if err != nil {
		return err
	}
	return a.render(c, "desk_clients", views.DeskClients{Page: a.page(c, "Clients"), Nav: deskNav(c), Q: q,
		Searched: q != "", Results: found, Form: map[string]string{}})
}

// DeskAddClient adds a client who phoned or walked in. An email already on file is refused
// with a link to that client, so the clinic does not keep two records of one person.
func (a *App) DeskAddClient(c echo.Context) error {
	f := newForm(c)
	d := store.ClientDetails{Name: f.Text("name", "The client's name", 200, true)}
	if strings.TrimSpace(c.FormValue("email")) != "" {
		d.Email = f.Email("email")
	} else {
		f.Values["email"] = ""
	}
	d.Phone = f.Text("phone", "Phone", 40, false)
	d.Cautions = f.Multiline("cautions", "Cautions", 1000, false)
	if d.Email == "" && d.Phone == "" {
		f.fail("phone", "Please enter a phone number or an email address, so the clinic can reach them.")
	}
	if !f.Valid() {
		return a.deskClientsInvalid(c, f, nil)
	}
	added, err := a.Store.AddClient(c.Request().Context(), actor(c), d)
	if errors.Is(err, store.ErrClientExists) {
		f.fail("email", "A client with this email is already on file: "+added.Name+".")
		return a.deskClientsInvalid(c, f, &added)
	}
	if err != nil {
		return err
	}
	return a.flash(c, deskClientHref(added.ID), "Added "+added.Name+".")
}

func (a *App) deskClientsInvalid(c echo.Context, f *form, existing *store.Client) error {
	p := a.page(c, "Clients")
	p.Errors = f.Errors
	return a.invalid(c, "desk_clients", views.DeskClients{Page: p, Nav: deskNav(c), Form: f.Values, Existing: existing})
}

func deskClientHref(id int64) string { return "/desk/clients/" + strconv.FormatInt(id, 10) }

// DeskClient is a client's record at the desk: contact, cautions, consents and every
// appointment, with late cancellations and no-shows counted.
func (a *App) DeskClient(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, by := c.Request().Context(), actor(c)
	cl, err := a.Store.ClientByID(ctx, by, id)
	if err != nil {
		return err
	}
	all, err := a.Store.ClientAppointments(ctx, by, id, time.Time{})
	if err != nil {
		return err
	}
	data := views.DeskClient{Page: a.page(c, cl.Name), Nav: deskNav(c), Client: cl}
	now := a.Now()
	for _, ap := range views.DeskAppts(all) {
		switch {
		case ap.End.After(now) && (ap.Status == "booked" || ap.Status == "checked_in"):
			data.Upcoming = append(data.Upcoming, ap)
		default:
			data.Past = append([]views.DeskAppt{ap}, data.Past...)
		}
		if ap.Status == "no_show" {
			data.NoShows++
		}
		if ap.Status == "cancelled" && ap.LateCancel {
			data.LateCancels++
		}
	}
	return a.render(c, "desk_client", data)
}
