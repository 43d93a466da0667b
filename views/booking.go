package views

import (
	"html/template"
	"net/url"
	"strconv"
	"time"

	"allium/clinic"
	"allium/store"
)

// BookStart is the first booking step: service and therapist.
type BookStart struct {
	Page       Page
	Services   []store.Service
	Therapists []store.User
	Service    int64
	Therapist  int64
	Sessions   int // set (with Spacing) only when booking a plan's course
	Spacing    int
	Date       string
	ClientID   int64
	PlanID     int64
	Day, Slot  string // a day and a time chosen on the desk's board, passed on to the times page
}

// ServiceChoices writes the services as radio choices, and TherapistOptions the therapists as a
// select's options, with htmlWriter: through html/template (each service's fields promoted from
// the embedded clinic.Service, looked up by reflection) the two lists were half the page's CPU
// (docs/performance.md).
func (b BookStart) ServiceChoices() template.HTML {
	w := newHTMLWriter(256 + len(b.Services)*384)
	for _, s := range b.Services {
		w.m(`<label class="choice"><input type="radio" name="service" value="`)
		w.int(s.ID)
		w.m(`"`)
		if s.ID == b.Service {
			w.m(` checked`)
		}
		w.m(` required>` + "\n" + `      <span><strong>`)
		w.bdi(s.Name)
		w.m(`</strong> · `)
		w.int(int64(s.Duration / time.Minute))
		w.m(` min · `)
		w.text(clinic.FormatPrice(s.PriceCents))
		if s.CourseSessions > 1 {
			w.m(` · usually a course of `)
			w.int(int64(s.CourseSessions))
		}
		if s.Description != "" {
			w.m(`<br><span class="muted">`)
			w.text(s.Description)
			w.m(`</span>`)
		}
		w.m(`</span></label>`)
	}
	return w.html()
}

// TherapistOptions: see ServiceChoices.
func (b BookStart) TherapistOptions() template.HTML {
	w := newHTMLWriter(64 + len(b.Therapists)*64)
	for _, t := range b.Therapists {
		w.m(`<option value="`)
		w.int(t.ID)
		w.m(`"`)
		if t.ID == b.Therapist {
			w.m(` selected`)
		}
		w.m(`>`)
		w.text(t.Name)
		w.m(`</option>`)
	}
	return w.html()
}

// SlotChoice is one free time offered in a form.
type SlotChoice struct {
	Value     string // therapist@instant
	Day       string // "Mon 23 Mar", where the choices span days
	Time      string
	Therapist string
}

// SlotDay is a day's free times.
type SlotDay struct {
	Label string
	Slots []SlotChoice
}

// StripDays is how many days the booking page's strip shows: two weeks.
const StripDays = 14

// StripDay is one day of the booking page's strip.
type StripDay struct {
	Date    clinic.Date
	Free    int // distinct free start times that day
	Current bool
}

// Weekday and Num are the day as the strip writes it: "Mon" over "16".
func (d StripDay) Weekday() string { return d.time().Format("Mon") }
func (d StripDay) Num() int        { return d.Date.D }
func (d StripDay) time() time.Time {
	return time.Date(d.Date.Y, d.Date.M, d.Date.D, 12, 0, 0, 0, time.UTC)
}

// Mark is the day's class on the strip: none free, a few, or plenty.
func (d StripDay) Mark() string {
	switch {
	case d.Free == 0:
		return "strip-none"
	case d.Free <= 4:
		return "strip-few"
	}
	return "strip-open"
}

// FreeText says how many times are free, for screen readers and the tooltip.
func (d StripDay) FreeText() string {
	if d.Free == 0 {
		return "no free times"
	}
	return clinic.Count(d.Free, "free time", "free times")
}

// SlotGroup is one therapist's free times on the chosen day.
type SlotGroup struct {
	Therapist string
	Slots     []SlotChoice
}

// BookTimes is the booking page: the strip of two weeks, and the chosen day's times.
type BookTimes struct {
	Page        Page
	Service     store.Service
	First       store.Service // the first visit's service, when the course starts with a longer one
	TherapistID int64
	Sessions    int
	Spacing     int
	ClientID    int64
	PlanID      int64
	Date        clinic.Date // the strip's first day
	Strip       []StripDay
	Day         clinic.Date // the day shown
	Groups      []SlotGroup
	Chosen      string // a slot value to show already chosen
}

// Link is this page with the strip starting at from and the day shown set to day (none: the
// first with free times). Every choice made so far travels with it, so the page works as
// plain links without JavaScript.
func (b BookTimes) Link(from, day clinic.Date) string {
	q := url.Values{}
	q.Set("service", strconv.FormatInt(b.Service.ID, 10))
	q.Set("therapist", strconv.FormatInt(b.TherapistID, 10))
	q.Set("sessions", strconv.Itoa(b.Sessions))
	q.Set("spacing", strconv.Itoa(b.Spacing))
	if b.First.ID != 0 {
		q.Set("first", strconv.FormatInt(b.First.ID, 10))
	}
	if b.ClientID != 0 {
		q.Set("client", strconv.FormatInt(b.ClientID, 10))
	}
	if b.PlanID != 0 {
		q.Set("plan", strconv.FormatInt(b.PlanID, 10))
	}
	q.Set("date", from.String())
	if day != (clinic.Date{}) {
		q.Set("day", day.String())
	}
	return "/book/times?" + q.Encode()
}

