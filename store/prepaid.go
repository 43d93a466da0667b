package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"allium/clinic"
)

// A course sold as a prepaid package (docs/money.md, "Prepaid courses"): one invoice for the
// sessions not yet given, each completion after draws one down instead of being invoiced, and
// cancelling the rest credits the value not drawn, kept as credit or refunded.

// PackageQuote is what selling a course as a package would charge now: its sessions not yet
// given and not invoiced, at their own prices, less the owner's discount for the service.
type PackageQuote struct {
	Sessions        int
	List, Discount  clinic.Money
	Price           clinic.Money
	DiscountPercent int
	// Refusal says why the course cannot be sold (nothing left, or free); nil when it can.
	Refusal error
}

// DrawnSession is a session of a package drawn down by its completion.
type DrawnSession struct {
	AppointmentID int64
	Seq           int
	Item          string
	ServedAt      time.Time
	Amount        clinic.Money // its share of the package's price
	Receipt       bool         // the package's payments cover it, so its receipt can be had
}

// Package is a course sold as a prepaid package, with what has been drawn, paid and credited.
type Package struct {
	CourseID, ClientID int64
	Invoice            clinic.Invoice
	Sessions           int
	List, Amount       clinic.Money
	DiscountPercent    int
	SoldAt             time.Time
	Drawn              []DrawnSession
	DrawnValue         clinic.Money
	Payments           []Payment // payments for the package and their refunds
	Paid               clinic.Money
	Credited           clinic.Money // the credit note that ended it
	Ended              bool
	EndChoice          clinic.PackageEnd
	EndReason          string
	EndedAt            time.Time
}

// Used is how many of the package's sessions are drawn.
func (p Package) Used() int { return len(p.Drawn) }

// Unused is how many of the package's sessions are not drawn.
func (p Package) Unused() int { return p.Sessions - len(p.Drawn) }

// Left is the value of the sessions not yet drawn; nothing once the rest is cancelled.
func (p Package) Left() clinic.Money {
	if p.Ended {
		return 0
	}
	return p.Amount - p.DrawnValue
}

// Owed is what of the package is still to pay; negative when paid over (the client's credit).
func (p Package) Owed() clinic.Money { return p.Amount - p.Credited - p.Paid }

// CourseMoney is a course's standing as a package: sold (Package) or what selling would be.
type CourseMoney struct {
	CourseID int64
	Package  *Package
	Quote    PackageQuote
	Currency clinic.Currency
	// Refunds is, for the desk, what of each of the package's payments may be refunded now.
	Refunds map[int64]RefundLimit
}

// RefundLimit is what of a payment may be refunded now, and, past it, why not.
type RefundLimit struct {
	Amount  clinic.Money
	Refusal string
}

// scopeCourse keeps a client to their own courses; the desk sees all; a therapist none.
func scopeCourse(by Actor) (string, []any) { return scopeMoney(by, "c.client_id") }

