package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// setupRoutes are the owner's pages for what the clinic offers: services, rooms and the
// therapists' profiles. The guided first setup walks through them.
func (a *App) setupRoutes() []Route {
	return []Route{
		{"GET", "/admin/services", "admin.services", ownerOnly, a.ServicesList},
		{"POST", "/admin/services", "admin.services.post", ownerOnly, a.ServiceCreate},
		{"GET", "/admin/services/:id", "admin.service", ownerOnly, a.ServiceEdit},
		{"POST", "/admin/services/:id", "admin.service.post", ownerOnly, a.ServiceUpdate},
		{"POST", "/admin/services/:id/active", "admin.service.active", ownerOnly, a.ServiceSetActive},
		{"POST", "/admin/services/:id/delete", "admin.service.delete", ownerOnly, a.ServiceDelete},
		{"GET", "/admin/rooms", "admin.rooms", ownerOnly, a.RoomsList},
		{"POST", "/admin/rooms", "admin.rooms.post", ownerOnly, a.RoomCreate},
		{"POST", "/admin/rooms/:id", "admin.room.post", ownerOnly, a.RoomRename},
		{"POST", "/admin/rooms/:id/active", "admin.room.active", ownerOnly, a.RoomSetActive},
		{"GET", "/admin/therapists/:id", "admin.therapist", ownerOnly, a.TherapistProfileForm},
		{"POST", "/admin/therapists/:id", "admin.therapist.post", ownerOnly, a.TherapistProfileSave},
	}
}

// setupOrder is the guided setup: the clinic, services, rooms, the team, then hours.
var setupOrder = []views.NavLink{{Href: "/admin/settings", Label: "Clinic"}, {Href: "/admin/services", Label: "Services"},
	{Href: "/admin/rooms", Label: "Rooms"}, {Href: "/admin/staff", Label: "Team"}, {Href: "/desk/therapists", Label: "Hours"}}

// inSetup reports whether the owner is walking through the guided setup (?setup=1, carried by
// the step's forms as a hidden field).
func inSetup(c echo.Context) bool {
	return c.QueryParam("setup") == "1" || c.FormValue("setup") == "1"
}

// setupSteps is the progress bar of the guided setup on the step at href.
func setupSteps(c echo.Context, href string) views.SetupSteps {
	if !inSetup(c) {
		return views.SetupSteps{}
	}
	s := views.SetupSteps{On: true, Next: views.NavLink{Href: "/admin", Label: "Finish"}}
	for i, st := range setupOrder {
		st.Current = st.Href == href
		if st.Current && i+1 < len(setupOrder) {
			s.Next = views.NavLink{Href: setupOrder[i+1].Href + "?setup=1", Label: setupOrder[i+1].Label}
		}
		st.Href += "?setup=1"
		s.Steps = append(s.Steps, st)
	}
	return s
}

// backTo is where a step's form returns: the same page, still in the guided setup if it was.
func backTo(c echo.Context, href string) string {
	if inSetup(c) {
		return href + "?setup=1"
	}
	return href
}

// blockers is the owner's checklist: what keeps online booking, or part of it, closed.
func (a *App) blockers(c echo.Context) ([]clinic.Blocker, error) {
	facts, err := a.Store.Readiness(c.Request().Context())
	if err != nil {
		return nil, err
	}
	return clinic.BookingBlockers(facts), nil
}

// bookingOpen reports whether clients can book anything online yet.
func (a *App) bookingOpen(c echo.Context) (bool, error) {
	return a.Store.BookingOpen(c.Request().Context())
}

func (a *App) ServicesList(c echo.Context) error {
	return a.servicesPage(c, http.StatusOK, map[string]string{"duration": "60", "buffer": "15", "price": "",
		"kind": string(clinic.KindFollowUp), "needs_room": "1", "course_sessions": "4", "spacing_days": "7", "package_discount": "0", "sort": "0"}, nil)
}

