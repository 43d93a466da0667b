package handlers

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/store"
)

// TestJourneyMoneyFromDeskToReceipt: reception completes a session (its invoice is issued),
// takes a card payment from the appointment page and sees it in the day's takings, and the
// client downloads the receipt from their page.
func TestJourneyMoneyFromDeskToReceipt(t *testing.T) {
	t.Parallel()
	j := newJourneyClinic(t)
	kimUser := j.pricedKim(t, 0)
	b := newBrowser(t, j.url)
	b.signIn(j.desk.Email)
	b.clickText("Kim Lee")
	b.submit("main form[action$='/status'] input[value=completed] ~ button")
	b.wantText("Invoice INV-000001")
	b.fill("#f-reference", "T-4471")
	b.submit("#money form[action$='/pay'] button.primary")
	b.wantText("$120.00 by Card recorded.")
	b.wantText("Receipt")   // the payment's receipt, for the desk to print
	b.open("/desk/takings") // the day's takings, audited like every page the journey visits
	b.wantText("$120.00")
	b.signOut()

	b.signIn(kimUser.Email)
	b.open("/my")
	b.wantText("Receipts")
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(document.querySelector("main a[href^='/my/receipts/']").href)
		.then(r => r.status + " " + r.headers.get("content-type"))`, chromedp.EvalAwaitPromise))
	if err != nil || got != "200 application/pdf" {
		t.Errorf("the receipt's download: %q, %v; want 200 application/pdf", got, err)
	}
}

// pricedKim signs Kim Lee up as a client and books her a remedial follow-up at 9:00 on each of
// the given days from today in the clinic's zone (booked an hour before today began), each
// priced at $120. The clinic's clock is set to 12:30 today, so today's session has begun.
func (j *journeyClinic) pricedKim(t *testing.T, days ...int) store.User {
	t.Helper()
	today := j.todayAt(12, 30)
	kimUser := testclinic.MustCreateUser(t, j.st, store.NewUser{Role: clinic.RoleClient, Email: "kim@example.com", Name: "Kim Lee",
		Password: journeyPassword})
	var starts []time.Time
	for _, d := range days {
		starts = append(starts, today.AddDate(0, 0, d).Add(9*time.Hour))
	}
	for _, ap := range j.bookAt(t, today.Add(-time.Hour), testclinic.MustClientID(t, j.st, kimUser), "remedial_followup_60", starts...) {
		if _, err := j.st.SetPrice(context.Background(), store.System, ap.ID, 12000, "list price"); err != nil {
			t.Fatal(err)
		}
	}
	return kimUser
}
