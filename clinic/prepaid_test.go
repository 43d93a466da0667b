package clinic

import (
	"strings"
	"testing"
	"time"
)

func TestPackagePriceRoundsTheDiscountInTheClientsFavour(t *testing.T) {
	for _, tt := range []struct {
		list            Money
		percent         int
		price, discount Money
	}{
		{48000, 0, 48000, 0},
		{48000, 10, 43200, 4800},
		{37035, 10, 33331, 3704}, // 37.035 off: half a cent, rounded up for the client
		{37034, 10, 33331, 3703}, // 37.034 off: rounded down
		{999, 50, 499, 500},
		{0, 10, 0, 0},
	} {
		price, discount := PackagePrice(tt.list, tt.percent)
		if price != tt.price || discount != tt.discount || price+discount != tt.list {
			t.Errorf("PackagePrice(%d, %d%%) = %d, %d off; want %d, %d off", tt.list, tt.percent, price, discount, tt.price, tt.discount)
		}
	}
}

func TestSplitPackagePutsTheCentsLeftOnTheLastSession(t *testing.T) {
	for _, tt := range []struct {
		price    Money
		sessions int
		want     []Money
	}{
		{44442, 4, []Money{11110, 11110, 11110, 11112}},
		{33331, 3, []Money{11110, 11110, 11111}},
		{48000, 4, []Money{12000, 12000, 12000, 12000}},
		{5, 6, []Money{0, 0, 0, 0, 0, 5}},
		{12345, 1, []Money{12345}},
	} {
		got := SplitPackage(tt.price, tt.sessions)
		var sum Money
		for i, m := range got {
			sum += m
			if m != tt.want[i] {
				t.Errorf("SplitPackage(%d, %d) = %v; want %v", tt.price, tt.sessions, got, tt.want)
				break
			}
			if PackageShare(tt.price, tt.sessions, i+1) != m {
				t.Errorf("PackageShare(%d, %d, %d) = %d; want %d", tt.price, tt.sessions, i+1, PackageShare(tt.price, tt.sessions, i+1), m)
			}
		}
		if sum != tt.price {
			t.Errorf("SplitPackage(%d, %d) adds up to %d", tt.price, tt.sessions, sum)
		}
	}
	if PackageShare(100, 2, 3) != 0 {
		t.Error("a share past the package's sessions")
	}
}

func TestCreditPaysAtMostWhatIsOwedAndWhatIsHeld(t *testing.T) {
	for _, tt := range []struct {
		amount, owed, credit Money
		ok                   bool
	}{
		{100, 100, 200, true},
		{101, 100, 200, false}, // more than owed
		{100, 100, 50, false},  // more than held
		{50, 100, 50, true},
		{0, 100, 100, false},
	} {
		if err := CheckCreditPayment(tt.amount, tt.owed, tt.credit, DefaultCurrency); (err == nil) != tt.ok {
			t.Errorf("CheckCreditPayment(%d, owed %d, credit %d) = %v; want ok %v", tt.amount, tt.owed, tt.credit, err, tt.ok)
		}
	}
}

func TestPackageDiscountIsValidatedForCourseServices(t *testing.T) {
	sp := ServiceSpec{Name: "Course", Duration: time.Hour, Kind: KindCourse, CourseSessions: 4, SpacingDays: 7, PackageDiscount: 51}
	if errs := sp.Validate(); errs["package_discount"] == "" {
		t.Errorf("a 51%% discount accepted: %v", errs)
	}
	sp.PackageDiscount = 15
	if errs := sp.Validate(); len(errs) != 0 {
		t.Errorf("a 15%% discount refused: %v", errs)
	}
	sp.Kind, sp.PackageDiscount = KindFollowUp, 20
	sp.Validate()
	if sp.PackageDiscount != 0 {
		t.Error("a service that is not a course kept a package discount")
	}
}

