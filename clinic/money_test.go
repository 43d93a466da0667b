package clinic

import (
	"errors"
	"testing"
	"time"
)

func TestParseMoney(t *testing.T) {
	for in, want := range map[string]Money{"120": 12000, "120.5": 12050, "120.50": 12050, "$1,200.00": 120000, " 0.05 ": 5, ".5": 50, "0": 0} {
		if got, err := ParseMoney(in); err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]error{"-5": ErrMoneyNegative, "-0.01": ErrMoneyNegative, "abc": ErrMoneyFormat, "": ErrMoneyFormat,
		"10.005": ErrMoneyFormat, "1e3": ErrMoneyFormat, "12.": ErrMoneyFormat, "NaN": ErrMoneyFormat, "5 0": ErrMoneyFormat,
		"1000000.01": ErrMoneyTooLarge, "99999999999999999999": ErrMoneyTooLarge} {
		if _, err := ParseMoney(in); !errors.Is(err, want) {
			t.Errorf("ParseMoney(%q): %v; want %v", in, err, want)
		}
	}
}

func TestMoneyPrinted(t *testing.T) {
	for m, want := range map[Money]string{0: "$0.00", 5: "$0.05", 12050: "$120.50", 123456789: "$1,234,567.89", -500: "-$5.00"} {
		if got := m.In("AUD"); got != want {
			t.Errorf("%d.In(AUD) = %q; want %q", m, got, want)
		}
	}
	if got := Money(1999).In("GBP"); got != "£19.99" {
		t.Errorf("GBP: %q", got)
	}
	for m, want := range map[Money]string{-1: "-€0.01", -123456: "-€1,234.56", MaxMoney: "€1,000,000.00", 100: "€1.00"} {
		if got := string(m.AppendIn([]byte("x "), "EUR")); got != "x "+want {
			t.Errorf("%d.AppendIn(EUR) = %q; want %q", m, got, "x "+want)
		}
	}
}

// GST inside a GST-inclusive total is one eleventh, to the nearest cent, halves up.
func TestGSTIncluded(t *testing.T) {
	for total, want := range map[Money]Money{11000: 1000, 12000: 1091, 10000: 909, 5: 0, 6: 1, 16: 1, 17: 2, 0: 0} {
		if got := GSTIncluded(total); got != want {
			t.Errorf("GSTIncluded(%d) = %d; want %d", total, got, want)
		}
	}
}

func TestPaymentRules(t *testing.T) {
	var over *ErrOverpayment
	if err := CheckPayment(8000, 7000, false, "AUD"); !errors.As(err, &over) ||
		err.Error() != "$80.00 is more than the $70.00 owed. Tick the box to keep the $10.00 over as the client's credit." {
		t.Errorf("overpayment: %v", err)
	}
	if err := CheckPayment(8000, 7000, true, "AUD"); err != nil {
		t.Errorf("confirmed overpayment: %v", err)
	}
	if err := CheckPayment(0, 7000, false, "AUD"); err != ErrPayZero {
		t.Errorf("zero payment: %v", err)
	}
	if err := CheckRefund(5001, 5000, "AUD"); err == nil {
		t.Error("a refund over what was paid passed")
	}
	if err := CheckRefund(5000, 5000, "AUD"); err != nil {
		t.Errorf("a full refund: %v", err)
	}
}

func TestFees(t *testing.T) {
	for in, want := range map[string]Fee{"": {}, "30": {Amount: 3000}, "30.50": {Amount: 3050}, "50%": {Percent: 50}, " 100 % ": {Percent: 100}} {
		if got, err := ParseFee(in); err != nil || got != want {
			t.Errorf("ParseFee(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"-5", "150%", "half", "12.345"} {
		if _, err := ParseFee(in); err != ErrFeeFormat {
			t.Errorf("ParseFee(%q): %v; want ErrFeeFormat", in, err)
		}
	}
	if got := (Fee{Percent: 50}).Of(12050); got != 6025 {
		t.Errorf("50%% of 120.50 = %d", got)
	}
	if got := (Fee{Percent: 33}).Of(1000); got != 330 {
		t.Errorf("33%% of 10.00 = %d", got)
	}
	if got := (Fee{Amount: 3000}).Of(12000); got != 3000 {
		t.Errorf("fixed fee %d", got)
	}
	if (Fee{Percent: 50}).String() != "50%" || (Fee{Amount: 3000}).String() != "30.00" || (Fee{}).String() != "" {
		t.Error("fee strings")
	}
}

func TestMonths(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	// 13:30 UTC on 31 March is already 1 April in Sydney.
	if got := MonthOf(time.Date(2026, 3, 31, 13, 30, 0, 0, time.UTC), syd); got != 202604 {
		t.Errorf("MonthOf = %d; want 202604", got)
	}
	for m, want := range map[[2]int]Month{{202608, -11}: 202509, {202612, 1}: 202701, {202601, -1}: 202512, {202603, 0}: 202603} {
		if got := Month(m[0]).AddMonths(m[1]); got != want {
			t.Errorf("%d.AddMonths(%d) = %d; want %d", m[0], m[1], got, want)
		}
	}
}
