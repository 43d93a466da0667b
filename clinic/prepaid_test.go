package clinic

import (
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
