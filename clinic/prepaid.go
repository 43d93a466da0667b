package clinic

import (
	"errors"
	"fmt"
)

// MaxPackageDiscount bounds the owner's package discount: a package is sold, not given away.
const MaxPackageDiscount = 50

// ErrPackageDiscount explains what the package discount takes.
var ErrPackageDiscount = fmt.Errorf("Enter a whole percentage from 0 (no discount) to %d.", MaxPackageDiscount)

// PackagePrice is what a course sold as a prepaid package costs: the sessions' own prices
// (list) less the owner's discount for the course's service. The discount is rounded to the
// nearest cent, halves in the client's favour (up), and the price is list less that.
func PackagePrice(list Money, discountPercent int) (price, discount Money) {
	if discountPercent <= 0 || list <= 0 {
		return list, 0
	}
	discount = (list*Money(discountPercent) + 50) / 100
	return list - discount, discount
}

// SplitPackage shares a package's price over its sessions, for each drawn session's receipt
// (a health fund pays a rebate per date of service): equal shares in whole cents, the cents
// left over on the last session, so the shares add up to the price exactly.
func SplitPackage(price Money, sessions int) []Money {
	if sessions <= 0 {
		return nil
	}
	out := make([]Money, sessions)
	each := price / Money(sessions)
	for i := range out {
		out[i] = each
	}
	out[sessions-1] += price - each*Money(sessions)
	return out
}

// PackageShare is the share of a package's price that session seq (1 for the first drawn)
// carries; SplitPackage gives them all.
func PackageShare(price Money, sessions, seq int) Money {
	if seq < 1 || seq > sessions {
		return 0
	}
	return SplitPackage(price, sessions)[seq-1]
}

// PackagePayMethods are how a package is paid: money, not credit (credit pays sessions).
var PackagePayMethods = []PayMethod{PayCard, PayCash, PayTransfer}

// PackageItem is the package as its invoice names it: "Course of 4 × Remedial 60, 60 min, prepaid".
func PackageItem(sessions int, service string, durationMin int) string {
	return fmt.Sprintf("Course of %d × %s, %d min, prepaid", sessions, service, durationMin)
}

// PackageEnd is what reception does with the value of a package's sessions not taken when the
// rest of the course is cancelled: keep it as the client's credit or pay it back.
type PackageEnd string

// The two ends the clinic's policy allows.
const (
	PackageCredit PackageEnd = "credit"
	PackageRefund PackageEnd = "refund"
)

// Valid reports whether e is one of the two.
func (e PackageEnd) Valid() bool { return e == PackageCredit || e == PackageRefund }

// Refusals of the package actions, each a sentence shown beside the form.
var (
	ErrPackageSold       = errors.New("This course is already sold as a prepaid package.")
	ErrPackageNothing    = errors.New("No session of this course is left to sell: each is completed, cancelled or invoiced.")
	ErrPackageFree       = errors.New("The sessions left in this course cost nothing, so there is nothing to sell.")
	ErrPackageEnded      = errors.New("The rest of this prepaid course is already cancelled.")
	ErrPackageUsedUp     = errors.New("Every session of this prepaid course is used; there is nothing left to cancel.")
	ErrPackageNone       = errors.New("This course is not sold as a prepaid package.")
	ErrPackageNoReason   = errors.New("Say why the rest of the course is cancelled; it goes on the record.")
	ErrPackageNoEnd      = errors.New("Choose whether the value left is kept as the client's credit or refunded.")
	ErrCreditNotEnough   = errors.New("The client's credit does not cover that amount.")
	ErrPackageCreditNote = errors.New("A prepaid course's invoice is corrected by cancelling the rest of the course.")
)

