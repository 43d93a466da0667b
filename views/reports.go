package views

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"allium/clinic"
)

// ReportTable is one section of a report: the same rows make the page's table
// and the CSV download, so the two can never disagree. The first column names
// what each row is (a therapist, a weekday).
type ReportTable struct {
	Title   string
	Columns []string
	Rows    []ReportRow
}

// ReportRow is one line; Small marks a figure resting on too few to read into.
type ReportRow struct {
	Cells []string
	Small bool
}

// ReportPage is any report: the period form, a chart, the tables and the CSV link.
type ReportPage struct {
	Page
	Intro   string
	Action  string // the report's path, for the period form and the CSV link
	From    string
	To      string
	CSVHref string
	Chart   BarChart
	Tables  []ReportTable
	Note    string // how to read the figures
}

// BarChart is a horizontal bar chart laid out in a fixed viewBox, drawn by its HTML method
// as SVG. Values are shares from 0 to 1.
type BarChart struct {
	Title   string
	ViewBox string
	Height  float64
	Bars    []Bar
}

// Bar is one bar: its label, where it sits and how long it is.
type Bar struct {
	Label  string
	Value  string
	Y      float64
	TextY  float64
	Width  float64
	ValueX float64
	Small  bool
}

// Bar chart geometry: labels on the left, bars up to barMax wide.
const (
	barLeft  = 170.0
	barMax   = 240.0
	barPitch = 26.0
	barThick = 18.0
)

// NewBarChart lays out one bar per share; labels are cut to fit.
func NewBarChart(title string, labels []string, shares []clinic.Share) BarChart {
	c := BarChart{Title: title}
	for i, l := range labels {
		s := shares[i]
		y := 4 + float64(i)*barPitch
		w := barMax * s.Ratio()
		if len([]rune(l)) > 24 {
			l = string([]rune(l)[:23]) + "…"
		}
		c.Bars = append(c.Bars, Bar{Label: l, Value: fmt.Sprintf("%s of %d", s.Percent(), s.Of), Y: y, TextY: y + 13,
			Width: w, ValueX: barLeft + w + 6, Small: s.Small()})
	}
	c.Height = 8 + float64(len(c.Bars))*barPitch
	c.ViewBox = fmt.Sprintf("0 0 %g %g", barLeft+barMax+90, c.Height)
	return c
}

// AttendanceTables are the no-show report's sections.
func AttendanceTables(r clinic.AttendanceReport) []ReportTable {
	cols := []string{"", "Sessions", "No-shows", "Late cancellations", "Lost", "Lost share"}
	row := func(a clinic.AttendanceRow) ReportRow {
		return ReportRow{Small: a.Lost.Small(), Cells: []string{a.Label, strconv.Itoa(a.Sessions),
			strconv.Itoa(a.NoShows.Count), strconv.Itoa(a.LateCancels.Count), strconv.Itoa(a.Lost.Count), a.Lost.Percent()}}
	}
	return []ReportTable{tableOf("Whole period", first("Period", cols), []clinic.AttendanceRow{r.Total}, row),
		tableOf("By therapist", first("Therapist", cols), r.ByTherapist, row),
		tableOf("By weekday", first("Weekday", cols), r.ByWeekday, row)}
}

// AttendanceChart draws the share of sessions lost, by therapist.
func AttendanceChart(r clinic.AttendanceReport) BarChart {
	var labels []string
	var shares []clinic.Share
	for _, a := range r.ByTherapist {
		labels, shares = append(labels, a.Label), append(shares, a.Lost)
	}
	return NewBarChart("Sessions lost to no-shows and late cancellations, by therapist", labels, shares)
}

// OutcomeTables are the "did the courses work?" report's sections.
func OutcomeTables(r clinic.OutcomeReport) []ReportTable {
	cols := []string{"", "Plans", "Plans tracking pain", "Mean pain change", "Plans tracking function",
		"Mean function change", "Meaningful change", "Meaningful share"}
	row := func(o clinic.OutcomeRow) ReportRow {
		change := func(n int, v float64) string {
			if n == 0 {
				return "-"
			}
			return strconv.FormatFloat(v, 'f', 1, 64)
		}
		return ReportRow{Small: o.Small(), Cells: []string{o.Label, strconv.Itoa(o.Plans),
			strconv.Itoa(o.PainPlans), change(o.PainPlans, o.PainChange),
			strconv.Itoa(o.FunctionPlans), change(o.FunctionPlans, o.FunctionChange),
			strconv.Itoa(o.Meaningful.Count), o.Meaningful.Percent()}}
	}
	return []ReportTable{tableOf("Whole period", first("Period", cols), []clinic.OutcomeRow{r.Total}, row),
		tableOf("By assessment class", first("Class", cols), r.ByClass, row),
		tableOf("By modality", first("Modality", cols), r.ByModality, row)}
}

// OutcomeChart draws the share of plans with a meaningful change, by class.
func OutcomeChart(r clinic.OutcomeReport) BarChart {
	var labels []string
	var shares []clinic.Share
	for _, o := range r.ByClass {
		labels, shares = append(labels, o.Label), append(shares, o.Meaningful)
	}
	return NewBarChart("Plans that reached a meaningful change, by assessment class", labels, shares)
}

