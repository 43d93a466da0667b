package mail

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"allium/clinic"
	"allium/store"
)

// Calendar methods (RFC 5546): a REQUEST adds or moves the event in the client's calendar, a
// CANCEL removes it. Calendar apps match the two by UID and keep the higher SEQUENCE.
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
	MethodPublish = "PUBLISH" // a subscribed feed
)

// CalendarClinic is who the events come from.
type CalendarClinic struct {
	Name, Email, Address, Phone string
	Host                        string // names the UIDs: appt-42@Host
	BaseURL                     string
}

// CalendarHost is the host part of the UIDs for a base URL; the UID must never change for an
// appointment, so it comes from the configured address and not from the request.
func CalendarHost(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "allium.invalid"
}

// AppointmentUID is the stable calendar UID of an appointment.
func AppointmentUID(apptID int64, host string) string {
	return fmt.Sprintf("appt-%d@%s", apptID, host)
}

// ClientCalendar is the file attached to a client's email: one appointment, times in UTC so no
// VTIMEZONE is needed and no calendar can misread the zone. SEQUENCE is the appointment's
// version, which every move and the cancellation raise.
func ClientCalendar(c CalendarClinic, method string, a store.Appointment, managePath string, stamp time.Time) string {
	cal := newCalendar(c, method)
	e := cal.AddEvent(AppointmentUID(a.ID, c.Host))
	e.SetDtStampTime(stamp)
	e.SetSequence(a.Version)
	e.SetStartAt(a.Start)
	e.SetEndAt(a.End)
	e.SetSummary(fmt.Sprintf("%s with %s", a.ServiceName, a.TherapistName))
	if c.Address != "" {
		e.SetLocation(c.Address)
	}
	desc := []string{courseLine(a) + c.Name}
	if c.Phone != "" {
		desc = append(desc, "Phone "+c.Phone)
	}
	if managePath != "" && method != MethodCancel {
		desc = append(desc, "Change or cancel: "+c.BaseURL+managePath)
		e.SetURL(c.BaseURL + managePath)
	}
	e.SetDescription(strings.Join(desc, "\n"))
	if c.Email != "" {
		e.SetOrganizer(c.Email, ics.WithCN(c.Name))
	}
	if a.ClientEmail != "" {
		e.AddAttendee(a.ClientEmail, ics.WithCN(a.ClientName), ics.CalendarUserTypeIndividual,
			ics.ParticipationStatusAccepted, ics.WithRSVP(false))
	}
	if method == MethodCancel {
		e.SetStatus(ics.ObjectStatusCancelled)
	} else {
		e.SetStatus(ics.ObjectStatusConfirmed)
	}
	return cal.Serialize(ics.WithNewLine("\r\n"))
}

// TherapistFeed is a clinician's subscribed calendar. Clients appear by first name and
// initial: the feed lives in a third-party calendar, the chart stays in the clinic.
func TherapistFeed(c CalendarClinic, name string, appts []store.Appointment, stamp time.Time) string {
	cal := newCalendar(c, MethodPublish)
	cal.SetName(c.Name + " · " + name)
	cal.SetXWRCalName(c.Name + " · " + name)
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	for _, a := range appts {
		e := cal.AddEvent(AppointmentUID(a.ID, c.Host))
		e.SetDtStampTime(stamp)
		e.SetSequence(a.Version)
		e.SetStartAt(a.Start)
		e.SetEndAt(a.End)
		e.SetSummary(fmt.Sprintf("%s · %s", shortName(a.ClientName), a.ServiceName))
		if a.RoomName != "" {
			e.SetLocation(a.RoomName)
		}
		e.SetDescription(courseLine(a) + c.BaseURL + "/therapist")
		e.SetStatus(ics.ObjectStatusConfirmed)
	}
	return cal.Serialize(ics.WithNewLine("\r\n"))
}

func newCalendar(c CalendarClinic, method string) *ics.Calendar {
	cal := ics.NewCalendarFor(c.Name)
	cal.SetProductId("-//Allium//" + c.Host + "//EN")
	cal.SetMethod(ics.Method(method))
	cal.SetCalscale("GREGORIAN")
	return cal
}

func courseLine(a store.Appointment) string {
	if a.CourseSize > 1 {
		return fmt.Sprintf("Session %d of %d. ", a.CourseIndex, a.CourseSize)
	}
	return ""
}

// shortName is "Alex C." for "Alex Chen".
func shortName(name string) string {
	f := strings.Fields(name)
	switch len(f) {
	case 0:
		return ""
	case 1:
		return f[0]
	}
	return f[0] + " " + string([]rune(f[len(f)-1])[:1]) + "."
}

// calendarKinds are the emails that carry a calendar file, and the method each uses.
var calendarKinds = map[string]string{
	string(clinic.ReminderConfirmation): MethodRequest,
	string(clinic.ReminderReschedule):   MethodRequest,
	string(clinic.ReminderCancellation): MethodCancel,
}

// attachment is a file to attach to an email.
type attachment struct {
	Name, Type, Body string
}

// calendarFiles makes the calendar files for an appointment email from the appointments as
// they are at send time: a session moved since the confirmation was queued lands in the
// calendar at its new time. One file per appointment, as calendar apps expect of an invitation.
func (w *Worker) calendarFiles(ctx context.Context, kind string, ids []int64, c CalendarClinic) ([]attachment, error) {
	method, ok := calendarKinds[kind]
	if !ok || len(ids) == 0 {
		return nil, nil
	}
	appts, err := w.Store.AppointmentsForMail(ctx, ids...)
	if err != nil {
		return nil, err
	}
	var out []attachment
	for _, a := range appts {
		if method == MethodRequest && !a.Active() {
			continue // cancelled since: its own notice carries the CANCEL
		}
		manage, err := w.Store.ManagePath(ctx, a.ID, a.Version)
		if err != nil {
			return nil, err
		}
		name := "appointment.ics"
		if len(appts) > 1 {
			name = fmt.Sprintf("session-%d.ics", a.CourseIndex)
		}
		out = append(out, attachment{Name: name, Type: "text/calendar; charset=utf-8; method=" + method,
			Body: ClientCalendar(c, method, a, manage, w.Now())})
	}
	return out, nil
}