// CheckCreditPayment is the rule for paying owed with the client's credit (a payment by
// "course credit"): at most what is owed and at most the credit the client holds. A credit
// payment moves no money and no balance; it only says which debt the credit settled.
func CheckCreditPayment(amount, owed, credit Money, cur Currency) error {
	if amount <= 0 {
		return ErrPayZero
	}
	if amount > owed {
		return fmt.Errorf("Credit pays at most the %s owed.", max(owed, 0).In(cur))
	}
	if amount > credit {
		return fmt.Errorf("The client holds %s of credit.", max(credit, 0).In(cur))
	}
	return nil
}

// PackageMoney is a prepaid package's money as the rule for refunding one of its payments
// reads it, gathered in the refund's transaction.
type PackageMoney struct {
	Cost  Money // the package's invoice less the credit note that ended it, if any
	Paid  Money // its payments less their refunds
	Drawn Money // the shares of the sessions drawn (given)
	// Credit is the credit the client holds on their whole account, as a payment by course
	// credit may spend it: the balance below zero, less credit promised to sessions not yet
	// invoiced. Negative when they owe.
	Credit Money
}

// PackageRefundable is how much of one of a package's payments, with refundable of it not yet
// paid back, may be refunded now, and the refusal of anything more.
//
// A refund takes money off the package's payments, first off what was paid over the package
// (the client's credit), then off what pays for its sessions. Two things must stay true after
// it, so that the books stay right:
//
//   - The sessions drawn stay paid for: their receipts went to the client for their health
//     fund, saying the course paid them. What is paid for sessions not drawn yet may go back;
//     the package then shows it as owed, as right after the sale.
//   - What was paid over the package is the client's credit only while they hold it: credit
//     spent on another session, or set against what they owe elsewhere, is not paid back
//     again. Past the credit held nothing goes back, since the rest of a refund would come
//     out of credit spent before it could reach the package's own sessions.
func PackageRefundable(refundable Money, pk PackageMoney, cur Currency) (Money, error) {
	over := max(pk.Paid-pk.Cost, 0)
	credit := max(pk.Credit, 0)
	if credit < over {
		if refundable <= credit {
			return refundable, &ErrRefundTooLarge{Refundable: refundable, Currency: cur}
		}
		return credit, &ErrPackageRefund{Limit: credit, Credit: true, Currency: cur}
	}
	limit := max(pk.Paid-pk.Drawn, 0) // what was paid over, then what pays for sessions not drawn
	if refundable <= limit {
		return refundable, &ErrRefundTooLarge{Refundable: refundable, Currency: cur}
	}
	return limit, &ErrPackageRefund{Limit: limit, Drawn: pk.Drawn, Currency: cur}
}

// CheckPackageRefund is the rule for refunding amount of one of a package's payments
// (PackageRefundable says how much may go back).
func CheckPackageRefund(amount, refundable Money, pk PackageMoney, cur Currency) error {
	if amount <= 0 {
		return errors.New("Enter the amount to refund.")
	}
	if limit, refusal := PackageRefundable(refundable, pk, cur); amount > limit {
		return refusal
	}
	return nil
}

// ErrPackageRefund refuses a refund of a package's payment that would take back what pays
// for the sessions given (Drawn) or, with Credit, credit the client no longer holds.
type ErrPackageRefund struct {
	Limit, Drawn Money
	Credit       bool
	Currency     Currency
}

func (e *ErrPackageRefund) Error() string {
	switch {
	case e.Credit && e.Limit <= 0:
		return "Nothing of this payment can be refunded: what was paid over the course has gone to other sessions or to what the client owes, and they hold no credit."
	case e.Credit:
		return "A refund of this payment can be at most " + e.Limit.In(e.Currency) +
			", the credit the client still holds: the rest of what was paid over the course has gone to other sessions or to what they owe."
	case e.Limit <= 0:
		return "Nothing of this payment can be refunded: the course's payments pay for the " + e.Drawn.In(e.Currency) +
			" of sessions already given."
	default:
		return "A refund of this payment can be at most " + e.Limit.In(e.Currency) + ": the course's payments must still pay for the " +
			e.Drawn.In(e.Currency) + " of sessions already given."
	}
}
