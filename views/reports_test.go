package views

import (
	"encoding/csv"
	"strings"
	"testing"
)

// A spreadsheet opening the CSV must see text where a name looks like a formula, the same
// cells as the page, and quotes and commas kept inside their cell.
func TestReportCSVQuotesAndDisarmsFormulas(t *testing.T) {
	tables := []ReportTable{{Title: "By therapist", Columns: []string{"", "Sessions", "Change"}, Rows: []ReportRow{
		{Cells: []string{"=HYPERLINK(\"http://x\",\"y\")", "3", "-1.5"}, Small: true},
		{Cells: []string{"+61 400", "10", "2.0"}},
		{Cells: []string{"-cmd", "1", "50%"}},
		{Cells: []string{"@SUM(A1)", "1", "-"}},
		{Cells: []string{"Okafor, Sam \"Sammy\"", "12", "-0.5"}},
	}}}
	var b strings.Builder
	if err := WriteReportCSV(&b, tables); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Section", "Group", "Sessions", "Change", "Few to go on"},
		{"By therapist", "'=HYPERLINK(\"http://x\",\"y\")", "3", "-1.5", "yes"},
		{"By therapist", "'+61 400", "10", "2.0", ""},
		{"By therapist", "'-cmd", "1", "50%", ""},
		{"By therapist", "'@SUM(A1)", "1", "-", ""},
		{"By therapist", "Okafor, Sam \"Sammy\"", "12", "-0.5", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("CSV = %q", recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("line %d = %q, want %q", i, recs[i], want[i])
		}
	}
}