// DayLink shows another day of the strip; Earlier and Later move the strip by two weeks.
func (b BookTimes) DayLink(d clinic.Date) string { return b.Link(b.Date, d) }

// StripItems writes the strip's days, and SlotGroups each therapist's free times, with
// htmlWriter: through html/template (a reflective call per value, a link built per day) they
// were most of the page's rendering (docs/performance.md).
func (b BookTimes) StripItems() template.HTML {
	w := newHTMLWriter(len(b.Strip) * 512)
	for _, d := range b.Strip {
		w.m(`<li>`)
		link := d.Current || d.Free > 0
		if link {
			w.m(`<a class="`)
			w.class(d.Mark())
			w.m(`" href="`)
			w.href(Href{b.DayLink(d.Date)}) // ids, counts and dates only
			w.m(`"`)
			if d.Current {
				w.m(` aria-current="true"`)
			}
			w.m(` title="`)
			w.text(d.FreeText())
			w.m(`">`)
		} else {
			w.m(`<span class="strip-none">`)
		}
		w.m(`<span class="strip-wd">`)
		w.text(d.Weekday())
		w.m(`</span> <span class="strip-num">`)
		w.int(int64(d.Num()))
		w.m(`</span><span class="visually-hidden">, `)
		w.text(d.FreeText())
		w.m(`</span>`)
		if link {
			w.m(`</a>`)
		} else {
			w.m(`</span>`)
		}
		w.m(`</li>`)
	}
	return w.html()
}

// SlotGroups writes each therapist's free times on the day as a group of choices: see StripItems.
func (b BookTimes) SlotGroups() template.HTML {
	n := 0
	for _, g := range b.Groups {
		n += 160 + 128*len(g.Slots)
	}
	w := newHTMLWriter(n)
	for _, g := range b.Groups {
		w.m(`<fieldset class="slot-group"><legend><bdi>`)
		w.text(g.Therapist)
		w.m(`</bdi></legend>` + "\n" + `  <div class="slots">`)
		w.slotChoices(g, b.Chosen)
		w.m(`</div>` + "\n" + `  </fieldset>` + "\n  ")
	}
	return w.html()
}

func (w *htmlWriter) slotChoices(g SlotGroup, chosen string) {
	for _, c := range g.Slots {
		w.m(`<label class="slot"><input type="radio" name="slot" value="`)
		w.text(c.Value)
		w.m(`"`)
		if c.Value == chosen {
			w.m(` checked`)
		}
		w.m(` required><span>`)
		w.text(c.Time)
		w.m(`</span></label>`)
	}
}

// Earlier goes back no further than today: nothing before it can be booked.
func (b BookTimes) Earlier() string {
	from := b.Date.AddDays(-StripDays)
	if from.Before(b.Page.Today) {
		from = b.Page.Today
	}
	return b.Link(from, clinic.Date{})
}
func (b BookTimes) Later() string { return b.Link(b.Date.AddDays(StripDays), clinic.Date{}) }

// CanGoEarlier is false when the strip starts tomorrow or before: a booking needs notice, so
// nothing earlier is worth a link.
func (b BookTimes) CanGoEarlier() bool { return b.Page.Today.AddDays(1).Before(b.Date) }

// Last is the strip's last day.
func (b BookTimes) Last() clinic.Date { return b.Date.AddDays(StripDays - 1) }

// AnyFree reports whether any day of the strip has a free time.
func (b BookTimes) AnyFree() bool {
	for _, d := range b.Strip {
		if d.Free > 0 {
			return true
		}
	}
	return false
}

// CourseSession is one proposed session with the times it may be swapped for.
type CourseSession struct {
	Index   int
	Found   bool
	Value   string
	When    string
	Window  string
	Options []SlotChoice
}

// OptionDays are the session's alternatives grouped by day, so each time is a short chip
// under its day. The suggested time is among them, chosen.
func (s CourseSession) OptionDays() []SlotDay {
	var days []SlotDay
	for _, o := range s.Options {
		if len(days) == 0 || days[len(days)-1].Label != o.Day {
			days = append(days, SlotDay{Label: o.Day})
		}
		d := &days[len(days)-1]
		d.Slots = append(d.Slots, o)
	}
	return days
}

// Offers reports whether the suggested time is among the alternatives; when it is not, the
// page offers it on its own line.
func (s CourseSession) Offers() bool {
	for _, o := range s.Options {
		if o.Value == s.Value {
			return true
		}
	}
	return false
}

