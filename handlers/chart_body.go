package handlers

import (
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"allium/clinic"
	"allium/views"
)

// The body chart drawings have coarse areas (a shoulder, the upper back); findings name fine
// regions (the top of the shoulder, the inner edge of the shoulder blade). regionShapes says on
// which drawing ("f" front, "b" back) and in which area each fine region is marked; "_*" is the
// area on the finding's side.
var regionShapes = map[string]string{
	"vertex": "f:head b:head", "forehead": "f:face", "temple": "f:face", "orbit": "f:face", "cheek": "f:face",
	"jaw": "f:jaw_*", "ear": "f:face b:head", "throat": "f:neck", "neck_anterior": "f:neck",
	"occiput": "b:head", "mastoid": "b:head", "neck_posterior": "b:neck", "neck_angle": "b:neck",
	"upper_trap": "f:shoulder_* b:shoulder_*", "acromion": "f:shoulder_* b:shoulder_*",
	"shoulder_anterior": "f:shoulder_*", "shoulder_lateral": "f:shoulder_* b:shoulder_*", "shoulder_posterior": "b:shoulder_*",
	"suprascapular": "b:upper_back", "scapular": "b:upper_back", "scapula_medial_border": "b:upper_back",
	"interscapular": "b:upper_back", "upper_back": "b:mid_back", "chest": "f:chest", "sternum": "f:chest",
	"abdomen": "f:abdomen", "groin": "f:hip_*", "low_back": "b:low_back", "iliac_crest": "b:low_back",
	"sacrum": "b:low_back", "si_joint": "b:low_back", "buttock": "b:buttock_*", "hip_lateral": "f:hip_* b:buttock_*",
	"upper_arm_anterior": "f:upper_arm_*", "upper_arm_lateral": "f:upper_arm_* b:upper_arm_*",
	"upper_arm_medial": "f:upper_arm_*", "upper_arm_posterior": "b:upper_arm_*",
	"elbow_lateral": "f:elbow_* b:elbow_*", "elbow_medial": "f:elbow_* b:elbow_*",
	"forearm_anterior": "f:forearm_*", "forearm_radial": "f:forearm_* b:forearm_*",
	"forearm_ulnar": "f:forearm_* b:forearm_*", "forearm_posterior": "b:forearm_*",
	"wrist": "f:wrist_hand_* b:wrist_hand_*", "hand_palm": "f:wrist_hand_*", "hand_dorsum": "b:wrist_hand_*",
	"thumb_index":    "f:wrist_hand_* b:wrist_hand_*",
	"thigh_anterior": "f:thigh_front_*", "thigh_lateral": "f:thigh_front_* b:thigh_back_*",
	"thigh_medial": "f:thigh_front_*", "thigh_posterior": "b:thigh_back_*",
	"knee_anterior": "f:knee_*", "knee_lateral": "f:knee_* b:knee_*", "knee_posterior": "b:knee_*",
	"shin": "f:shin_*", "leg_lateral": "f:shin_* b:calf_*", "calf": "b:calf_*",
	"ankle": "f:ankle_foot_* b:ankle_foot_*", "foot_dorsum": "f:ankle_foot_*", "foot_sole": "b:ankle_foot_*",
	"heel": "b:ankle_foot_*",
}

// chartShapesOf lists the drawing areas a fine region on a side is marked in, as "f:shoulder_r".
func chartShapesOf(region string, side clinic.BodySide) []string {
	var out []string
	for _, s := range strings.Fields(regionShapes[region]) {
		base, paired := strings.CutSuffix(s, "_*")
		switch {
		case !paired:
			out = append(out, s)
		case side == clinic.SideLeft:
			out = append(out, base+"_l")
		case side == clinic.SideRight:
			out = append(out, base+"_r")
		default:
			out = append(out, base+"_r", base+"_l")
		}
	}
	return out
}

var (
	svgShape = regexp.MustCompile(`<(path|ellipse)\b[^>]*\bdata-region="([^"]+)"[^>]*>\s*<title>([^<]*)</title>`)
	svgAttr  = regexp.MustCompile(`\b(d|cx|cy)="([^"]*)"`)
	svgToken = regexp.MustCompile(`[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)`)
)

