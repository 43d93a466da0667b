package clinic

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Money is an amount in the clinic's currency, in whole cents. Amounts are never floats: a
// float cannot hold 0.10 exactly, and sums of prices must add up to the cent. The rounding
// rules are in docs/money.md; ParseMoney and GSTIncluded are the only places that round.
type Money int64

// Currency is an ISO 4217 code with the symbol the clinic's documents print.
type Currency string

// DefaultCurrency is what a new clinic starts with.
const DefaultCurrency Currency = "AUD"

// Currencies are those the settings offer: all have two decimal places and a dollar sign or
// a sign of their own; a currency without cents would need a different Money.
var Currencies = []Currency{"AUD", "NZD", "USD", "CAD", "SGD", "GBP", "EUR"}

var currencySymbols = map[Currency]string{"GBP": "£", "EUR": "€"}

// Symbol is the sign printed before an amount ("$" for the dollars).
func (c Currency) Symbol() string {
	if s, ok := currencySymbols[c]; ok {
		return s
	}
	return "$"
}

// Valid reports whether the settings offer c.
func (c Currency) Valid() bool {
	for _, k := range Currencies {
		if k == c {
			return true
		}
	}
	return false
}

// Plain is the amount as a form shows and takes it: "120.00", "-5.50".
func (m Money) Plain() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	c := strconv.FormatInt(v%100, 10)
	if len(c) < 2 {
		c = "0" + c
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + c
}

// In is the amount as a person reads it: "$1,234.50", "-$5.00".
func (m Money) In(c Currency) string {
	var buf [32]byte
	return string(m.AppendIn(buf[:0], c))
}

// AppendIn appends the amount as In writes it, for pages that write many amounts: In's
// string is then one allocation fewer, and a writer's none.
func (m Money) AppendIn(dst []byte, c Currency) []byte {
	v := uint64(m)
	if m < 0 {
		dst, v = append(dst, '-'), -v
	}
	dst = append(dst, c.Symbol()...)
	var digits [20]byte
	whole := strconv.AppendUint(digits[:0], v/100, 10)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, d)
	}
	return append(dst, '.', byte('0'+v%100/10), byte('0'+v%10))
}

// MaxMoney bounds what a form accepts: a clinic's single charge never comes near a million,
// and the bound keeps sums far from overflow.
const MaxMoney Money = 100_000_000 // 1,000,000.00

// Errors of ParseMoney, each a sentence shown beside the field.
var (
	ErrMoneyFormat   = errors.New("Enter an amount in dollars and cents, like 120 or 95.50.")
	ErrMoneyNegative = errors.New("Enter an amount of zero or more; a refund has its own button.")
	ErrMoneyTooLarge = errors.New("That amount is too large for one charge.")
)

// ParseMoney reads an amount typed into a form: "120", "120.5", "120.50", "$1,200.00". It
// never rounds: more than two decimal places is refused, since a person who typed 10.005
// meant something the clinic should decide, not the program. Negative amounts are refused.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "$")
	s = strings.ReplaceAll(s, ",", "")
	if strings.HasPrefix(s, "-") {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return 0, ErrMoneyNegative
		}
		return 0, ErrMoneyFormat
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && (!dot || frac == "") || len(frac) > 2 || (dot && frac == "") {
		return 0, ErrMoneyFormat
	}
	if whole == "" {
		whole = "0"
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, ErrMoneyFormat
			}
		}
	}
	if len(whole) > 9 {
		return 0, ErrMoneyTooLarge
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	c, _ := strconv.ParseInt(frac, 10, 64)
	m := Money(w*100 + c)
	if m > MaxMoney {
		return 0, ErrMoneyTooLarge
	}
	return m, nil
}

// GSTIncluded is the GST inside a GST-inclusive amount at Australia's 10 %: one eleventh,
// rounded to the nearest cent, halves up (the tax office's rule for a whole invoice).
func GSTIncluded(total Money) Money {
	if total <= 0 {
		return 0
	}
	return (2*total + 11) / 22
}

// Fee is a charge the owner sets for a late cancellation or a no-show: a fixed amount, or a
// percentage of the session's price. Zero in both means no fee.
type Fee struct {
	Amount  Money
	Percent int // 0-100
}

// IsZero reports whether the fee charges nothing.
func (f Fee) IsZero() bool { return f.Amount == 0 && f.Percent == 0 }

// Of is the fee for a session of this price: a percentage is rounded to the cent, halves up.
func (f Fee) Of(price Money) Money {
	if f.Percent > 0 {
		return (price*Money(f.Percent) + 50) / 100
	}
	return f.Amount
}

// String is the fee as the settings store and show it: "50%" or "30.00"; "" for none.
func (f Fee) String() string {
	switch {
	case f.Percent > 0:
		return strconv.Itoa(f.Percent) + "%"
	case f.Amount > 0:
		return f.Amount.Plain()
	}
	return ""
}

// ErrFeeFormat explains what a fee setting takes.
var ErrFeeFormat = errors.New("Enter an amount like 30 or 30.00, or a percentage of the price like 50%; leave it empty for no fee.")

// ParseFee reads a fee setting: "" (none), "30", "30.00" or "50%".
func ParseFee(s string) (Fee, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Fee{}, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 || n > 100 {
			return Fee{}, ErrFeeFormat
		}
		return Fee{Percent: n}, nil
	}
	m, err := ParseMoney(s)
	if err != nil {
		return Fee{}, ErrFeeFormat
	}
	return Fee{Amount: m}, nil
}

// FeeKind is why a fee is charged.
type FeeKind string

// Fee kinds: the two the clinic's policy prices.
const (
	FeeLateCancel FeeKind = "late_cancel"
	FeeNoShow     FeeKind = "no_show"
)

// Item is the fee as an invoice line names it.
func (k FeeKind) Item() string {
	if k == FeeNoShow {
		return "No-show fee"
	}
	return "Late cancellation fee"
}

// Month is a calendar month as yyyymm (202603 is March 2026), the unit revenue is kept in.
type Month int

// MonthOf is the month of an instant in the clinic's zone.
func MonthOf(t time.Time, loc *time.Location) Month {
	l := t.In(loc)
	return Month(l.Year()*100 + int(l.Month()))
}

// AddMonths is the month n months later (earlier for negative n).
func (m Month) AddMonths(n int) Month {
	i := int(m)/100*12 + int(m)%100 - 1 + n
	return Month(i/12*100 + i%12 + 1)
}
