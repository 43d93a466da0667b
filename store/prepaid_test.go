package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/store"
)

// prepaidClinic is the money clinic with a course service priced 123.45 and a 10 % package
// discount, and a course of four weekly sessions booked for its client.
func prepaidClinic(t *testing.T) (*store.Store, *testclinic.Clinic, string, store.Booked) {
	t.Helper()
	st, c, path := moneyClinic(t)
	sv := testclinic.RemedialService()
	sv.PriceCents, sv.PackageDiscount = 12345, 10
	testclinic.MustService(t, st, sv)
	b := c.Book(t, c.At(2026, 12, 1, 10, 0), c.At(2026, 12, 8, 10, 0), c.At(2026, 12, 15, 10, 0), c.At(2026, 12, 22, 10, 0))
	if b.CourseID == 0 || len(b.Appointments) != 4 {
		t.Fatalf("booked %+v; want a course of 4", b)
	}
	return st, c, path, b
}

func invoiceCount(t *testing.T, st *store.Store, clientID int64) int {
	t.Helper()
	ivs, err := st.ClientInvoices(context.Background(), deskActor, clientID)
	if err != nil {
		t.Fatal(err)
	}
	return len(ivs)
}

// Selling a course whose first session is already completed and invoiced puts the three left
// in the package, less the discount; completing them draws them down without invoices, with
// a receipt each for the fund; cancelling the rest keeps the value left as credit, which pays
// the first session's invoice without moving money.
func TestPrepaidCourseSoldDrawnAndKeptAsCredit(t *testing.T) {
	st, c, path, b := prepaidClinic(t)
	ctx := context.Background()
	aps := b.Appointments
	if _, err := completeAfterStart(st, aps[0]); err != nil {
		t.Fatal(err)
	}
	cm, err := st.CoursePackage(ctx, deskActor, b.CourseID)
	if err != nil {
		t.Fatal(err)
	}
	// 3 × 123.45 = 370.35; 10 % is 37.035, rounded to 37.04 in the client's favour.
	if q := cm.Quote; cm.Package != nil || q.Sessions != 3 || q.List != 37035 || q.Discount != 3704 || q.Price != 33331 {
		t.Errorf("quote %+v; want 3 sessions, 370.35 less 37.04 = 333.31", q)
	}
	pk, dup, err := st.SellPackage(ctx, deskActor, b.CourseID, "sell-1")
	if err != nil || dup {
		t.Fatalf("sell: %v dup=%v", err, dup)
	}
	if pk.Invoice.Number != 2 || pk.Invoice.Amount != 33331 || pk.Invoice.Item != "Course of 3 × Remedial 60, 60 min, prepaid" ||
		pk.Sessions != 3 || pk.Invoice.ProviderNumber != "AAMT-12345; Bupa 998877" {
		t.Errorf("package %+v invoice %+v", pk, pk.Invoice)
	}
	if again, dup, err := st.SellPackage(ctx, deskActor, b.CourseID, "sell-1"); err != nil || !dup || again.Invoice.ID != pk.Invoice.ID {
		t.Errorf("the same sale submitted twice: %v dup=%v; want the first sale back", err, dup)
	}
	var fe *store.FieldError
	if _, _, err := st.SellPackage(ctx, deskActor, b.CourseID, "sell-2"); !errors.As(err, &fe) || !errors.Is(err, clinic.ErrPackageSold) {
		t.Errorf("selling the course again: %v; want ErrPackageSold", err)
	}
	if invoiceCount(t, st, c.ClientID) != 2 {
		t.Errorf("%d documents after the sale; want the session's invoice and the package's", invoiceCount(t, st, c.ClientID))
	}
	if _, err := st.SetPrice(ctx, deskActor, aps[2].ID, 100, "friend"); !errors.Is(err, store.ErrPrepaid) {
		t.Errorf("repricing a prepaid session: %v; want ErrPrepaid", err)
	}
	if _, _, err := st.PayPackage(ctx, deskActor, b.CourseID, store.PaymentRequest{Method: clinic.PayCard, Amount: 40000, Key: "pp"}); err == nil {
		t.Error("paid 400.00 of a 333.31 package without confirming the credit")
	}
	if _, _, err := st.PayPackage(ctx, deskActor, b.CourseID, store.PaymentRequest{Method: clinic.PayCard, Amount: 33331, Key: "pp"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := st.ClientBalance(ctx, deskActor, c.ClientID); b != 12345 {
		t.Errorf("balance %d; want the first session's 12345", b)
	}
	// The package's payment counts in the takings of the day it is taken.
	now := st.Now()
	lines, err := st.Takings(ctx, deskActor, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil || len(lines) != 1 || lines[0].Amount != 33331 || lines[0].Method != clinic.PayCard {
		t.Errorf("takings %+v (%v); want the package's 333.31 by card", lines, err)
	}

	// The second session is drawn, not invoiced; undone and recorded again it draws nothing more.
	if _, err := completeAfterStart(st, aps[1]); err != nil {
		t.Fatal(err)
	}
	was := st.Now
	st.Now = func() time.Time { return aps[1].End.Add(time.Minute) }
	if _, err := st.UndoStatus(ctx, deskActor, aps[1].ID); err != nil {
		t.Fatalf("undo a drawn completion: %v", err)
	}
	st.Now = was
	if _, err := completeAfterStart(st, aps[1]); err != nil {
		t.Fatal(err)
	}
	if n := invoiceCount(t, st, c.ClientID); n != 2 {
		t.Errorf("%d documents after a prepaid session; want no new invoice", n)
	}
	acc, err := st.AppointmentAccount(ctx, deskActor, aps[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Owed() != 0 || acc.Prepaid == nil || acc.Prepaid.Drawn == nil || acc.Prepaid.Used != 1 || acc.Prepaid.Drawn.Amount != 11110 {
		t.Errorf("the drawn session's account: owed %d, prepaid %+v", acc.Owed(), acc.Prepaid)
	}
	r, err := st.PrepaidReceipt(ctx, store.Actor{Role: clinic.RoleClient, ClientID: c.ClientID}, aps[1].ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Paid != 11110 || r.Session != 1 || r.Sessions != 3 || r.Invoice.ProviderNumber != "AAMT-12345; Bupa 998877" ||
		!r.Invoice.ServedAt.Equal(aps[1].Start) || r.Invoice.Item != "Remedial 60, 60 min" || r.Invoice.NumberText() != "INV-000002" {
		t.Errorf("drawn session's receipt %+v", r)
	}
	if _, err := st.PrepaidReceipt(ctx, store.Actor{Role: clinic.RoleClient, ClientID: c.ClientID + 99}, aps[1].ID, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another client's prepaid receipt: %v; want not found", err)
	}
	// Revenue counts the drawn session in its month at its share; the package's invoice is not revenue.
	rev, err := st.Revenue(ctx, store.System, 202612, 202612)
	if err != nil || len(rev) != 1 || rev[0].Sessions != 2 || rev[0].Amount != 12345+11110 {
		t.Errorf("revenue %+v (%v); want 2 sessions, 123.45 + 111.10", rev, err)
	}

	// Cancel the rest, keeping the value left as credit.
	if _, err := st.EndPackage(ctx, deskActor, b.CourseID, clinic.PackageCredit, "", "end-1"); !errors.As(err, &fe) || fe.Field != "end_reason" {
		t.Errorf("ending without a reason: %v; want a message beside the reason", err)
	}
	end, err := st.EndPackage(ctx, deskActor, b.CourseID, clinic.PackageCredit, "moving interstate", "end-1")
	if err != nil {
		t.Fatal(err)
	}
	if end.CreditNote.Amount != 22221 || end.CreditNote.CreditsNumber != 2 || end.Refunded != 0 || end.Cancelled != 2 {
		t.Errorf("ending %+v; want 222.21 credited, nothing refunded, 2 sessions cancelled", end)
	}
	if again, err := st.EndPackage(ctx, deskActor, b.CourseID, clinic.PackageCredit, "moving interstate", "end-1"); err != nil || !again.Again {
		t.Errorf("the same ending submitted twice: %v %+v; want nothing more done", err, again)
	}
	if _, err := st.EndPackage(ctx, deskActor, b.CourseID, clinic.PackageRefund, "again", "end-2"); !errors.Is(err, clinic.ErrPackageEnded) {
		t.Errorf("ending twice: %v; want ErrPackageEnded", err)
	}
	for _, ap := range aps[2:] {
		got, _ := st.AppointmentByID(ctx, deskActor, ap.ID)
		if got.Status != clinic.ApptCancelled || got.LateCancel {
			t.Errorf("session %d after the ending: %s late=%v; want cancelled, not late", ap.ID, got.Status, got.LateCancel)
		}
	}
	// 123.45 owed for the first session, 222.21 of credit: the balance is the difference.
	if b, _ := st.ClientBalance(ctx, deskActor, c.ClientID); b != 12345-22221 {
		t.Errorf("balance %d; want %d", b, 12345-22221)
	}
	// The credit pays the first session; it moves no balance and is not money taken.
	credit := func(amount clinic.Money, key string) error {
		_, _, err := st.RecordPayment(ctx, deskActor, store.PaymentRequest{AppointmentID: aps[0].ID, Method: clinic.PayCourse, Amount: amount, Key: key})
		return err
	}
	if err := credit(12346, "c0"); err == nil {
		t.Error("credit paid more than the session owes")
	}
	if err := credit(12345, "c1"); err != nil {
		t.Fatal(err)
	}
	if b, _ := st.ClientBalance(ctx, deskActor, c.ClientID); b != 12345-22221 {
		t.Errorf("balance after paying with credit %d; want it unchanged", b)
	}
	if acc, _ := st.AppointmentAccount(ctx, deskActor, aps[0].ID); acc.Owed() != 0 {
		t.Errorf("first session still owes %d after paying with credit", acc.Owed())
	}
	lines, _ = st.Takings(ctx, deskActor, now.Add(-time.Hour), now.Add(time.Hour))
	if len(lines) != 1 || lines[0].Amount != 33331 {
		t.Errorf("takings after a credit payment %+v; want only the package's card payment", lines)
	}
	checkBalances(t, path)
}

// Cancelling the rest of a package with a refund pays back what was paid over what the
// sessions drawn cost, never more than was paid.
func TestPrepaidCourseCancelledWithRefund(t *testing.T) {
	st, c, path, b := prepaidClinic(t)
	ctx := context.Background()
	if _, _, err := st.SellPackage(ctx, deskActor, b.CourseID, "s"); err != nil {
		t.Fatal(err)
	}
	// 4 × 123.45 = 493.80 less 49.38 = 444.42: 111.10 a session, 111.12 the last.
	if _, _, err := st.PayPackage(ctx, deskActor, b.CourseID, store.PaymentRequest{Method: clinic.PayCash, Amount: 30000, Key: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := completeAfterStart(st, b.Appointments[0]); err != nil {
		t.Fatal(err)
	}
	end, err := st.EndPackage(ctx, deskActor, b.CourseID, clinic.PackageRefund, "injury, advised to stop", "e")
	if err != nil {
		t.Fatal(err)
	}
	// Left: 444.42 - 111.10 = 333.32. Paid 300.00 for 111.10 used: 188.90 goes back.
	if end.CreditNote.Amount != 33332 || end.Refunded != 18890 || end.Cancelled != 3 {
		t.Errorf("ending %+v; want 333.32 credited, 188.90 refunded, 3 cancelled", end)
	}
	if b, _ := st.ClientBalance(ctx, deskActor, c.ClientID); b != 0 {
		t.Errorf("balance %d; want 0", b)
	}
	now := st.Now()
	lines, err := st.Takings(ctx, deskActor, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil || len(lines) != 1 || lines[0].Amount != 30000-18890 || lines[0].Count != 2 {
		t.Errorf("takings %+v (%v); want the cash less its refund", lines, err)
	}
	cm, err := st.CoursePackage(ctx, deskActor, b.CourseID)
	if err != nil || cm.Package == nil || !cm.Package.Ended || cm.Package.EndChoice != clinic.PackageRefund || cm.Package.Left() != 0 ||
		cm.Package.Owed() != 0 {
		t.Errorf("package after the ending %+v (%v)", cm.Package, err)
	}
	// A fully used package has nothing to cancel; a course never sold cannot be ended.
	if _, err := st.EndPackage(ctx, store.Actor{Role: clinic.RoleTherapist}, b.CourseID, clinic.PackageRefund, "x", "t"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a therapist ending a package: %v; want not found", err)
	}
	checkBalances(t, path)
}

// A session drawn before the course is paid has no receipt yet (the fund pays back what was
// paid); the payment that covers it makes it, and emails it once.
func TestDrawnSessionReceiptWaitsForThePackagesPayment(t *testing.T) {
	st, _, path, b := prepaidClinic(t)
	ctx := context.Background()
	if _, _, err := st.SellPackage(ctx, deskActor, b.CourseID, "s"); err != nil {
		t.Fatal(err)
	}
	first := b.Appointments[0]
	if _, err := completeAfterStart(st, first); err != nil {
		t.Fatal(err)
	}
	owner := store.Actor{Role: clinic.RoleOwner}
	receipts := func() int {
		rows, err := st.Outbox(ctx, owner, store.OutboxFilter{RefType: "appointment", RefID: first.ID})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rows {
			if r.Kind == "receipt" {
				n++
			}
		}
		return n
	}
	if _, err := st.PrepaidReceipt(ctx, deskActor, first.ID, true); !errors.Is(err, store.ErrNotInvoiced) {
		t.Errorf("the receipt of a drawn session not paid for: %v; want ErrNotInvoiced", err)
	}
	if n := receipts(); n != 0 {
		t.Errorf("%d receipts emailed before the course was paid", n)
	}
	for i, amount := range []clinic.Money{5000, 10000} { // 50.00 covers nothing; 150.00 covers the 111.10 drawn
		if _, _, err := st.PayPackage(ctx, deskActor, b.CourseID, store.PaymentRequest{Method: clinic.PayCash, Amount: amount,
			Key: "p" + string(rune('0'+i))}); err != nil {
			t.Fatal(err)
		}
		if want := i; receipts() != want {
			t.Errorf("after paying %d: %d receipt emails; want %d", amount, receipts(), want)
		}
	}
	if _, err := st.PrepaidReceipt(ctx, deskActor, first.ID, true); err != nil {
		t.Errorf("the receipt once paid: %v", err)
	}
	checkBalances(t, path)
}

// A course with nothing left to give, or given free, is not sold; a package whose sessions are
// all used has nothing left to cancel.
func TestPackageRefusals(t *testing.T) {
	st, c, path, b := prepaidClinic(t)
	ctx := context.Background()
	for _, ap := range b.Appointments[:2] {
		if _, err := st.SetPrice(ctx, deskActor, ap.ID, 0, "goodwill"); err != nil {
			t.Fatal(err)
		}
	}
	for _, ap := range b.Appointments[2:] {
		if _, err := completeAfterStart(st, ap); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.SellPackage(ctx, deskActor, b.CourseID, "free"); !errors.Is(err, clinic.ErrPackageFree) {
		t.Errorf("selling two free sessions: %v; want ErrPackageFree", err)
	}
	for _, ap := range b.Appointments[:2] {
		if _, err := completeAfterStart(st, ap); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.SellPackage(ctx, deskActor, b.CourseID, "none"); !errors.Is(err, clinic.ErrPackageNothing) {
		t.Errorf("selling a course given in full: %v; want ErrPackageNothing", err)
	}
	if _, err := st.EndPackage(ctx, deskActor, b.CourseID, clinic.PackageCredit, "x", "e"); !errors.Is(err, clinic.ErrPackageNone) {
		t.Errorf("ending a course never sold: %v; want ErrPackageNone", err)
	}

	// A course of two, both drawn: nothing to cancel.
	two := c.Book(t, c.At(2027, 1, 5, 10, 0), c.At(2027, 1, 12, 10, 0))
	if _, _, err := st.SellPackage(ctx, deskActor, two.CourseID, "two"); err != nil {
		t.Fatal(err)
	}
	for _, ap := range two.Appointments {
		if _, err := completeAfterStart(st, ap); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.EndPackage(ctx, deskActor, two.CourseID, clinic.PackageRefund, "x", "e2"); !errors.Is(err, clinic.ErrPackageUsedUp) {
		t.Errorf("ending a package fully used: %v; want ErrPackageUsedUp", err)
	}
	cm, err := st.CoursePackage(ctx, deskActor, two.CourseID)
	if err != nil || cm.Package.Used() != 2 || cm.Package.DrawnValue != cm.Package.Amount {
		t.Errorf("a package fully drawn: %+v (%v); want its shares to add up to its price", cm.Package, err)
	}
	if _, err := st.CoursePackage(ctx, store.Actor{Role: clinic.RoleTherapist}, two.CourseID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a therapist reading a package: %v; want not found", err)
	}
	checkBalances(t, path)
}

// A client pays a package twice by mistake (card, then cash): the cash comes back on its own,
// once however often the form is sent, and of the card only what pays for sessions not given
// yet; the package then shows the rest as owed. Takings, the balance, the package's page and
// revenue agree after each refund.
func TestPackagePaymentRefundedOnItsOwn(t *testing.T) {
	st, c, path, b := prepaidClinic(t)
	ctx := context.Background()
	if _, _, err := st.SellPackage(ctx, deskActor, b.CourseID, "s"); err != nil {
		t.Fatal(err)
	}
	// 4 × 123.45 = 493.80 less 49.38 = 444.42: 111.10 a session, 111.12 the last.
	pay := func(m clinic.PayMethod, key string) store.Payment {
		p, _, err := st.PayPackage(ctx, deskActor, b.CourseID, store.PaymentRequest{Method: m, Amount: 44442, Key: key, CreditConfirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	card, cash := pay(clinic.PayCard, "card"), pay(clinic.PayCash, "cash")
	if _, err := completeAfterStart(st, b.Appointments[0]); err != nil {
		t.Fatal(err)
	}
	balance := func() clinic.Money {
		bal, err := st.ClientBalance(ctx, deskActor, c.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		return bal
	}
	if bal := balance(); bal != -44442 {
		t.Fatalf("balance after paying twice %d; want -44442 (credit)", bal)
	}
	refund := func(p store.Payment, amount clinic.Money, key string) (store.Payment, bool, error) {
		return st.RefundPackage(ctx, deskActor, b.CourseID, p.ID, amount, key, "paid twice")
	}
	var fe *store.FieldError
	if _, _, err := refund(cash, 44443, "r1"); !errors.As(err, &fe) || fe.Field != "package_refund_amount" ||
		fe.Err.Error() != "A refund can be at most the $444.42 paid and not yet refunded." {
		t.Errorf("refunding more than the cash: %v; want the payment's limit beside the amount", err)
	}
	r, dup, err := refund(cash, 44442, "r1")
	if err != nil || dup || r.Amount != -44442 || r.Method != clinic.PayCash || r.CourseID != b.CourseID || r.RefundOf != cash.ID {
		t.Fatalf("refunding the cash: %+v dup=%v (%v)", r, dup, err)
	}
	if again, dup, err := refund(cash, 44442, "r1"); err != nil || !dup || again.ID != r.ID {
		t.Errorf("the same refund sent twice: %+v dup=%v (%v); want the first refund back", again, dup, err)
	}
	// As for any refund, nothing is emailed; the cash's own receipt went when it was taken.
	for id, want := range map[int64]int{r.ID: 0, cash.ID: 1} {
		if rows, err := st.Outbox(ctx, store.Actor{Role: clinic.RoleOwner}, store.OutboxFilter{RefType: "payment", RefID: id}); err != nil || len(rows) != want {
			t.Errorf("mail about payment %d: %+v (%v); want %d", id, rows, err, want)
		}
	}
	if _, err := st.Refund(ctx, deskActor, cash.ID, 1, "r1-other", ""); err == nil {
		t.Error("refunded a cent more of the cash by the session's refund path")
	}
	cm, err := st.CoursePackage(ctx, deskActor, b.CourseID)
	if err != nil {
		t.Fatal(err)
	}
	pk := cm.Package
	if pk.Paid != 44442 || pk.Owed() != 0 || len(pk.Payments) != 3 || !pk.Drawn[0].Receipt {
		t.Errorf("the package after the cash went back: paid %d owed %d, %d payments, drawn %+v", pk.Paid, pk.Owed(), len(pk.Payments), pk.Drawn)
	}
	// Of the card, what pays for the three sessions not given: 444.42 - 111.10.
	if lim := cm.Refunds[card.ID]; lim.Amount != 33332 || cm.Refunds[cash.ID].Amount != 0 {
		t.Errorf("refund limits %+v; want 333.32 of the card, nothing of the cash", cm.Refunds)
	}
	if bal := balance(); bal != 0 {
		t.Errorf("balance after refunding the cash %d; want 0", bal)
	}
	_, _, err = refund(card, 33333, "r2")
	if !errors.As(err, &fe) || fe.Field != "package_refund_amount" ||
		fe.Err.Error() != "A refund of this payment can be at most $333.32: the course's payments must still pay for the $111.10 of sessions already given." {
		t.Errorf("refunding the card past the session given: %v", err)
	}
	if _, _, err := refund(card, 10000, "r2"); err != nil {
		t.Fatal(err)
	}
	cm, _ = st.CoursePackage(ctx, deskActor, b.CourseID)
	if pk := cm.Package; pk.Paid != 34442 || pk.Owed() != 10000 || pk.Left() != 33332 || !pk.Drawn[0].Receipt {
		t.Errorf("the package after 100.00 of the card went back: paid %d owed %d left %d", pk.Paid, pk.Owed(), pk.Left())
	}
	if bal := balance(); bal != 10000 {
		t.Errorf("balance %d; want 10000 owed for the package", bal)
	}
	if owed, _ := st.Owed(ctx, deskActor); len(owed) != 1 || owed[0].Owed != 10000 {
		t.Errorf("owed list %+v; want the client's 100.00", owed)
	}
	if _, err := st.PrepaidReceipt(ctx, deskActor, b.Appointments[0].ID, true); err != nil {
		t.Errorf("the session given lost its receipt: %v", err)
	}
	// Takings: each method's payment less its refund; revenue: the session given at its share.
	now := st.Now()
	lines, err := st.Takings(ctx, deskActor, now.Add(-time.Hour), now.Add(time.Hour))
	got := map[clinic.PayMethod]clinic.Money{}
	for _, l := range lines {
		got[l.Method] += l.Amount
	}
	if err != nil || got[clinic.PayCard] != 34442 || got[clinic.PayCash] != 0 || len(lines) != 2 {
		t.Errorf("takings %+v (%v); want card 344.42, cash 0.00", lines, err)
	}
	rev, err := st.Revenue(ctx, store.System, 202612, 202612)
	if err != nil || len(rev) != 1 || rev[0].Sessions != 1 || rev[0].Amount != 11110 {
		t.Errorf("revenue %+v (%v); want the one session given, 111.10", rev, err)
	}
	audit, err := st.AuditLog(ctx, store.Actor{Role: clinic.RoleOwner}, store.AuditFilter{RecordType: "payment", RecordID: card.ID})
	if err != nil || len(audit) != 1 || audit[0].Action != "refund" || audit[0].Detail != "100.00" {
		t.Errorf("the card's audit log %+v (%v); want its refund", audit, err)
	}
	// Another course's payment is not this course's to refund; nor is money the therapist's.
	other := c.Book(t, c.At(2027, 1, 5, 10, 0), c.At(2027, 1, 12, 10, 0))
	if _, _, err := st.RefundPackage(ctx, deskActor, other.CourseID, card.ID, 100, "r3", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("refunding a payment through another course: %v; want not found", err)
	}
	if _, _, err := st.RefundPackage(ctx, store.Actor{Role: clinic.RoleTherapist}, b.CourseID, card.ID, 100, "r4", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a therapist refunding: %v; want not found", err)
	}
	checkBalances(t, path)
}

// What was paid over a package is the client's credit; once it has paid for another session
// (by course credit) it is not paid back again.
func TestPackageOverpaymentSpentIsNotRefunded(t *testing.T) {
	st, c, path, b := prepaidClinic(t)
	ctx := context.Background()
	if _, _, err := st.SellPackage(ctx, deskActor, b.CourseID, "s"); err != nil {
		t.Fatal(err)
	}
	card, _, err := st.PayPackage(ctx, deskActor, b.CourseID, store.PaymentRequest{Method: clinic.PayCard, Amount: 54442, Key: "p", CreditConfirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if cm, err := st.CoursePackage(ctx, deskActor, b.CourseID); err != nil || cm.Refunds[card.ID].Amount != 54442 {
		t.Errorf("refund limit before any session: %+v (%v); want all 544.42, nothing given", cm.Refunds, err)
	}
	single := c.Book(t, c.At(2027, 2, 2, 10, 0)).Appointments[0]
	if _, err := completeAfterStart(st, single); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.RecordPayment(ctx, deskActor, store.PaymentRequest{AppointmentID: single.ID, Method: clinic.PayCourse, Amount: 10000, Key: "c"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.RecordPayment(ctx, deskActor, store.PaymentRequest{AppointmentID: single.ID, Method: clinic.PayCash, Amount: 2345, Key: "rest"}); err != nil {
		t.Fatal(err)
	}
	var fe *store.FieldError
	_, _, err = st.RefundPackage(ctx, deskActor, b.CourseID, card.ID, 10000, "r", "")
	if !errors.As(err, &fe) || !strings.Contains(fe.Err.Error(), "Nothing of this payment can be refunded") || !strings.Contains(fe.Err.Error(), "hold no credit") {
		t.Errorf("refunding the 100.00 over, spent on another session: %v", err)
	}
	if bal, _ := st.ClientBalance(ctx, deskActor, c.ClientID); bal != 0 {
		t.Errorf("balance %d; want 0", bal)
	}
	checkBalances(t, path)
}
