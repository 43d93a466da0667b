package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// Rows of each kind on the findings form. Empty rows are ignored; a long assessment is
// recorded as a second findings record rather than an endless form.
const (
	postureRows = 3
	romRows     = 4
	testRows    = 3
	palpRows    = 6
	pointRows   = 4
)

// FindingsForm is the findings form with the body chart, prefilled for a first or later visit.
func (a *App) FindingsForm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ch, err := a.Store.ClientChart(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	fv := views.ChartValues{"kind": {"initial"}}
	if len(ch.Findings) > 0 {
		fv["kind"] = []string{"reassessment"}
	}
	if as := ch.Assessment; as != nil {
		fv["confirmed_class"] = []string{as.ConfirmedClass}
		if as.ConfirmedClass == "" {
			fv["confirmed_class"] = []string{string(as.Result.Primary)}
		}
		fv["regions"] = chartAreasOf(as.Answers.Values("where_regions"))
	}
	if v := c.QueryParam("appointment"); v != "" {
		fv["appointment"] = []string{v}
	}
	if v := c.QueryParam("corrects"); v != "" {
		// A correction starts from the record it corrects: its visit, words, areas and class.
		for _, old := range ch.Findings {
			if strconv.FormatInt(old.ID, 10) == v && old.CorrectedBy == nil {
				fv = views.ChartValues{"corrects": {v}, "kind": {old.Kind}, "appointment": {idField(old.AppointmentID)},
					"complaint": {old.Complaint}, "aggravating": {old.Aggravating}, "easing": {old.Easing},
					"impression": {old.Impression}, "confirmed_class": {old.ConfirmedClass}, "regions": old.Regions,
					"channels": old.Channels}
			}
		}
		if fv.Get("corrects") == "" {
			return echo.NewHTTPError(http.StatusNotFound)
		}
	}
	return a.renderFindingsForm(c, http.StatusOK, ch.Client, ch.Sessions, fv, nil)
}

func (a *App) renderFindingsForm(c echo.Context, status int, cl clinic.ChartClient, sessions []clinic.ChartSession, fv views.ChartValues, errs map[string]string) error {
	front, back := a.bodies.Plain()
	p := views.FindingsFormPage{Page: a.page(c, "Findings · "+cl.Name), Client: cl, Form: fv,
		Vocab: clinic.FindingVocabulary(), Choices: chartChoices(), ChartAreas: views.ChartAreas(), Front: front, Back: back,
		PostureRows: views.ChartRows(postureRows), ROMRows: views.ChartRows(romRows), TestRows: views.ChartRows(testRows),
		PalpRows: views.ChartRows(palpRows), PointRows: views.ChartRows(pointRows)}
	for _, s := range sessions {
		if s.Status.HoldsTime() {
			p.Appointments = append(p.Appointments, s)
		}
	}
	for k, v := range errs {
		p.Page.Errors[k] = v
	}
	return a.renderStatus(c, status, "chart_findings_form", p)
}

// chartAreasOf turns the self-assessment's body map answers into the drawing's areas, so the
// findings form starts from where the client said it hurts. The assessment's map is coarser
// in places (elbow or forearm, thigh) and covers both drawings' areas there.
func chartAreasOf(answers []string) []string {
	split := map[string][]string{"elbow_forearm": {"elbow", "forearm"}, "thigh": {"thigh_front", "thigh_back"}}
	var out []string
	for _, a := range answers {
		areas := []string{a}
		if i := strings.LastIndex(a, "_"); i > 0 && split[a[:i]] != nil {
			areas = nil
			for _, part := range split[a[:i]] {
				areas = append(areas, part+a[i:])
			}
		}
		for _, x := range areas {
			if slices.Contains(clinic.BodyAreas(), x) {
				out = append(out, x)
			}
		}
	}
	return out
}

