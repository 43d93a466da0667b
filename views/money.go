package views

import (
	"encoding/csv"
	"html/template"
	"io"

	"allium/clinic"
	"allium/store"
)

// DeskMoney is the money of one appointment on the desk's page: its price, invoice and
// credit notes, payments and refunds, and a fresh one-time key for the payment forms.
type DeskMoney struct {
	Account store.ApptAccount
	Key     string
	Methods []clinic.PayMethod
	Course  *store.CourseMoney // the course's prepaid package, or what selling it would be; nil for a single session
}

// PackageMethods are the methods a package is paid by.
func (m DeskMoney) PackageMethods() []clinic.PayMethod { return clinic.PackagePayMethods }

// Cur is the clinic's currency, for the templates' money function.
func (m DeskMoney) Cur() clinic.Currency { return m.Account.Currency }

// OwedNow is what is left to pay, never below zero (what is over is the client's credit).
func (m DeskMoney) OwedNow() clinic.Money { return max(m.Account.Owed(), 0) }

// Credit is what the client paid over what the session costs.
func (m DeskMoney) Credit() clinic.Money { return max(-m.Account.Owed(), 0) }

// DeskTakings is the day's takings by method and by therapist.
type DeskTakings struct {
	Page        Page
	Nav         []DeskNavLink
	Date        string
	Currency    clinic.Currency
	Lines       []store.TakingsLine
	ByMethod    []TakingsTotal
	ByTherapist []TakingsTotal
	Total       clinic.Money
}

// TakingsTotal is one method's or one therapist's takings.
type TakingsTotal struct {
	Label  string
	Amount clinic.Money
	Count  int
}

// MethodRows and TherapistRows write the two tables' rows with htmlWriter, as the other light
// pages' lists: through html/template each amount was a reflective method call.
func (d DeskTakings) MethodRows() template.HTML { return d.rows(d.ByMethod, "Method", false) }

// TherapistRows: see MethodRows.
func (d DeskTakings) TherapistRows() template.HTML { return d.rows(d.ByTherapist, "Therapist", true) }

func (d DeskTakings) rows(totals []TakingsTotal, label markup, bdi bool) template.HTML {
	w := newHTMLWriter(len(totals) * 192)
	for _, t := range totals {
		w.m(`<tr><td data-label="`)
		w.m(label)
		w.m(`">`)
		if bdi {
			w.bdi(t.Label)
		} else {
			w.text(t.Label)
		}
		w.m(`</td><td data-label="Payments">`)
		w.int(int64(t.Count))
		w.m(`</td><td data-label="Amount">`)
		w.money(t.Amount, d.Currency)
		w.m(`</td></tr>`)
	}
	return w.html()
}

// NewDeskTakings totals the lines by method (in the desk's order) and by therapist.
func NewDeskTakings(p Page, nav []DeskNavLink, date string, cur clinic.Currency, lines []store.TakingsLine) DeskTakings {
	d := DeskTakings{Page: p, Nav: nav, Date: date, Currency: cur, Lines: lines}
	for _, m := range clinic.PayMethods {
		if m == clinic.PayCourse {
			continue // spending credit is not money taken
		}
		t := TakingsTotal{Label: m.Label()}
		for _, l := range lines {
			if l.Method == m {
				t.Amount += l.Amount
				t.Count += l.Count
			}
		}
		d.ByMethod = append(d.ByMethod, t)
		d.Total += t.Amount
	}
	seen := map[int64]int{}
	for _, l := range lines {
		i, ok := seen[l.TherapistID]
		if !ok {
			i = len(d.ByTherapist)
			seen[l.TherapistID] = i
			d.ByTherapist = append(d.ByTherapist, TakingsTotal{Label: l.TherapistName})
		}
		d.ByTherapist[i].Amount += l.Amount
		d.ByTherapist[i].Count += l.Count
	}
	return d
}

// DeskOwed is the list of clients who owe the clinic.
type DeskOwed struct {
	Page     Page
	Nav      []DeskNavLink
	Owed     []store.Owing
	Currency clinic.Currency
}

// AdminRevenue is a month's revenue by therapist and service.
type AdminRevenue struct {
	Page     Page
	Month    string
	Currency clinic.Currency
	Lines    []store.RevenueLine
	Total    clinic.Money
	GST      clinic.Money
	Sessions int
}

// NewAdminRevenue totals a month's lines.
func NewAdminRevenue(p Page, month string, cur clinic.Currency, lines []store.RevenueLine) AdminRevenue {
	r := AdminRevenue{Page: p, Month: month, Currency: cur, Lines: lines}
	for _, l := range lines {
		r.Total += l.Amount
		r.GST += l.GST
		r.Sessions += l.Sessions
	}
	return r
}

// WriteCSV writes rows (the first the heads) as CSV, every cell made safe for a spreadsheet
// the way the reports' are (csvCell).
func WriteCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = csvCell(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
