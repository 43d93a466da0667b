package handlers

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

func (a *App) moneyRoutes() []Route {
	return []Route{
		{"POST", "/desk/appointments/:id/price", "desk.appt.price", desk, a.DeskSetPrice},
		{"POST", "/desk/appointments/:id/pay", "desk.appt.pay", desk, a.DeskPay},
		{"POST", "/desk/appointments/:id/fee", "desk.appt.fee", desk, a.DeskFee},
		{"POST", "/desk/payments/:id/refund", "desk.payment.refund", desk, a.DeskRefund},
		{"GET", "/desk/payments/:id/receipt", "desk.payment.receipt", desk, a.DeskReceipt},
		{"POST", "/desk/invoices/:id/credit", "desk.invoice.credit", desk, a.DeskCreditNote},
		{"GET", "/desk/takings", "desk.takings", desk, a.DeskTakings},
		{"GET", "/desk/owed", "desk.owed", desk, a.DeskOwed},
		{"GET", "/admin/revenue", "admin.revenue", ownerOnly, a.AdminRevenue},
		{"GET", "/my/receipts/:id", "client.receipt", clientsOnly, a.ClientReceipt},
		{"POST", "/my/receipts/email", "client.receipts.email", clientsOnly, a.ClientReceiptEmail},
	}
}

// formKey is a one-time key for a payment form: the store records one payment per key, so a
// form sent twice (a double tap, a resend after a timeout) records one payment.
func formKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// deskMoney is the money part of the desk's appointment page.
func (a *App) deskMoney(c echo.Context, ap store.Appointment) (*views.DeskMoney, error) {
	acc, err := a.Store.AppointmentAccount(c.Request().Context(), actor(c), ap.ID)
	if err != nil {
		return nil, err
	}
	m := &views.DeskMoney{Account: acc, Key: formKey(), Methods: clinic.PayMethods}
	if ap.CourseID != 0 {
		cm, err := a.Store.CoursePackage(c.Request().Context(), actor(c), ap.CourseID)
		if err != nil {
			return nil, err
		}
		m.Course = &cm
	}
	return m, nil
}

// moneyRefused shows a store refusal a person fixes beside its field (422), or passes on
// anything else.
func (a *App) moneyRefused(c echo.Context, ap store.Appointment, f *form, err error) error {
	var fe *store.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	field := fe.Field
	if field == "reason" && c.Request().URL.Path == deskApptHref(ap.ID)+"/price" {
		field = "price_reason"
	}
	f.Errors[field] = fe.Err.Error()
	var over *clinic.ErrOverpayment
	if errors.As(err, &over) {
		f.Values["ask_credit"] = "1" // the page then offers the box that confirms it
	}
	return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
}

// DeskSetPrice changes an appointment's price before it is invoiced; the reason is required
// and goes on the audit log.
func (a *App) DeskSetPrice(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	price := f.money("price", "The price")
	reason := f.Text("price_reason", "The reason", 300, true)
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	if _, err := a.Store.SetPrice(c.Request().Context(), actor(c), ap.ID, price, reason); err != nil {
		return a.moneyRefused(c, ap, f, err)
	}
	return a.flash(c, deskApptHref(ap.ID), "The price is now "+price.In(a.Settings().Currency)+".")
}

// DeskPay records a payment for the appointment.
func (a *App) DeskPay(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	amount := f.money("amount", "The amount")
	var methods []string
	for _, m := range clinic.PayMethods {
		methods = append(methods, string(m))
	}
	method := clinic.PayMethod(f.OneOf("method", "How they paid", methods...))
	ref := f.Text("reference", "The reference", 100, false)
	key := f.Text("key", "The form", 64, true)
	credit := f.Bool("credit")
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	p, dup, err := a.Store.RecordPayment(c.Request().Context(), actor(c), store.PaymentRequest{AppointmentID: ap.ID,
		Method: method, Amount: amount, Reference: ref, Key: key, CreditConfirmed: credit})
	if err != nil {
		return a.moneyRefused(c, ap, f, err)
	}
	return a.recorded(c, deskApptHref(ap.ID)+"#money", p.Amount.In(a.Settings().Currency)+" by "+p.Method.Label()+" recorded.",
		dup, "payment")
}

// recorded answers a money form with its message, saying so when the form had been sent before
// and the payment or refund was recorded then, under its one-time key: a second click moves no money.
func (a *App) recorded(c echo.Context, href, msg string, dup bool, what string) error {
	if dup {
		msg = "That " + what + " was already recorded: " + msg
	}
	return a.flash(c, href, msg)
}

