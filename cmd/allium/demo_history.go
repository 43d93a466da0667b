package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"allium/clinic"
	"allium/mail"
	"allium/store"
)

// The demo's history is told as stories, one per client, each through the store's own write
// paths with the store's clock set to the moment the step happened: the assessment a few days
// before the first visit, the booking, the visit, its findings, plan and signed note, the
// course and its notes with readings, and what the review decided. Mail is sent by the real
// worker into the built-in mailbox at the moment it fell due, so the mailbox reads as history.

// demoEnd is what became of a client's plan.
type demoEnd string

const (
	endRunning     demoEnd = "running"     // mid-course, sessions ahead
	endDue         demoEnd = "due"         // every session done, the review not yet recorded
	endGoalMet     demoEnd = "goal_met"    // reviewed, goal met, discharged
	endMaintenance demoEnd = "maintenance" // reviewed, monthly maintenance booked ahead
	endLapsed      demoEnd = "lapsed"      // reviewed for maintenance, nothing booked since: due for it
	endExtend      demoEnd = "extend"      // reviewed, one more course
	endChange      demoEnd = "change"      // reviewed, a new plan with another approach
	endRefer       demoEnd = "refer"       // reviewed, referred on, letter sent
	endHold        demoEnd = "hold"        // on hold after two sessions
	endStop        demoEnd = "discontinue" // discontinued after two sessions
	endDropped     demoEnd = "dropped"     // stopped coming mid-course: on the recall list
	endDraft       demoEnd = "draft"       // a plan drafted at the first visit, not started
	endAbandoned   demoEnd = "abandoned"   // a draft given up
)

// demoStory is one client's course of care: a first visit `first` days from today, then a
// course of `sessions` towards the plan's goals with the given outcome.
type demoStory struct {
	client    int // index in demoClients
	therapist int // index in the demo's therapists (Sam, Priya, Tom)
	profile   demoProfile
	first     int
	sessions  int
	end       demoEnd
	caution   string // a caution ticked in the assessment, cleared before the plan where it must be
}

// demoClinic is the running state of the history as it is told.
type demoClinic struct {
	st         *store.Store
	loc        *time.Location
	now        time.Time
	today      clinic.Date
	therapists []store.Actor
	desk       store.Actor
	services   map[string]store.Service
	clients    []store.Actor
	mailer     *mail.Worker
	rng        *rand.Rand
}

// at sets the store's clock to t: what follows happened then.
func (h *demoClinic) at(t time.Time) {
	if t.After(h.now) {
		t = h.now
	}
	h.st.Now = func() time.Time { return t }
}

func (h *demoClinic) day(offset int) clinic.Date { return h.today.AddDays(offset) }

func (h *demoClinic) clock(d clinic.Date, hour, minute int) time.Time {
	return time.Date(d.Y, d.M, d.D, hour, minute, 0, 0, h.loc)
}

// drain sends the mail due at the clock's time into the mailbox.
func (h *demoClinic) drain(ctx context.Context) error {
	_, err := h.mailer.Drain(ctx)
	return err
}

// errNoTime says a story found no free time to book; the story is left where it stands.
var errNoTime = errors.New("demo: no free time")

// book books n sessions of a service with a therapist, the first on `from` or within a
// fortnight after, at a time of day that differs from client to client, through BookCourse.
func (h *demoClinic) book(ctx context.Context, clientID int64, th store.Actor, key string, from clinic.Date, n int) ([]store.Appointment, error) {
	sv := h.services[key]
	for try := 0; try < 14; try++ {
		d := from.AddDays(try)
		start := h.clock(d, 0, 0)
		if !start.After(h.st.Now()) {
			continue
		}
		span := clinic.CourseRange(d, n, clinic.DefaultSpacing())
		q, err := h.st.SlotQueryFor(ctx, clientID, sv.Service, []int64{th.UserID}, start, h.clock(span.To.AddDays(1), 0, 0))
		if err != nil {
			return nil, err
		}
		q.MinNotice = clinic.NoNotice
		var today []clinic.Slot
		for _, s := range clinic.FreeTimes(q) {
			if clinic.DateOf(s.Start, h.loc) == d && s.Start.Minute()%30 == 0 {
				today = append(today, s)
			}
		}
		if len(today) == 0 {
			continue
		}
		var starts []time.Time
		for _, pr := range clinic.ProposeCourse(q, today[h.rng.IntN(len(today))], n, clinic.DefaultSpacing()) {
			if pr.Found {
				starts = append(starts, pr.Slot.Start)
			}
		}
		b, err := h.st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: clientID, ServiceID: sv.ID,
			TherapistID: th.UserID, Starts: starts, Consent: true, Reminders: true})
		if err != nil {
			return nil, err
		}
		return b.Appointments, h.drain(ctx)
	}
	return nil, errNoTime
}

