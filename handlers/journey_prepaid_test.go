package handlers

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyPrepaidCourse: reception sells a client's course of two as a prepaid package
// from the session's page, takes its payment, completes the first session (drawn down, not
// invoiced), refunds the card's share of the session not given, and the client downloads the
// session's receipt for their fund.
func TestJourneyPrepaidCourse(t *testing.T) {
	t.Parallel()
	j := newJourneyClinic(t)
	kimUser := j.pricedKim(t, 0, 7)
	b := newBrowser(t, j.url)
	b.signIn(j.desk.Email)
	b.clickText("Kim Lee")
	b.wantText("Sell the 2 sessions left as a package")
	b.eval("window.confirm = () => true")
	b.submit("#prepaid form[action$='/package'] button")
	b.wantText("Sold as a prepaid course")
	b.submit("#prepaid form[action$='/package/pay'] button.primary")
	b.wantText("$240.00 by Card recorded for the prepaid course.")
	b.submit("main form[action$='/status'] input[value=completed] ~ button")
	b.wantText("Prepaid: 1 of 2 used")
	// The client stops after this one: the card's share of the session not given goes back
	// from the Refund form beside it, prefilled with what may be refunded.
	b.eval("window.confirm = () => true")
	b.submit("#prepaid form[action*='/package/refund/'] button")
	b.wantText("$120.00 refunded by Card from the prepaid course.")
	b.signOut()

	b.signIn(kimUser.Email)
	b.open("/my")
	b.wantText("Prepaid courses")
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(document.querySelector("main a[href^='/my/prepaid/']").href)
		.then(r => r.status + " " + r.headers.get("content-type"))`, chromedp.EvalAwaitPromise))
	if err != nil || got != "200 application/pdf" {
		t.Errorf("the session's receipt download: %q, %v; want 200 application/pdf", got, err)
	}
}
