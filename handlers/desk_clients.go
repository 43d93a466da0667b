package handlers

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
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
	pick, err := a.deskPick(c)
	if err != nil {
		return err
	}
	return a.render(c, "desk_clients", views.DeskClients{Page: a.page(c, "Clients"), Nav: deskNav(c), Q: q,
		Searched: q != "", Results: found, Form: map[string]string{}, Pick: pick})
}

// deskPick reads the empty time chosen on the board (?therapist=&slot=, also sent by the add
// form); nil when there is none or it does not name a therapist's time, and the list is then
// the plain one.
func (a *App) deskPick(c echo.Context) (*views.DeskPick, error) {
	tid, at, err := parseSlotValue(c.FormValue("slot"), a.Loc())
	if err != nil || strconv.FormatInt(tid, 10) != c.FormValue("therapist") {
		return nil, nil
	}
	therapists, err := a.Store.Therapists(c.Request().Context())
	if err != nil {
		return nil, err
	}
	for _, t := range therapists {
		if t.ID == tid {
			return &views.DeskPick{Therapist: tid, TherapistName: t.Name, Slot: slotValue(clinic.Slot{TherapistID: tid, Start: at}),
				Day: clinic.DateOf(at, a.Loc()), When: a.Dates().When(at)}, nil
		}
	}
	return nil, nil
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
	// Added for a time chosen on the board: straight on to book it.
	if pick, err := a.deskPick(c); err != nil || pick != nil {
		if err != nil {
			return err
		}
		return a.flash(c, pick.BookHref(added.ID), "Added "+added.Name+".")
	}
	return a.flash(c, deskClientHref(added.ID), "Added "+added.Name+".")
}

func (a *App) deskClientsInvalid(c echo.Context, f *form, existing *clinic.Client) error {
	p := a.page(c, "Clients")
	p.Errors = f.Errors
	pick, err := a.deskPick(c)
	if err != nil {
		return err
	}
	return a.invalid(c, "desk_clients", views.DeskClients{Page: p, Nav: deskNav(c), Form: f.Values, Existing: existing, Pick: pick})
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
	data := views.DeskClient{Page: a.page(c, cl.Name), Nav: deskNav(c), Client: cl,
		Form: map[string]string{"name": cl.Name, "email": cl.Email, "phone": cl.Phone, "cautions": cl.Cautions}}
	if data.Duplicates, err = a.Store.LikelyDuplicates(ctx, by, cl); err != nil {
		return err
	}
	if data.Balance, err = a.Store.ClientBalance(ctx, by, id); err != nil {
		return err
	}
	if data.Receipts, err = a.Store.ClientReceipts(ctx, by, id); err != nil {
		return err
	}
	if data.Packages, err = a.Store.ClientPackages(ctx, by, id); err != nil {
		return err
	}
	data.Currency = a.Settings().Currency
	now := a.Now()
	for _, ap := range views.DeskAppts(all) {
		switch {
		case ap.End.After(now) && ap.Status.Attending():
			data.Upcoming = append(data.Upcoming, ap)
		default:
			data.Past = append([]views.DeskAppt{ap}, data.Past...)
		}
		if ap.Status == clinic.ApptNoShow {
			data.NoShows++
		}
		if ap.Status == clinic.ApptCancelled && ap.LateCancel {
			data.LateCancels++
		}
	}
	return a.render(c, "desk_client", data)
}

// DeskUpdateClient saves a client's contact details and cautions.
func (a *App) DeskUpdateClient(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, by := c.Request().Context(), actor(c)
	if _, err := a.Store.ClientByID(ctx, by, id); err != nil {
		return err
	}
	f := newForm(c)
	d := store.ClientDetails{Name: f.Text("name", "Name", 100, true), Phone: f.Text("phone", "Phone", 40, false),
		Cautions: f.Multiline("cautions", "Cautions", 1000, false)}
	if v := f.Text("email", "Email", 254, false); v != "" {
		d.Email = f.Email("email")
	}
	if f.Valid() {
		err := a.Store.UpdateClient(ctx, by, id, d)
		if errors.Is(err, store.ErrClientExists) {
			f.fail("email", "Another client already has this email. If they are the same person, merge the records.")
		} else if err != nil {
			return err
		} else {
			return a.flash(c, deskClientHref(id), "Details saved.")
		}
	}
	return a.deskClientInvalid(c, f)
}

// deskClientInvalid re-renders the client page with the details form as typed and its messages.
func (a *App) deskClientInvalid(c echo.Context, f *form) error {
	id, _ := pathID(c, "id")
	ctx, by := c.Request().Context(), actor(c)
	cl, err := a.Store.ClientByID(ctx, by, id)
	if err != nil {
		return err
	}
	p := a.page(c, cl.Name)
	p.Errors = f.Errors
	return a.invalid(c, "desk_client", views.DeskClient{Page: p, Nav: deskNav(c), Client: cl, Form: f.Values})
}

// DeskMergeClient merges another record of the same person into this one.
func (a *App) DeskMergeClient(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c)
	drop := f.ID("duplicate", "The record to merge")
	if !f.Valid() {
		return a.flashKind(c, deskClientHref(id), firstError(f.Errors), "error")
	}
	err = a.Store.MergeClients(c.Request().Context(), actor(c), id, drop)
	switch {
	case errors.Is(err, store.ErrBothAccounts):
		return a.flashKind(c, deskClientHref(id), "Both records have an online account, so they cannot be merged here. Ask the client which email to keep.", "error")
	case err != nil:
		return err
	}
	return a.flash(c, deskClientHref(id), "Records merged: appointments, plans and notes are all on this record now.")
}