// CoursePackage reads a course's package, or the quote for selling it: the desk any course, a
// client their own. Anything else is ErrNotFound.
func (s *Store) CoursePackage(ctx context.Context, by Actor, courseID int64) (CourseMoney, error) {
	cm := CourseMoney{CourseID: courseID}
	err := s.read(ctx, func(tx *sql.Tx) error {
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		cm.Currency = set.Currency
		scope, args := scopeCourse(by)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM courses c WHERE c.id = ? AND `+scope,
			append([]any{courseID}, args...)...).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("course %d: %w", courseID, ErrNotFound)
		}
		pk, err := packageIn(ctx, tx, courseID)
		if errors.Is(err, ErrNotFound) {
			cm.Quote, _, err = quoteIn(ctx, tx, courseID)
			return err
		}
		if err != nil {
			return err
		}
		cm.Package = &pk
		if deskOnly(by) {
			cm.Refunds, err = refundLimits(ctx, tx, pk, set.Currency)
		}
		return err
	})
	return cm, err
}

// quoteIn prices a course's package now, and lists the appointments it would hold.
func quoteIn(ctx context.Context, tx *sql.Tx, courseID int64) (PackageQuote, []Appointment, error) {
	var q PackageQuote
	list, err := queryAppts(ctx, tx, `a.course_id = ? AND a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`)
		AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.appointment_id = a.id AND i.kind = 'invoice') ORDER BY a.starts_at`, courseID)
	if err != nil {
		return q, nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT sv.package_discount_percent FROM courses c JOIN services sv ON sv.id = c.service_id
		WHERE c.id = ?`, courseID).Scan(&q.DiscountPercent); err != nil {
		return q, nil, translate(err)
	}
	q.Sessions = len(list)
	for _, a := range list {
		q.List += a.Price
	}
	q.Price, q.Discount = clinic.PackagePrice(q.List, q.DiscountPercent)
	switch {
	case q.Sessions == 0:
		q.Refusal = clinic.ErrPackageNothing
	case q.Price <= 0:
		q.Refusal = clinic.ErrPackageFree
	}
	return q, list, nil
}

// packageIn reads a sold package with its draws, payments and ending; ErrNotFound if the
// course was not sold as one.
func packageIn(ctx context.Context, tx *sql.Tx, courseID int64) (Package, error) {
	pk := Package{CourseID: courseID}
	var invoiceID, soldAt int64
	var endedAt sql.NullInt64
	var choice sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT invoice_id, sessions, list_cents, discount_percent, amount_cents, sold_at,
		ended_at, end_choice, end_reason FROM course_packages WHERE course_id = ?`, courseID).Scan(&invoiceID, &pk.Sessions,
		&pk.List, &pk.DiscountPercent, &pk.Amount, &soldAt, &endedAt, &choice, &pk.EndReason)
	if err != nil {
		return pk, translate(err)
	}
	pk.SoldAt, pk.Ended, pk.EndChoice = unixTime(soldAt), endedAt.Valid, clinic.PackageEnd(choice.String)
	if endedAt.Valid {
		pk.EndedAt = unixTime(endedAt.Int64)
	}
	if pk.Invoice, err = only(queryInvoices(ctx, tx, `i.id = ?`, invoiceID)); err != nil {
		return pk, err
	}
	pk.ClientID = pk.Invoice.ClientID
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(amount_cents), 0) FROM invoices WHERE credits_id = ?`,
		invoiceID).Scan(&pk.Credited); err != nil {
		return pk, err
	}
	if pk.Payments, err = queryPayments(ctx, tx, `p.course_id = ?`, courseID); err != nil {
		return pk, err
	}
	for _, p := range pk.Payments {
		pk.Paid += p.Amount
	}
	rows, err := tx.QueryContext(ctx, `SELECT appointment_id, seq, item, served_at, amount_cents FROM prepaid_sessions
		WHERE course_id = ? ORDER BY seq`, courseID)
	if err != nil {
		return pk, err
	}
	defer rows.Close()
	for rows.Next() {
		var d DrawnSession
		var at int64
		if err := rows.Scan(&d.AppointmentID, &d.Seq, &d.Item, &at, &d.Amount); err != nil {
			return pk, err
		}
		d.ServedAt = unixTime(at)
		pk.DrawnValue += d.Amount
		d.Receipt = pk.Paid >= pk.DrawnValue
		pk.Drawn = append(pk.Drawn, d)
	}
	return pk, rows.Err()
}

// SellPackage sells a booked course as a prepaid package: one invoice, numbered from the one
// sequence, for its sessions not yet given and not invoiced (a session completed before is
// invoiced on its own), at their prices less the owner's discount for the service. A second
// submit of the same form (key) answers the package sold then, with dup true; selling a
// course sold already is refused.
func (s *Store) SellPackage(ctx context.Context, by Actor, courseID int64, key string) (pk Package, dup bool, err error) {
	if !deskOnly(by) {
		return pk, false, ErrNotFound
	}
	if key == "" {
		return pk, false, &FieldError{"package", errors.New("The form has expired; open it again.")}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var soldKey string
		err := tx.QueryRowContext(ctx, `SELECT sold_key FROM course_packages WHERE course_id = ?`, courseID).Scan(&soldKey)
		switch {
		case err == nil && soldKey == key:
			dup = true
			pk, err = packageIn(ctx, tx, courseID)
			return err
		case err == nil:
			return &FieldError{"package", clinic.ErrPackageSold}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		q, list, err := quoteIn(ctx, tx, courseID)
		if err != nil {
			return err
		}
		if q.Refusal != nil {
			return &FieldError{"package", q.Refusal}
		}
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		first, now := list[0], s.now()
		iv := clinic.Invoice{Kind: clinic.KindInvoice, CourseID: courseID, ClientID: first.ClientID, TherapistID: first.TherapistID,
			ClientName: first.ClientName, TherapistName: first.TherapistName, ServiceID: first.ServiceID, ServedAt: first.Start,
			DurationMin: int(first.End.Sub(first.Start) / time.Minute), Amount: q.Price, IssuedAt: now}
		iv.Item = clinic.PackageItem(q.Sessions, first.ServiceName, iv.DurationMin)
		if q.Discount > 0 {
			iv.Reason = fmt.Sprintf("%d%% off %s", q.DiscountPercent, q.List.In(set.Currency))
		}
		if iv.ProviderNumber, err = providerNumbersOf(ctx, tx, first.TherapistID); err != nil {
			return err
		}
		if err := insertInvoice(ctx, tx, by, set, &iv); err != nil {
			return err
		}
		var soldBy any
		if by.UserID != 0 {
			soldBy = by.UserID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO course_packages (course_id, invoice_id, sessions, list_cents,
			discount_percent, amount_cents, sold_by, sold_at, sold_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			courseID, iv.ID, q.Sessions, q.List, q.DiscountPercent, q.Price, soldBy, unix(now), key); err != nil {
			return err
		}
		if err := audit(ctx, tx, by, unix(now), "sell_package", "course", courseID, iv.ClientID,
			fmt.Sprintf("%s: %d sessions, %s", iv.NumberText(), q.Sessions, q.Price.Plain())); err != nil {
			return err
		}
		pk, err = packageIn(ctx, tx, courseID)
		return err
	})
	return pk, dup, err
}

// providerNumbersOf is a therapist's provider numbers as one line of a document.
func providerNumbersOf(ctx context.Context, tx *sql.Tx, therapistID int64) (string, error) {
	var numbers string
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT provider_numbers FROM therapist_profiles WHERE therapist_id = ?), '')`,
		therapistID).Scan(&numbers); err != nil {
		return "", fmt.Errorf("provider numbers: %w", err)
	}
	return providerNumbers(numbers), nil
}

