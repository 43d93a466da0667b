package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

// The test's own picture of the exported record: written from the documented JSON, not
// from the app's types, so a renamed or dropped field fails here.
type exportedRecord struct {
	Clinic        string    `json:"clinic"`
	GeneratedAt   time.Time `json:"generated_at"`
	NotesReleased bool      `json:"notes_released"`
	Details       struct {
		Name      string    `json:"name"`
		Email     string    `json:"email"`
		Phone     string    `json:"phone"`
		BirthDate string    `json:"birth_date"`
		Cautions  string    `json:"cautions"`
		Notes     string    `json:"notes"`
		Since     time.Time `json:"client_since"`
	} `json:"details"`
	Bookings []struct {
		Start        time.Time `json:"start"`
		End          time.Time `json:"end"`
		Service      string    `json:"service"`
		Therapist    string    `json:"therapist"`
		Status       string    `json:"status"`
		CancelReason string    `json:"cancel_reason,omitempty"`
	} `json:"bookings"`
	Assessments []struct {
		Submitted      time.Time `json:"submitted"`
		Class          string    `json:"class"`
		ConfirmedClass string    `json:"confirmed_class,omitempty"`
		SafetyOutcome  string    `json:"safety_outcome"`
	} `json:"assessments"`
	Plans []struct {
		ID               int64    `json:"id"`
		Status           string   `json:"status"`
		StartDate        string   `json:"start_date"`
		ReassessmentDate string   `json:"reassessment_date"`
		Layers           []string `json:"layers"`
		Sessions         int      `json:"planned_sessions"`
		HomeCare         string   `json:"home_care"`
		Goals            []struct {
			Description string  `json:"description"`
			Measure     string  `json:"measure"`
			Baseline    float64 `json:"baseline"`
			Target      float64 `json:"target"`
		} `json:"goals"`
	} `json:"plans"`
	Outcomes []struct {
		Taken   time.Time `json:"taken"`
		PlanID  int64     `json:"plan_id"`
		Goal    string    `json:"goal"`
		Measure string    `json:"measure"`
		Value   float64   `json:"value"`
	} `json:"outcomes"`
	Notes []struct {
		Signed     time.Time `json:"signed"`
		Therapist  string    `json:"therapist"`
		Subjective string    `json:"subjective"`
		Objective  string    `json:"objective"`
		Response   string    `json:"response"`
		Progress   string    `json:"progress"`
		HomeCare   string    `json:"home_care"`
	} `json:"notes"`
}

// roundTrip decodes the export into the test's structures, refusing unknown fields, encodes
// it again and checks nothing was lost on the way.
func roundTrip(t *testing.T, body string) exportedRecord {
	t.Helper()
	var rec exportedRecord
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		t.Fatalf("the export does not decode into the documented structure: %v", err)
	}
	again, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(bytes.NewReader(again)).Decode(&b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("the export changed on a round trip:\n%s\n%s", body, again)
	}
	return rec
}

func TestClientExportsTheirWholeRecord(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	ctx := context.Background()
	appts := w.book(t, 70)
	plan := w.activePlan(t)
	w.signNote(t, appts[0], plan, 4)

	alex := w.as(t, w.p.Client)
	r := alex.get("/my")
	if !strings.Contains(r.Body, `href="/my/record"`) {
		t.Error("the client's page does not offer the record")
	}
	r = alex.get("/my/record")
	r.wantStatus(http.StatusOK)
	for _, want := range []string{"Alex Chen: the record", "Bookings (70)", "Turn my head to reverse the car",
		"Outcome scores (1)", "does not include session notes"} {
		if !strings.Contains(r.text(), want) {
			t.Errorf("the record lacks %q:\n%s", want, r.text())
		}
	}
	r = alex.get("/my/record.json")
	r.wantStatus(http.StatusOK)
	rec := roundTrip(t, r.Body)
	if rec.Details.Name != "Alex Chen" || len(rec.Bookings) != 70 || rec.Bookings[0].Therapist != "Sam Okafor" ||
		len(rec.Plans) != 1 || rec.Plans[0].Goals[0].Baseline != 6 || len(rec.Outcomes) != 1 || rec.Outcomes[0].Value != 4 ||
		rec.NotesReleased || len(rec.Notes) != 0 {
		t.Errorf("export = %+v", rec)
	}

	// Once the clinic releases notes, the signed note is in it.
	set, err := w.ta.Store.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.ReleaseNotes = true
	if err := w.ta.Store.SaveSettings(ctx, store.System, set); err != nil {
		t.Fatal(err)
	}
	rec = roundTrip(t, alex.get("/my/record.json").Body)
	if !rec.NotesReleased || len(rec.Notes) != 1 || rec.Notes[0].Subjective != "Reports less pain" {
		t.Errorf("released notes = %+v", rec.Notes)
	}

	// Reception produces the same for a request by post.
	jo := w.as(t, w.p.Reception)
	r = jo.get(fmt.Sprintf("/desk/clients/%d/record", w.clientID))
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Bookings (70)") {
		t.Errorf("reception's copy:\n%s", r.text())
	}

	// Another client asking for Alex's record learns nothing.
	bea := w.ta.mustUser(t, clinic.RoleClient, "bea@example.com", "Bea Client", testPassword)
	beaID := w.ta.clientID(t, bea)
	if _, err := w.ta.Store.ClientRecord(ctx, store.Actor{UserID: bea.ID, Role: clinic.RoleClient, ClientID: beaID}, w.clientID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another client's export: %v, want not found", err)
	}
	w.as(t, bea).get(fmt.Sprintf("/desk/clients/%d/record.json", w.clientID)).wantStatus(http.StatusNotFound)

	owner := store.Actor{UserID: w.p.Owner.ID, Role: clinic.RoleOwner}
	log, err := w.ta.Store.AuditLog(ctx, owner, store.AuditFilter{ClientID: w.clientID, RecordType: "client_record"})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 4 {
		t.Errorf("%d exports on the audit log, want 4 (page, JSON twice, reception)", len(log))
	}
}