// attend plays a session that has come: reminders go out before it, reception marks it done.
func (h *demoClinic) attend(ctx context.Context, a store.Appointment) error {
	h.at(a.Start.Add(-time.Hour))
	if err := h.drain(ctx); err != nil {
		return err
	}
	h.at(a.End.Add(5 * time.Minute))
	_, err := h.st.SetStatus(ctx, h.desk, a.ID, "completed")
	return err
}

// assess files the online assessment the client did before their first visit.
func (h *demoClinic) assess(ctx context.Context, client store.Actor, answers clinic.AssessmentAnswers) (int64, error) {
	tok, id, err := h.st.CreateAssessmentDraft(ctx)
	if err != nil {
		return 0, err
	}
	if err := h.st.SubmitAssessment(ctx, tok, clinic.ScoreAssessment(clinic.AssessmentV1(), answers), h.st.Now()); err != nil {
		return 0, err
	}
	return id, h.st.LinkAssessment(ctx, client, tok)
}

// scores are the goals' readings a share of the way from baseline to target.
func scores(goals []clinic.PlanGoal, share float64) map[int64]float64 {
	out := map[int64]float64{}
	for _, g := range goals {
		out[g.ID] = math.Round(g.Baseline + (g.Target-g.Baseline)*share)
	}
	return out
}

// note signs the note of a session, with readings of each goal.
func (h *demoClinic) note(ctx context.Context, th store.Actor, a store.Appointment, p demoProfile, planID, findingsID int64,
	goals []clinic.PlanGoal, share float64) error {
	pain := int(math.Round(6 - 4*share))
	said := p.said[0]
	change := "better"
	if share > 0.6 {
		said = p.said[1]
	}
	if share == 0 {
		change = ""
	}
	tr := p.treatment
	n := clinic.SessionNote{PlanID: planID, FindingsID: findingsID, Subjective: said, PainToday: &pain, Change: change,
		Objective: "Tone and tenderness as charted; range a little freer than last time.",
		Response:  "Tissue softened; client reported easier movement at the end.", NextFocus: p.focus,
		HomeCare: "Heat and the stretches shown, twice a day.", Treatments: []clinic.NoteTreatment{tr},
		Scores: scores(goals, share)}
	_, err := h.st.SignNote(ctx, th, a.ID, n)
	return err
}

// tell plays one story from the assessment to the end the story names.
func (h *demoClinic) tell(ctx context.Context, s demoStory) error {
	client, th := h.clients[s.client], h.therapists[s.therapist]
	first := h.day(s.first)
	h.at(h.clock(first.AddDays(-3), 19, 30))
	answers := s.profile.answers
	if s.caution != "" {
		answers = s.profile.withCaution(s.caution).answers
	}
	aid, err := h.assess(ctx, client, answers)
	if err != nil {
		return err
	}
	initial, err := h.book(ctx, client.ClientID, th, "remedial_initial_75", first, 1)
	if err != nil || initial[0].Start.After(h.now) {
		return err
	}
	if err := h.attend(ctx, initial[0]); err != nil {
		return err
	}
	p := s.profile
	fid, err := h.st.RecordFindings(ctx, th, clinic.Findings{ClientID: client.ClientID, AppointmentID: initial[0].ID,
		Kind: "initial", Complaint: p.complaint, Aggravating: "Sustained positions; the end of the day.",
		Easing: "Heat, moving around.", Impression: p.impress, ConfirmedClass: p.class, Regions: p.regions,
		Channels: p.channels, Palpation: p.palpation})
	if err != nil {
		return fmt.Errorf("findings: %w", err)
	}
	if err := h.st.ConfirmAssessmentClass(ctx, th, aid, p.class); err != nil {
		return fmt.Errorf("confirm class: %w", err)
	}
	if s.caution == "cancer" {
		if err := h.st.ClearFlag(ctx, th, client.ClientID, "cancer", "Oncologist's letter on file: treatment finished last year, light pressure cleared."); err != nil {
			return fmt.Errorf("clear flag: %w", err)
		}
	}
	planID, goals, err := h.plan(ctx, th, client.ClientID, fid, 0, p, first.AddDays(7), s.sessions)
	if err != nil {
		return err
	}
	switch s.end {
	case endDraft:
		return nil
	case endAbandoned:
		_, err := h.st.ApplyPlanEvent(ctx, th, planID, clinic.PlanEventAbandon, "Client chose to wait until after the move.")
		return err
	}
	if _, err := h.st.ApplyPlanEvent(ctx, th, planID, clinic.PlanEventStart, "Agreed with the client."); err != nil {
		return fmt.Errorf("start plan: %w", err)
	}
	if err := h.note(ctx, th, initial[0], p, planID, fid, goals, 0); err != nil {
		return fmt.Errorf("first note: %w", err)
	}
	course, err := h.book(ctx, client.ClientID, th, "remedial_followup_60", first.AddDays(7), s.sessions)
	if err != nil {
		return err
	}
	last, done, err := h.course(ctx, s, th, client, planID, fid, goals, course, 0.25, 1)
	if err != nil || done {
		return err
	}
	return h.review(ctx, s, th, client, planID, fid, goals, last)
}

