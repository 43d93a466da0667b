package views

import (
	"html/template"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// reportPartials are the templates that drew the reports' chart and tables before their
// writers did, kept to prove the writers write the same page.
const reportPartials = `{{define "report_chart"}}{{if .Bars}}<figure class="report-chart">
<figcaption>{{.Title}}</figcaption>
<svg viewBox="{{.ViewBox}}" role="img" aria-label="{{.Title}}" xmlns="http://www.w3.org/2000/svg">
{{range .Bars}}<g><title>{{.Label}}: {{.Value}}{{if .Small}} (few to go on){{end}}</title>
<text x="164" y="{{.TextY}}" text-anchor="end" font-size="12">{{.Label}}</text>
<rect x="170" y="{{.Y}}" width="{{.Width}}" height="18" fill="{{if .Small}}#9bb3c9{{else}}#2f6690{{end}}"></rect>
<text x="{{.ValueX}}" y="{{.TextY}}" font-size="12">{{.Value}}{{if .Small}} *{{end}}</text></g>
{{end}}</svg></figure>{{end}}{{end}}

{{define "report_tables"}}{{range $t := .}}<section><h2>{{$t.Title}}</h2>
{{if $t.Rows}}<div class="table-scroll"><table class="data"><thead><tr>{{range $t.Columns}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range $row := $t.Rows}}<tr{{if $row.Small}} class="small-n"{{end}}>{{range $i, $c := $row.Cells}}{{if eq $i 0}}<th scope="row">{{$c}}{{if $row.Small}} *{{end}}</th>{{else}}<td class="num" data-label="{{index $t.Columns $i}}">{{$c}}</td>{{end}}{{end}}</tr>
{{end}}</tbody></table></div>{{else}}<p>Nothing in this period.</p>{{end}}
</section>{{end}}{{end}}`

// reportWith is a report page with s in every string: a chart of three bars, one resting on
// few, and two tables, one of them empty.
func reportWith(s string) ReportPage {
	return ReportPage{
		Chart: BarChart{Title: s, ViewBox: "0 0 " + s, Bars: []Bar{
			{Label: s, Value: s, Y: 4, TextY: 17, Width: 123.456, ValueX: 299.5},
			{Label: s, Value: s, Y: 30, TextY: 43, Width: 0, ValueX: 176, Small: true},
			{Label: s, Value: s, Y: 1e6, TextY: 123456789, Width: 1e21, ValueX: 0.00001},
		}},
		Tables: []ReportTable{
			{Title: s, Columns: []string{"", s, "Hours"}, Rows: []ReportRow{
				{Cells: []string{s, s, "12.5"}}, {Cells: []string{s, "3", s}, Small: true}}},
			{Title: s, Columns: []string{"", "Sessions"}},
		},
	}
}

func TestReportWritersWriteWhatTheTemplatesWrote(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(reportPartials))
	for _, s := range append([]string{"Sam Okafor", "42% of 1,204.5 h"}, hostile...) {
		if !utf8.ValidString(s) {
			continue // written as U+FFFD by the writer, as a browser reads it; the fuzz test checks it
		}
		p := reportWith(s)
		var chart, tables strings.Builder
		if err := tmpl.ExecuteTemplate(&chart, "report_chart", p.Chart); err != nil {
			t.Fatal(err)
		}
		if err := tmpl.ExecuteTemplate(&tables, "report_tables", p.Tables); err != nil {
			t.Fatal(err)
		}
		if got := string(p.Chart.HTML()); got != chart.String() {
			t.Fatalf("with %q the chart is\n%s\nthe template drew\n%s", s, got, chart.String())
		}
		if got := string(p.TablesHTML()); got != tables.String() {
			t.Fatalf("with %q the tables are\n%s\nthe template wrote\n%s", s, got, tables.String())
		}
	}
	if got := string((BarChart{Title: "Nothing"}).HTML()); got != "" {
		t.Errorf("a chart without bars draws %q, want nothing", got)
	}
	var b htmlWriter
	for _, v := range []float64{math.Inf(1), math.Inf(-1), math.NaN(), -0.5} {
		b.float(v)
		b.m(` `)
	}
	if got := b.b.String(); got != "&#43;Inf -Inf NaN -0.5 " {
		t.Errorf("floats written as %q", got)
	}
}
