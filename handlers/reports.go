package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/views"
)

// Reports and records. The owner's reports cover the clinic; a therapist's cover their own caseload
// (the store decides which from the actor).
func (a *App) reportRoutes() []Route {
	return []Route{
		{"GET", "/reports/attendance", "reports.attendance", clinicians, a.AttendanceReport},
		{"GET", "/reports/outcomes", "reports.outcomes", clinicians, a.OutcomeReport},
		{"GET", "/reports/utilisation", "reports.utilisation", clinicians, a.UtilisationReport},
		{"GET", "/reports/clients", "reports.clients", clinicians, a.ClientsReport},
		{"GET", "/my/record", "client.record", clientsOnly, a.MyRecord},
		{"GET", "/my/record.json", "client.record.json", clientsOnly, a.MyRecord},
		{"GET", "/desk/clients/:id/record", "desk.client.record", desk, a.DeskClientRecord},
		{"GET", "/desk/clients/:id/record.json", "desk.client.record.json", desk, a.DeskClientRecord},
		{"GET", "/admin/retention", "admin.retention", ownerOnly, a.RetentionList},
		{"POST", "/admin/retention/:id", "admin.retention.approve", ownerOnly, a.RetentionApprove},
	}
}

// AttendanceReport shows no-shows and late cancellations by therapist and weekday.
func (a *App) AttendanceReport(c echo.Context) error {
	return a.report(c, "No-shows and late cancellations", func(p clinic.ReportPeriod) ([]views.ReportTable, views.BarChart, error) {
		from, to := p.Bounds(a.Loc())
		facts, err := a.Store.AttendanceFacts(c.Request().Context(), actor(c), from, to, a.Loc())
		r := clinic.Attendance(p, facts)
		return views.AttendanceTables(r), views.AttendanceChart(r), err
	}, "Sessions that were due in the period and have passed, leaving out those cancelled with notice.",
		"A late cancellation is one inside the cancellation policy's notice.")
}

// UtilisationReport shows booked hours against available hours by therapist and room.
func (a *App) UtilisationReport(c echo.Context) error {
	return a.report(c, "Utilisation", func(p clinic.ReportPeriod) ([]views.ReportTable, views.BarChart, error) {
		from, to := p.Bounds(a.Loc())
		facts, err := a.Store.UtilisationFacts(c.Request().Context(), actor(c), from, to, a.Loc())
		r := clinic.Utilisation(p, facts, a.Loc())
		return views.UtilisationTables(r), views.UtilisationChart(r), err
	}, "Booked hours (no-shows included: the hour was held) against working hours less time off.",
		"A room counts as available whenever at least one therapist is working.")
}

// ClientsReport shows new and returning clients, assessment conversion, course
// completion and rebooking.
func (a *App) ClientsReport(c echo.Context) error {
	return a.report(c, "Clients and courses", func(p clinic.ReportPeriod) ([]views.ReportTable, views.BarChart, error) {
		from, to := p.Bounds(a.Loc())
		seen, conv, courses, err := a.Store.ClientsFacts(c.Request().Context(), actor(c), from, to)
		r := clinic.Clients(p, seen, conv, courses)
		return views.ClientsTables(r), views.ClientsChart(r), err
	}, "Clients seen in the period, how many assessments led to a booking, and how the courses that ended in it went.",
		"A course ended in the period when its last session did. It was completed when the client came to every session (checked in). A client rebooked when they booked again within the longest spacing after a course of theirs that ended: the plan's where the course was part of a treatment plan, else the course's own.")
}

// OutcomeReport answers "did the courses work?": change in pain and function
// from a plan's start to its first reassessment.
func (a *App) OutcomeReport(c echo.Context) error {
	return a.report(c, "Did the courses work?", func(p clinic.ReportPeriod) ([]views.ReportTable, views.BarChart, error) {
		from, to := p.Bounds(a.Loc())
		facts, err := a.Store.OutcomeFacts(c.Request().Context(), actor(c), from, to)
		r := clinic.Outcomes(p, facts)
		return views.OutcomeTables(r), views.OutcomeChart(r), err
	}, "Plans whose first reassessment fell in the period: how pain (0-10) and function (PSFS) moved from the plan's start.",
		"Change is in points, positive is better (less pain, more function). A plan reached a meaningful change when a goal improved by the amount the plan page counts as real (pain 2 points or 30%, PSFS 3 points for one activity or 2 for the mean) and no goal got worse. A plan on several modalities counts in each.")
}

// report reads the period, builds the figures and answers with the page or,
// with ?format=csv, the same tables as a CSV download.
func (a *App) report(c echo.Context, title string, build func(clinic.ReportPeriod) ([]views.ReportTable, views.BarChart, error), intro, note string) error {
	q := c.QueryParams()
	today := clinic.DateOf(a.Now(), a.Loc())
	p, errs := clinic.ParseReportPeriod(q.Get("from"), q.Get("to"), today)
	page := views.ReportPage{Page: a.page(c, title), Intro: intro, Note: note, Action: c.Request().URL.Path,
		From: p.From.String(), To: p.To.String()}
	if len(errs) > 0 {
		page.Page.Errors, page.From, page.To = errs, q.Get("from"), q.Get("to")
		return a.invalid(c, "report", page)
	}
	tables, chart, err := build(p)
	if err != nil {
		return err
	}
	if q.Get("format") == "csv" {
		var b bytes.Buffer
		if err := views.WriteReportCSV(&b, tables); err != nil {
			return err
		}
		name := fmt.Sprintf("%s-%s-%s.csv", c.Request().URL.Path[len("/reports/"):], p.From, p.To)
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
	}
	page.Tables, page.Chart = tables, chart
	page.CSVHref = page.Action + "?" + url.Values{"from": {page.From}, "to": {page.To}, "format": {"csv"}}.Encode()
	return a.render(c, "report", page)
}