// plan drafts a plan from the profile whose review falls on the last planned session.
func (h *demoClinic) plan(ctx context.Context, th store.Actor, clientID, fid, previous int64, p demoProfile, start clinic.Date,
	sessions int) (int64, []clinic.PlanGoal, error) {
	d := clinic.NewTreatmentPlanDraft(h.clock(start, 12, 0))
	d.Layers, d.Goals, d.PlannedSessions = p.layers, p.goals, sessions
	d.ReassessmentDate = h.clock(start.AddDays(7*(sessions-1)), 12, 0)
	id, err := h.st.CreatePlan(ctx, th, store.NewPlan{ClientID: clientID, FindingsID: fid, PreviousPlanID: previous, Draft: d,
		HomeCare: "Heat and gentle stretches twice a day; a break from the desk every 45 minutes."})
	if err != nil {
		return 0, nil, fmt.Errorf("plan: %w", err)
	}
	pl, err := h.st.PlanByID(ctx, th, id)
	return id, pl.Goals, err
}

// course plays the booked sessions of a course that have come. The readings move from share
// `from` towards `to` of the way to each goal. It returns the last session attended, and done
// when the story ends here (sessions still ahead, a hold or a client who stopped coming).
func (h *demoClinic) course(ctx context.Context, s demoStory, th, client store.Actor, planID, fid int64, goals []clinic.PlanGoal,
	course []store.Appointment, from, to float64) (store.Appointment, bool, error) {
	var last store.Appointment
	for i, a := range course {
		if a.End.After(h.now) {
			return last, true, nil
		}
		if i >= 2 && (s.end == endHold || s.end == endStop || s.end == endDropped) {
			return last, true, h.stop(ctx, s, th, client, planID, course[i:])
		}
		if err := h.attend(ctx, a); err != nil {
			return last, false, err
		}
		share := from + (to-from)*float64(i+1)/float64(len(course))
		if err := h.note(ctx, th, a, s.profile, planID, fid, goals, share); err != nil {
			return last, false, fmt.Errorf("note: %w", err)
		}
		last = a
	}
	return last, s.end == endRunning || s.end == endDue || last.ID == 0, nil
}

// stop ends a course early: the client cancels what is left, and the plan is held or stopped.
func (h *demoClinic) stop(ctx context.Context, s demoStory, th, client store.Actor, planID int64, rest []store.Appointment) error {
	h.at(rest[0].Start.Add(-4 * 24 * time.Hour))
	reason := map[demoEnd]string{endHold: "Away for work for a month.", endStop: "Moving interstate.",
		endDropped: "Too busy at work just now."}[s.end]
	for _, a := range rest {
		if _, err := h.st.Cancel(ctx, client, a.ID, reason); err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
	}
	ev := map[demoEnd]clinic.PlanEvent{endHold: clinic.PlanEventHold, endStop: clinic.PlanEventDiscontinue}[s.end]
	if ev != "" {
		if _, err := h.st.ApplyPlanEvent(ctx, th, planID, ev, reason); err != nil {
			return fmt.Errorf("plan %s: %w", ev, err)
		}
	}
	return h.drain(ctx)
}

