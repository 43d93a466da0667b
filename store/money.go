package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"allium/clinic"
)

// FieldError is a refusal a person fixes in a form: Err is the sentence shown beside Field.
// Handlers answer it with 422 (or ask again, for an overpayment).
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// ErrInvoiced refuses a price change once the appointment is invoiced: the invoice is final,
// and the correction is a credit note.
var ErrInvoiced = errors.New("This session is invoiced already; correct the amount with a credit note.")

// ErrPrepaid refuses a price change of a session a prepaid course holds: the package's
// invoice fixed what it costs.
var ErrPrepaid = errors.New("This session is part of a prepaid course; the course's invoice set its price.")

// deskOnly: money is recorded by the desk (reception and the owner) and the server itself.
func deskOnly(by Actor) bool {
	return by.Role == clinic.RoleOwner || by.Role == clinic.RoleReception || by.Role == System.Role
}

// SetPrice changes what an appointment costs, before it is invoiced, with the reason on the
// audit log beside the old and new amounts.
func (s *Store) SetPrice(ctx context.Context, by Actor, id int64, price clinic.Money, reason string) (Appointment, error) {
	if !deskOnly(by) {
		return Appointment{}, ErrNotFound
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Appointment{}, &FieldError{"reason", errors.New("Say why the price changes; it goes on the record.")}
	}
	if price < 0 || price > clinic.MaxMoney {
		return Appointment{}, &FieldError{"price", clinic.ErrMoneyTooLarge}
	}
	var a Appointment
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = only(queryAppts(ctx, tx, `a.id = ?`, id)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM invoices WHERE appointment_id = ? AND kind = 'invoice'`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &FieldError{"price", ErrInvoiced}
		}
		if _, _, prepaid, err := prepaidOf(ctx, tx, a); err != nil {
			return err
		} else if prepaid {
			return &FieldError{"price", ErrPrepaid}
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET price_cents = ?, updated_at = ? WHERE id = ?`, price, unix(now), id); err != nil {
			return err
		}
		detail := fmt.Sprintf("price %s -> %s: %s", a.Price.Plain(), price.Plain(), reason)
		a.Price = price
		return audit(ctx, tx, by, unix(now), "price", "appointment", id, a.ClientID, detail)
	})
	return a, err
}

// issueInvoice issues the invoice of a completed appointment inside the completion's
// transaction. A free session (price 0) has nothing to invoice or claim and gets none.
func issueInvoice(ctx context.Context, tx *sql.Tx, by Actor, set clinic.Settings, a Appointment, now time.Time) (clinic.Invoice, error) {
	if a.Price <= 0 {
		return clinic.Invoice{}, nil
	}
	iv := clinic.Invoice{Kind: clinic.KindInvoice, AppointmentID: a.ID, ClientID: a.ClientID, TherapistID: a.TherapistID,
		ClientName: a.ClientName, TherapistName: a.TherapistName, ServiceID: a.ServiceID, ServedAt: a.Start,
		DurationMin: int(a.End.Sub(a.Start) / time.Minute), Amount: a.Price, IssuedAt: now}
	iv.Item = fmt.Sprintf("%s, %d min", a.ServiceName, iv.DurationMin)
	var numbers string
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT provider_numbers FROM therapist_profiles WHERE therapist_id = ?), '')`,
		a.TherapistID).Scan(&numbers); err != nil {
		return iv, fmt.Errorf("invoice: provider numbers: %w", err)
	}
	iv.ProviderNumber = providerNumbers(numbers)
	return iv, insertInvoice(ctx, tx, by, set, &iv)
}

// insertInvoice numbers and writes an invoice or credit note, copying the clinic's details
// as they are now. The number is the next of the one sequence: the caller's transaction holds
// the only writer, so no other document can take it, and a rollback returns it unused.
func insertInvoice(ctx context.Context, tx *sql.Tx, by Actor, set clinic.Settings, iv *clinic.Invoice) error {
	iv.ClinicName, iv.ClinicAddress, iv.ClinicPhone = set.Name, set.Address, set.Phone
	iv.BusinessNumber, iv.GSTRegistered, iv.Currency = set.BusinessNumber, set.GSTRegistered, set.Currency
	if iv.Currency == "" {
		iv.Currency = clinic.DefaultCurrency
	}
	if iv.GSTRegistered {
		iv.GST = clinic.GSTIncluded(iv.Amount)
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	var issuedBy, credits, appt, service, therapist, course any
	if iv.CourseID != 0 {
		course = iv.CourseID
	}
	if by.UserID != 0 {
		issuedBy = by.UserID
	}
	if iv.CreditsID != 0 {
		credits = iv.CreditsID
	}
	if iv.AppointmentID != 0 {
		appt = iv.AppointmentID
	}
	if iv.ServiceID != 0 {
		service = iv.ServiceID
	}
	if iv.TherapistID != 0 {
		therapist = iv.TherapistID
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO invoices (number, kind, credits_id, appointment_id, client_id, therapist_id,
		client_name, therapist_name, provider_number, clinic_name, clinic_address, clinic_phone, business_number,
		gst_registered, currency, item, duration_min, service_id, served_at, served_month, amount_cents, gst_cents, reason,
		issued_by, issued_at, course_id)
		VALUES ((SELECT coalesce(max(number), 0) + 1 FROM invoices), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id, number`,
		iv.Kind, credits, appt, iv.ClientID, therapist, iv.ClientName, iv.TherapistName, iv.ProviderNumber, iv.ClinicName,
		iv.ClinicAddress, iv.ClinicPhone, iv.BusinessNumber, iv.GSTRegistered, iv.Currency, iv.Item, iv.DurationMin, service,
		unix(iv.ServedAt), clinic.MonthOf(iv.ServedAt, loc), iv.Amount, iv.GST, iv.Reason, issuedBy, unix(iv.IssuedAt), course).Scan(&iv.ID, &iv.Number)
	if err != nil {
		return fmt.Errorf("issue %s: %w", iv.Kind, err)
	}
	return audit(ctx, tx, by, unix(iv.IssuedAt), "issue", string(iv.Kind), iv.ID, iv.ClientID, clinic.InvoiceNumber(iv.Number))
}