// bodyChart is one drawing with the centre of each of its areas, for placing marks.
type bodyChart struct {
	svg     string
	centres map[string][2]float64
	titles  [][2]string // area code and its title, in drawing order
}

func (a *App) loadBodyChart(name string) (bodyChart, error) {
	b, err := a.Assets.ReadFile("img/" + name)
	if err != nil {
		return bodyChart{}, fmt.Errorf("body chart: %w", err)
	}
	bc := bodyChart{svg: string(b), centres: map[string][2]float64{}}
	for _, m := range svgShape.FindAllStringSubmatch(bc.svg, -1) {
		bc.centres[m[2]] = shapeCentre(m[0])
		bc.titles = append(bc.titles, [2]string{m[2], html.UnescapeString(m[3])})
	}
	return bc, nil
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

// markClass picks the glyph of a palpation finding: a solid dot for a trigger point, an amber
// ring for tenderness, a dashed ring for tight tissue.
func markClass(p clinic.PalpationFinding) string {
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

// drawBodyCharts returns both drawings with the painful areas filled (when selected is set:
// a read-only page; a form colours its checked areas itself) and a mark for every palpation
// finding, its title naming the structure.
func (a *App) drawBodyCharts(regions []string, palp []clinic.PalpationFinding, selected bool) (template.HTML, template.HTML, error) {
	out := [2]template.HTML{}
	for i, name := range []string{"body-front.svg", "body-back.svg"} {
		bc, err := a.loadBodyChart(name)
		if err != nil {
			return "", "", err
		}
		view := name[5:6] // "f" or "b"
		svg := bc.svg
		if selected {
			for _, r := range regions {
				svg = strings.Replace(svg, `class="region" data-region="`+r+`"`, `class="region selected" data-region="`+r+`"`, 1)
			}
		}
		marks := bodyMarks(bc, view, palp)
		svg = strings.Replace(svg, `<g class="marks"></g>`, `<g class="marks">`+marks+`</g>`, 1)
		out[i] = template.HTML(svg) //nolint:gosec // our own drawing; every text we add is escaped
	}
	return out[0], out[1], nil
}

func bodyMarks(bc bodyChart, view string, palp []clinic.PalpationFinding) string {
	var b strings.Builder
	placed := map[string]int{}
	for _, p := range palp {
		for _, shape := range chartShapesOf(p.Region, p.Side) {
			v, code, _ := strings.Cut(shape, ":")
			c, ok := bc.centres[code]
			if v != view || !ok {
				continue
			}
			// Several marks in one area fan out so each stays visible.
			k := placed[code]
			placed[code]++
			x, y := c[0]+float64(k%3)*7-7*float64(min(k, 1)), c[1]+float64(k/3)*7
			fmt.Fprintf(&b, `<circle class="%s" cx="%g" cy="%g" r="5"><title>%s</title></circle>`, markClass(p), x, y,
				template.HTMLEscapeString(markTitle(p)))
		}
	}
	return b.String()
}

func markTitle(p clinic.PalpationFinding) string {
	var t views.FindingTerms
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

// chartAreas lists the drawing's areas as checkboxes, front areas first.
func (a *App) chartAreas() ([]views.ChartArea, error) {
	var out []views.ChartArea
	seen := map[string]bool{}
	for _, name := range []string{"body-front.svg", "body-back.svg"} {
		bc, err := a.loadBodyChart(name)
		if err != nil {
			return nil, err
		}
		for _, t := range bc.titles {
			if !seen[t[0]] {
				seen[t[0]] = true
				out = append(out, views.ChartArea{Code: t[0], Label: t[1]})
			}
		}
	}
	return out, nil
}

// findingsView draws a findings record for reading.
func (a *App) findingsView(f clinic.Findings) (views.FindingsView, error) {
	front, back, err := a.drawBodyCharts(f.Regions, f.Palpation, true)
	if err != nil {
		return views.FindingsView{}, err
	}
	return views.FindingsView{Findings: f, Front: front, Back: back, Terms: views.FindingTerms{Vocab: clinic.FindingVocabulary()}}, nil
}