// WriteReportCSV writes the tables as one CSV: a section column first, then
// the table's columns, and a last column saying where the number is small.
func WriteReportCSV(w io.Writer, tables []ReportTable) error {
	cw := csv.NewWriter(w)
	for i, t := range tables {
		if i == 0 || !sameColumns(t.Columns, tables[i-1].Columns) {
			head := append([]string{"Section"}, t.Columns...)
			head[1] = "Group"
			if err := cw.Write(append(head, "Few to go on")); err != nil {
				return err
			}
		}
		for _, r := range t.Rows {
			rec := []string{csvCell(t.Title)}
			for _, c := range r.Cells {
				rec = append(rec, csvCell(c))
			}
			small := ""
			if r.Small {
				small = "yes"
			}
			if err := cw.Write(append(rec, small)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// sameColumns compares all but the first column, which only names the rows.
func sameColumns(a, b []string) bool {
	return len(a) > 0 && len(b) > 0 && strings.Join(a[1:], "\x00") == strings.Join(b[1:], "\x00")
}

// first returns the columns with the first one named.
// tableOf makes one section of a report, a row for each of rows.
func tableOf[T any](title string, cols []string, rows []T, row func(T) ReportRow) ReportTable {
	t := ReportTable{Title: title, Columns: cols}
	for _, r := range rows {
		t.Rows = append(t.Rows, row(r))
	}
	return t
}

func first(name string, cols []string) []string {
	return append([]string{name}, cols[1:]...)
}

var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?%?$`)

// csvCell keeps a spreadsheet from running a cell as a formula: a therapist
// named "=HYPERLINK(...)" must arrive as text. A cell starting with = + - @ or
// a tab or carriage return gets a leading apostrophe; a plain number such as
// -1.5, or the lone "-" of a figure with nothing to count, is left alone: no
// spreadsheet reads either as a formula.
func csvCell(s string) string {
	if s == "" || s == "-" || plainNumber.MatchString(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// UtilisationTables are the utilisation report's sections, in hours.
func UtilisationTables(r clinic.UtilisationReport) []ReportTable {
	cols := []string{"", "Booked hours", "Available hours", "Utilisation"}
	row := func(u clinic.UtilRow) ReportRow {
		return ReportRow{Cells: []string{u.Label, clinic.Hours(u.Booked.Count), clinic.Hours(u.Booked.Of), u.Booked.Percent()}}
	}
	out := []ReportTable{tableOf("Whole period", first("Period", cols), []clinic.UtilRow{r.Total}, row),
		tableOf("By therapist", first("Therapist", cols), r.ByTherapist, row)}
	if len(r.ByRoom) > 0 {
		out = append(out, tableOf("By room", first("Room", cols), r.ByRoom, row))
	}
	return out
}

// UtilisationChart draws booked against available time, by therapist.
func UtilisationChart(r clinic.UtilisationReport) BarChart {
	var labels []string
	var shares []clinic.Share
	for _, u := range r.ByTherapist {
		labels, shares = append(labels, u.Label), append(shares, u.Booked)
	}
	c := NewBarChart("Booked share of available hours, by therapist", labels, shares)
	for i, u := range r.ByTherapist {
		// Minutes are no sample size: say hours, and never mark them as few.
		c.Bars[i].Value = fmt.Sprintf("%s of %s h", u.Booked.Percent(), clinic.Hours(u.Booked.Of))
		c.Bars[i].Small = false
	}
	return c
}

// ClientsTables are the clients report's sections.
func ClientsTables(r clinic.ClientsReport) []ReportTable {
	out := []ReportTable{{Title: "Clients seen", Columns: []string{"Clients", "Number"}, Rows: []ReportRow{
		{Cells: []string{"New (first session in the period)", strconv.Itoa(r.New)}},
		{Cells: []string{"Returning", strconv.Itoa(r.Returning)}},
		{Cells: []string{"All clients seen", strconv.Itoa(r.Seen)}},
	}}}
	shares := func(title, of, did string, rows []clinic.CountRow) ReportTable {
		t := ReportTable{Title: title, Columns: []string{"Group", of, did, "Share"}}
		for _, c := range rows {
			t.Rows = append(t.Rows, ReportRow{Small: c.Share.Small(), Cells: []string{c.Label,
				strconv.Itoa(c.Share.Of), strconv.Itoa(c.Share.Count), c.Share.Percent()}})
		}
		return t
	}
	if len(r.Conversion) > 1 {
		out = append(out, shares("Assessment to booking, by class", "Assessments", "Booked within 30 days", r.Conversion))
	}
	return append(out,
		shares("Course completion, by kind of service", "Courses ended", "Every session attended", r.Completion),
		shares("Rebooking, by kind of service", "Clients", "Booked again within the spacing", r.Rebooking))
}

// ClientsChart draws course completion by course kind.
func ClientsChart(r clinic.ClientsReport) BarChart {
	var labels []string
	var shares []clinic.Share
	for _, c := range r.Completion[:len(r.Completion)-1] {
		labels, shares = append(labels, c.Label), append(shares, c.Share)
	}
	return NewBarChart("Courses with every session attended, by kind of service", labels, shares)
}

// ClientRecordPage is a client's whole record as a readable document.
type ClientRecordPage struct {
	Page
	Record   clinic.ClientRecord
	JSONHref string
}

// RetentionPage is the owner's list of records past the retention period.
type RetentionPage struct {
	Page
	Years   int
	Reviews []RetentionRow
}

// RetentionRow is one listed client.
type RetentionRow struct {
	ClientID    int64
	Name        string
	LastContact string
	KeptUntil   string
}