func (a *App) servicesPage(c echo.Context, status int, form, errs map[string]string) error {
	list, err := a.Store.AllServices(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	p := a.page(c, "Services")
	if errs != nil {
		p.Errors = errs
	}
	return a.renderStatus(c, status, "admin_services", views.ServicesPage{Page: p, Setup: setupSteps(c, "/admin/services"),
		Services: list, Form: form, Kinds: clinic.ServiceKinds})
}

// readService reads the service form; every field is checked before anything is saved.
func readService(f *form) clinic.ServiceSpec {
	sp := clinic.ServiceSpec{
		Name:        f.Text("name", "Name", 80, true),
		Description: f.Multiline("description", "Description", 1000, false),
		Duration:    time.Duration(f.Int("duration", "Length in minutes", 5, 480)) * time.Minute,
		Buffer:      time.Duration(f.Int("buffer", "Time after in minutes", 0, 120)) * time.Minute,
		NeedsRoom:   f.Bool("needs_room"),
		Kind:        clinic.ServiceKind(f.Text("kind", "Kind", 20, true)),
		Sort:        f.Int("sort", "Order", 0, 999),
		Active:      true,
	}
	if v := f.Text("price", "Price", 20, true); v != "" {
		cents, err := clinic.ParsePrice(v)
		if err != nil {
			f.fail("price", "Please enter the price in dollars, such as 95 or 95.50.")
		}
		sp.PriceCents = cents
	}
	if sp.Kind.Course() {
		sp.CourseSessions = f.Int("course_sessions", "Sessions in a course", 1, 99)
		sp.SpacingDays = f.Int("spacing_days", "Days between sessions", 1, 99)
		// Optional: a form from before the discount existed means none.
		if f.Text("package_discount", "The discount", 12, false) != "" {
			sp.PackageDiscount = f.Int("package_discount", "The discount", 0, clinic.MaxPackageDiscount)
		}
	}
	for k, msg := range sp.Validate() {
		f.fail(k, msg)
	}
	return sp
}

func (a *App) ServiceCreate(c echo.Context) error {
	f := newForm(c)
	sp := readService(f)
	if !f.Valid() {
		return a.servicesPage(c, http.StatusUnprocessableEntity, f.Values, f.Errors)
	}
	if _, _, err := a.Store.SaveService(c.Request().Context(), actor(c), 0, sp); err != nil {
		return err
	}
	return a.flash(c, backTo(c, "/admin/services"), sp.Name+" added.")
}

func serviceValues(sv store.Service) map[string]string {
	v := map[string]string{"name": sv.Name, "description": sv.Description, "kind": string(sv.Kind),
		"duration": strconv.Itoa(int(sv.Duration / time.Minute)), "buffer": strconv.Itoa(int(sv.BufferAfter / time.Minute)),
		"price": clinic.FormatPrice(sv.PriceCents)[1:], "course_sessions": strconv.Itoa(sv.CourseSessions),
		"spacing_days": strconv.Itoa(sv.SpacingDays), "sort": strconv.Itoa(sv.Sort),
		"package_discount": strconv.Itoa(sv.PackageDiscount)}
	if sv.NeedsRoom {
		v["needs_room"] = "1"
	}
	return v
}

func (a *App) ServiceEdit(c echo.Context) error {
	sv, err := a.serviceParam(c)
	if err != nil {
		return err
	}
	return a.render(c, "admin_service", views.ServicePage{Page: a.page(c, sv.Name), Service: sv, Form: serviceValues(sv),
		Kinds: clinic.ServiceKinds})
}

func (a *App) serviceParam(c echo.Context) (store.Service, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return store.Service{}, err
	}
	return a.Store.ServiceForOwner(c.Request().Context(), actor(c), id)
}