// BookCourse is the course proposal and confirmation form.
type BookCourse struct {
	Page         Page
	Service      store.Service
	First        store.Service // the first visit's service, when the course starts with a longer one
	TherapistID  int64
	Spacing      int
	ClientID     int64
	PlanID       int64
	Sessions     []CourseSession
	NeedsAccount bool
	SignInHref   string // the sign-in page, returning to these choices
	TimesHref    string // the booking page on the first session's day, to choose it again
	Form         map[string]string
}

// ClientHome is a client's bookings.
type ClientHome struct {
	Page           Page
	Upcoming       []store.Appointment
	Past           []store.Appointment
	Services       []store.Service
	Receipts       []store.ReceiptLine
	Packages       []store.Package // prepaid courses, with a receipt for each session drawn
	Currency       clinic.Currency
	ReceiptsOptOut bool
}

// AppointmentPage shows one appointment to its client, signed in or through a manage link.
type AppointmentPage struct {
	Page      Page
	Appt      store.Appointment
	Base      string              // "/my/appointments/42" or "/m/TOKEN"
	CanChange bool                // the client may move or cancel it online
	TooLate   bool                // it is booked, but inside the cancellation window: the client must call
	Stale     bool                // a manage link for a moved or cancelled appointment
	Course    []store.Appointment // every session of its course, this one included; nil for a single visit
	Package   *store.Package      // the course sold as a prepaid package, to the signed-in client
	Currency  clinic.Currency
}

// MovePage lists free times to move an appointment to.
type MovePage struct {
	Page       Page
	Appt       store.Appointment
	Base       string
	Days       []SlotDay
	Date       string
	Prev, Next string
}

// TherapistDay is a therapist's list for a day.
type TherapistDay struct {
	Page         Page
	Date         string
	Prev, Next   string
	Appointments []TherapistAppt
	spare        *htmlWriter // the render's writer for the rows; see Views.Render
}

// withSpare is the day with a writer to use again for its rows.
func (d TherapistDay) withSpare(w *htmlWriter) any {
	d.spare = w
	return d
}

// Rows writes the day's table rows with htmlWriter: through html/template (a reflective call
// per escaped value, a field lookup by name per field) they were most of the page's CPU in the
// load run (docs/performance.md).
func (d TherapistDay) Rows() template.HTML {
	w := d.spare.reuse(256 + len(d.Appointments)*512)
	for _, a := range d.Appointments {
		w.m(`<tr><td data-label="Time">`)
		w.text(a.Time)
		w.m(`</td>` + "\n" + `<td data-label="Client"><a href="`)
		w.href(ChartHref(a.ClientID))
		w.m(`">`)
		w.bdi(a.ClientName)
		w.m(`</a>`)
		if a.Cautions != "" {
			w.m(` <span class="caution">`)
			w.text(a.Cautions)
			w.m(`</span>`)
		}
		w.m(`</td>` + "\n" + `<td data-label="Service">`)
		w.bdi(a.ServiceName)
		if a.RoomName != "" {
			w.m(` · `)
			w.bdi(a.RoomName)
		}
		w.m(`</td>` + "\n" + `<td data-label="Course">`)
		w.text(a.Course)
		w.m(`</td>` + "\n" + `<td data-label="Status"><span class="badge status-`)
		w.class(string(a.Status))
		w.m(`">`)
		w.text(string(a.Status))
		w.m(`</span></td>` + "\n" + `<td data-label="Note">`)
		if a.NoteOpen {
			w.m(`<a href="`)
			w.href(NoteFormHref(a.ID))
			w.m(`">Write note</a>`)
		} else {
			w.m(`<span class="muted">–</span>`)
		}
		w.m("</td></tr>")
	}
	return w.html()
}

// TherapistAppt is a row of the therapist's day, worded once in plain fields. (Embedding
// store.Appointment made html/template look up each promoted field by reflection through the
// embedding.) NoteOpen says whether its note may be written now (clinic.NoteOpen: today's and
// past sessions that take place).
type TherapistAppt struct {
	ID, ClientID                                int64
	Time                                        string // "09:00–10:00"
	ClientName, Cautions, ServiceName, RoomName string
	Course                                      string // "2 of 4" in a course, else empty
	Status                                      clinic.ApptStatus
	NoteOpen                                    bool
}

// NewTherapistAppt words one appointment of the therapist's day.
func NewTherapistAppt(p Page, a store.Appointment, noteOpen bool) TherapistAppt {
	d := p.dates()
	row := TherapistAppt{ID: a.ID, ClientID: a.ClientID, Time: d.Clock(a.Start) + "–" + d.Clock(a.End),
		ClientName: a.ClientName, Cautions: a.Cautions, ServiceName: a.ServiceName, RoomName: a.RoomName,
		Status: a.Status, NoteOpen: noteOpen}
	if a.CourseSize > 1 {
		row.Course = strconv.Itoa(a.CourseIndex) + " of " + strconv.Itoa(a.CourseSize)
	}
	return row
}
