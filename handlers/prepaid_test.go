package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"allium/clinic"
	"allium/mail"
	"allium/store"
)

// The owner sets a package discount for the course service; reception sells a course of four
// as a prepaid package from a session's page, takes its payment, the completed session is
// drawn down with a receipt the client downloads for their fund, and cancelling the rest
// refunds what is left. Bad input is answered beside its field.
func TestDeskPrepaidCourse(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is needed to read the receipt (apt-get install poppler-utils)")
	}
	d := moneyDesk(t)
	ctx := context.Background()

	// The owner's discount, refused beside its field above 50 %.
	owner := d.as(t, d.Owner)
	svPage := "/admin/services/" + deskID(d.service)
	form := url.Values{"name": {"Remedial 60"}, "duration": {"60"}, "buffer": {"15"}, "price": {"120"}, "kind": {"course"},
		"course_sessions": {"4"}, "spacing_days": {"7"}, "sort": {"0"}, "needs_room": {"1"}, "package_discount": {"60"}}
	r := owner.postForm(svPage, svPage, form)
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.fieldError("package_discount"), "from 0 to 50") {
		t.Errorf("a 60%% discount: %q beside the field", r.fieldError("package_discount"))
	}
	form.Set("package_discount", "10")
	owner.postForm(svPage, svPage, form).wantRedirect("/admin/services")

	d.Clock.Set(d.at(2026, 3, 11, 9, 30)) // the client arrives for the first session and buys the course
	aps := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0), d.at(2026, 3, 18, 10, 0), d.at(2026, 3, 25, 10, 0), d.at(2026, 4, 1, 10, 0))
	desk := d.as(t, d.Reception)
	page := "/desk/appointments/" + deskID(aps[0].ID)
	if r := desk.get(page); !strings.Contains(r.text(), "Sell the 4 sessions left as a package: $480.00 less 10% ($48.00) = $432.00") {
		t.Errorf("the session's page offers no package: %s", r.text())
	}
	desk.postForm(page+"/package", page, url.Values{"key": {"sell-1"}}).wantRedirect(page + "#prepaid")
	desk.postForm(page+"/package", page, url.Values{"key": {"sell-1"}}).wantRedirect(page + "#prepaid") // a double submit
	r = desk.postForm(page+"/package", page, url.Values{"key": {"sell-2"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.fieldError("package"), "already sold") {
		t.Errorf("selling the course again: %q", r.fieldError("package"))
	}
	ivs, _ := d.Store.ClientInvoices(ctx, ownerActor, d.clientID)
	if len(ivs) != 1 || ivs[0].Amount != 43200 || ivs[0].Item != "Course of 4 × Remedial 60, 60 min, prepaid" {
		t.Fatalf("invoices after selling %+v; want one package invoice of 432.00", ivs)
	}

	for _, bad := range []string{"-5", "lots", ""} {
		r := desk.postForm(page+"/package/pay", page, url.Values{"package_amount": {bad}, "package_method": {"card"}, "key": {"pay-1"}})
		r.wantStatus(http.StatusUnprocessableEntity)
		if r.fieldError("package_amount") == "" {
			t.Errorf("package amount %q: no message beside it", bad)
		}
	}
	r = desk.postForm(page+"/package/pay", page, url.Values{"package_amount": {"500"}, "package_method": {"card"}, "key": {"pay-0"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.fieldError("package_amount"), "more than the $432.00 owed") || !strings.Contains(r.Body, `name="package_credit"`) {
		t.Errorf("overpaying the package: %q; want a question with a box to confirm credit", r.fieldError("package_amount"))
	}
	pay := url.Values{"package_amount": {"432"}, "package_method": {"card"}, "key": {"pay-1"}}
	desk.postForm(page+"/package/pay", page, pay).wantRedirect(page + "#prepaid")
	desk.postForm(page+"/package/pay", page, pay).wantRedirect(page + "#prepaid")
	cm, err := d.Store.CoursePackage(ctx, ownerActor, aps[0].CourseID)
	if err != nil || cm.Package == nil || len(cm.Package.Payments) != 1 {
		t.Fatalf("the package's payments after a double submit: %+v (%v); want one", cm.Package, err)
	}
	pid := cm.Package.Payments[0].ID
	if rows, _ := d.Store.Outbox(ctx, ownerActor, store.OutboxFilter{RefType: "payment", RefID: pid}); len(rows) != 1 || rows[0].Kind != "receipt" {
		t.Errorf("the package's payment queued %+v; want its receipt", rows)
	}

	// The first session completed is drawn down, not invoiced.
	d.Clock.Set(d.at(2026, 3, 11, 11, 0))
	desk.postForm(page+"/status", page, url.Values{"status": {"completed"}}).wantRedirect(page)
	if ivs, _ := d.Store.ClientInvoices(ctx, ownerActor, d.clientID); len(ivs) != 1 {
		t.Errorf("%d documents after a prepaid session; want only the package's invoice", len(ivs))
	}
	r = desk.get(page)
	if txt := r.text(); !strings.Contains(txt, "Prepaid: 1 of 4 used , $324.00 left") || !strings.Contains(txt, "Paid $432.00") {
		t.Errorf("the desk's page of the course: %s", txt)
	}
	if b, _ := d.Store.ClientBalance(ctx, ownerActor, d.clientID); b != 0 {
		t.Errorf("balance %d after paying the package; want 0", b)
	}

	// The client's receipt of the session for their fund.
	me := d.as(t, d.Client)
	receipt := "/my/prepaid/" + deskID(aps[0].ID)
	if r := me.get("/my"); !strings.Contains(r.text(), "1 of 4 used") || !strings.Contains(r.Body, `href="`+receipt+`"`) ||
		!strings.Contains(r.Body, `href="/my/receipts/`+deskID(pid)+`"`) {
		t.Errorf("/my shows no prepaid course with its receipt: %s", r.text())
	}
	if r := me.get("/my/appointments/" + deskID(aps[1].ID)); !strings.Contains(r.text(), "Prepaid: 1 of 4 used , $324.00 left") {
		t.Errorf("the client's course page: %s", r.text())
	}
	r = me.get(receipt)
	r.wantStatus(http.StatusOK)
	text := pdfText(t, r.Body)
	for _, want := range []string{"ABN 51 824 753 556", "AAMT-4321", "Wednesday 11 March 2026", "Remedial 60, 60 min", "Ana Alvarez",
		"$108.00 by prepaid course", "session 1 of 4", "Alex Chen"} {
		if !strings.Contains(text, want) {
			t.Errorf("the drawn session's receipt lacks %q:\n%s", want, text)
		}
	}
	desk.get("/desk/prepaid/" + deskID(aps[0].ID)).wantStatus(http.StatusOK)
	// The course was paid ahead, so the session's receipt was emailed when it was drawn.
	rows, err := d.Store.Outbox(ctx, ownerActor, store.OutboxFilter{RefType: "appointment", RefID: aps[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	var sent []store.OutboxRow
	for _, r := range rows {
		if r.Kind == "receipt" {
			sent = append(sent, r)
		}
	}
	if len(sent) != 1 {
		t.Fatalf("%d receipt emails for the drawn session; want 1", len(sent))
	}
	w := &mail.Worker{Store: d.Store, Views: d.Views, From: "clinic@clinic.test", BaseURL: d.URL, Now: d.Clock.Now}
	m, err := w.Build(ctx, sent[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "receipt-INV-000001-S1.pdf" ||
		!strings.Contains(pdfText(t, string(m.Attachments[0].Content)), "session 1 of 4") {
		t.Errorf("the drawn session's receipt email: %+v", m.Attachments)
	}
	if text := pdfText(t, me.get("/my/receipts/"+deskID(pid)).Body); !strings.Contains(text, "$432.00 by Card") ||
		!strings.Contains(text, "Course of 4 × Remedial 60") || !strings.Contains(text, "each session's own receipt names its date") {
		t.Errorf("the package payment's receipt:\n%s", text)
	}
	me.get("/my/prepaid/" + deskID(aps[1].ID)).wantStatus(http.StatusNotFound) // not given yet
	other := d.mustUser(t, clinic.RoleClient, "bea@example.com", "Bea Other", testPassword)
	d.as(t, other).get(receipt).wantStatus(http.StatusNotFound)
	if r := desk.get("/desk/clients/" + deskID(d.clientID)); !strings.Contains(r.text(), "Prepaid: 1 of 4 used , $324.00 left") {
		t.Errorf("the client's desk record: %s", r.text())
	}

	// Cancelling the rest: a choice and a reason, each refused beside its field when missing.
	r = desk.postForm(page+"/package/end", page, url.Values{"end_reason": {"moving away"}, "key": {"end-1"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("end_choice") == "" {
		t.Error("ending without choosing credit or refund: no message beside the choice")
	}
	r = desk.postForm(page+"/package/end", page, url.Values{"end_choice": {"refund"}, "key": {"end-1"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("end_reason") == "" {
		t.Error("ending without a reason: no message beside the reason")
	}
	end := url.Values{"end_choice": {"refund"}, "end_reason": {"moving away"}, "key": {"end-1"}}
	desk.postForm(page+"/package/end", page, end).wantRedirect(page + "#prepaid")
	desk.postForm(page+"/package/end", page, end).wantRedirect(page + "#prepaid") // a double submit
	end.Set("key", "end-2")
	r = desk.postForm(page+"/package/end", page, end)
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.fieldError("package"), "already cancelled") {
		t.Errorf("ending twice: %q", r.fieldError("package"))
	}
	cm, err = d.Store.CoursePackage(ctx, ownerActor, aps[0].CourseID)
	if err != nil || cm.Package == nil || cm.Package.Paid != 43200-32400 || cm.Package.Owed() != 0 {
		t.Errorf("after refunding the rest: %+v (%v); want 324.00 refunded, nothing owed", cm.Package, err)
	}
	for _, ap := range aps[1:] {
		if got, _ := d.Store.AppointmentByID(ctx, ownerActor, ap.ID); got.Status != clinic.ApptCancelled {
			t.Errorf("session %d is %s after cancelling the rest; want cancelled", ap.ID, got.Status)
		}
	}
	r = desk.get("/desk/takings?date=2026-03-11&format=csv")
	if !strings.Contains(r.Body, "Card,Ana Alvarez,2,108.00") {
		t.Errorf("takings of the day: the package's card payment less its refund:\n%s", r.Body)
	}
	audit, err := d.Store.AuditLog(ctx, ownerActor, store.AuditFilter{RecordType: "course", RecordID: aps[0].CourseID})
	if err != nil || len(audit) == 0 || audit[0].Action != "end_package" || !strings.Contains(audit[0].Detail, "refund") ||
		!strings.Contains(audit[0].Detail, "moving away") {
		t.Errorf("the audit log of the course %+v (%v); want the ending with its choice and reason", audit, err)
	}
}

// The client paid the course twice by mistake, card then cash: reception refunds the cash from
// the Refund form beside it, and of the card only what pays for sessions not given; asking
// more is answered beside the amount with how far it can go. A double submit refunds once.
func TestDeskRefundPackagePayment(t *testing.T) {
	t.Parallel()
	d := moneyDesk(t)
	ctx := context.Background()
	d.Clock.Set(d.at(2026, 3, 11, 9, 30))
	aps := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0), d.at(2026, 3, 18, 10, 0), d.at(2026, 3, 25, 10, 0), d.at(2026, 4, 1, 10, 0))
	desk := d.as(t, d.Reception)
	page := "/desk/appointments/" + deskID(aps[0].ID)
	desk.postForm(page+"/package", page, url.Values{"key": {"sell"}}).wantRedirect(page + "#prepaid") // 4 × 120.00, no discount
	for _, m := range []string{"card", "cash"} {
		desk.postForm(page+"/package/pay", page, url.Values{"package_amount": {"480"}, "package_method": {m}, "package_credit": {"1"},
			"key": {"pay-" + m}}).wantRedirect(page + "#prepaid")
	}
	d.Clock.Set(d.at(2026, 3, 11, 11, 0))
	desk.postForm(page+"/status", page, url.Values{"status": {"completed"}}).wantRedirect(page) // 120.00 drawn
	cm, err := d.Store.CoursePackage(ctx, ownerActor, aps[0].CourseID)
	if err != nil || cm.Package == nil || len(cm.Package.Payments) != 2 {
		t.Fatalf("the package's payments: %+v (%v)", cm.Package, err)
	}
	card, cash := cm.Package.Payments[0].ID, cm.Package.Payments[1].ID
	refund := func(id int64) string { return page + "/package/refund/" + deskID(id) }

	r := desk.get(page)
	for _, id := range []int64{card, cash} {
		if !strings.Contains(r.Body, `action="`+refund(id)+`"`) || !strings.Contains(r.Body, `id="f-package-refund-`+deskID(id)+`" name="package_refund_amount" inputmode="decimal" size="8" value="480.00"`) {
			t.Errorf("no Refund form of 480.00 beside the package's payment %d", id)
		}
	}
	desk.postForm(refund(cash), page, url.Values{"package_refund_amount": {"480"}, "key": {"refund-cash"}}).wantRedirect(page + "#prepaid")
	if txt := desk.get(page).text(); !strings.Contains(txt, "$480.00 refunded by Cash from the prepaid course.") ||
		!strings.Contains(txt, "Paid $480.00") || !strings.Contains(txt, "Owed $0.00") {
		t.Errorf("the page after refunding the cash: %s", txt)
	}

	for _, bad := range []string{"-5", "lots", ""} {
		r := desk.postForm(refund(card), page, url.Values{"package_refund_amount": {bad}, "key": {"refund-card"}})
		r.wantStatus(http.StatusUnprocessableEntity)
		if r.fieldError("package_refund_amount") == "" {
			t.Errorf("refund amount %q: no message beside it", bad)
		}
	}
	r = desk.postForm(refund(card), page, url.Values{"package_refund_amount": {"400"}, "key": {"refund-card"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if msg := r.fieldError("package_refund_amount"); msg != "A refund of this payment can be at most $360.00: the course's payments must still pay for the $120.00 of sessions already given." {
		t.Errorf("refunding the card past the session given: %q", msg)
	}
	if !strings.Contains(r.Body, `id="f-package_refund_amount" name="package_refund_amount" inputmode="decimal" size="8" value="400" aria-invalid="true"`) {
		t.Error("the refused amount is not kept, marked, in its own payment's form")
	}
	refundCard := url.Values{"package_refund_amount": {"60"}, "key": {"refund-card"}}
	desk.postForm(refund(card), page, refundCard).wantRedirect(page + "#prepaid")
	if txt := desk.get(page).text(); !strings.Contains(txt, "$60.00 refunded by Card from the prepaid course.") ||
		!strings.Contains(txt, "Paid $420.00") || !strings.Contains(txt, "Owed $60.00") {
		t.Errorf("the page after refunding part of the card: %s", txt)
	}
	desk.postForm(refund(card), page, refundCard).wantRedirect(page + "#prepaid") // a double submit
	if txt := desk.get(page).text(); !strings.Contains(txt, "That refund was already recorded: $60.00 refunded by Card") {
		t.Errorf("the page after the same refund again: %s", txt)
	}
	if cm, _ := d.Store.CoursePackage(ctx, ownerActor, aps[0].CourseID); len(cm.Package.Payments) != 4 || cm.Package.Paid != 42000 {
		t.Errorf("after a double submit: %d payments and refunds, %d paid; want 4 and 42000", len(cm.Package.Payments), cm.Package.Paid)
	}
	if b, _ := d.Store.ClientBalance(ctx, ownerActor, d.clientID); b != 6000 {
		t.Errorf("balance %d; want the 60.00 the package now owes", b)
	}
	audit, err := d.Store.AuditLog(ctx, ownerActor, store.AuditFilter{RecordType: "payment", RecordID: card})
	if err != nil || len(audit) != 1 || audit[0].Action != "refund" || audit[0].Detail != "60.00" || audit[0].ActorID != d.Reception.ID {
		t.Errorf("the card's audit log %+v (%v); want reception's refund of 60.00", audit, err)
	}
	if r := desk.get("/desk/takings?date=2026-03-11&format=csv"); !strings.Contains(r.Body, "Card,Ana Alvarez,2,420.00") ||
		!strings.Contains(r.Body, "Cash,Ana Alvarez,2,0.00") {
		t.Errorf("takings of the day: each payment less its refund:\n%s", r.Body)
	}
	// A payment is refunded only from its own course's page.
	other := d.book(t, d.clientID, d.ana, d.at(2026, 4, 8, 10, 0), d.at(2026, 4, 15, 10, 0))
	otherPage := "/desk/appointments/" + deskID(other[0].ID)
	desk.postForm(otherPage+"/package/refund/"+deskID(card), otherPage, url.Values{"package_refund_amount": {"10"}, "key": {"x"}}).
		wantStatus(http.StatusNotFound)
}
