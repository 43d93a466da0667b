package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// ReferralForm is a new referral, prefilled from the chart with a letter the therapist edits:
// the latest findings, the plan's goals and readings, and the reason chosen.
func (a *App) ReferralForm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ch, err := a.Store.ClientChart(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	fv := views.ChartValues{"urgency": {"routine"}, "target": {"gp"}, "reason": {c.QueryParam("reason")},
		"plan": {c.QueryParam("plan")}, "reassessment": {c.QueryParam("reassessment")}}
	d := clinic.ReferralDraft{Client: ch.Client, Therapist: currentUser(c).Name, Clinic: a.Settings().Name,
		Reason: c.QueryParam("reason")}
	if len(ch.Findings) > 0 {
		d.Findings = &ch.Findings[0]
	}
	planID, _ := strconv.ParseInt(c.QueryParam("plan"), 10, 64)
	for i, p := range ch.Plans { // the plan named, else the newest one that was under way
		if p.ID == planID || (planID == 0 && d.Plan == nil && p.Status != clinic.PlanDraft && p.Status != clinic.PlanCancelled &&
			p.Status != clinic.PlanEnteredInError) {
			d.Plan = &ch.Plans[i]
		}
	}
	fv["letter"] = []string{d.Letter()}
	return a.render(c, "chart_referral_form", a.referralFormPage(c, ch.Client, fv))
}

func (a *App) referralFormPage(c echo.Context, cl clinic.ChartClient, fv views.ChartValues) views.ReferralFormPage {
	pid, _ := strconv.ParseInt(fv.Get("plan"), 10, 64)
	return views.ReferralFormPage{Page: a.page(c, "Referral · "+cl.Name), Client: cl, Form: fv, Targets: clinic.ReferralTargets(),
		Reasons: clinic.ReferralReasons(), Urgencies: clinic.ReferralUrgencies(), PlanID: pid}
}

// ReferralCreate stores the referral and ends the plan when asked to.
func (a *App) ReferralCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c)
	r := clinic.Referral{ClientID: id, PlanID: chartID(f, "plan", "Plan"), ReassessmentID: chartID(f, "reassessment", "Reassessment"),
		Target: f.Text("target", "Referral to", 40, true), Reason: f.Text("reason", "Reason", 40, true),
		Urgency: f.Text("urgency", "Urgency", 20, true), Letter: f.Multiline("letter", "The letter", clinic.ReferralLetterMax, true)}
	endPlan := f.Bool("end_plan")
	for k, v := range r.Validate() {
		f.fail(k, v)
	}
	if !f.Valid() {
		cl, _, err := a.chartHeader(c, id)
		if err != nil {
			return err
		}
		params, _ := c.FormParams()
		p := a.referralFormPage(c, cl, views.ChartValues(params))
		for k, v := range f.Errors {
			p.Page.Errors[k] = v
		}
		return a.invalid(c, "chart_referral_form", p)
	}
	rid, err := a.Store.CreateReferral(c.Request().Context(), actor(c), r, endPlan)
	switch {
	case errors.Is(err, store.ErrInvalidRecord):
		return echo.NewHTTPError(http.StatusUnprocessableEntity)
	case err != nil:
		if msg, ok := planMessage(err, ""); ok && r.PlanID != 0 {
			return a.flashKind(c, planPath(r.PlanID), msg, "error")
		}
		return err
	}
	return a.flash(c, referralPath(rid), "Referral saved. Print the letter, and mark it sent once it has gone.")
}

func referralPath(id int64) string { return "/referrals/" + strconv.FormatInt(id, 10) }

// ReferralShow is the printable letter.
func (a *App) ReferralShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.Store.ReferralByID(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	p := a.page(c, "Referral · "+r.ClientName)
	return a.render(c, "chart_referral_letter", views.ReferralPage{Page: p, Referral: r, Clinic: p.Clinic,
		Target:  clinic.TermLabel(clinic.ReferralTargets(), r.Target),
		Reason:  clinic.TermLabel(clinic.ReferralReasons(), r.Reason),
		Urgency: clinic.TermLabel(clinic.ReferralUrgencies(), r.Urgency)})
}

// ReferralSent records that the letter has gone.
func (a *App) ReferralSent(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.Store.MarkReferralSent(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return a.flash(c, referralPath(id), "Referral marked as sent.")
}
