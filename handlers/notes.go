package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// txRows is the number of treatment rows on the note form.
const txRows = 6

// NoteForm is the SOAP note of an appointment: the form while it is a draft and the reader is
// the appointment's therapist, otherwise the note as it stands.
func (a *App) NoteForm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	n, err := a.Store.NoteForAppointment(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	if n.ID != 0 && !n.Editable {
		return c.Redirect(http.StatusSeeOther, notePath(n.ID))
	}
	if n.NotYet != "" {
		return a.flashKind(c, chartPath(n.Appointment.ClientID), n.NotYet, "error")
	}
	cl, cautions, err := a.chartHeader(c, n.Appointment.ClientID)
	if err != nil {
		return err
	}
	if !n.Editable {
		return a.render(c, "note_show", a.notePage(c, n, cl))
	}
	return a.render(c, "note_form", a.noteFormPage(c, n, cl, cautions, noteValues(n)))
}

func (a *App) noteFormPage(c echo.Context, n store.AppointmentNote, cl clinic.ChartClient, cautions []views.ChartCaution, fv views.ChartValues) views.NoteFormPage {
	return views.NoteFormPage{Page: a.page(c, "Session note · "+cl.Name), Note: n, Client: cl, Form: fv,
		Vocab: clinic.NoteVocabulary(), Choices: chartChoices(), TxRows: views.ChartRows(txRows), PainScale: painScale(),
		Cautions: cautions, Action: "/appointments/" + strconv.FormatInt(n.Appointment.ID, 10) + "/note"}
}

// painScale is 0 to 10 as terms, for the pain-today list.
func painScale() []clinic.ChartTerm {
	out := make([]clinic.ChartTerm, 11)
	for i := range out {
		out[i] = clinic.ChartTerm{Code: strconv.Itoa(i), Label: strconv.Itoa(i)}
	}
	out[0].Label, out[10].Label = "0 (no pain)", "10 (worst imaginable)"
	return out
}

// noteValues puts a saved note into form values.
func noteValues(n store.AppointmentNote) views.ChartValues {
	fv := views.ChartValues{"subjective": {n.Subjective}, "change": {n.Change}, "objective": {n.Objective},
		"response": {n.Response}, "progress": {n.Progress}, "next_focus": {n.NextFocus}, "home_care": {n.HomeCare},
		"adverse": {n.Adverse}, "adverse_severity": {n.AdverseSeverity}, "adverse_note": {n.AdverseNote},
		"plan": {idField(n.PlanID)}, "findings": {idField(n.FindingsID)}}
	if n.PainToday != nil {
		fv["pain_today"] = []string{strconv.Itoa(*n.PainToday)}
	}
	for id, v := range n.Scores {
		fv[scoreField(id)] = []string{formatScore(v)}
	}
	for i, t := range n.Treatments {
		k := fmt.Sprintf("tx.%d.", i)
		fv[k+"technique"], fv[k+"region"], fv[k+"side"] = []string{t.Technique}, []string{t.Region}, []string{string(t.Side)}
		fv[k+"muscle"], fv[k+"point"], fv[k+"pressure"], fv[k+"note"] = []string{t.Muscle}, []string{t.Point}, []string{t.Pressure}, []string{t.Note}
		if t.Minutes != nil {
			fv[k+"minutes"] = []string{strconv.Itoa(*t.Minutes)}
		}
	}
	return fv
}

