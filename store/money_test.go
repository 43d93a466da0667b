package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/store"
)

// moneyClinic is the standard clinic with a priced service, a business number and a
// therapist's provider number; it returns the store, the clinic and the database's path.
func moneyClinic(t *testing.T) (*store.Store, *testclinic.Clinic, string) {
	t.Helper()
	path := testclinic.FreshDB(t)
	st := testclinic.Open(t, path)
	st.Now = func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	sp := testclinic.Standard()
	sp.Service.PriceCents = 12000
	c := sp.Build(t, st)
	ctx := context.Background()
	set, err := st.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.BusinessNumber, set.GSTRegistered = "51 824 753 556", true
	if err := st.SaveSettings(ctx, store.System, set); err != nil {
		t.Fatal(err)
	}
	prof, err := st.TherapistProfileOf(ctx, store.System, c.Therapist.ID)
	if err != nil {
		t.Fatal(err)
	}
	prof.ProviderNumbers = "AAMT-12345\nBupa 998877"
	if err := st.SaveTherapistProfile(ctx, store.System, prof); err != nil {
		t.Fatal(err)
	}
	return st, c, path
}

var deskActor = store.Actor{Role: clinic.RoleReception}

// completeAfterStart marks a session completed at the desk as its end comes (a session is
// completed only once it has begun), then puts the store's clock back where the test had it.
func completeAfterStart(st *store.Store, ap store.Appointment) (store.Appointment, error) {
	was := st.Now
	defer func() { st.Now = was }()
	st.Now = func() time.Time { return ap.End }
	return st.SetStatus(context.Background(), deskActor, ap.ID, clinic.ApptCompleted)
}

func TestCompletionIssuesAnInvoiceThatNeverChanges(t *testing.T) {
	st, c, path := moneyClinic(t)
	ctx := context.Background()
	ap := c.Book(t, c.At(2026, 12, 1, 10, 0)).Appointments[0]
	if ap.Price != 12000 {
		t.Fatalf("price on the booking %d; want the service's 12000", ap.Price)
	}
	// A later change of the list price leaves the booking's price alone.
	sv := testclinic.RemedialService()
	sv.PriceCents = 15000
	testclinic.MustService(t, st, sv)
	if got, _ := st.AppointmentByID(ctx, deskActor, ap.ID); got.Price != 12000 {
		t.Errorf("price after the list price changed: %d; want 12000", got.Price)
	}
	if _, err := st.SetPrice(ctx, deskActor, ap.ID, 10000, ""); err == nil {
		t.Error("a price change without a reason was accepted")
	}
	if _, err := st.SetPrice(ctx, store.Actor{Role: clinic.RoleTherapist}, ap.ID, 10000, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a therapist changing the price: %v; want not found", err)
	}
	if _, err := st.SetPrice(ctx, deskActor, ap.ID, 10000, "pensioner rate"); err != nil {
		t.Fatal(err)
	}
	if _, err := completeAfterStart(st, ap); err != nil {
		t.Fatal(err)
	}
	acc, err := st.AppointmentAccount(ctx, deskActor, ap.ID)
	if err != nil {
		t.Fatal(err)
	}
	iv, ok := acc.Invoice()
	if !ok {
		t.Fatal("no invoice after completion")
	}
	if iv.Number != 1 || iv.Amount != 10000 || iv.GST != 909 || iv.Title() != "Tax invoice" ||
		iv.BusinessNumber != "51 824 753 556" || iv.ProviderNumber != "AAMT-12345; Bupa 998877" || iv.Item != "Remedial 60, 60 min" {
		t.Errorf("invoice %+v", iv)
	}
	if acc.Owed() != 10000 {
		t.Errorf("owed %d; want 10000", acc.Owed())
	}
	if _, err := st.SetPrice(ctx, deskActor, ap.ID, 9000, "late"); !errors.Is(err, store.ErrInvoiced) {
		t.Errorf("repricing an invoiced session: %v; want ErrInvoiced", err)
	}

	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`UPDATE invoices SET amount_cents = 1 WHERE id = ?`, `DELETE FROM invoices WHERE id = ?`,
		`UPDATE invoices SET client_name = 'Someone Else' WHERE id = ?`, `UPDATE invoices SET number = 99 WHERE id = ?`} {
		if _, err := db.Exec(q, iv.ID); err == nil || !strings.Contains(err.Error(), "issued invoice cannot be") {
			t.Errorf("%s: %v; want the trigger's refusal", q, err)
		}
	}

	// The retention policy's de-identification may replace the name, and only with that.
	if _, err := db.Exec(`UPDATE invoices SET client_name = 'Former client ' || client_id WHERE id = ?`, iv.ID); err != nil {
		t.Errorf("de-identifying an invoice's name: %v", err)
	}

	cn, err := st.CreditNote(ctx, deskActor, iv.ID, 2000, "charged the wrong rate")
	if err != nil {
		t.Fatal(err)
	}
	if cn.Number != 2 || cn.CreditsNumber != 1 || cn.Title() != "Credit note" {
		t.Errorf("credit note %+v", cn)
	}
	if _, err := st.CreditNote(ctx, deskActor, iv.ID, 8001, "again"); err == nil {
		t.Error("credited more than the invoice")
	}
	acc, _ = st.AppointmentAccount(ctx, deskActor, ap.ID)
	if acc.Owed() != 8000 {
		t.Errorf("owed after the credit note %d; want 8000", acc.Owed())
	}
}