// PayPackage takes a payment for a prepaid course's invoice, by the same rules as a session's
// (more than is owed only once confirmed as credit; a form's Key records it once).
func (s *Store) PayPackage(ctx context.Context, by Actor, courseID int64, req PaymentRequest) (p Payment, dup bool, err error) {
	if !deskOnly(by) {
		return p, false, ErrNotFound
	}
	if !slices.Contains(clinic.PackagePayMethods, req.Method) {
		return p, false, &FieldError{"package_method", errors.New("Choose how the client paid.")}
	}
	if req.Key == "" {
		return p, false, &FieldError{"package_amount", errors.New("The form has expired; open it again.")}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if p, dup, err = paymentByKey(ctx, tx, req.Key); err != nil || dup {
			return err
		}
		pk, err := packageIn(ctx, tx, courseID)
		if errors.Is(err, ErrNotFound) {
			return &FieldError{"package", clinic.ErrPackageNone}
		}
		if err != nil {
			return err
		}
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		if err := clinic.CheckPayment(req.Amount, pk.Owed(), req.CreditConfirmed, set.Currency); err != nil {
			return &FieldError{"package_amount", err}
		}
		now := s.now()
		iv := pk.Invoice
		p = Payment{ClientID: iv.ClientID, TherapistID: iv.TherapistID, CourseID: courseID, ClientName: iv.ClientName,
			TherapistName: iv.TherapistName, Method: req.Method, Amount: req.Amount, Reference: strings.TrimSpace(req.Reference),
			TakenAt: now}
		if err := insertPayment(ctx, tx, by, &p, req.Key); err != nil {
			return err
		}
		// Its receipt is emailed in the payment's transaction, as a session's is, with those of
		// the sessions drawn before that it now pays for.
		email, err := receiptsTo(ctx, tx, iv.ClientID)
		if err != nil {
			return err
		}
		if email != "" {
			if err := s.enqueueReceipt(ctx, tx, email, iv.ClientName, iv.Item, iv.ServedAt, p, now); err != nil {
				return err
			}
		}
		if err := s.queueDrawnReceipts(ctx, tx, courseID, now); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(now), "payment", "course", courseID, iv.ClientID, string(req.Method)+" "+req.Amount.Plain())
	})
	return p, dup, err
}