// ServiceUpdate saves an edited service. Bookings keep their length; when the new length
// would make some of them run into the next, the page lists them.
func (a *App) ServiceUpdate(c echo.Context) error {
	sv, err := a.serviceParam(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	sp := readService(f)
	sp.Active = sv.Active
	data := views.ServicePage{Page: a.page(c, sv.Name), Service: sv, Form: f.Values, Kinds: clinic.ServiceKinds}
	if !f.Valid() {
		data.Page.Errors = f.Errors
		return a.invalid(c, "admin_service", data)
	}
	_, overlaps, err := a.Store.SaveService(c.Request().Context(), actor(c), sv.ID, sp)
	if err != nil {
		return err
	}
	if len(overlaps) == 0 {
		return a.flash(c, "/admin/services", sp.Name+" saved.")
	}
	data.Overlaps, data.Page.Flash, data.Page.FlashKind = overlaps, clinic.MsgLongerOverlaps, "warn"
	return a.render(c, "admin_service", data)
}

// ServiceSetActive retires a service or brings it back; the form says which (active=0 or 1).
func (a *App) ServiceSetActive(c echo.Context) error {
	sv, err := a.serviceParam(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	active := f.OneOf("active", "Active", "0", "1") == "1"
	if !f.Valid() {
		return a.flashKind(c, "/admin/services/"+strconv.FormatInt(sv.ID, 10), "Please use the retire or restore button.", "error")
	}
	if err := a.Store.SetServiceActive(c.Request().Context(), actor(c), sv.ID, active); err != nil {
		return err
	}
	msg := sv.Name + " retired: no new bookings, and the bookings made keep it."
	if active {
		msg = sv.Name + " is offered again."
	}
	return a.flash(c, "/admin/services", msg)
}

// ServiceDelete removes a service nobody booked; one with bookings is retired instead.
func (a *App) ServiceDelete(c echo.Context) error {
	sv, err := a.serviceParam(c)
	if err != nil {
		return err
	}
	err = a.Store.DeleteService(c.Request().Context(), actor(c), sv.ID)
	if errors.Is(err, store.ErrConflict) {
		return a.renderStatus(c, http.StatusConflict, "admin_service", views.ServicePage{Page: a.page(c, sv.Name), Service: sv,
			Form: serviceValues(sv), Kinds: clinic.ServiceKinds, Refused: clinic.MsgServiceInUse})
	}
	if err != nil {
		return err
	}
	return a.flash(c, "/admin/services", sv.Name+" deleted.")
}

func (a *App) RoomsList(c echo.Context) error {
	return a.roomsPage(c, http.StatusOK, views.RoomsPage{Page: a.page(c, "Rooms")})
}

func (a *App) roomsPage(c echo.Context, status int, data views.RoomsPage) error {
	rooms, err := a.Store.AllRooms(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	data.Rooms, data.Setup = rooms, setupSteps(c, "/admin/rooms")
	return a.renderStatus(c, status, "admin_rooms", data)
}

// saveRoom adds (id 0) or renames a room; the field is "name" for a new room and "name-ID"
// for a rename, so the message lands beside the right box.
func (a *App) saveRoom(c echo.Context, id int64) error {
	f := newForm(c)
	field := "name"
	if id != 0 {
		field = "name-" + strconv.FormatInt(id, 10)
	}
	name := f.Text(field, "Room name", 60, true)
	if f.Valid() {
		_, err := a.Store.SaveRoom(c.Request().Context(), actor(c), id, name)
		if errors.Is(err, store.ErrConflict) {
			f.fail(field, clinic.MsgRoomNameTaken)
		} else if err != nil {
			return err
		} else {
			return a.flash(c, backTo(c, "/admin/rooms"), "Room "+name+" saved.")
		}
	}
	p := a.page(c, "Rooms")
	p.Errors = f.Errors
	return a.roomsPage(c, http.StatusUnprocessableEntity, views.RoomsPage{Page: p, Form: f.Values})
}

func (a *App) RoomCreate(c echo.Context) error { return a.saveRoom(c, 0) }

func (a *App) RoomRename(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return a.saveRoom(c, id)
}

// RoomSetActive retires a room or brings it back. A room with bookings to come stays, and the
// page lists them.
func (a *App) RoomSetActive(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c)
	active := f.OneOf("active", "Active", "0", "1") == "1"
	if !f.Valid() {
		return a.flashKind(c, "/admin/rooms", "Please use the retire or restore button.", "error")
	}
	blocking, err := a.Store.RetireRoom(c.Request().Context(), actor(c), id, active)
	if errors.Is(err, store.ErrConflict) {
		p := a.page(c, "Rooms")
		p.Flash, p.FlashKind = clinic.MsgRoomInUse, "error"
		return a.roomsPage(c, http.StatusConflict, views.RoomsPage{Page: p, Blocking: blocking})
	}
	if err != nil {
		return err
	}
	return a.flash(c, "/admin/rooms", map[bool]string{true: "Room in use again.", false: "Room retired."}[active])
}

// therapistProfile loads the profile named in the path and the services a therapist may offer.
func (a *App) therapistProfile(c echo.Context) (store.TherapistProfile, []store.Service, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return store.TherapistProfile{}, nil, err
	}
	ctx := c.Request().Context()
	p, err := a.Store.TherapistProfileOf(ctx, actor(c), id)
	if err != nil {
		return store.TherapistProfile{}, nil, err
	}
	services, err := a.Store.AllServices(ctx, actor(c))
	return p, services, err
}

func (a *App) TherapistProfileForm(c echo.Context) error {
	p, services, err := a.therapistProfile(c)
	if err != nil {
		return err
	}
	offers := map[int64]bool{}
	for _, sid := range p.Offers {
		offers[sid] = true
	}
	form := map[string]string{"display_name": p.Shown(), "bio": p.Bio, "provider_numbers": p.ProviderNumbers}
	return a.render(c, "admin_therapist", views.TherapistProfilePage{Page: a.page(c, p.Shown()), Profile: p,
		Services: services, Form: form, Offers: offers})
}

// TherapistProfileSave saves the profile and the services offered together.
func (a *App) TherapistProfileSave(c echo.Context) error {
	p, services, err := a.therapistProfile(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	p.DisplayName = f.Text("display_name", "Name clients see", 100, true)
	p.Bio = f.Multiline("bio", "Short bio", 1500, false)
	p.ProviderNumbers = f.Multiline("provider_numbers", "Health-fund provider numbers", 500, false)
	p.Offers = nil
	offers := map[int64]bool{}
	for _, v := range c.Request().Form["service"] {
		sid, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !hasService(services, sid) {
			f.fail("service", "Please choose services from the list.")
			continue
		}
		p.Offers, offers[sid] = append(p.Offers, sid), true
	}
	if !f.Valid() {
		pg := a.page(c, p.Shown())
		pg.Errors = f.Errors
		return a.invalid(c, "admin_therapist", views.TherapistProfilePage{Page: pg, Profile: p, Services: services,
			Form: f.Values, Offers: offers})
	}
	if err := a.Store.SaveTherapistProfile(c.Request().Context(), actor(c), p); err != nil {
		return err
	}
	return a.flash(c, "/admin/staff", p.Shown()+"'s profile saved.")
}

func hasService(list []store.Service, id int64) bool {
	for _, s := range list {
		if s.ID == id {
			return true
		}
	}
	return false
}