// chartChoices turns the clinic's charting vocabularies into terms for the forms' lists.
func chartChoices() views.ChartChoices {
	var ch views.ChartChoices
	for _, r := range clinic.BodyRegions() {
		ch.Regions = append(ch.Regions, clinic.ChartTerm{Code: r.Code, Label: r.Name})
	}
	for _, s := range clinic.BodySides() {
		ch.Sides = append(ch.Sides, clinic.ChartTerm{Code: string(s), Label: upperFirst(string(s))})
	}
	ch.Types = codeTerms(clinic.FindingTypes())
	ch.Tones = codeTerms(clinic.Tones())
	ch.Textures = codeTerms(clinic.TissueTextures())
	ch.Roles = codeTerms(clinic.PointRoles())
	for _, g := range clinic.TendernessGrades() {
		ch.Grades = append(ch.Grades, clinic.ChartTerm{Code: strconv.Itoa(int(g)), Label: g.Label()})
	}
	for _, c := range clinic.Channels() {
		ch.Channels = append(ch.Channels, clinic.ChartTerm{Code: c.Code, Label: c.Code + " " + c.Name})
	}
	for _, t := range clinic.Techniques() {
		label := t.Name
		if t.Pinyin != "" {
			label = "Tui Na: " + t.Name + " (" + t.Pinyin + ")"
		}
		ch.Techniques = append(ch.Techniques, clinic.ChartTerm{Code: t.Code, Label: label})
	}
	ch.Muscles = muscleChoices()
	return ch
}

// codeTerms labels codes such as "boggy_oedematous" as "Boggy oedematous".
func codeTerms[T ~string](codes []T) []clinic.ChartTerm {
	out := make([]clinic.ChartTerm, len(codes))
	for i, c := range codes {
		out[i] = clinic.ChartTerm{Code: string(c), Label: upperFirst(strings.ReplaceAll(string(c), "_", " "))}
	}
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// muscleChoices lists the muscle library with each muscle's usual referral zone in words, so
// the picker can show it as soon as a muscle is chosen.
func muscleChoices() []views.MuscleChoice {
	var t views.FindingTerms
	names := func(codes []string) string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = strings.ToLower(t.Region(c))
		}
		return strings.Join(out, ", ")
	}
	var out []views.MuscleChoice
	for _, m := range clinic.Muscles() {
		ref := "Usually refers to " + names(m.Essential)
		if len(m.Spillover) > 0 {
			ref += "; sometimes " + names(m.Spillover)
		}
		ref += ". Trigger points: " + strings.ToLower(m.TrPLocation[:1]) + m.TrPLocation[1:] + "."
		if m.Caution != "" {
			ref += " " + m.Caution
		}
		out = append(out, views.MuscleChoice{Key: m.Key, Name: m.Name, Referral: ref})
	}
	return out
}

// FindingsCreate records the findings, or shows the form again with every problem beside its field.
func (a *App) FindingsCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	fd, errs := parseFindings(c, id)
	if len(errs) > 0 {
		ch, err := a.Store.ClientChart(ctx, actor(c), id)
		if err != nil {
			return err
		}
		params, _ := c.FormParams()
		return a.renderFindingsForm(c, http.StatusUnprocessableEntity, ch.Client, ch.Sessions, views.ChartValues(params), errs)
	}
	fid, err := a.Store.RecordFindings(ctx, actor(c), fd)
	switch {
	case errors.Is(err, store.ErrInvalidRecord):
		return echo.NewHTTPError(http.StatusUnprocessableEntity)
	case errors.Is(err, store.ErrConflict) && fd.SupersedesID != 0:
		return a.flashKind(c, "/findings/"+strconv.FormatInt(fd.SupersedesID, 10),
			"This record was corrected already; correct the newer record instead.", "error")
	case err != nil:
		return err
	case fd.SupersedesID != 0:
		return a.flash(c, "/findings/"+strconv.FormatInt(fid, 10), "Correction recorded. The earlier record is kept, marked as corrected.")
	}
	return a.flash(c, "/findings/"+strconv.FormatInt(fid, 10), "Findings recorded.")
}

