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
	ctx := context.Background()
	loc, _ := time.LoadLocation("Australia/Sydney")
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	kimUser := testclinic.MustCreateUser(t, j.st, store.NewUser{Role: clinic.RoleClient, Email: "kim@example.com", Name: "Kim Lee",
		Password: journeyPassword})
	kim := testclinic.MustClientID(t, j.st, kimUser)
	ap := j.bookAt(t, today.Add(-time.Hour), kim, "remedial_followup_60", today.Add(9*time.Hour))[0]
	if _, err := j.st.SetPrice(ctx, store.System, ap.ID, 12000, "list price"); err != nil {
		t.Fatal(err)
	}

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