// DeskFee charges the policy's fee for a no-show or a late cancellation, or waives it with
// a reason (on the audit log).
func (a *App) DeskFee(c echo.Context) error {
	ap, err := a.deskAppt(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	action := f.OneOf("action", "Charge or waive", "charge", "waive")
	reason := f.Text("fee_reason", "The reason", 300, action == "waive")
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	iv, err := a.Store.ChargeFee(c.Request().Context(), actor(c), ap.ID, action == "waive", reason)
	var fe *store.FieldError
	if errors.As(err, &fe) {
		f.Errors[fe.Field] = fe.Err.Error()
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	if err != nil {
		return err
	}
	if action == "waive" {
		return a.flash(c, deskApptHref(ap.ID)+"#money", "The fee is waived; the reason is on the record.")
	}
	return a.flash(c, deskApptHref(ap.ID)+"#money", iv.Item+" of "+iv.Amount.In(iv.Currency)+" invoiced as "+iv.NumberText()+".")
}

// DeskRefund pays back part or all of a payment.
func (a *App) DeskRefund(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, by := c.Request().Context(), actor(c)
	p, err := a.Store.PaymentByID(ctx, by, id)
	if err != nil {
		return err
	}
	ap, err := a.Store.AppointmentByID(ctx, by, p.AppointmentID)
	if err != nil {
		return err
	}
	f := newForm(c)
	amount := f.money("refund_amount", "The refund")
	note := f.Text("refund_note", "The reason", 300, false)
	key := f.Text("key", "The form", 64, true)
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	r, err := a.Store.Refund(ctx, by, p.ID, amount, key, note)
	var fe *store.FieldError
	if errors.As(err, &fe) {
		f.Errors["refund_amount"] = fe.Err.Error()
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	if err != nil {
		return err
	}
	return a.flash(c, deskApptHref(ap.ID)+"#money", (-r.Amount).In(a.Settings().Currency)+" refunded by "+r.Method.Label()+".")
}

// DeskCreditNote corrects an issued invoice with a credit note.
func (a *App) DeskCreditNote(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, by := c.Request().Context(), actor(c)
	iv, err := a.Store.InvoiceByID(ctx, by, id)
	if err != nil {
		return err
	}
	ap, err := a.Store.AppointmentByID(ctx, by, iv.AppointmentID)
	if err != nil {
		return err
	}
	f := newForm(c)
	amount := f.money("credit_amount", "The amount")
	reason := f.Text("credit_reason", "The reason", 300, true)
	if !f.Valid() {
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	cn, err := a.Store.CreditNote(ctx, by, iv.ID, amount, reason)
	var fe *store.FieldError
	if errors.As(err, &fe) {
		f.Errors["credit_"+fe.Field] = fe.Err.Error()
		return a.deskApptPage(c, http.StatusUnprocessableEntity, ap, f)
	}
	if err != nil {
		return err
	}
	return a.flash(c, deskApptHref(ap.ID)+"#money", "Credit note "+cn.NumberText()+" issued for "+cn.Amount.In(cn.Currency)+".")
}

// sendReceipt answers a payment's receipt PDF. From the desk and the client's page it is a
// copy of the one emailed, so it says "Duplicate copy".
func (a *App) sendReceipt(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.Store.Receipt(c.Request().Context(), actor(c), id, true)
	return a.answerReceipt(c, r, err, strconv.FormatInt(r.PaymentID, 10))
}

// answerReceipt sends a receipt as a PDF download named after its invoice and which receipt
// of it it is; one not issued yet (or not the asker's) is a 404.
func (a *App) answerReceipt(c echo.Context, r clinic.Receipt, err error, which string) error {
	if errors.Is(err, store.ErrNotInvoiced) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err != nil {
		return err
	}
	pdf, err := views.ReceiptPDF(r, a.Loc())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="receipt-`+r.Invoice.NumberText()+`-`+which+`.pdf"`)
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// DeskReceipt is a payment's receipt for the desk to print or send.
func (a *App) DeskReceipt(c echo.Context) error { return a.sendReceipt(c) }

// ClientReceipt is a client's own receipt; another client's is a 404.
func (a *App) ClientReceipt(c echo.Context) error { return a.sendReceipt(c) }

// ClientReceiptEmail turns the emailing of receipts on or off for the signed-in client; the
// receipts stay on their page either way.
func (a *App) ClientReceiptEmail(c echo.Context) error {
	by := actor(c)
	optOut := c.FormValue("email") != "1"
	if err := a.Store.SetReceiptsOptOut(c.Request().Context(), by, by.ClientID, optOut); err != nil {
		return err
	}
	if optOut {
		return a.flash(c, "/my", "Receipts will no longer be emailed; they stay here to download.")
	}
	return a.flash(c, "/my", "Receipts will be emailed after each payment.")
}

// dayParam reads ?date= (default today) as the day's bounds in the clinic's zone; a date that
// does not exist is a 422 beside the field.
func (a *App) dayParam(c echo.Context) (clinic.Date, time.Time, time.Time, bool) {
	loc := a.Loc()
	d := clinic.DateOf(a.Now(), loc)
	if v := c.QueryParam("date"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			return d, time.Time{}, time.Time{}, false
		}
		d = clinic.DateOf(t, loc)
	}
	from := deskMidnight(d, loc)
	return d, from, deskMidnight(d.AddDays(1), loc), true
}

// DeskTakings is the day's takings by method and therapist, for closing; ?format=csv
// downloads them.
func (a *App) DeskTakings(c echo.Context) error {
	d, from, to, ok := a.dayParam(c)
	p := a.page(c, "Takings")
	if !ok {
		p.Errors["date"] = "Choose a date that exists, like " + d.String() + "."
		return a.renderStatus(c, http.StatusUnprocessableEntity, "desk_takings", views.DeskTakings{Page: p, Nav: deskNav(c), Date: d.String()})
	}
	lines, err := a.Store.Takings(c.Request().Context(), actor(c), from, to)
	if err != nil {
		return err
	}
	cur := a.Settings().Currency
	if c.QueryParam("format") == "csv" {
		rows := [][]string{{"date", "method", "therapist", "payments", "amount"}}
		for _, l := range lines {
			rows = append(rows, []string{d.String(), l.Method.Label(), l.TherapistName, strconv.Itoa(l.Count), l.Amount.Plain()})
		}
		return sendCSV(c, "takings-"+d.String()+".csv", rows)
	}
	return a.render(c, "desk_takings", views.NewDeskTakings(p, deskNav(c), d.String(), cur, lines))
}

// DeskOwed lists the clients who owe the clinic.
func (a *App) DeskOwed(c echo.Context) error {
	owed, err := a.Store.Owed(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return a.render(c, "desk_owed", views.DeskOwed{Page: a.page(c, "Owed"), Nav: deskNav(c), Owed: owed, Currency: a.Settings().Currency})
}

// AdminRevenue is a month's revenue by therapist and service for the owner (?month=2026-12);
// ?format=csv downloads it.
func (a *App) AdminRevenue(c echo.Context) error {
	loc := a.Loc()
	now := a.Now().In(loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	p := a.page(c, "Revenue")
	if v := c.QueryParam("month"); v != "" {
		t, err := time.ParseInLocation("2006-01", v, loc)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			p.Errors["month"] = "Choose a month like " + month.Format("2006-01") + "."
			return a.renderStatus(c, http.StatusUnprocessableEntity, "admin_revenue", views.AdminRevenue{Page: p, Month: v})
		}
		month = t
	}
	m := clinic.MonthOf(month, loc)
	lines, err := a.Store.Revenue(c.Request().Context(), actor(c), m, m)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "csv" {
		rows := [][]string{{"month", "therapist", "service", "sessions", "revenue", "gst"}}
		for _, l := range lines {
			rows = append(rows, []string{month.Format("2006-01"), l.TherapistName, l.ServiceName, strconv.Itoa(l.Sessions),
				l.Amount.Plain(), l.GST.Plain()})
		}
		return sendCSV(c, "revenue-"+month.Format("2006-01")+".csv", rows)
	}
	return a.render(c, "admin_revenue", views.NewAdminRevenue(p, month.Format("2006-01"), a.Settings().Currency, lines))
}

// sendCSV answers rows as a CSV download.
func sendCSV(c echo.Context, name string, rows [][]string) error {
	var buf bytes.Buffer
	if err := views.WriteCSV(&buf, rows); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// money is an amount typed into a form, in the clinic's currency; a negative, non-numeric or
// over-precise amount is a message beside the field.
func (f *form) money(name, label string) clinic.Money {
	v := f.Text(name, label, 20, true)
	if v == "" {
		return 0
	}
	m, err := clinic.ParseMoney(v)
	if err != nil {
		f.fail(name, err.Error())
	}
	return m
}

// fee is a fee setting: an amount, a percentage of the price, or empty for none.
func (f *form) fee(name, label string) clinic.Fee {
	v := f.Text(name, label, 20, false)
	fee, err := clinic.ParseFee(v)
	if err != nil {
		f.fail(name, err.Error())
	}
	return fee
}
