package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/mail"
	"allium/store"
)

// moneyDesk is the desk clinic with a priced service, an ABN, GST registration and Ana's
// provider number.
func moneyDesk(t *testing.T) *deskClinic {
	t.Helper()
	d := newDeskClinic(t)
	ctx := context.Background()
	sv := testclinic.RemedialService()
	sv.PriceCents = 12000
	testclinic.MustService(t, d.Store, sv)
	set, err := d.Store.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.BusinessNumber, set.GSTRegistered = "51 824 753 556", true
	if err := d.Store.SaveSettings(ctx, store.System, set); err != nil {
		t.Fatal(err)
	}
	prof, err := d.Store.TherapistProfileOf(ctx, store.System, d.ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	prof.ProviderNumbers = "AAMT-4321"
	if err := d.Store.SaveTherapistProfile(ctx, store.System, prof); err != nil {
		t.Fatal(err)
	}
	return d
}

var invoiceNumberRe = regexp.MustCompile(`INV-(\d{6})`)

// Fifty sessions completed at the same moment through the desk's pages get fifty invoices
// numbered one to fifty: no gaps, no repeats.
func TestConcurrentCompletionsNumberInvoicesWithoutGaps(t *testing.T) {
	t.Parallel()
	d := moneyDesk(t)
	var appts []store.Appointment
	day := d.at(2026, 3, 16, 9, 0) // a Monday after the clock
	for len(appts) < 50 {
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			for h := 9; h < 15 && len(appts) < 50; h += 2 {
				start := time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, d.loc)
				appts = append(appts, d.book(t, d.clientID, d.ana, start)...)
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	d.Clock.Set(appts[len(appts)-1].End) // sessions are completed once they have begun
	desk := d.as(t, d.Reception)
	token := desk.csrf("/desk/appointments/" + deskID(appts[0].ID))
	var wg sync.WaitGroup
	codes := make([]int, len(appts))
	for i, ap := range appts {
		wg.Go(func() {
			r := desk.post("/desk/appointments/"+deskID(ap.ID)+"/status", url.Values{"csrf": {token}, "status": {"completed"}})
			codes[i] = r.StatusCode
		})
	}
	wg.Wait()
	var numbers []int64
	for i, ap := range appts {
		if codes[i] != http.StatusSeeOther {
			t.Errorf("completing %d: %d; want 303", ap.ID, codes[i])
		}
		acc, err := d.Store.AppointmentAccount(context.Background(), ownerActor, ap.ID)
		if err != nil {
			t.Fatal(err)
		}
		iv, ok := acc.Invoice()
		if !ok {
			t.Errorf("appointment %d completed without an invoice", ap.ID)
			continue
		}
		numbers = append(numbers, iv.Number)
	}
	sort.Slice(numbers, func(i, j int) bool { return numbers[i] < numbers[j] })
	for i, n := range numbers {
		if n != int64(i+1) {
			t.Fatalf("invoice numbers %v; want 1 to 50, each once", numbers)
		}
	}
	if len(numbers) != 50 {
		t.Errorf("%d invoices; want 50", len(numbers))
	}
}

// Reception takes payments from the appointment page: bad amounts are refused beside the
// field, a double submit records one payment, an overpayment needs confirming, a refund
// cannot exceed what was paid, and the client downloads a receipt that holds what a health
// fund asks for.
func TestDeskPaymentsAndReceipt(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is needed to read the receipt (apt-get install poppler-utils)")
	}
	d := moneyDesk(t)
	ctx := context.Background()
	ap := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0))[0]
	d.Clock.Set(d.at(2026, 3, 11, 11, 0)) // the session is over
	desk := d.as(t, d.Reception)
	page := "/desk/appointments/" + deskID(ap.ID)
	desk.postForm(page+"/status", page, url.Values{"status": {"completed"}}).wantRedirect(page)
	if r := desk.get("/desk?date=2026-03-11"); !strings.Contains(r.Body, `href="`+page+`#money"`) {
		t.Errorf("the day board has no one-tap payment link for the completed session")
	}
	r := desk.get(page)
	if !strings.Contains(r.text(), "Tax invoice INV-000001") || !strings.Contains(r.text(), "$120.00") {
		t.Errorf("the page after completion does not show the invoice: %s", r.text())
	}
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(r.Body)
	if key == nil {
		t.Fatal("no one-time key in the payment form")
	}
	for _, bad := range []string{"-5", "lots", "10.005", ""} {
		r := desk.postForm(page+"/pay", page, url.Values{"amount": {bad}, "method": {"card"}, "key": {key[1]}})
		r.wantStatus(http.StatusUnprocessableEntity)
		if r.fieldError("amount") == "" {
			t.Errorf("amount %q: no message beside the amount", bad)
		}
	}
	pay := url.Values{"amount": {"50"}, "method": {"card"}, "reference": {"T-991"}, "key": {key[1]}}
	desk.postForm(page+"/pay", page, pay).wantRedirect(page + "#money")
	desk.postForm(page+"/pay", page, pay).wantRedirect(page + "#money") // the same form again
	acc, _ := d.Store.AppointmentAccount(ctx, ownerActor, ap.ID)
	if len(acc.Payments) != 1 || acc.Paid != 5000 {
		t.Fatalf("after a double submit: %d payments, %d paid; want one of 5000", len(acc.Payments), acc.Paid)
	}
	over := url.Values{"amount": {"80"}, "method": {"cash"}, "key": {"second-form-key"}}
	r = desk.postForm(page+"/pay", page, over)
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.fieldError("amount"), "more than the $70.00 owed") || !strings.Contains(r.Body, `name="credit"`) {
		t.Errorf("an overpayment: %q; want a question with a box to confirm credit", r.fieldError("amount"))
	}
	over.Set("credit", "1")
	desk.postForm(page+"/pay", page, over).wantRedirect(page + "#money")

	pid := acc.Payments[0].ID
	refund := "/desk/payments/" + deskID(pid) + "/refund"
	r = desk.postForm(refund, page, url.Values{"refund_amount": {"60"}, "key": {"refund-1"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.fieldError("refund_amount"), "at most the $50.00") {
		t.Errorf("refunding more than paid: %q", r.fieldError("refund_amount"))
	}
	desk.postForm(refund, page, url.Values{"refund_amount": {"10"}, "key": {"refund-1"}}).wantRedirect(page + "#money")

	// The receipt, from the client's own page.
	me := d.as(t, d.Client)
	if r := me.get("/my"); !strings.Contains(r.Body, `href="/my/receipts/`+deskID(pid)+`"`) {
		t.Errorf("/my lists no receipt for the payment: %s", r.text())
	}
	r = me.get("/my/receipts/" + deskID(pid))
	r.wantStatus(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("receipt content type %q", ct)
	}
	text := pdfText(t, r.Body)
	for _, want := range []string{"ABN 51 824 753 556", "AAMT-4321", "Wednesday 11 March 2026", "Remedial 60, 60 min",
		"$50.00 by Card", "Tax invoice and receipt", "Alex Chen", "Ana Alvarez", "GST included", "$10.91", "Duplicate copy"} {
		if !strings.Contains(text, want) {
			t.Errorf("the receipt lacks %q:\n%s", want, text)
		}
	}
	desk.get("/desk/payments/" + deskID(pid) + "/receipt").wantStatus(http.StatusOK)
	// The client stops receipt emails: the next payment queues none, and the receipt stays on /my.
	me.postForm("/my/receipts/email", "/my", url.Values{"email": {"0"}}).wantRedirect("/my")
	second := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 12, 0))[0]
	d.Clock.Set(d.at(2026, 3, 11, 12, 30)) // the same day's second session has begun
	page2 := "/desk/appointments/" + deskID(second.ID)
	desk.postForm(page2+"/status", page2, url.Values{"status": {"completed"}}).wantRedirect(page2)
	desk.postForm(page2+"/pay", page2, url.Values{"amount": {"120"}, "method": {"cash"}, "key": {"after-opt-out"}}).wantRedirect(page2 + "#money")
	acc2, _ := d.Store.AppointmentAccount(ctx, ownerActor, second.ID)
	if rows, _ := d.Store.Outbox(ctx, ownerActor, store.OutboxFilter{RefType: "payment", RefID: acc2.Payments[0].ID}); len(rows) != 0 {
		t.Errorf("a receipt was emailed after the client opted out")
	}
	if !strings.Contains(me.get("/my").Body, `href="/my/receipts/`+deskID(acc2.Payments[0].ID)+`"`) {
		t.Errorf("the receipt is not on /my after opting out of emails")
	}
	if r := desk.get("/desk/clients/" + deskID(d.clientID)); !strings.Contains(r.text(), "Money Nothing owed.") ||
		!strings.Contains(r.Body, `href="/desk/payments/`+deskID(pid)+`/receipt"`) {
		t.Errorf("the client's desk record does not show the balance and receipts: %s", r.text())
	}
	// Another client cannot read it.
	other := d.mustUser(t, clinic.RoleClient, "bea@example.com", "Bea Other", testPassword)
	d.as(t, other).get("/my/receipts/" + deskID(pid)).wantStatus(http.StatusNotFound)

	// The receipt email is queued with the payment.
	rows, err := d.Store.Outbox(ctx, ownerActor, store.OutboxFilter{RefType: "payment", RefID: pid})
	if err != nil || len(rows) != 1 || rows[0].Kind != "receipt" {
		t.Errorf("receipt mail %+v (%v); want one", rows, err)
	}
	// The email carries the PDF, drawn at send time from the stored payment and invoice.
	w := &mail.Worker{Store: d.Store, Views: d.Views, From: "clinic@clinic.test", BaseURL: d.URL, Now: d.Clock.Now}
	m, err := w.Build(ctx, rows[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/pdf" ||
		!strings.HasPrefix(m.Attachments[0].Filename, "receipt-INV-000001-") {
		t.Fatalf("receipt email attachments: %+v", m.Attachments)
	}
	if text := pdfText(t, string(m.Attachments[0].Content)); !strings.Contains(text, "AAMT-4321") || strings.Contains(text, "Duplicate") {
		t.Errorf("the emailed receipt (the original, not a duplicate):\n%s", text)
	}

	// Takings: 50 card + 80 cash - 10 card refund.
	r = desk.get("/desk/takings?date=2026-" + d.Clock.Now().In(d.loc).Format("01-02"))
	r.wantStatus(http.StatusOK)
	if text := r.text(); !strings.Contains(text, "Total $240.00") || !strings.Contains(text, "Card 2 $40.00") ||
		!strings.Contains(text, "Ana Alvarez 4 $240.00") {
		t.Errorf("takings (by method, by therapist, total): %s", text)
	}
	r = desk.get("/desk/takings?date=" + d.Clock.Now().In(d.loc).Format("2006-01-02") + "&format=csv")
	if !strings.Contains(r.Body, "Card,Ana Alvarez,2,40.00") || !strings.Contains(r.Body, "Cash,Ana Alvarez,2,200.00") {
		t.Errorf("takings CSV:\n%s", r.Body)
	}
	desk.get("/desk/takings?date=2026-02-30").wantStatus(http.StatusUnprocessableEntity)
}

// pdfText extracts a PDF's text with poppler's pdftotext.
func pdfText(t *testing.T, pdf string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// The owner's fees: reception charges a no-show's with one action, and waives a late
// cancellation's only with a reason, which goes on the audit log.
func TestDeskFeesByPolicy(t *testing.T) {
	t.Parallel()
	d := moneyDesk(t)
	ctx := context.Background()
	set, _ := d.Store.Settings(ctx)
	set.NoShowFee, set.LateCancelFee = clinic.Fee{Percent: 50}, clinic.Fee{Amount: 3000}
	if err := d.Store.SaveSettings(ctx, store.System, set); err != nil {
		t.Fatal(err)
	}
	missed := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0))[0]
	late := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 14, 0))[0]
	d.Clock.Set(d.at(2026, 3, 11, 10, 30)) // the 10:00 was missed; the 14:00 is inside the window
	desk := d.as(t, d.Reception)
	page := "/desk/appointments/" + deskID(missed.ID)
	desk.postForm(page+"/status", page, url.Values{"status": {"no_show"}}).wantRedirect(page)
	if r := desk.get(page); !strings.Contains(r.text(), "No-show fee") || !strings.Contains(r.text(), "Charge $60.00") {
		t.Errorf("the no-show's page offers no fee: %s", r.text())
	}
	desk.postForm(page+"/fee", page, url.Values{"action": {"charge"}}).wantRedirect(page + "#money")
	acc, _ := d.Store.AppointmentAccount(ctx, ownerActor, missed.ID)
	if iv, ok := acc.Invoice(); !ok || iv.Amount != 6000 || !strings.HasPrefix(iv.Item, "No-show fee") || acc.Owed() != 6000 {
		t.Errorf("after charging the fee: %+v owed %d", acc.Invoices, acc.Owed())
	}
	desk.postForm(page+"/fee", page, url.Values{"action": {"charge"}}).wantStatus(http.StatusUnprocessableEntity)

	lpage := "/desk/appointments/" + deskID(late.ID)
	desk.postForm(lpage+"/cancel", lpage, url.Values{"reason": {"car broke down"}}).wantRedirect(lpage)
	r := desk.postForm(lpage+"/fee", lpage, url.Values{"action": {"waive"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("fee_reason") == "" {
		t.Errorf("waiving without a reason: no message beside the reason")
	}
	desk.postForm(lpage+"/fee", lpage, url.Values{"action": {"waive"}, "fee_reason": {"first time, genuine"}}).wantRedirect(lpage + "#money")
	if r := desk.get(lpage); strings.Contains(r.text(), "Waive the fee") {
		t.Errorf("a waived fee is offered again")
	}
	entries, err := d.Store.AuditLog(ctx, ownerActor, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "waive_fee" && strings.Contains(e.Detail, "first time, genuine") && strings.Contains(e.Detail, "30.00") {
			found = true
		}
	}
	if !found {
		t.Errorf("the waiver is not on the audit log")
	}
}

// The owner's month: revenue by therapist and service, invoices less credit notes, on the
// page and as CSV; a month that does not exist is a 422 beside the field.
func TestAdminRevenue(t *testing.T) {
	t.Parallel()
	d := moneyDesk(t)
	ctx := context.Background()
	for _, at := range []time.Time{d.at(2026, 3, 11, 10, 0), d.at(2026, 3, 12, 10, 0)} {
		ap := d.book(t, d.clientID, d.ana, at)[0]
		d.Clock.Set(ap.End) // a session is completed once it has begun
		if _, err := d.Store.SetStatus(ctx, store.System, ap.ID, clinic.ApptCompleted); err != nil {
			t.Fatal(err)
		}
	}
	acc, _ := d.Store.AppointmentAccount(ctx, ownerActor, 1)
	iv, _ := acc.Invoice()
	if _, err := d.Store.CreditNote(ctx, store.System, iv.ID, 2000, "loyalty discount"); err != nil {
		t.Fatal(err)
	}
	owner := d.as(t, d.Owner)
	r := owner.get("/admin/revenue?month=2026-03")
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Ana Alvarez Remedial 60 2 $220.00 $20.00") {
		t.Errorf("revenue page: %s", r.text())
	}
	r = owner.get("/admin/revenue?month=2026-03&format=csv")
	if !strings.Contains(r.Body, "2026-03,Ana Alvarez,Remedial 60,2,220.00,20.00") {
		t.Errorf("revenue CSV:\n%s", r.Body)
	}
	owner.get("/admin/revenue?month=2026-13").wantStatus(http.StatusUnprocessableEntity)
	d.as(t, d.Reception).get("/admin/revenue").wantStatus(http.StatusNotFound)
}