// FindingsShow shows one findings record with its body chart.
func (a *App) FindingsShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := a.Store.FindingsByID(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	cl, _, err := a.chartHeader(c, f.ClientID)
	if err != nil {
		return err
	}
	return a.render(c, "chart_findings_show", views.FindingsPage{Page: a.page(c, "Findings · "+cl.Name), Client: cl,
		View: a.findingsView(f)})
}

// rowMap remembers which form row each kept row came from, so a problem the store finds in
// the second filled row is shown beside the row the therapist filled.
type rowMap map[string][]int

func (m rowMap) add(prefix string, formRow int) { m[prefix] = append(m[prefix], formRow) }

func (m rowMap) remap(errs map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		prefix, rest, ok := strings.Cut(k, ".")
		idx, tail, ok2 := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if ok && ok2 && err == nil && n < len(m[prefix]) {
			k = fmt.Sprintf("%s.%d.%s", prefix, m[prefix][n], tail)
		}
		out[k] = v
	}
	return out
}

// parseFindings reads the findings form. Problems come back keyed by form field.
func parseFindings(c echo.Context, clientID int64) (clinic.Findings, map[string]string) {
	f := newForm(c)
	params, _ := c.FormParams()
	fd := clinic.Findings{ClientID: clientID, Regions: params["regions"], Channels: params["channels"]}
	fd.Kind = f.Text("kind", "Kind of visit", 20, true)
	fd.AppointmentID = chartID(f, "appointment", "Appointment")
	fd.Complaint = f.Multiline("complaint", "The complaint", clinic.FindingTextMax, false)
	fd.Aggravating = f.Multiline("aggravating", "What makes it worse", clinic.FindingNoteMax, false)
	fd.Easing = f.Multiline("easing", "What eases it", clinic.FindingNoteMax, false)
	fd.Impression = f.Multiline("impression", "Working impression", clinic.FindingTextMax, false)
	fd.ConfirmedClass = f.Text("confirmed_class", "Class", 30, false)
	fd.SupersedesID = chartID(f, "corrects", "The record corrected")
	rows := rowMap{}
	parsePosture(f, &fd, rows)
	parseROM(f, &fd, rows)
	parseTests(f, &fd, rows)
	parsePalpation(f, &fd, rows)
	parsePoints(f, &fd, rows)
	errs := f.Errors
	for k, v := range rows.remap(fd.Validate()) {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
	return fd, errs
}

func parsePosture(f *form, fd *clinic.Findings, rows rowMap) {
	for i := range postureRows {
		k := fmt.Sprintf("posture.%d.", i)
		p := clinic.PostureFinding{Observation: f.Text(k+"observation", "Observation", 50, false),
			Side: clinic.BodySide(f.Text(k+"side", "Side", 20, false)), Note: f.Text(k+"note", "Note", clinic.FindingNoteMax, false)}
		if p.Observation != "" || p.Note != "" {
			fd.Posture = append(fd.Posture, p)
			rows.add("posture", i)
		}
	}
}

func parseROM(f *form, fd *clinic.Findings, rows rowMap) {
	for i := range romRows {
		k := fmt.Sprintf("rom.%d.", i)
		r := clinic.ROMFinding{Joint: f.Text(k+"joint", "Joint", 30, false), Movement: f.Text(k+"movement", "Movement", 30, false),
			Side: clinic.BodySide(f.Text(k+"side", "Side", 20, false)), Mode: f.Text(k+"mode", "Mode", 20, false),
			Degrees: chartInt(f, k+"degrees", "Degrees"), Grade: f.Text(k+"grade", "Range", 20, false),
			Pain: f.Text(k+"pain", "Pain", 20, false), Note: f.Text(k+"note", "Note", clinic.FindingNoteMax, false)}
		if r.Joint != "" || r.Movement != "" || r.Degrees != nil || r.Note != "" {
			fd.ROM = append(fd.ROM, r)
			rows.add("rom", i)
		}
	}
}

func parseTests(f *form, fd *clinic.Findings, rows rowMap) {
	for i := range testRows {
		k := fmt.Sprintf("test.%d.", i)
		t := clinic.TestFinding{Name: f.Text(k+"name", "Test", 80, false), Side: clinic.BodySide(f.Text(k+"side", "Side", 20, false)),
			Result: f.Text(k+"result", "Result", 20, false), Note: f.Text(k+"note", "Note", clinic.FindingNoteMax, false)}
		if t.Name != "" || t.Note != "" {
			fd.Tests = append(fd.Tests, t)
			rows.add("test", i)
		}
	}
}

func parsePalpation(f *form, fd *clinic.Findings, rows rowMap) {
	for i := range palpRows {
		k := fmt.Sprintf("palp.%d.", i)
		p := clinic.PalpationFinding{Region: f.Text(k+"region", "Region", 40, false),
			Side: clinic.BodySide(f.Text(k+"side", "Side", 20, false)), Muscle: f.Text(k+"muscle", "Muscle", 40, false),
			Type: f.Text(k+"type", "Finding", 40, false), Tenderness: chartInt(f, k+"tenderness", "Tenderness"),
			Tone: f.Text(k+"tone", "Tone", 20, false), Texture: f.Text(k+"texture", "Texture", 30, false),
			Signs: clinic.TriggerPointSigns{SpotTenderness: f.Bool(k + "spot"), TautBand: f.Bool(k + "band"),
				RecognisedPain: f.Bool(k + "recognised"), Referral: f.Bool(k + "referral"), Twitch: f.Bool(k + "twitch")},
			TrPStatus:        f.Text(k+"trp_status", "Trigger point", 20, false),
			FascialDirection: f.Text(k+"fascial_direction", "Direction of restriction", 100, false),
			FascialLayer:     f.Text(k+"fascial_layer", "Layer", 20, false), Note: f.Text(k+"note", "Note", clinic.FindingNoteMax, false)}
		if p.Region != "" || p.Muscle != "" || p.Type != "" || p.Note != "" {
			fd.Palpation = append(fd.Palpation, p)
			rows.add("palp", i)
		}
	}
}

func parsePoints(f *form, fd *clinic.Findings, rows rowMap) {
	for i := range pointRows {
		k := fmt.Sprintf("point.%d.", i)
		p := clinic.PointFinding{Code: f.Text(k+"code", "Point", 20, false), Side: clinic.BodySide(f.Text(k+"side", "Side", 20, false)),
			Role: f.Text(k+"role", "Role", 20, false), Note: f.Text(k+"note", "Note", clinic.FindingNoteMax, false)}
		if p.Code != "" || p.Note != "" {
			fd.Points = append(fd.Points, p)
			rows.add("point", i)
		}
	}
}

// chartInt reads a whole number that may be left empty (nil).
func chartInt(f *form, name, label string) *int {
	v := f.Text(name, label, 12, false)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.fail(name, label+" must be a whole number.")
		return nil
	}
	return &n
}

// chartID reads a record id chosen from a list that may be left empty (0).
func chartID(f *form, name, label string) int64 {
	v := f.Text(name, label, 20, false)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		f.fail(name, "Please choose "+lowerFirst(label)+" from the list.")
		return 0
	}
	return n
}

// chartFloat reads a score that may be left empty.
func chartFloat(f *form, name, label string) (float64, bool) {
	v := f.Text(name, label, 12, false)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	if err != nil {
		f.fail(name, label+" must be a number.")
		return 0, false
	}
	return n, true
}

// findingsView draws a findings record for reading: its painful areas filled and its
// palpation findings marked.
func (a *App) findingsView(f clinic.Findings) views.FindingsView {
	front, back := a.bodies.Draw(f.Regions, f.Palpation)
	return views.FindingsView{Findings: f, Front: front, Back: back, Terms: views.FindingTerms{Vocab: clinic.FindingVocabulary()}}
}
