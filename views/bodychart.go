package views

import (
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"allium/clinic"
)

// BodyCharts are the two drawings of the body chart (assets/img/body-front.svg and
// body-back.svg), read once at start: each cut where a page adds to it (an area marked
// painful, the palpation marks) and with the centre of each area, for placing marks.
type BodyCharts struct {
	front, back bodyDrawing
}

// bodyDrawing is one drawing cut into pieces: pieces[k] ends just inside the class attribute
// of areas[k] (where " selected" goes), and the last cut is inside the marks group.
type bodyDrawing struct {
	view    clinic.BodyView
	svg     string
	pieces  []markup
	areas   []string
	centres map[string][2]float64
}

var (
	svgShape = regexp.MustCompile(`<(?:path|ellipse)\b[^>]*\bclass="region"( )data-region="([^"]+)"[^>]*>\s*<title>([^<]*)</title>`)
	svgAttr  = regexp.MustCompile(`\b(d|cx|cy)="([^"]*)"`)
	svgToken = regexp.MustCompile(`[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)`)
)

const svgMarks = `<g class="marks">`

// NewBodyCharts reads the two drawings. It fails unless every area the drawings have is in
// clinic.BodyAreas with the same title, and every area there is drawn, so the list and the
// drawings cannot drift apart without the server refusing to start.
func NewBodyCharts(front, back []byte) (*BodyCharts, error) {
	titles := map[string]string{}
	f, err := newBodyDrawing(clinic.ViewAnterior, string(front), titles)
	if err != nil {
		return nil, err
	}
	b, err := newBodyDrawing(clinic.ViewPosterior, string(back), titles)
	if err != nil {
		return nil, err
	}
	for _, code := range clinic.BodyAreas() {
		if _, ok := titles[code]; !ok {
			return nil, fmt.Errorf("body chart: area %s is in neither drawing", code)
		}
	}
	return &BodyCharts{front: f, back: b}, nil
}

func newBodyDrawing(view clinic.BodyView, svg string, titles map[string]string) (bodyDrawing, error) {
	d := bodyDrawing{view: view, svg: svg, centres: map[string][2]float64{}}
	at := 0
	for _, m := range svgShape.FindAllStringSubmatchIndex(svg, -1) {
		code, title := svg[m[4]:m[5]], html.UnescapeString(svg[m[6]:m[7]])
		a, ok := clinic.BodyAreaByCode(code)
		switch {
		case !ok:
			return d, fmt.Errorf("body chart %s: %s is not an area in clinic.BodyAreas", view, code)
		case a.Label != title:
			return d, fmt.Errorf("body chart %s: %s is titled %q, clinic.BodyAreas says %q", view, code, title, a.Label)
		}
		titles[code] = title
		// Cut just before the closing quote of class="region", where " selected" goes.
		cut := m[2] - len(`"`)
		d.pieces = append(d.pieces, markup(svg[at:cut])) //nolint:gosec // our own embedded drawing
		d.areas = append(d.areas, code)
		d.centres[code] = shapeCentre(svg[m[0]:m[1]])
		at = cut
	}
	i := strings.Index(svg, svgMarks)
	if i < at || len(d.areas) == 0 {
		return d, fmt.Errorf("body chart %s: no areas, or no empty %s after them", view, svgMarks)
	}
	i += len(svgMarks)
	d.pieces = append(d.pieces, markup(svg[at:i]), markup(svg[i:])) //nolint:gosec // our own embedded drawing
	return d, nil
}

// Plain returns both drawings as they are, for a form that colours its checked areas itself.
func (c *BodyCharts) Plain() (front, back template.HTML) {
	return template.HTML(c.front.svg), template.HTML(c.back.svg) //nolint:gosec // our own embedded drawings
}

// Draw returns both drawings with the painful areas filled and a mark for every palpation
// finding, its title naming the structure.
func (c *BodyCharts) Draw(painful []string, palp []clinic.PalpationFinding) (front, back template.HTML) {
	return c.front.draw(painful, palp), c.back.draw(painful, palp)
}