const invoiceColumns = `i.id, i.number, i.kind, coalesce(i.credits_id, 0), coalesce(o.number, 0), coalesce(i.appointment_id, 0),
	i.client_id, coalesce(i.therapist_id, 0), i.client_name, i.therapist_name, i.provider_number, i.clinic_name,
	i.clinic_address, i.clinic_phone, i.business_number, i.gst_registered, i.currency, i.item, i.duration_min,
	coalesce(i.service_id, 0), i.served_at, i.issued_at, i.amount_cents, i.gst_cents, i.reason, coalesce(i.course_id, 0)
	FROM invoices i LEFT JOIN invoices o ON o.id = i.credits_id`

func queryInvoices(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]clinic.Invoice, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+invoiceColumns+` WHERE `+where+` ORDER BY i.number`, args...)
	if err != nil {
		return nil, fmt.Errorf("invoices: %w", err)
	}
	defer rows.Close()
	var out []clinic.Invoice
	for rows.Next() {
		var iv clinic.Invoice
		var served, issued int64
		if err := rows.Scan(&iv.ID, &iv.Number, &iv.Kind, &iv.CreditsID, &iv.CreditsNumber, &iv.AppointmentID, &iv.ClientID,
			&iv.TherapistID, &iv.ClientName, &iv.TherapistName, &iv.ProviderNumber, &iv.ClinicName, &iv.ClinicAddress,
			&iv.ClinicPhone, &iv.BusinessNumber, &iv.GSTRegistered, &iv.Currency, &iv.Item, &iv.DurationMin, &iv.ServiceID,
			&served, &issued, &iv.Amount, &iv.GST, &iv.Reason, &iv.CourseID); err != nil {
			return nil, err
		}
		iv.ServedAt, iv.IssuedAt = unixTime(served), unixTime(issued)
		out = append(out, iv)
	}
	return out, rows.Err()
}

// scopeMoney keeps a client to their own documents; the desk sees all; a therapist
// sees none (money is the desk's).
func scopeMoney(by Actor, column string) (string, []any) {
	switch {
	case deskOnly(by):
		return "1 = 1", nil
	case by.Role == clinic.RoleClient && by.ClientID != 0:
		return column + " = ?", []any{by.ClientID}
	default:
		return "0 = 1", nil
	}
}