// A package's payment goes back only as far as the sessions given stay paid for, and what was
// paid over the package only while the client still holds it as credit.
func TestPackageRefundKeepsGivenSessionsPaidAndSpentCreditSpent(t *testing.T) {
	for _, tt := range []struct {
		name       string
		refundable Money
		pk         PackageMoney
		limit      Money
		says       string // in the refusal of a cent more
	}{
		{"paid twice by mistake: the second payment back in full", 40000,
			PackageMoney{Cost: 40000, Paid: 80000, Drawn: 10000, Credit: 40000}, 40000, "at most the $400.00 paid and not yet refunded"},
		{"paid over: the excess back, and what pays for sessions not given", 50000,
			PackageMoney{Cost: 40000, Paid: 50000, Drawn: 10000, Credit: 10000}, 40000, "pay for the $100.00 of sessions already given"},
		{"nothing given: all of it, the package then owed", 40000,
			PackageMoney{Cost: 40000, Paid: 40000, Credit: 0}, 40000, "at most the $400.00 paid"},
		{"every session given and paid", 40000,
			PackageMoney{Cost: 40000, Paid: 40000, Drawn: 40000}, 0, "Nothing of this payment can be refunded: the course's payments pay for the $400.00"},
		{"given sessions not yet paid for", 5000,
			PackageMoney{Cost: 40000, Paid: 5000, Drawn: 10000, Credit: -35000}, 0, "pay for the $100.00 of sessions already given"},
		{"the excess spent on another session by course credit", 10000,
			PackageMoney{Cost: 40000, Paid: 50000, Drawn: 10000, Credit: 0}, 0, "they hold no credit"},
		{"part of the excess set against a debt elsewhere", 50000,
			PackageMoney{Cost: 40000, Paid: 50000, Drawn: 10000, Credit: 3000}, 3000, "at most $30.00, the credit the client still holds"},
		{"ended as credit: what was credited, while held", 30000,
			PackageMoney{Cost: 10000, Paid: 40000, Drawn: 10000, Credit: 30000}, 30000, "at most the $300.00"},
		{"ended as credit, some of it spent", 30000,
			PackageMoney{Cost: 10000, Paid: 40000, Drawn: 10000, Credit: 12000}, 12000, "at most $120.00, the credit"},
		{"credit from elsewhere does not let the given sessions go unpaid", 40000,
			PackageMoney{Cost: 40000, Paid: 40000, Drawn: 30000, Credit: 90000}, 10000, "at most $100.00: the course's payments must still pay for the $300.00"},
		{"refunded in full already", 0,
			PackageMoney{Cost: 40000, Paid: 40000, Credit: 0}, 0, "refunded in full"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			limit, refusal := PackageRefundable(tt.refundable, tt.pk, DefaultCurrency)
			if limit != tt.limit {
				t.Errorf("refundable %d; want %d", limit, tt.limit)
			}
			if limit > 0 {
				if err := CheckPackageRefund(limit, tt.refundable, tt.pk, DefaultCurrency); err != nil {
					t.Errorf("refunding the %d allowed: %v", limit, err)
				}
			}
			err := CheckPackageRefund(limit+1, tt.refundable, tt.pk, DefaultCurrency)
			if err == nil || err.Error() != refusal.Error() || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("a cent more: %v; want the refusal %q saying %q", err, refusal, tt.says)
			}
			// After the largest refund the books hold: the sessions given are paid for as far as
			// they were before, and no more credit goes back than the client held.
			paid := tt.pk.Paid - limit
			if paid < min(tt.pk.Paid, tt.pk.Drawn) {
				t.Errorf("after refunding %d the course pays %d of the %d given", limit, paid, tt.pk.Drawn)
			}
			if overBack := min(limit, max(tt.pk.Paid-tt.pk.Cost, 0)); overBack > max(tt.pk.Credit, 0) {
				t.Errorf("%d of the excess paid back with %d of credit held", overBack, tt.pk.Credit)
			}
		})
	}
	if err := CheckPackageRefund(0, 100, PackageMoney{Cost: 100, Paid: 100}, DefaultCurrency); err == nil {
		t.Error("a refund of nothing passed")
	}
}