// review records the reassessment at the last session and plays what it decided.
func (h *demoClinic) review(ctx context.Context, s demoStory, th, client store.Actor, planID, fid int64, goals []clinic.PlanGoal,
	last store.Appointment) error {
	h.at(last.End.Add(15 * time.Minute))
	decision := map[demoEnd]clinic.ReassessDecision{endGoalMet: clinic.DecisionGoalMet, endMaintenance: clinic.DecisionMaintenance,
		endLapsed: clinic.DecisionMaintenance, endExtend: clinic.DecisionExtend, endChange: clinic.DecisionChangeApproach,
		endRefer: clinic.DecisionRefer}[s.end]
	share := map[clinic.ReassessDecision]float64{clinic.DecisionGoalMet: 1, clinic.DecisionMaintenance: 1,
		clinic.DecisionExtend: 0.6, clinic.DecisionChangeApproach: 0.2, clinic.DecisionRefer: 0.3}[decision]
	res, err := h.st.RecordReassessment(ctx, th, planID, store.ReassessmentInput{AppointmentID: last.ID,
		Current: scores(goals, share), Decision: decision, Rationale: rationale[decision]})
	if err != nil {
		return fmt.Errorf("reassessment: %w", err)
	}
	next := clinic.DateOf(last.Start, h.loc).AddDays(7)
	switch s.end {
	case endMaintenance:
		for m := 1; m <= 3; m++ {
			d := clinic.DateOf(last.Start, h.loc).AddDays(28 * m)
			h.at(h.clock(d.AddDays(-21), 18, 0))
			if d.After(h.day(85)) {
				break
			}
			a, err := h.book(ctx, client.ClientID, th, "sports_maintenance_60", d, 1)
			if errors.Is(err, errNoTime) {
				continue
			}
			if err != nil {
				return err
			}
			if a[0].End.Before(h.now) {
				if err := h.attend(ctx, a[0]); err != nil {
					return err
				}
			}
		}
	case endExtend:
		more, err := h.book(ctx, client.ClientID, th, "remedial_followup_60", next, 3)
		if err != nil {
			return err
		}
		_, _, err = h.course(ctx, demoStory{profile: s.profile, end: endDue}, th, client, planID, fid, goals, more, 0.6, 0.9)
		return err
	case endChange:
		p := profileTension
		p.goals = s.profile.goals
		id, goals, err := h.plan(ctx, th, client.ClientID, fid, planID, p, next, 4)
		if err != nil {
			return err
		}
		if _, err := h.st.ApplyPlanEvent(ctx, th, id, clinic.PlanEventStart, "Trying Tui Na for the stress side of it."); err != nil {
			return err
		}
		more, err := h.book(ctx, client.ClientID, th, "tuina_60", next, 4)
		if err != nil {
			return err
		}
		_, _, err = h.course(ctx, demoStory{profile: p, end: endRunning}, th, client, id, fid, goals, more, 0.2, 0.8)
		return err
	case endRefer:
		rid, err := h.st.CreateReferral(ctx, th, clinic.Referral{ClientID: client.ClientID, PlanID: planID, ReassessmentID: res.ID,
			Target: "physiotherapist", Urgency: "routine",
			Reason: "structural_or_load_deficit",
			Letter: "Dear colleague,\n\nThank you for seeing this client. Massage has eased the ache, but weakness in shoulder abduction persists after a course of treatment. We would value your assessment and a strengthening programme.\n\nKind regards"}, false)
		if err != nil {
			return fmt.Errorf("referral: %w", err)
		}
		return h.st.MarkReferralSent(ctx, th, rid)
	}
	return h.drain(ctx)
}

var rationale = map[clinic.ReassessDecision]string{
	clinic.DecisionGoalMet:        "Both goals met and held for a fortnight; discharged with home care.",
	clinic.DecisionMaintenance:    "Goals met; monthly maintenance through the training season.",
	clinic.DecisionExtend:         "Clear gains but short of target; one more short course.",
	clinic.DecisionChangeApproach: "Little change with trigger point work; stress is the larger part.",
	clinic.DecisionRefer:          "Ache eased but weakness unchanged: needs rehab alongside.",
}

// visits books a client's one-off sessions every few weeks from `first` on, and plays the
// ones that have come.
func (h *demoClinic) visits(ctx context.Context, client store.Actor, th store.Actor, key string, first, every int) error {
	for d := first; d <= 85; d += every + h.rng.IntN(7) {
		day := h.day(d)
		h.at(h.clock(day.AddDays(-6), 20, 0))
		a, err := h.book(ctx, client.ClientID, th, key, day, 1)
		if errors.Is(err, errNoTime) {
			continue
		}
		if err != nil {
			return err
		}
		if a[0].End.After(h.now) {
			continue
		}
		if err := h.attend(ctx, a[0]); err != nil {
			return err
		}
		pain := 2
		n := clinic.SessionNote{Subjective: "Here for a " + h.services[key].Name + "; general tightness.", PainToday: &pain,
			Response: "Relaxed well.", NextFocus: "As needed."}
		if _, err := h.st.SignNote(ctx, th, a[0].ID, n); err != nil {
			return fmt.Errorf("visit note: %w", err)
		}
	}
	return nil
}
