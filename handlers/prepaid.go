package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
)

// Prepaid courses at the desk: sold, paid and cancelled from the desk's page of any session of
// the course; the rules are the store's (store/prepaid.go), the money's rules clinic's.
func (a *App) prepaidRoutes() []Route {
	return []Route{
		{"POST", "/desk/appointments/:id/package", "desk.appt.package", desk, a.DeskSellPackage},
		{"POST", "/desk/appointments/:id/package/pay", "desk.appt.package.pay", desk, a.DeskPayPackage},
		{"POST", "/desk/appointments/:id/package/end", "desk.appt.package.end", desk, a.DeskEndPackage},
		{"POST", "/desk/appointments/:id/package/refund/:payment", "desk.appt.package.refund", desk, a.DeskRefundPackage},
		{"GET", "/desk/prepaid/:id", "desk.prepaid.receipt", desk, a.DeskPrepaidReceipt},
		{"GET", "/my/prepaid/:id", "client.prepaid.receipt", clientsOnly, a.ClientPrepaidReceipt},
	}
}

// courseAppt is the desk's appointment of the path, and whether it belongs to a course; one
// that does not is answered beside the package's form.
func (a *App) courseAppt(c echo.Context, f *form) (store.Appointment, bool, error) {
	ap, err := a.deskAppt(c)
	if err != nil {
		return ap, false, err
	}
	if ap.CourseID == 0 {
		f.fail("package", "This appointment is not part of a course.")
		return ap, false, a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	return ap, true, nil
}

// prepaidRefused shows a store refusal beside its field (422), or passes on anything else.
func (a *App) prepaidRefused(c echo.Context, ap store.Appointment, f *form, err error) error {
	var fe *store.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	f.Errors[fe.Field] = fe.Err.Error()
	var over *clinic.ErrOverpayment
	if errors.As(err, &over) {
		f.Values["package_ask_credit"] = "1"
	}
	return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
}

// DeskSellPackage sells the appointment's course as a prepaid package: one invoice.
func (a *App) DeskSellPackage(c echo.Context) error {
	f := newForm(c)
	ap, ok, err := a.courseAppt(c, f)
	if !ok {
		return err
	}
	key := f.Text("key", "The form", 64, true)
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	pk, dup, err := a.Store.SellPackage(c.Request().Context(), actor(c), ap.CourseID, key)
	if err != nil {
		return a.prepaidRefused(c, ap, f, err)
	}
	msg := "Sold as a prepaid course: invoice " + pk.Invoice.NumberText() + " for " + pk.Amount.In(pk.Invoice.Currency) + "."
	if dup {
		msg = "That course was already sold. " + msg
	}
	return a.flash(c, deskApptHref(ap.ID)+"#prepaid", msg)
}

// DeskPayPackage records a payment for the course's package invoice.
func (a *App) DeskPayPackage(c echo.Context) error {
	f := newForm(c)
	ap, ok, err := a.courseAppt(c, f)
	if !ok {
		return err
	}
	amount := f.money("package_amount", "The amount")
	var methods []string
	for _, m := range clinic.PackagePayMethods {
		methods = append(methods, string(m))
	}
	method := clinic.PayMethod(f.OneOf("package_method", "How they paid", methods...))
	ref := f.Text("package_reference", "The reference", 100, false)
	key := f.Text("key", "The form", 64, true)
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	p, dup, err := a.Store.PayPackage(c.Request().Context(), actor(c), ap.CourseID, store.PaymentRequest{Method: method,
		Amount: amount, Reference: ref, Key: key, CreditConfirmed: f.Bool("package_credit")})
	if err != nil {
		return a.prepaidRefused(c, ap, f, err)
	}
	return a.recorded(c, deskApptHref(ap.ID)+"#prepaid", p.Amount.In(a.Settings().Currency)+" by "+p.Method.Label()+
		" recorded for the prepaid course.", dup, "payment")
}

// DeskRefundPackage pays back part or all of one of the course's package payments, as far as
// the package's rule allows (a refusal says how far, beside the amount).
func (a *App) DeskRefundPackage(c echo.Context) error {
	f := newForm(c)
	ap, ok, err := a.courseAppt(c, f)
	if !ok {
		return err
	}
	id, err := pathID(c, "payment")
	if err != nil {
		return err
	}
	f.Values["package_refund_of"] = strconv.FormatInt(id, 10) // the row whose amount the page shows again
	amount := f.money("package_refund_amount", "The refund")
	note := f.Text("refund_note", "The reason", 300, false)
	key := f.Text("key", "The form", 64, true)
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	r, dup, err := a.Store.RefundPackage(c.Request().Context(), actor(c), ap.CourseID, id, amount, key, note)
	if err != nil {
		return a.prepaidRefused(c, ap, f, err)
	}
	return a.recorded(c, deskApptHref(ap.ID)+"#prepaid", (-r.Amount).In(a.Settings().Currency)+" refunded by "+r.Method.Label()+
		" from the prepaid course.", dup, "refund")
}

// DeskEndPackage cancels the rest of the prepaid course: the value left is credited, then kept
// as the client's credit or refunded, as reception chooses, with the reason on the record.
func (a *App) DeskEndPackage(c echo.Context) error {
	f := newForm(c)
	ap, ok, err := a.courseAppt(c, f)
	if !ok {
		return err
	}
	choice := clinic.PackageEnd(f.OneOf("end_choice", "Credit or refund", string(clinic.PackageCredit), string(clinic.PackageRefund)))
	reason := f.Text("end_reason", "The reason", 300, true)
	key := f.Text("key", "The form", 64, true)
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	end, err := a.Store.EndPackage(c.Request().Context(), actor(c), ap.CourseID, choice, reason, key)
	if err != nil {
		return a.prepaidRefused(c, ap, f, err)
	}
	if end.Again {
		return a.flash(c, deskApptHref(ap.ID)+"#prepaid", "The rest of this course was already cancelled.")
	}
	cur := a.Settings().Currency
	msg := "The rest of the course is cancelled (" + clinic.Count(end.Cancelled, "session", "sessions") + ")."
	if end.CreditNote.ID != 0 {
		msg += " Credit note " + end.CreditNote.NumberText() + " for " + end.CreditNote.Amount.In(cur) + "."
	}
	if end.Refunded > 0 {
		msg += " " + end.Refunded.In(cur) + " refunded."
	} else if choice == clinic.PackageCredit {
		msg += " What was paid over stays as the client's credit."
	}
	return a.flash(c, deskApptHref(ap.ID)+"#prepaid", msg)
}

// sendPrepaidReceipt answers the PDF of a session drawn from a prepaid course: the receipt
// PDF of a payment, with the session's share paid by the course.
func (a *App) sendPrepaidReceipt(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.Store.PrepaidReceipt(c.Request().Context(), actor(c), id, true)
	return a.answerReceipt(c, r, err, "S"+strconv.Itoa(r.Session))
}

// DeskPrepaidReceipt is a drawn session's receipt for the desk to print or send.
func (a *App) DeskPrepaidReceipt(c echo.Context) error { return a.sendPrepaidReceipt(c) }

// ClientPrepaidReceipt is a client's own drawn session's receipt; another's is a 404.
func (a *App) ClientPrepaidReceipt(c echo.Context) error { return a.sendPrepaidReceipt(c) }