func idField(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func notePath(id int64) string { return "/notes/" + strconv.FormatInt(id, 10) }

// NoteSave saves the draft. The page's script posts the whole form as the therapist types,
// marked X-Autosave: 1; those saves answer 204 with no page.
func (a *App) NoteSave(c echo.Context) error { return a.saveNote(c, false) }

// NoteSign saves the final text and signs the note; after this only addenda are possible.
func (a *App) NoteSign(c echo.Context) error { return a.saveNote(c, true) }

func (a *App) saveNote(c echo.Context, sign bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := a.Store.MayWriteNote(ctx, actor(c), id); err != nil {
		return err
	}
	auto := c.Request().Header.Get("X-Autosave") == "1" && !sign
	n, errs := parseNote(c, sign)
	if len(errs) > 0 {
		if auto {
			return c.NoContent(http.StatusUnprocessableEntity)
		}
		return a.noteInvalid(c, id, errs)
	}
	save := a.Store.SaveNoteDraft
	if sign {
		save = a.Store.SignNote
	}
	noteID, err := save(ctx, actor(c), id, n)
	var timing *clinic.ErrApptTiming
	switch {
	case errors.As(err, &timing) && !auto:
		return a.noteInvalid(c, id, map[string]string{"sign": timing.Error()})
	case errors.Is(err, store.ErrInvalidRecord):
		return echo.NewHTTPError(http.StatusUnprocessableEntity)
	case err != nil:
		return err
	case auto:
		return c.NoContent(http.StatusNoContent)
	case sign:
		return a.flash(c, notePath(noteID), "Note signed. It can no longer be changed; add an addendum if needed.")
	}
	return a.flash(c, "/appointments/"+strconv.FormatInt(id, 10)+"/note", "Draft saved.")
}

// noteInvalid shows the form again with what was typed and every problem beside its field.
func (a *App) noteInvalid(c echo.Context, apptID int64, errs map[string]string) error {
	n, err := a.Store.NoteForAppointment(c.Request().Context(), actor(c), apptID)
	if err != nil {
		return err
	}
	if !n.Editable {
		return echo.NewHTTPError(http.StatusConflict)
	}
	cl, cautions, err := a.chartHeader(c, n.Appointment.ClientID)
	if err != nil {
		return err
	}
	params, _ := c.FormParams()
	p := a.noteFormPage(c, n, cl, cautions, views.ChartValues(params))
	for k, v := range errs {
		p.Page.Errors[k] = v
	}
	return a.invalid(c, "note_form", p)
}

func parseNote(c echo.Context, sign bool) (clinic.SessionNote, map[string]string) {
	f := newForm(c)
	n := clinic.SessionNote{Scores: map[int64]float64{}}
	n.PlanID = chartID(f, "plan", "Plan")
	n.FindingsID = chartID(f, "findings", "Findings")
	n.Subjective = f.Multiline("subjective", "Subjective", clinic.NoteTextMax, false)
	n.PainToday = chartInt(f, "pain_today", "Pain today")
	n.Change = f.Text("change", "Change since last time", 20, false)
	n.Objective = f.Multiline("objective", "Objective", clinic.NoteTextMax, false)
	n.Response = f.Multiline("response", "Response to treatment", clinic.NoteTextMax, false)
	n.Progress = f.Multiline("progress", "Progress against the goal", clinic.NoteTextMax, false)
	n.NextFocus = f.Multiline("next_focus", "Next session's focus", clinic.NoteTextMax, false)
	n.HomeCare = f.Multiline("home_care", "Home care", clinic.NoteTextMax, false)
	n.Adverse = f.Text("adverse", "Adverse reaction", 20, false)
	n.AdverseSeverity = f.Text("adverse_severity", "Severity", 20, false)
	n.AdverseNote = f.Multiline("adverse_note", "About the reaction", clinic.NoteTextMax, false)
	params, _ := c.FormParams()
	for name := range params {
		id, ok := scoreGoal(name)
		if !ok {
			continue
		}
		if v, ok := chartFloat(f, name, "Score"); ok {
			n.Scores[id] = v
		}
	}
	rows := rowMap{}
	for i := range txRows {
		if t, ok := parseTreatment(f, i); ok {
			n.Treatments = append(n.Treatments, t)
			rows.add("tx", i)
		}
	}
	errs := f.Errors
	for k, v := range rows.remap(n.Validate(sign)) {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
	return n, errs
}

func scoreGoal(name string) (int64, bool) {
	if len(name) < 7 || name[:6] != "score." {
		return 0, false
	}
	id, err := strconv.ParseInt(name[6:], 10, 64)
	return id, err == nil && id > 0
}

func parseTreatment(f *form, i int) (clinic.NoteTreatment, bool) {
	k := fmt.Sprintf("tx.%d.", i)
	t := clinic.NoteTreatment{Technique: f.Text(k+"technique", "Technique", 40, false), Region: f.Text(k+"region", "Region", 40, false),
		Side: clinic.BodySide(f.Text(k+"side", "Side", 20, false)), Muscle: f.Text(k+"muscle", "Muscle", 40, false),
		Point: f.Text(k+"point", "Point", 20, false), Minutes: chartInt(f, k+"minutes", "Minutes"),
		Pressure: f.Text(k+"pressure", "Pressure", 20, false), Note: f.Text(k+"note", "Note", clinic.FindingNoteMax, false)}
	return t, t.Technique != "" || t.Region != "" || t.Muscle != "" || t.Point != "" || t.Note != ""
}

// NoteShow shows a note with its addenda, and the addendum form once it is signed.
func (a *App) NoteShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	n, err := a.Store.NoteByID(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	cl, _, err := a.chartHeader(c, n.Appointment.ClientID)
	if err != nil {
		return err
	}
	return a.render(c, "note_show", a.notePage(c, n, cl))
}

func (a *App) notePage(c echo.Context, n store.AppointmentNote, cl clinic.ChartClient) views.NotePage {
	return views.NotePage{Page: a.page(c, "Session note · "+cl.Name), Note: n, Client: cl, Vocab: clinic.NoteVocabulary(),
		Terms: views.FindingTerms{Vocab: clinic.FindingVocabulary()}, Form: views.ChartValues{}}
}

// NoteAddendum adds text to a signed note.
func (a *App) NoteAddendum(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := newForm(c)
	text := f.Multiline("addendum", "The addendum", clinic.AddendumMax, true)
	if !f.Valid() {
		n, err := a.Store.NoteByID(ctx, actor(c), id)
		if err != nil {
			return err
		}
		cl, _, err := a.chartHeader(c, n.Appointment.ClientID)
		if err != nil {
			return err
		}
		p := a.notePage(c, n, cl)
		p.Form["addendum"] = []string{text}
		for k, v := range f.Errors {
			p.Page.Errors[k] = v
		}
		return a.invalid(c, "note_show", p)
	}
	if err := a.Store.AddAddendum(ctx, actor(c), id, text); err != nil {
		return err
	}
	return a.flash(c, notePath(id)+"#addenda", "Addendum added.")
}
