package views

import (
	"html/template"
	"strconv"
)

// The reports' chart and tables are written with htmlWriter: a year's utilisation has a bar
// and a row for every therapist and room, and through the template each figure was a
// reflective call and an escaper, a sixth of the page's time beside its SQL.

// HTML draws the chart as SVG, or nothing when it has no bars.
func (c BarChart) HTML() template.HTML {
	if len(c.Bars) == 0 {
		return ""
	}
	w := newHTMLWriter(300 + 600*len(c.Bars))
	w.m("<figure class=\"report-chart\">\n<figcaption>")
	w.text(c.Title)
	w.m("</figcaption>\n<svg viewBox=\"")
	w.text(c.ViewBox)
	w.m(`" role="img" aria-label="`)
	w.text(c.Title)
	w.m("\" xmlns=\"http://www.w3.org/2000/svg\">\n")
	for _, b := range c.Bars {
		w.m(`<g><title>`)
		w.text(b.Label)
		w.m(`: `)
		w.text(b.Value)
		if b.Small {
			w.m(` (few to go on)`)
		}
		w.m("</title>\n<text x=\"164\" y=\"")
		w.float(b.TextY)
		w.m(`" text-anchor="end" font-size="12">`)
		w.text(b.Label)
		w.m("</text>\n<rect x=\"170\" y=\"")
		w.float(b.Y)
		w.m(`" width="`)
		w.float(b.Width)
		if b.Small {
			w.m(`" height="18" fill="#9bb3c9"></rect>`)
		} else {
			w.m(`" height="18" fill="#2f6690"></rect>`)
		}
		w.m("\n<text x=\"")
		w.float(b.ValueX)
		w.m(`" y="`)
		w.float(b.TextY)
		w.m(`" font-size="12">`)
		w.text(b.Value)
		if b.Small {
			w.m(` *`)
		}
		w.m("</text></g>\n")
	}
	w.m(`</svg></figure>`)
	return w.html()
}

// TablesHTML writes the report's tables, each in its section under its title; the first
// cell of a row heads it, and the others carry their column's name for narrow screens.
func (p ReportPage) TablesHTML() template.HTML {
	n := 0
	for _, t := range p.Tables {
		n += 200 + 60*len(t.Columns)*(len(t.Rows)+1)
	}
	w := newHTMLWriter(n)
	for _, t := range p.Tables {
		w.m(`<section><h2>`)
		w.text(t.Title)
		w.m("</h2>\n")
		if len(t.Rows) == 0 {
			w.m("<p>Nothing in this period.</p>\n</section>")
			continue
		}
		w.m(`<div class="table-scroll"><table class="data"><thead><tr>`)
		for _, c := range t.Columns {
			w.m(`<th>`)
			w.text(c)
			w.m(`</th>`)
		}
		w.m("</tr></thead><tbody>\n")
		for _, r := range t.Rows {
			if r.Small {
				w.m(`<tr class="small-n">`)
			} else {
				w.m(`<tr>`)
			}
			for i, c := range r.Cells {
				if i == 0 {
					w.m(`<th scope="row">`)
					w.text(c)
					if r.Small {
						w.m(` *`)
					}
					w.m(`</th>`)
					continue
				}
				w.m(`<td class="num" data-label="`)
				if i < len(t.Columns) {
					w.text(t.Columns[i])
				}
				w.m(`">`)
				w.text(c)
				w.m(`</td>`)
			}
			w.m("</tr>\n")
		}
		w.m("</tbody></table></div>\n</section>")
	}
	return w.html()
}

// float writes a number as the template wrote it ({{.}} of a float64 is %v: the shortest
// form that reads back exactly, in e-notation from a million), escaped for an attribute.
func (w *htmlWriter) float(v float64) {
	w.text(string(strconv.AppendFloat(w.scratch[:0], v, 'g', -1, 64)))
}