// PackageEnding is what cancelling the rest of a package did.
type PackageEnding struct {
	CreditNote clinic.Invoice // the value of the sessions not drawn, credited (none when nothing was left)
	Refunded   clinic.Money   // paid back; the rest of what was paid over stays as credit
	Cancelled  int            // the course's booked sessions cancelled
	Again      bool           // the same form sent again: the ending was done by the first
}

// EndPackage cancels the rest of a prepaid course, as the clinic's policy has it: the value of
// the sessions not drawn becomes a credit note against the package's invoice, and reception
// chooses to keep what was paid over as the client's credit or to refund it (at most what was
// paid). The course's booked sessions are cancelled by the one cancellation path. The choice
// and the reason are audited. A second submit of the same form (key) does nothing more.
func (s *Store) EndPackage(ctx context.Context, by Actor, courseID int64, choice clinic.PackageEnd, reason, key string) (PackageEnding, error) {
	var out PackageEnding
	if !deskOnly(by) {
		return out, ErrNotFound
	}
	reason = strings.TrimSpace(reason)
	switch {
	case !choice.Valid():
		return out, &FieldError{"end_choice", clinic.ErrPackageNoEnd}
	case reason == "":
		return out, &FieldError{"end_reason", clinic.ErrPackageNoReason}
	case key == "":
		return out, &FieldError{"end_reason", errors.New("The form has expired; open it again.")}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		pk, err := packageIn(ctx, tx, courseID)
		if errors.Is(err, ErrNotFound) {
			return &FieldError{"package", clinic.ErrPackageNone}
		}
		if err != nil {
			return err
		}
		if pk.Ended {
			var endKey sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT end_key FROM course_packages WHERE course_id = ?`, courseID).Scan(&endKey); err != nil {
				return err
			}
			if endKey.String == key {
				out.Again = true
				return nil
			}
			return &FieldError{"package", clinic.ErrPackageEnded}
		}
		if pk.Used() >= pk.Sessions {
			return &FieldError{"package", clinic.ErrPackageUsedUp}
		}
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		left := pk.Left()
		var creditNote any
		if left > 0 {
			iv := pk.Invoice
			out.CreditNote = clinic.Invoice{Kind: clinic.KindCreditNote, CreditsID: iv.ID, CreditsNumber: iv.Number,
				CourseID: courseID, ClientID: iv.ClientID, TherapistID: iv.TherapistID, ClientName: iv.ClientName,
				TherapistName: iv.TherapistName, ProviderNumber: iv.ProviderNumber, ServiceID: iv.ServiceID, ServedAt: iv.ServedAt,
				DurationMin: iv.DurationMin, Amount: left, IssuedAt: now,
				Item: fmt.Sprintf("%s: %d of %d sessions not taken", iv.Item, pk.Sessions-pk.Used(), pk.Sessions), Reason: reason}
			if err := insertInvoice(ctx, tx, by, set, &out.CreditNote); err != nil {
				return err
			}
			creditNote = out.CreditNote.ID
			pk.Credited += left
		}
		if choice == clinic.PackageRefund {
			// What was paid over what the package now costs, newest payment first.
			over := min(-pk.Owed(), left)
			for i := len(pk.Payments) - 1; i >= 0 && over > 0; i-- {
				p := pk.Payments[i]
				amount := min(p.Refundable(), over)
				if amount <= 0 {
					continue
				}
				if _, err := refundIn(ctx, tx, by, p, amount, fmt.Sprintf("%s-refund-%d", key, p.ID), reason, now); err != nil {
					return err
				}
				over -= amount
				out.Refunded += amount
			}
		}
		if out.Cancelled, err = s.cancelRest(ctx, tx, by, set, courseID, reason, now); err != nil {
			return err
		}
		var endedBy any
		if by.UserID != 0 {
			endedBy = by.UserID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE course_packages SET ended_at = ?, ended_by = ?, end_choice = ?, end_reason = ?,
			credit_note_id = ?, end_key = ? WHERE course_id = ?`, unix(now), endedBy, choice, reason, creditNote, key, courseID); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(now), "end_package", "course", courseID, pk.ClientID,
			fmt.Sprintf("%s: %s credited, %s refunded, %d sessions cancelled: %s", choice, left.Plain(), out.Refunded.Plain(),
				out.Cancelled, reason))
	})
	return out, err
}