func (d bodyDrawing) draw(painful []string, palp []clinic.PalpationFinding) template.HTML {
	w := newHTMLWriter(len(d.svg) + 160*len(palp))
	for k, code := range d.areas {
		w.m(d.pieces[k])
		for _, p := range painful {
			if p == code {
				w.m(` selected`)
				break
			}
		}
	}
	w.m(d.pieces[len(d.areas)])
	placed := map[string]int{}
	for _, p := range palp {
		for _, mk := range clinic.BodyMarks(p.Region, p.Side) {
			c, ok := d.centres[mk.Area]
			if mk.View != d.view || !ok {
				continue
			}
			// Several marks in one area fan out so each stays visible.
			k := placed[mk.Area]
			placed[mk.Area]++
			w.m(`<circle class="`)
			w.m(markClass(p))
			w.m(`" cx="`)
			w.num(c[0] + float64(k%3)*7 - 7*float64(min(k, 1)))
			w.m(`" cy="`)
			w.num(c[1] + float64(k/3)*7)
			w.m(`" r="5"><title>`)
			w.text(markTitle(p))
			w.m(`</title></circle>`)
		}
	}
	w.m(d.pieces[len(d.areas)+1])
	return w.html()
}

// markClass picks the glyph of a palpation finding: a solid dot for a trigger point, an amber
// ring for tenderness, a dashed ring for tight tissue.
func markClass(p clinic.PalpationFinding) markup {
	switch {
	case p.TriggerPoint():
		return "mark mark-trp"
	case p.Tone == "hypertonic" || p.Tone == "spasm" || p.Type == "taut_band" || p.Type == "fascial_restriction" ||
		p.Type == "hypertonicity" || p.Type == "spasm":
		return "mark mark-tight"
	case p.Tenderness != nil && *p.Tenderness > 0:
		return "mark mark-tender"
	}
	return "mark"
}

func markTitle(p clinic.PalpationFinding) string {
	var t FindingTerms
	what := t.Region(p.Region)
	if p.Muscle != "" {
		what = t.Muscle(p.Muscle)
	}
	label := what + " (" + string(p.Side) + "): " + strings.ReplaceAll(p.Type, "_", " ")
	if p.Tenderness != nil {
		label += ", tenderness " + t.Grade(p.Tenderness)
	}
	return label
}

// ChartAreas lists the body chart's areas as checkboxes, in the order clinic gives.
func ChartAreas() []ChartArea {
	areas := clinic.BodyChartAreas()
	out := make([]ChartArea, len(areas))
	for i, a := range areas {
		out[i] = ChartArea{Code: a.Code, Label: a.Label}
	}
	return out
}

// shapeCentre is the middle of a shape's bounding box: an ellipse's centre, or the box of a
// path's points (absolute commands only, as our drawings use).
func shapeCentre(tag string) [2]float64 {
	attrs := map[string]string{}
	for _, m := range svgAttr.FindAllStringSubmatch(tag, -1) {
		attrs[m[1]] = m[2]
	}
	if attrs["d"] == "" {
		x, _ := strconv.ParseFloat(attrs["cx"], 64)
		y, _ := strconv.ParseFloat(attrs["cy"], 64)
		return [2]float64{x, y}
	}
	var xs, ys, nums []float64
	cmd := ""
	arity := map[string]int{"M": 2, "L": 2, "T": 2, "Q": 4, "S": 4, "C": 6, "A": 7}
	for _, tok := range svgToken.FindAllString(attrs["d"], -1) {
		if n, err := strconv.ParseFloat(tok, 64); err == nil {
			nums = append(nums, n)
			if k := arity[cmd]; k > 0 && len(nums) == k {
				start := 0
				if cmd == "A" {
					start = 5 // radii, rotation and flags are not points
				}
				for i := start; i+1 < k; i += 2 {
					xs, ys = append(xs, nums[i]), append(ys, nums[i+1])
				}
				nums = nums[:0]
			}
			continue
		}
		cmd, nums = tok, nums[:0]
	}
	return [2]float64{(svgMin(xs) + svgMax(xs)) / 2, (svgMin(ys) + svgMax(ys)) / 2}
}

func svgMin(v []float64) float64 {
	m := 0.0
	for i, x := range v {
		if i == 0 || x < m {
			m = x
		}
	}
	return m
}

func svgMax(v []float64) float64 {
	m := 0.0
	for i, x := range v {
		if i == 0 || x > m {
			m = x
		}
	}
	return m
}
