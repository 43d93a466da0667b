package clinic

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// PayMethod is how a client paid. The schema's CHECK lists the same four. A card is taken on
// the clinic's own terminal; the payment keeps the terminal's reference, and a gateway added
// later would record its payments the same way with its own reference.
type PayMethod string

// Payment methods, in the order the desk offers them.
const (
	PayCard     PayMethod = "card"
	PayCash     PayMethod = "cash"
	PayTransfer PayMethod = "transfer"
	PayCourse   PayMethod = "course_credit"
)

// PayMethods are the methods in the order the desk offers them and the takings list them.
var PayMethods = []PayMethod{PayCard, PayCash, PayTransfer, PayCourse}

var payMethodLabels = map[PayMethod]string{
	PayCard: "Card", PayCash: "Cash", PayTransfer: "Bank transfer", PayCourse: "Course credit",
}

// Label is the method as a person reads it.
func (m PayMethod) Label() string {
	if l, ok := payMethodLabels[m]; ok {
		return l
	}
	return string(m)
}

// Valid reports whether m is one of the methods.
func (m PayMethod) Valid() bool { _, ok := payMethodLabels[m]; return ok }

// ErrPayZero refuses a payment of nothing.
var ErrPayZero = errors.New("Enter the amount paid.")

// ErrOverpayment asks reception to confirm that a payment larger than what is owed is meant:
// the rest is kept as the client's credit. It is a question, not a refusal.
type ErrOverpayment struct {
	Owed, Paid Money
	Currency   Currency
}

func (e *ErrOverpayment) Error() string {
	return fmt.Sprintf("%s is more than the %s owed. Tick the box to keep the %s over as the client's credit.",
		e.Paid.In(e.Currency), e.Owed.In(e.Currency), (e.Paid - e.Owed).In(e.Currency))
}

// CheckPayment is the rule for taking amount against owed: more than zero, and more than
// owed only once reception has confirmed it as credit.
func CheckPayment(amount, owed Money, creditConfirmed bool, cur Currency) error {
	if amount <= 0 {
		return ErrPayZero
	}
	if amount > owed && !creditConfirmed {
		return &ErrOverpayment{Owed: max(owed, 0), Paid: amount, Currency: cur}
	}
	return nil
}

// ErrRefundTooLarge refuses a refund of more than was paid and not yet refunded.
type ErrRefundTooLarge struct {
	Refundable Money
	Currency   Currency
}

func (e *ErrRefundTooLarge) Error() string {
	if e.Refundable <= 0 {
		return "This payment has been refunded in full."
	}
	return "A refund can be at most the " + e.Refundable.In(e.Currency) + " paid and not yet refunded."
}

// CheckRefund is the rule for refunding amount of a payment that has refundable left.
func CheckRefund(amount, refundable Money, cur Currency) error {
	if amount <= 0 {
		return errors.New("Enter the amount to refund.")
	}
	if amount > refundable {
		return &ErrRefundTooLarge{Refundable: refundable, Currency: cur}
	}
	return nil
}

// InvoiceKind is an invoice or a credit note; both share one sequence of numbers.
type InvoiceKind string

// Invoice kinds.
const (
	KindInvoice    InvoiceKind = "invoice"
	KindCreditNote InvoiceKind = "credit_note"
)

// Invoice is an issued invoice or credit note, as printed. Every field is copied when it is
// issued and never changes.
type Invoice struct {
	ID, Number                int64
	Kind                      InvoiceKind
	CreditsID, CreditsNumber  int64 // a credit note: the invoice it corrects
	CourseID                  int64 // a prepaid course's invoice, or the credit note that ends it
	AppointmentID             int64
	ClientID, TherapistID     int64
	ClientName, TherapistName string
	ProviderNumber            string
	ClinicName, ClinicAddress string
	ClinicPhone               string
	BusinessNumber            string
	GSTRegistered             bool
	Currency                  Currency
	Item                      string
	DurationMin               int
	ServiceID                 int64
	ServedAt, IssuedAt        time.Time
	Amount, GST               Money
	Reason                    string
}

// Title is the document's heading: only a GST-registered clinic issues a "Tax invoice".
func (iv Invoice) Title() string {
	switch {
	case iv.Kind == KindCreditNote:
		return "Credit note"
	case iv.GSTRegistered:
		return "Tax invoice"
	default:
		return "Invoice"
	}
}

// NumberText is the number as printed, padded so numbers sort as text too: "INV-000042".
func (iv Invoice) NumberText() string { return InvoiceNumber(iv.Number) }

// InvoiceNumber prints a number of the shared sequence.
func InvoiceNumber(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 6 {
		s = "0" + s
	}
	return "INV-" + s
}

// Receipt is what a health fund asks to see for a payment: the invoice of the session
// (clinic, business number, therapist and provider number, client, date of service, item,
// fee) and what was paid.
type Receipt struct {
	Invoice    Invoice
	PaymentID  int64
	Method     PayMethod
	Paid       Money     // this payment
	PaidAt     time.Time // when it was taken
	PaidToDate Money     // every payment for the session, less refunds, up to and with this one
	Duplicate  bool      // a copy issued again, marked so on the document
	// Session is, for a session of a prepaid course, which of the package's sessions it is
	// (1 for the first drawn); Invoice is then the package's invoice with this session's date,
	// item, therapist and share of the price, and Paid is that share. Zero for a payment's.
	Session, Sessions int
	IssuedAt          time.Time // when this copy was made
}