// cancelRest cancels a course's booked sessions by the one cancellation path. The clinic ends
// the course, so none is a late cancellation the client could be charged a fee for.
func (s *Store) cancelRest(ctx context.Context, tx *sql.Tx, by Actor, set clinic.Settings, courseID int64, reason string, now time.Time) (int, error) {
	rest, err := queryAppts(ctx, tx, `a.course_id = ? AND a.status = `+sqlBooked+` ORDER BY a.starts_at`, courseID)
	if err != nil {
		return 0, err
	}
	for _, a := range rest {
		if _, err := s.cancelIn(ctx, tx, by, set, a.ID, reason, now); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET late_cancel = 0 WHERE id = ?`, a.ID); err != nil {
			return 0, err
		}
	}
	return len(rest), nil
}

// drawPrepaid draws a completed session down from its course's package, inside the
// completion's transaction: the session is then not invoiced (the package's invoice holds
// it), and its document for the health fund is this draw. drawn is false when the session is
// not part of a live package with sessions left, so it is invoiced as usual. A session drawn
// before (a completion undone and recorded again) draws nothing more.
func (s *Store) drawPrepaid(ctx context.Context, tx *sql.Tx, by Actor, set clinic.Settings, a Appointment, now time.Time) (drawn bool, err error) {
	if a.CourseID == 0 {
		return false, nil
	}
	var before int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM prepaid_sessions WHERE appointment_id = ?`, a.ID).Scan(&before); err != nil {
		return false, err
	}
	if before > 0 {
		return true, nil
	}
	pk, err := packageIn(ctx, tx, a.CourseID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil || pk.Ended || pk.Used() >= pk.Sessions {
		return false, err
	}
	loc, err := set.Location()
	if err != nil {
		return false, err
	}
	seq := pk.Used() + 1
	dur := int(a.End.Sub(a.Start) / time.Minute)
	numbers, err := providerNumbersOf(ctx, tx, a.TherapistID)
	if err != nil {
		return false, err
	}
	share := clinic.PackageShare(pk.Amount, pk.Sessions, seq)
	gst := clinic.PackageShare(pk.Invoice.GST, pk.Sessions, seq)
	var drawnBy any
	if by.UserID != 0 {
		drawnBy = by.UserID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO prepaid_sessions (appointment_id, course_id, seq, therapist_id, therapist_name,
		provider_number, service_id, item, duration_min, served_at, served_month, amount_cents, gst_cents, drawn_by, drawn_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.CourseID, seq, a.TherapistID, a.TherapistName, numbers,
		a.ServiceID, fmt.Sprintf("%s, %d min", a.ServiceName, dur), dur, unix(a.Start), clinic.MonthOf(a.Start, loc), share, gst,
		drawnBy, unix(now)); err != nil {
		return false, fmt.Errorf("draw prepaid session: %w", err)
	}
	if err := s.queueDrawnReceipts(ctx, tx, a.CourseID, now); err != nil {
		return false, err
	}
	return true, audit(ctx, tx, by, unix(now), "draw_package", "appointment", a.ID, a.ClientID,
		fmt.Sprintf("session %d of %d, %s", seq, pk.Sessions, share.Plain()))
}

// receiptsTo is where a client's receipts are emailed: "" when they have no email or asked
// not to be sent them.
func receiptsTo(ctx context.Context, tx *sql.Tx, clientID int64) (string, error) {
	var email string
	var optOut bool
	if err := tx.QueryRowContext(ctx, `SELECT email, receipts_opt_out FROM clients WHERE id = ?`, clientID).Scan(&email, &optOut); err != nil {
		return "", err
	}
	if optOut {
		return "", nil
	}
	return email, nil
}

// queueDrawnReceipts queues the receipt email of each session drawn from the package whose
// receipt can be had (the package's payments cover it): at the draw when the course was paid
// ahead, or with the payment that covers it. Each is queued once (its dedupe key).
func (s *Store) queueDrawnReceipts(ctx context.Context, tx *sql.Tx, courseID int64, now time.Time) error {
	pk, err := packageIn(ctx, tx, courseID)
	if err != nil {
		return err
	}
	email, err := receiptsTo(ctx, tx, pk.ClientID)
	if err != nil || email == "" {
		return err
	}
	set, err := s.settingsIn(ctx, tx)
	if err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	var mails []Email
	for _, d := range pk.Drawn {
		if !d.Receipt {
			continue
		}
		payload := ReceiptMail{AppointmentID: d.AppointmentID, ClientName: pk.Invoice.ClientName, Amount: d.Amount.In(set.Currency),
			Item: d.Item, When: d.ServedAt.In(loc).Format("Monday 2 January 2006"), Path: fmt.Sprintf("/my/prepaid/%d", d.AppointmentID)}
		mails = append(mails, Email{Kind: "receipt", To: email, RefType: "appointment", RefID: d.AppointmentID,
			DedupeKey: fmt.Sprintf("prepaid-receipt:%d", d.AppointmentID), Payload: payload})
	}
	return enqueueAll(ctx, tx, now, mails)
}

// prepaidOf is what a package says about one of its course's sessions: drawn (with its
// share), or still to draw while the package lives. ok is false for a session no package
// holds.
func prepaidOf(ctx context.Context, tx *sql.Tx, a Appointment) (pk Package, drawn *DrawnSession, ok bool, err error) {
	if a.CourseID == 0 {
		return pk, nil, false, nil
	}
	pk, err = packageIn(ctx, tx, a.CourseID)
	if errors.Is(err, ErrNotFound) {
		return pk, nil, false, nil
	}
	if err != nil {
		return pk, nil, false, err
	}
	for i := range pk.Drawn {
		if pk.Drawn[i].AppointmentID == a.ID {
			return pk, &pk.Drawn[i], true, nil
		}
	}
	return pk, nil, !pk.Ended && pk.Used() < pk.Sessions && a.Status.TakesPlace(), nil
}

// creditHeld is the credit a client can spend on this appointment: their credit (clientCredit)
// once this session's own unpaid invoice is set aside.
func creditHeld(ctx context.Context, tx *sql.Tx, clientID int64, acc ApptAccount) (clinic.Money, error) {
	credit, err := clientCredit(ctx, tx, clientID)
	if err != nil {
		return 0, err
	}
	if _, invoiced := acc.Invoice(); invoiced {
		credit += acc.Owed()
	}
	return max(credit, 0), nil
}

// clientCredit is the credit a client holds, to spend on a session or to be paid back: their
// balance below zero, less credit already promised to sessions not yet invoiced (a credit
// payment moves no balance until their invoice comes). Negative when they owe.
func clientCredit(ctx context.Context, tx *sql.Tx, clientID int64) (clinic.Money, error) {
	var balance, promised clinic.Money
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT owed_cents FROM client_balances WHERE client_id = ?), 0),
		(SELECT coalesce(sum(p.amount_cents), 0) FROM payments p WHERE p.client_id = ? AND p.method = 'course_credit'
			AND p.appointment_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.appointment_id = p.appointment_id AND i.kind = 'invoice'))`,
		clientID, clientID).Scan(&balance, &promised); err != nil {
		return 0, err
	}
	return -balance - promised, nil
}

// packageMoney gathers what the rule for refunding one of a package's payments reads
// (clinic.PackageRefundable), inside the caller's transaction.
func packageMoney(ctx context.Context, tx *sql.Tx, pk Package) (clinic.PackageMoney, error) {
	credit, err := clientCredit(ctx, tx, pk.ClientID)
	return clinic.PackageMoney{Cost: pk.Amount - pk.Credited, Paid: pk.Paid, Drawn: pk.DrawnValue, Credit: credit}, err
}

// refundLimits is what of each of a package's payments may be refunded now, for the desk's
// refund forms.
func refundLimits(ctx context.Context, tx *sql.Tx, pk Package, cur clinic.Currency) (map[int64]RefundLimit, error) {
	pm, err := packageMoney(ctx, tx, pk)
	if err != nil {
		return nil, err
	}
	out := map[int64]RefundLimit{}
	for _, p := range pk.Payments {
		if p.RefundOf == 0 {
			limit, refusal := clinic.PackageRefundable(p.Refundable(), pm, cur)
			out[p.ID] = RefundLimit{Amount: limit, Refusal: refusal.Error()}
		}
	}
	return out, nil
}

// RefundPackage pays back part or all of one of a prepaid course's payments, by the package's
// rule (clinic.CheckPackageRefund): the sessions given stay paid for, and what was paid over
// goes back only while the client holds it as credit. A payment of another course is
// ErrNotFound. A form's key records it once: a second submit answers the refund made then,
// with dup true.
func (s *Store) RefundPackage(ctx context.Context, by Actor, courseID, paymentID int64, amount clinic.Money, key, note string) (Payment, bool, error) {
	return s.refund(ctx, by, "package_refund_amount", amount, key, note, `p.id = ? AND p.course_id = ?`, paymentID, courseID)
}

// PrepaidReceipt reads the document of a session drawn from a prepaid course, for the
// client's health fund (who pay per date of service): the package's invoice with this
// session's date, therapist, provider number, item and share of the price, marked as paid by
// the prepaid course. It exists once the package's payments cover the sessions drawn up to
// this one. The desk any, a client their own.
func (s *Store) PrepaidReceipt(ctx context.Context, by Actor, appointmentID int64, duplicate bool) (clinic.Receipt, error) {
	var r clinic.Receipt
	scope, args := scopeMoney(by, "a.client_id")
	err := s.read(ctx, func(tx *sql.Tx) error {
		var courseID, servedAt, drawnAt int64
		var seq int
		iv := clinic.Invoice{}
		err := tx.QueryRowContext(ctx, `SELECT d.course_id, d.seq, d.therapist_id, d.therapist_name, d.provider_number,
			d.service_id, d.item, d.duration_min, d.served_at, d.amount_cents, d.gst_cents, d.drawn_at
			FROM prepaid_sessions d JOIN appointments a ON a.id = d.appointment_id WHERE d.appointment_id = ? AND `+scope,
			append([]any{appointmentID}, args...)...).Scan(&courseID, &seq, &iv.TherapistID, &iv.TherapistName, &iv.ProviderNumber,
			&iv.ServiceID, &iv.Item, &iv.DurationMin, &servedAt, &iv.Amount, &iv.GST, &drawnAt)
		if err != nil {
			return translate(err)
		}
		pk, err := packageIn(ctx, tx, courseID)
		if err != nil {
			return err
		}
		var upTo clinic.Money
		for _, d := range pk.Drawn {
			if d.Seq <= seq {
				upTo += d.Amount
			}
		}
		if pk.Paid < upTo {
			return ErrNotInvoiced
		}
		doc := pk.Invoice
		doc.TherapistID, doc.TherapistName, doc.ProviderNumber = iv.TherapistID, iv.TherapistName, iv.ProviderNumber
		doc.ServiceID, doc.Item, doc.DurationMin, doc.Amount, doc.GST = iv.ServiceID, iv.Item, iv.DurationMin, iv.Amount, iv.GST
		doc.ServedAt = unixTime(servedAt)
		r = clinic.Receipt{Invoice: doc, Method: clinic.PayCourse, Paid: iv.Amount, PaidAt: unixTime(drawnAt),
			PaidToDate: iv.Amount, Duplicate: duplicate, IssuedAt: s.now(), Session: seq, Sessions: pk.Sessions}
		return nil
	})
	return r, err
}

// ClientPackages lists a client's prepaid courses, newest first: the desk any client's, a
// client their own.
func (s *Store) ClientPackages(ctx context.Context, by Actor, clientID int64) ([]Package, error) {
	if !deskOnly(by) && (by.Role != clinic.RoleClient || by.ClientID != clientID) {
		return nil, ErrNotFound
	}
	var out []Package
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT k.course_id FROM course_packages k JOIN courses c ON c.id = k.course_id
			WHERE c.client_id = ? ORDER BY k.sold_at DESC`, clientID)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			pk, err := packageIn(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, pk)
		}
		return nil
	})
	return out, err
}
