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