func TestPaymentsRefundsAndBalance(t *testing.T) {
	st, c, path := moneyClinic(t)
	ctx := context.Background()
	ap := c.Book(t, c.At(2026, 12, 1, 10, 0)).Appointments[0]
	if _, err := completeAfterStart(st, ap); err != nil {
		t.Fatal(err)
	}
	pay := func(amount clinic.Money, key string, confirm bool) (store.Payment, bool, error) {
		return st.RecordPayment(ctx, deskActor, store.PaymentRequest{AppointmentID: ap.ID, Method: clinic.PayCard,
			Amount: amount, Key: key, CreditConfirmed: confirm})
	}
	first, _, err := pay(5000, "k1", false)
	if err != nil {
		t.Fatal(err)
	}
	if again, dup, err := pay(5000, "k1", false); err != nil || !dup || again.ID != first.ID {
		t.Errorf("the same form twice: %v dup=%v id %d; want the first payment back", err, dup, again.ID)
	}
	var over *clinic.ErrOverpayment
	if _, _, err := pay(8000, "k2", false); !errors.As(err, &over) {
		t.Errorf("paying 80 of 70 owed: %v; want a question about credit", err)
	}
	if _, _, err := pay(8000, "k2", true); err != nil {
		t.Errorf("a confirmed overpayment: %v", err)
	}
	if b, _ := st.ClientBalance(ctx, deskActor, c.ClientID); b != -1000 {
		t.Errorf("balance %d; want -1000 (credit)", b)
	}
	if _, err := st.Refund(ctx, deskActor, first.ID, 5001, "r1", ""); err == nil {
		t.Error("refunded more than was paid")
	}
	if _, err := st.Refund(ctx, deskActor, first.ID, 3000, "r1", "overcharged"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Refund(ctx, deskActor, first.ID, 2001, "r2", ""); err == nil {
		t.Error("refunded more than was left of the payment")
	}
	if b, _ := st.ClientBalance(ctx, deskActor, c.ClientID); b != 2000 {
		t.Errorf("balance after the refund %d; want 2000 owed", b)
	}
	owed, err := st.Owed(ctx, deskActor)
	if err != nil || len(owed) != 1 || owed[0].Owed != 2000 || owed[0].ClientName != "Alex Chen" {
		t.Errorf("owed list %+v (%v)", owed, err)
	}
	checkBalances(t, path)
	client := store.Actor{Role: clinic.RoleClient, ClientID: c.ClientID + 99}
	if _, err := st.PaymentByID(ctx, client, first.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another client reading the payment: %v; want not found", err)
	}
}

// The day's takings are the payments less refunds taken that day, by method and therapist;
// a credit note changes what is owed, not what was taken.
func TestTakingsAreTheDaysPayments(t *testing.T) {
	st, c, path := moneyClinic(t)
	ctx := context.Background()
	b := c.Book(t, c.At(2026, 12, 1, 10, 0), c.At(2026, 12, 8, 10, 0))
	var want clinic.Money
	byMethod := map[clinic.PayMethod]clinic.Money{}
	for i, ap := range b.Appointments {
		if _, err := completeAfterStart(st, ap); err != nil {
			t.Fatal(err)
		}
		m := []clinic.PayMethod{clinic.PayCash, clinic.PayCard}[i]
		p, _, err := st.RecordPayment(ctx, deskActor, store.PaymentRequest{AppointmentID: ap.ID, Method: m, Amount: 12000, Key: "p" + string(m)})
		if err != nil {
			t.Fatal(err)
		}
		want += 12000
		byMethod[m] += 12000
		if i == 1 {
			acc, _ := st.AppointmentAccount(ctx, deskActor, ap.ID)
			iv, _ := acc.Invoice()
			if _, err := st.CreditNote(ctx, deskActor, iv.ID, 2000, "discount missed"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Refund(ctx, deskActor, p.ID, 2000, "r", "discount missed"); err != nil {
				t.Fatal(err)
			}
			want -= 2000
			byMethod[m] -= 2000
		}
	}
	now := st.Now()
	lines, err := st.Takings(ctx, deskActor, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var total clinic.Money
	got := map[clinic.PayMethod]clinic.Money{}
	for _, l := range lines {
		total += l.Amount
		got[l.Method] += l.Amount
		if l.TherapistName != "Sam Okafor" {
			t.Errorf("takings line of %q; want Sam Okafor", l.TherapistName)
		}
	}
	if total != want || got[clinic.PayCash] != byMethod[clinic.PayCash] || got[clinic.PayCard] != byMethod[clinic.PayCard] {
		t.Errorf("takings %v total %d; want %v total %d", got, total, byMethod, want)
	}
	rev, err := st.Revenue(ctx, store.System, 202612, 202612)
	if err != nil || len(rev) != 1 || rev[0].Amount != 22000 || rev[0].Sessions != 2 {
		t.Errorf("revenue %+v (%v); want 2 sessions, 220.00 after the credit note", rev, err)
	}
	checkBalances(t, path)
}

// Merging two records of one person re-files their invoices and payments under the record
// kept, so its balance is the whole; the documents themselves do not change.
func TestMergeRefilesMoney(t *testing.T) {
	st, c, path := moneyClinic(t)
	ctx := context.Background()
	twin, err := st.AddClient(ctx, deskActor, store.ClientDetails{Name: "Alex Chen", Phone: "0400 111 222"})
	if err != nil {
		t.Fatal(err)
	}
	dup := twin.ID
	ap := testclinic.MustBook(t, st, store.BookingRequest{ClientID: dup, ServiceID: c.Service, TherapistID: c.Therapist.ID,
		Starts: []time.Time{c.At(2026, 12, 1, 10, 0)}, Consent: true}).Appointments[0]
	if _, err := completeAfterStart(st, ap); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.RecordPayment(ctx, deskActor, store.PaymentRequest{AppointmentID: ap.ID, Method: clinic.PayCash, Amount: 2000, Key: "m"}); err != nil {
		t.Fatal(err)
	}
	if err := st.MergeClients(ctx, deskActor, c.ClientID, dup); err != nil {
		t.Fatal(err)
	}
	if b, _ := st.ClientBalance(ctx, deskActor, c.ClientID); b != 10000 {
		t.Errorf("balance of the record kept: %d; want 10000 (120.00 invoiced less 20.00 paid)", b)
	}
	if b, _ := st.ClientBalance(ctx, deskActor, dup); b != 0 {
		t.Errorf("balance of the merged record: %d; want 0", b)
	}
	checkBalances(t, path)
}

// checkBalances compares the balances the triggers keep with the sums of the documents and
// payments themselves, for every client: payments by course credit spend credit the balance
// holds already, so they move none. Revenue is the invoices of sessions and fees less their
// credit notes, with the prepaid courses' sessions drawn (a package's invoice and its ending
// credit note are not revenue but what pays for it).
func checkBalances(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var bad int
	if err := db.QueryRow(`SELECT count(*) FROM clients c WHERE coalesce((SELECT owed_cents FROM client_balances b WHERE b.client_id = c.id), 0) <>
		(SELECT coalesce(sum(CASE kind WHEN 'invoice' THEN amount_cents ELSE -amount_cents END), 0) FROM invoices i WHERE i.client_id = c.id)
		- (SELECT coalesce(sum(amount_cents), 0) FROM payments p WHERE p.client_id = c.id AND p.method <> 'course_credit')`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d clients' kept balance differs from their invoices and payments", bad)
	}
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT served_month, t, s, sum(amount) AS amount FROM (
			SELECT served_month, coalesce(therapist_id, 0) AS t, coalesce(service_id, 0) AS s,
				CASE kind WHEN 'invoice' THEN amount_cents ELSE -amount_cents END AS amount FROM invoices WHERE course_id IS NULL
			UNION ALL SELECT served_month, therapist_id, service_id, amount_cents FROM prepaid_sessions) GROUP BY 1, 2, 3) i
		FULL JOIN revenue_months r ON r.month = i.served_month AND r.therapist_id = i.t AND r.service_id = i.s
		WHERE r.amount_cents IS NOT i.amount`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d lines of the kept monthly revenue differ from the invoices", bad)
	}
	// A refund pays back at most its payment, by the payment's method, for what the payment was
	// for (a session or a prepaid course), so takings and the package's page add up.
	if err := db.QueryRow(`SELECT count(*) FROM payments p WHERE p.refund_of IS NULL AND p.amount_cents +
		(SELECT coalesce(sum(r.amount_cents), 0) FROM payments r WHERE r.refund_of = p.id) < 0
		OR EXISTS (SELECT 1 FROM payments r WHERE r.refund_of = p.id AND (r.client_id <> p.client_id OR r.method <> p.method
			OR r.appointment_id IS NOT p.appointment_id OR r.course_id IS NOT p.course_id))`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d payments refunded beyond themselves or under another name", bad)
	}
	// A session drawn from a prepaid course whose receipt went out stays paid for: the package's
	// payments less refunds still cover the shares drawn up to it.
	if err := db.QueryRow(`SELECT count(*) FROM prepaid_sessions d
		JOIN outbox o ON o.dedupe_key = 'prepaid-receipt:' || d.appointment_id
		WHERE (SELECT coalesce(sum(amount_cents), 0) FROM payments p WHERE p.course_id = d.course_id) <
			(SELECT sum(e.amount_cents) FROM prepaid_sessions e WHERE e.course_id = d.course_id AND e.seq <= d.seq)`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d drawn sessions' receipts went out but the course's payments no longer cover them", bad)
	}
}

// A payment taken before the session is completed gets its receipt email when the session's
// invoice is issued; none before, as a receipt names the invoice of a session given.
func TestPrepaymentReceiptWaitsForTheInvoice(t *testing.T) {
	st, c, _ := moneyClinic(t)
	ctx := context.Background()
	ap := c.Book(t, c.At(2026, 12, 1, 10, 0)).Appointments[0]
	p, _, err := st.RecordPayment(ctx, deskActor, store.PaymentRequest{AppointmentID: ap.ID, Method: clinic.PayCard, Amount: 12000, Key: "pre"})
	if err != nil {
		t.Fatal(err)
	}
	owner := store.Actor{Role: clinic.RoleOwner}
	receipts := func() int {
		rows, err := st.Outbox(ctx, owner, store.OutboxFilter{RefType: "payment", RefID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if n := receipts(); n != 0 {
		t.Errorf("%d receipts queued before the session was given; want none", n)
	}
	if _, err := st.Receipt(ctx, deskActor, p.ID, true); !errors.Is(err, store.ErrNotInvoiced) {
		t.Errorf("a receipt before the invoice: %v; want ErrNotInvoiced", err)
	}
	if _, err := completeAfterStart(st, ap); err != nil {
		t.Fatal(err)
	}
	if n := receipts(); n != 1 {
		t.Errorf("%d receipts queued after completion; want 1", n)
	}
}