// InvoiceByID returns an invoice or credit note the actor may see: the desk any, a client
// their own. Anything else is ErrNotFound.
func (s *Store) InvoiceByID(ctx context.Context, by Actor, id int64) (clinic.Invoice, error) {
	scope, args := scopeMoney(by, "i.client_id")
	list, err := queryInvoices(ctx, s.r, `i.id = ? AND `+scope, append([]any{id}, args...)...)
	if err != nil {
		return clinic.Invoice{}, err
	}
	if len(list) == 0 {
		return clinic.Invoice{}, fmt.Errorf("invoice %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// ClientInvoices lists a client's invoices and credit notes, in number order.
func (s *Store) ClientInvoices(ctx context.Context, by Actor, clientID int64) ([]clinic.Invoice, error) {
	scope, args := scopeMoney(by, "i.client_id")
	return queryInvoices(ctx, s.r, `i.client_id = ? AND `+scope, append([]any{clientID}, args...)...)
}

// CreditNote corrects an issued invoice by amount (at most what is not yet credited), with a
// reason printed on the note. The invoice itself never changes.
func (s *Store) CreditNote(ctx context.Context, by Actor, invoiceID int64, amount clinic.Money, reason string) (clinic.Invoice, error) {
	if !deskOnly(by) {
		return clinic.Invoice{}, ErrNotFound
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return clinic.Invoice{}, &FieldError{"reason", errors.New("Say what the credit note corrects; it is printed on it.")}
	}
	var cn clinic.Invoice
	err := s.write(ctx, func(tx *sql.Tx) error {
		iv, err := only(queryInvoices(ctx, tx, `i.id = ? AND i.kind = 'invoice'`, invoiceID))
		if err != nil {
			return err
		}
		if iv.CourseID != 0 {
			return &FieldError{"amount", clinic.ErrPackageCreditNote}
		}
		var credited clinic.Money
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(amount_cents), 0) FROM invoices WHERE credits_id = ?`, invoiceID).Scan(&credited); err != nil {
			return err
		}
		if left := iv.Amount - credited; amount <= 0 || amount > left {
			return &FieldError{"amount", fmt.Errorf("A credit note can be at most the %s of this invoice not yet credited.", left.In(iv.Currency))}
		}
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		cn = clinic.Invoice{Kind: clinic.KindCreditNote, CreditsID: iv.ID, CreditsNumber: iv.Number, AppointmentID: iv.AppointmentID,
			ClientID: iv.ClientID, TherapistID: iv.TherapistID, ClientName: iv.ClientName, TherapistName: iv.TherapistName,
			ProviderNumber: iv.ProviderNumber, Item: iv.Item, DurationMin: iv.DurationMin, ServiceID: iv.ServiceID,
			ServedAt: iv.ServedAt, Amount: amount, Reason: reason, IssuedAt: s.now()}
		return insertInvoice(ctx, tx, by, set, &cn)
	})
	return cn, err
}

// Payment is money received from a client (positive) or paid back to them (negative, with
// RefundOf naming the payment it returns).
type Payment struct {
	ID, ClientID, AppointmentID, TherapistID int64
	CourseID                                 int64 // a payment for a prepaid course, or its refund
	ClientName, TherapistName                string
	Method                                   clinic.PayMethod
	Amount                                   clinic.Money
	RefundOf                                 int64
	Refunded                                 clinic.Money // of a payment: how much of it has been paid back
	Reference, Note                          string
	TakenAt                                  time.Time
}

// Refundable is what of a payment may still be paid back.
func (p Payment) Refundable() clinic.Money {
	if p.Amount <= 0 {
		return 0
	}
	return p.Amount + p.Refunded // Refunded is negative
}

// PaymentRequest is a payment taken at the desk for an appointment.
type PaymentRequest struct {
	AppointmentID int64
	Method        clinic.PayMethod
	Amount        clinic.Money
	Reference     string // the terminal's receipt number or the transfer's reference
	// Key is the form's one-time key: a second submit of the same form records nothing more.
	Key string
	// CreditConfirmed: reception confirmed that an amount over what is owed is the client's credit.
	CreditConfirmed bool
}

const paymentColumns = `p.id, p.client_id, coalesce(p.appointment_id, 0), coalesce(p.therapist_id, 0), c.name,
	coalesce(t.name, ''), p.method, p.amount_cents, coalesce(p.refund_of, 0),
	(SELECT coalesce(sum(r.amount_cents), 0) FROM payments r WHERE r.refund_of = p.id), p.reference, p.note, p.taken_at,
	coalesce(p.course_id, 0)
	FROM payments p JOIN clients c ON c.id = p.client_id LEFT JOIN users t ON t.id = p.therapist_id`

func queryPayments(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]Payment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+paymentColumns+` WHERE `+where+` ORDER BY p.taken_at, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		var p Payment
		var at int64
		if err := rows.Scan(&p.ID, &p.ClientID, &p.AppointmentID, &p.TherapistID, &p.ClientName, &p.TherapistName, &p.Method,
			&p.Amount, &p.RefundOf, &p.Refunded, &p.Reference, &p.Note, &at, &p.CourseID); err != nil {
			return nil, err
		}
		p.TakenAt = unixTime(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ApptAccount is what an appointment costs and what has been paid for it.
type ApptAccount struct {
	Price    clinic.Money
	Invoices []clinic.Invoice // its invoice and any credit notes
	Payments []Payment        // payments and refunds
	Due      clinic.Money     // the invoice less credit notes, or the price before it is invoiced
	Paid     clinic.Money     // payments less refunds
	Currency clinic.Currency
	// Fee is the policy's fee for a no-show or a late cancellation not yet invoiced (zero: none).
	Fee     clinic.Money
	FeeKind clinic.FeeKind
	// Prepaid is set for a session of a course sold as a package: the package's invoice holds
	// it, so nothing is due for the session itself.
	Prepaid *PrepaidNote
}

// PrepaidNote is what a package says about one of its sessions.
type PrepaidNote struct {
	CourseID       int64
	Invoice        string // the package's invoice number
	Used, Sessions int
	Drawn          *DrawnSession // this session's draw, once it is completed
}

// Owed is what is left to pay; negative when the client paid more (their credit).
func (a ApptAccount) Owed() clinic.Money { return a.Due - a.Paid }

// Invoice is the appointment's invoice, if issued.
func (a ApptAccount) Invoice() (clinic.Invoice, bool) {
	for _, iv := range a.Invoices {
		if iv.Kind == clinic.KindInvoice {
			return iv, true
		}
	}
	return clinic.Invoice{}, false
}

// AppointmentAccount reads an appointment's money. The desk sees any; a client their own.
func (s *Store) AppointmentAccount(ctx context.Context, by Actor, id int64) (ApptAccount, error) {
	var acc ApptAccount
	if !deskOnly(by) && by.Role != clinic.RoleClient {
		return acc, ErrNotFound
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		acc, err = appointmentAccount(ctx, tx, by, set, id)
		return err
	})
	return acc, err
}

func appointmentAccount(ctx context.Context, tx *sql.Tx, by Actor, set clinic.Settings, id int64) (ApptAccount, error) {
	acc := ApptAccount{Currency: set.Currency}
	scope, args := scopeClient(by)
	a, err := only(queryAppts(ctx, tx, `a.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return acc, err
	}
	acc.Price = a.Price
	if acc.Invoices, err = queryInvoices(ctx, tx, `i.appointment_id = ?`, id); err != nil {
		return acc, err
	}
	if acc.Payments, err = queryPayments(ctx, tx, `p.appointment_id = ?`, id); err != nil {
		return acc, err
	}
	pk, drawn, prepaid, err := prepaidOf(ctx, tx, a)
	if err != nil {
		return acc, err
	}
	if prepaid {
		acc.Prepaid = &PrepaidNote{CourseID: pk.CourseID, Invoice: pk.Invoice.NumberText(), Used: pk.Used(),
			Sessions: pk.Sessions, Drawn: drawn}
	}
	if _, ok := acc.Invoice(); ok {
		for _, iv := range acc.Invoices {
			if iv.Kind == clinic.KindInvoice {
				acc.Due += iv.Amount
			} else {
				acc.Due -= iv.Amount
			}
		}
	} else if prepaid {
		acc.Due = 0
	} else if a.Status.TakesPlace() {
		acc.Due = a.Price
	} else if kind, fee, ok := FeeFor(set, a); ok {
		// A fee waived is on the audit log (with its reason); it is not offered again.
		var waived int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE record_type = 'appointment' AND record_id = ?
			AND action = 'waive_fee'`, id).Scan(&waived); err != nil {
			return acc, err
		}
		if waived == 0 {
			acc.Fee, acc.FeeKind = fee, kind
		}
	}
	for _, p := range acc.Payments {
		acc.Paid += p.Amount
	}
	return acc, nil
}

// RecordPayment takes a payment at the desk for an appointment. A payment over what is owed
// is refused with *clinic.ErrOverpayment until reception confirms it as credit. A request
// whose Key was already used returns the payment recorded then, and dup true.
func (s *Store) RecordPayment(ctx context.Context, by Actor, req PaymentRequest) (p Payment, dup bool, err error) {
	if !deskOnly(by) {
		return p, false, ErrNotFound
	}
	if !req.Method.Valid() {
		return p, false, &FieldError{"method", errors.New("Choose how the client paid.")}
	}
	if req.Key == "" {
		return p, false, &FieldError{"amount", errors.New("The form has expired; open it again.")}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if p, dup, err = paymentByKey(ctx, tx, req.Key); err != nil || dup {
			return err
		}
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		acc, err := appointmentAccount(ctx, tx, by, set, req.AppointmentID)
		if err != nil {
			return err
		}
		list, err := queryAppts(ctx, tx, `a.id = ?`, req.AppointmentID)
		if err != nil {
			return err
		}
		a := list[0]
		if req.Method == clinic.PayCourse {
			credit, err := creditHeld(ctx, tx, a.ClientID, acc)
			if err != nil {
				return err
			}
			if err := clinic.CheckCreditPayment(req.Amount, acc.Owed(), credit, set.Currency); err != nil {
				return &FieldError{"amount", err}
			}
		} else if err := clinic.CheckPayment(req.Amount, acc.Owed(), req.CreditConfirmed, set.Currency); err != nil {
			return &FieldError{"amount", err}
		}
		now := s.now()
		p = Payment{ClientID: a.ClientID, AppointmentID: a.ID, TherapistID: a.TherapistID, ClientName: a.ClientName,
			TherapistName: a.TherapistName, Method: req.Method, Amount: req.Amount, Reference: strings.TrimSpace(req.Reference),
			TakenAt: now}
		if err := insertPayment(ctx, tx, by, &p, req.Key); err != nil {
			return err
		}
		if err := s.queueReceipt(ctx, tx, a, p, now); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(now), "payment", "appointment", a.ID, a.ClientID,
			string(req.Method)+" "+req.Amount.Plain())
	})
	return p, dup, err
}

// Refund pays back amount of a payment, at most what of it has not been refunded; a prepaid
// course's payment by the package's rule too (clinic.CheckPackageRefund). Like a payment, a
// form's Key records it once: a second submit answers the refund made then.
func (s *Store) Refund(ctx context.Context, by Actor, paymentID int64, amount clinic.Money, key, note string) (Payment, error) {
	r, _, err := s.refund(ctx, by, "amount", amount, key, note, `p.id = ?`, paymentID)
	return r, err
}

// refund is the one write path of a refund at the desk: the payment is the one where finds,
// not itself a refund; a refusal is a FieldError on field. dup is true when key was used before.
func (s *Store) refund(ctx context.Context, by Actor, field string, amount clinic.Money, key, note, where string, args ...any) (r Payment, dup bool, err error) {
	if !deskOnly(by) {
		return r, false, ErrNotFound
	}
	if key == "" {
		return r, false, &FieldError{field, errors.New("The form has expired; open it again.")}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if r, dup, err = paymentByKey(ctx, tx, key); err != nil || dup {
			return err
		}
		p, err := only(queryPayments(ctx, tx, where+` AND p.refund_of IS NULL`, args...))
		if err != nil {
			return err
		}
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		refusal := clinic.CheckRefund(amount, p.Refundable(), set.Currency)
		if p.CourseID != 0 {
			pk, err := packageIn(ctx, tx, p.CourseID)
			if err != nil {
				return err
			}
			pm, err := packageMoney(ctx, tx, pk)
			if err != nil {
				return err
			}
			refusal = clinic.CheckPackageRefund(amount, p.Refundable(), pm, set.Currency)
		}
		if refusal != nil {
			return &FieldError{field, refusal}
		}
		r, err = refundIn(ctx, tx, by, p, amount, key, note, s.now())
		return err
	})
	return r, dup, err
}

// refundIn writes the refund of amount of payment p, naming what p names (its session or
// prepaid course), and audits it.
func refundIn(ctx context.Context, tx *sql.Tx, by Actor, p Payment, amount clinic.Money, key, note string, now time.Time) (Payment, error) {
	r := Payment{ClientID: p.ClientID, AppointmentID: p.AppointmentID, TherapistID: p.TherapistID, CourseID: p.CourseID,
		ClientName: p.ClientName, TherapistName: p.TherapistName, Method: p.Method, Amount: -amount, RefundOf: p.ID,
		Note: strings.TrimSpace(note), TakenAt: now}
	if err := insertPayment(ctx, tx, by, &r, key); err != nil {
		return r, err
	}
	return r, audit(ctx, tx, by, unix(now), "refund", "payment", p.ID, p.ClientID, amount.Plain())
}

// paymentByKey is the payment or refund a form's one-time key already recorded, if any: a form
// sent twice (a double click, a resubmitted page) records once and answers what it recorded.
func paymentByKey(ctx context.Context, tx *sql.Tx, key string) (Payment, bool, error) {
	prior, err := queryPayments(ctx, tx, `p.idem_key = ?`, key)
	if err != nil || len(prior) == 0 {
		return Payment{}, false, err
	}
	return prior[0], true, nil
}

// insertPayment writes a payment or refund as p describes it, under the form's one-time key.
func insertPayment(ctx context.Context, tx *sql.Tx, by Actor, p *Payment, key string) error {
	null := func(id int64) any {
		if id == 0 {
			return nil
		}
		return id
	}
	return tx.QueryRowContext(ctx, `INSERT INTO payments (client_id, appointment_id, therapist_id, course_id, method,
		amount_cents, refund_of, reference, note, idem_key, taken_by, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`, p.ClientID, null(p.AppointmentID), null(p.TherapistID), null(p.CourseID), p.Method, p.Amount,
		null(p.RefundOf), p.Reference, p.Note, key, null(by.UserID), unix(p.TakenAt)).Scan(&p.ID)
}

// PaymentByID returns a payment the actor may see: the desk any, a client their own.
func (s *Store) PaymentByID(ctx context.Context, by Actor, id int64) (Payment, error) {
	scope, args := scopeMoney(by, "p.client_id")
	list, err := queryPayments(ctx, s.r, `p.id = ? AND `+scope, append([]any{id}, args...)...)
	if err != nil {
		return Payment{}, err
	}
	if len(list) == 0 {
		return Payment{}, fmt.Errorf("payment %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// ClientPayments lists a client's payments and refunds, oldest first.
func (s *Store) ClientPayments(ctx context.Context, by Actor, clientID int64) ([]Payment, error) {
	scope, args := scopeMoney(by, "p.client_id")
	return queryPayments(ctx, s.r, `p.client_id = ? AND `+scope, append([]any{clientID}, args...)...)
}

// Owing is a client who owes the clinic: invoices less credit notes less payments.
type Owing struct {
	ClientID   int64
	ClientName string
	Owed       clinic.Money
}

// OwedListMax bounds the owed list: the desk chases the largest debts first, and a page of
// tens of thousands of small ones (the large demo leaves one session in twenty unpaid) helps
// nobody.
const OwedListMax = 200

// Owed lists the clients who owe money, the largest debt first (at most OwedListMax), from
// the balances the schema keeps (client_balances). The desk only.
func (s *Store) Owed(ctx context.Context, by Actor) ([]Owing, error) {
	if !deskOnly(by) {
		return nil, ErrNotFound
	}
	rows, err := s.r.QueryContext(ctx, `SELECT c.id, c.name, b.owed_cents FROM client_balances b
		JOIN clients c ON c.id = b.client_id WHERE b.owed_cents > 0 ORDER BY b.owed_cents DESC LIMIT ?`, OwedListMax)
	if err != nil {
		return nil, fmt.Errorf("owed: %w", err)
	}
	defer rows.Close()
	var out []Owing
	for rows.Next() {
		var o Owing
		if err := rows.Scan(&o.ClientID, &o.ClientName, &o.Owed); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ClientBalance is what a client owes (positive) or holds as credit (negative): invoices less
// credit notes less payments, as the schema's client_balances keeps it.
func (s *Store) ClientBalance(ctx context.Context, by Actor, clientID int64) (clinic.Money, error) {
	if !deskOnly(by) && (by.Role != clinic.RoleClient || by.ClientID != clientID) {
		return 0, ErrNotFound
	}
	var b clinic.Money
	err := s.r.QueryRowContext(ctx, `SELECT coalesce((SELECT owed_cents FROM client_balances WHERE client_id = ?), 0)`, clientID).Scan(&b)
	return b, err
}

// ReceiptMail is the payload of a receipt email: the PDF itself is made at send time from the
// payment, which never changes, so a crash between the payment and the send loses neither.
type ReceiptMail struct {
	PaymentID int64
	// AppointmentID names, instead of a payment, a session drawn from a prepaid course.
	AppointmentID int64
	ClientName    string
	Amount        string
	Item          string
	When          string
	Path          string // the receipt's page under /my, for downloading it again
}

// queuePrepaidReceipts queues, once the session is invoiced, the receipts of payments taken
// for it beforehand: a receipt names the invoice of a session given, so none went then.
func (s *Store) queuePrepaidReceipts(ctx context.Context, tx *sql.Tx, a Appointment, now time.Time) error {
	paid, err := queryPayments(ctx, tx, `p.appointment_id = ? AND p.refund_of IS NULL`, a.ID)
	if err != nil {
		return err
	}
	for _, p := range paid {
		if err := s.queueReceipt(ctx, tx, a, p, now); err != nil {
			return err
		}
	}
	return nil
}

// queueReceipt queues the receipt of a payment in the payment's transaction, unless the
// client has no email or has asked not to be emailed receipts.
func (s *Store) queueReceipt(ctx context.Context, tx *sql.Tx, a Appointment, p Payment, now time.Time) error {
	var optOut bool
	if err := tx.QueryRowContext(ctx, `SELECT receipts_opt_out FROM clients WHERE id = ?`, a.ClientID).Scan(&optOut); err != nil {
		return err
	}
	if optOut || a.ClientEmail == "" {
		return nil
	}
	// A receipt names the invoice of a session given; one paid ahead has none to send yet.
	var invoiced int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM invoices WHERE appointment_id = ? AND kind = 'invoice'`, a.ID).Scan(&invoiced); err != nil {
		return err
	}
	if invoiced == 0 {
		return nil
	}
	return s.enqueueReceipt(ctx, tx, a.ClientEmail, a.ClientName, a.ServiceName, a.Start, p, now)
}

// enqueueReceipt queues the email of a payment's receipt: the PDF is drawn when it is sent.
func (s *Store) enqueueReceipt(ctx context.Context, tx *sql.Tx, to, name, item string, when time.Time, p Payment, now time.Time) error {
	set, err := s.settingsIn(ctx, tx)
	if err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	payload := ReceiptMail{PaymentID: p.ID, ClientName: name, Amount: p.Amount.In(set.Currency),
		Item: item, When: when.In(loc).Format("Monday 2 January 2006"),
		Path: fmt.Sprintf("/my/receipts/%d", p.ID)}
	return enqueue(ctx, tx, now, Email{Kind: "receipt", To: to, RefType: "payment", RefID: p.ID,
		DedupeKey: fmt.Sprintf("receipt:%d", p.ID), Payload: payload})
}

// TakingsLine is the money taken by one method for one therapist's sessions.
type TakingsLine struct {
	Method        clinic.PayMethod
	TherapistID   int64
	TherapistName string
	Amount        clinic.Money // payments less refunds
	Count         int          // payments and refunds
}

// Takings is the money taken between from and to (a day, for reception to reconcile at
// closing): by method and therapist, refunds taken off when they are paid back. A payment by
// the client's credit is not money taken (the money came in when the credit arose).
func (s *Store) Takings(ctx context.Context, by Actor, from, to time.Time) ([]TakingsLine, error) {
	if !deskOnly(by) {
		return nil, ErrNotFound
	}
	rows, err := s.r.QueryContext(ctx, `SELECT p.method, coalesce(p.therapist_id, 0), coalesce(t.name, ''),
		sum(p.amount_cents), count(*) FROM payments p LEFT JOIN users t ON t.id = p.therapist_id
		WHERE p.taken_at >= ? AND p.taken_at < ? AND p.method <> 'course_credit'
		GROUP BY p.method, p.therapist_id ORDER BY p.method, t.name`,
		unix(from), unix(to))
	if err != nil {
		return nil, fmt.Errorf("takings: %w", err)
	}
	defer rows.Close()
	var out []TakingsLine
	for rows.Next() {
		var l TakingsLine
		if err := rows.Scan(&l.Method, &l.TherapistID, &l.TherapistName, &l.Amount, &l.Count); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// RevenueLine is what one therapist's sessions of one service earned: invoices less credit
// notes, by the date of service.
type RevenueLine struct {
	TherapistID   int64
	TherapistName string
	ServiceID     int64
	ServiceName   string
	Sessions      int // sessions invoiced (credit notes do not undo a session; fees are not sessions)
	Amount        clinic.Money
	GST           clinic.Money
}

// Revenue is the revenue of the sessions served in the months first to last (yyyymm, in the
// clinic's zone), by therapist and service, for the owner. It reads revenue_months, which the
// schema keeps with every invoice and credit note.
func (s *Store) Revenue(ctx context.Context, by Actor, first, last clinic.Month) ([]RevenueLine, error) {
	if by.Role != clinic.RoleOwner && by.Role != System.Role {
		return nil, ErrNotFound
	}
	rows, err := s.r.QueryContext(ctx, `SELECT r.therapist_id, coalesce(t.name, ''), r.service_id, coalesce(sv.name, ''),
		r.sessions, r.amount, r.gst FROM (
			SELECT therapist_id, service_id, sum(sessions) AS sessions, sum(amount_cents) AS amount, sum(gst_cents) AS gst
			FROM revenue_months WHERE month BETWEEN ? AND ? GROUP BY therapist_id, service_id) r
		LEFT JOIN users t ON t.id = r.therapist_id LEFT JOIN services sv ON sv.id = r.service_id
		ORDER BY t.name, sv.name`, int(first), int(last))
	if err != nil {
		return nil, fmt.Errorf("revenue: %w", err)
	}
	defer rows.Close()
	var out []RevenueLine
	for rows.Next() {
		var l RevenueLine
		if err := rows.Scan(&l.TherapistID, &l.TherapistName, &l.ServiceID, &l.ServiceName, &l.Sessions, &l.Amount, &l.GST); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// providerNumbers is a therapist's provider numbers (one a line in their profile) as one line
// of an invoice.
func providerNumbers(lines string) string {
	var out []string
	for _, l := range strings.Split(lines, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
}

// SetReceiptsOptOut records whether a client is emailed their receipts. A client sets their
// own; the desk any client's.
func (s *Store) SetReceiptsOptOut(ctx context.Context, by Actor, clientID int64, optOut bool) error {
	if !deskOnly(by) && (by.Role != clinic.RoleClient || by.ClientID != clientID) {
		return ErrNotFound
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET receipts_opt_out = ?, updated_at = ? WHERE id = ?`, optOut, unix(s.now()), clientID); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "update", "receipts_opt_out", clientID, clientID, boolSetting(optOut))
	})
}

// ErrNotInvoiced: a receipt is for a session given, and names its invoice; a payment taken
// before the session is completed has none yet.
var ErrNotInvoiced = errors.New("The session is not completed yet, so there is no receipt for it.")

// Receipt reads what the receipt of a payment prints: the desk any, a client their own.
// Every receipt after the first email is a duplicate copy, as funds ask.
func (s *Store) Receipt(ctx context.Context, by Actor, paymentID int64, duplicate bool) (clinic.Receipt, error) {
	var r clinic.Receipt
	scope, args := scopeMoney(by, "p.client_id")
	err := s.read(ctx, func(tx *sql.Tx) error {
		p, err := only(queryPayments(ctx, tx, `p.id = ? AND p.refund_of IS NULL AND `+scope, append([]any{paymentID}, args...)...))
		if err != nil {
			return err
		}
		// A session's payment names its invoice; a prepaid course's, the package's.
		of, id := "appointment_id", p.AppointmentID
		if p.CourseID != 0 {
			of, id = "course_id", p.CourseID
		}
		ivs, err := queryInvoices(ctx, tx, `i.`+of+` = ? AND i.kind = 'invoice'`, id)
		if err != nil {
			return err
		}
		if len(ivs) == 0 {
			return ErrNotInvoiced
		}
		var upTo clinic.Money
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE `+of+` = ? AND id <= ?`,
			id, p.ID).Scan(&upTo); err != nil {
			return err
		}
		r = clinic.Receipt{Invoice: ivs[0], PaymentID: p.ID, Method: p.Method, Paid: p.Amount, PaidAt: p.TakenAt,
			PaidToDate: upTo, Duplicate: duplicate, IssuedAt: s.now()}
		return nil
	})
	return r, err
}

// ReceiptLine is one receipt a client can download: a payment of an invoiced session or of a
// prepaid course.
type ReceiptLine struct {
	PaymentID int64
	Item      string
	ServedAt  time.Time
	Amount    clinic.Money
	Invoice   string
}

// ClientReceipts lists a client's receipts, newest session first. A client lists only their own.
func (s *Store) ClientReceipts(ctx context.Context, by Actor, clientID int64) ([]ReceiptLine, error) {
	if !deskOnly(by) && (by.Role != clinic.RoleClient || by.ClientID != clientID) {
		return nil, ErrNotFound
	}
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, i.item, i.served_at, p.amount_cents, i.number
		FROM payments p JOIN invoices i ON i.appointment_id = p.appointment_id AND i.kind = 'invoice'
		WHERE p.client_id = ? AND p.refund_of IS NULL
		UNION ALL SELECT p.id, i.item, i.served_at, p.amount_cents, i.number
		FROM payments p JOIN invoices i ON i.course_id = p.course_id AND i.kind = 'invoice'
		WHERE p.client_id = ? AND p.refund_of IS NULL
		ORDER BY 3 DESC, 1 DESC`, clientID, clientID)
	if err != nil {
		return nil, fmt.Errorf("receipts: %w", err)
	}
	defer rows.Close()
	var out []ReceiptLine
	for rows.Next() {
		var l ReceiptLine
		var at, n int64
		if err := rows.Scan(&l.PaymentID, &l.Item, &at, &l.Amount, &n); err != nil {
			return nil, err
		}
		l.ServedAt, l.Invoice = unixTime(at), clinic.InvoiceNumber(n)
		out = append(out, l)
	}
	return out, rows.Err()
}

// FeeFor is the fee the clinic's policy sets for an appointment as it stands, and why: a
// no-show or a late cancellation not yet invoiced. ok is false when none applies.
func FeeFor(set clinic.Settings, a Appointment) (kind clinic.FeeKind, amount clinic.Money, ok bool) {
	switch {
	case a.Status == clinic.ApptNoShow:
		kind, amount = clinic.FeeNoShow, set.NoShowFee.Of(a.Price)
	case a.Status == clinic.ApptCancelled && a.LateCancel:
		kind, amount = clinic.FeeLateCancel, set.LateCancelFee.Of(a.Price)
	default:
		return "", 0, false
	}
	return kind, amount, amount > 0
}

// ChargeFee invoices the policy's fee for a no-show or a late cancellation, or, with waive,
// records on the audit log that reception waived it and why. Either is done once: a fee
// invoiced stands (a credit note corrects it).
func (s *Store) ChargeFee(ctx context.Context, by Actor, id int64, waive bool, reason string) (clinic.Invoice, error) {
	if !deskOnly(by) {
		return clinic.Invoice{}, ErrNotFound
	}
	reason = strings.TrimSpace(reason)
	if waive && reason == "" {
		return clinic.Invoice{}, &FieldError{"fee_reason", errors.New("Say why the fee is waived; it goes on the record.")}
	}
	var iv clinic.Invoice
	err := s.write(ctx, func(tx *sql.Tx) error {
		a, err := only(queryAppts(ctx, tx, `a.id = ?`, id))
		if err != nil {
			return err
		}
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		kind, amount, ok := FeeFor(set, a)
		if !ok {
			return &FieldError{"fee", errors.New("The clinic's policy sets no fee for this appointment.")}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM invoices WHERE appointment_id = ? AND kind = 'invoice'`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &FieldError{"fee", errors.New("The fee is invoiced already.")}
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE record_type = 'appointment' AND record_id = ?
			AND action = 'waive_fee'`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &FieldError{"fee", errors.New("The fee was waived.")}
		}
		now := s.now()
		if waive {
			return audit(ctx, tx, by, unix(now), "waive_fee", "appointment", id, a.ClientID, string(kind)+" "+amount.Plain()+": "+reason)
		}
		iv = clinic.Invoice{Kind: clinic.KindInvoice, AppointmentID: a.ID, ClientID: a.ClientID, TherapistID: a.TherapistID,
			ClientName: a.ClientName, TherapistName: a.TherapistName, ServiceID: a.ServiceID, ServedAt: a.Start,
			Amount: amount, IssuedAt: now, Item: kind.Item() + ": " + a.ServiceName, Reason: reason}
		return insertInvoice(ctx, tx, by, set, &iv)
	})
	return iv, err
}

// ReceiptsOptedOut reports whether a client asked not to be emailed receipts.
func (s *Store) ReceiptsOptedOut(ctx context.Context, by Actor, clientID int64) (bool, error) {
	if !deskOnly(by) && (by.Role != clinic.RoleClient || by.ClientID != clientID) {
		return false, ErrNotFound
	}
	var out bool
	err := s.r.QueryRowContext(ctx, `SELECT receipts_opt_out FROM clients WHERE id = ?`, clientID).Scan(&out)
	return out, translate(err)
}

// only is the one row a query by id found: ErrNotFound when there is none.
func only[T any](list []T, err error) (T, error) {
	var none T
	if err != nil {
		return none, err
	}
	if len(list) == 0 {
		return none, ErrNotFound
	}
	return list[0], nil
}
