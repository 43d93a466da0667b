package views

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"

	"allium/clinic"
)

// ReceiptPDF draws a payment's receipt: what a health fund needs to pay a rebate (the
// practice and its business number, the therapist and their provider number, the client, the
// date of service, the item and its fee, the amount paid), and for a GST-registered clinic the
// GST included. Dates are in the clinic's zone. A copy made again says so at the top. A
// session of a prepaid course prints its share of the package as paid by the prepaid course.
func ReceiptPDF(r clinic.Receipt, loc *time.Location) ([]byte, error) {
	iv := r.Invoice
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Receipt "+iv.NumberText(), true)
	pdf.SetCreator("Allium", true)
	// The core fonts are Latin-1; the translator maps the text's UTF-8 to them (a character
	// they lack prints as a question mark rather than breaking the file).
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetMargins(20, 20, 20)
	pdf.AddPage()
	line := func(size float64, style, text string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.MultiCell(0, size*0.5, tr(text), "", "L", false)
	}
	row := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(55, 6, tr(label), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(value), "", "L", false)
	}
	if r.Duplicate {
		line(11, "B", "Duplicate copy, issued "+r.IssuedAt.In(loc).Format("2 January 2006"))
		pdf.Ln(2)
	}
	line(18, "B", iv.ClinicName)
	if iv.ClinicAddress != "" {
		line(10, "", iv.ClinicAddress)
	}
	if iv.ClinicPhone != "" {
		line(10, "", "Phone "+iv.ClinicPhone)
	}
	if iv.BusinessNumber != "" {
		line(10, "", "ABN "+iv.BusinessNumber)
	}
	pdf.Ln(6)
	title := "Receipt"
	if iv.GSTRegistered {
		title = "Tax invoice and receipt"
	}
	line(14, "B", title)
	pdf.Ln(2)
	cur := iv.Currency
	row("Invoice", iv.NumberText()+", issued "+iv.IssuedAt.In(loc).Format("2 January 2006"))
	row("Client", iv.ClientName)
	if iv.CourseID != 0 && r.Session == 0 {
		// A prepaid course's payment is for sessions not yet given: a fund pays per date of
		// service, so it is claimed session by session, each with its own receipt.
		row("Date of service", "Prepaid sessions from "+iv.ServedAt.In(loc).Format("2 January 2006")+
			"; each session's own receipt names its date, to claim from a health fund")
	} else {
		row("Date of service", iv.ServedAt.In(loc).Format("Monday 2 January 2006"))
	}
	row("Item", iv.Item)
	row("Therapist", iv.TherapistName)
	if iv.ProviderNumber != "" {
		row("Provider number", iv.ProviderNumber)
	}
	row("Fee charged", iv.Amount.In(cur))
	if iv.GSTRegistered {
		row("GST included", iv.GST.In(cur))
	}
	pdf.Ln(2)
	if r.Session > 0 {
		row("Amount paid", fmt.Sprintf("%s by prepaid course (invoice %s), session %d of %d", r.Paid.In(cur), iv.NumberText(),
			r.Session, r.Sessions))
		row("Receipt number", fmt.Sprintf("%s-S%d", iv.NumberText(), r.Session))
	} else {
		row("Amount paid", fmt.Sprintf("%s by %s on %s", r.Paid.In(cur), r.Method.Label(), r.PaidAt.In(loc).Format("2 January 2006")))
		row("Paid to date", r.PaidToDate.In(cur))
		row("Receipt number", fmt.Sprintf("%s-%d", iv.NumberText(), r.PaymentID))
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("receipt %d: %w", r.PaymentID, err)
	}
	return buf.Bytes(), nil
}
