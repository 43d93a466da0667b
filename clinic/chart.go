package clinic

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// The chart is the client's clinical record as a clinician reads it. The store fills these
// types only for someone who treats the client; the pages show them as they are.

// ChartClient is the chart's header: who the client is and what to be careful of.
type ChartClient struct {
	ID        int64
	Name      string
	Email     string
	Phone     string
	BirthDate string // YYYY-MM-DD, or "" when not known
	Cautions  string
	// ConsentTreatment is when the client consented to treatment; zero when not recorded.
	ConsentTreatment time.Time
}

// Age is the client's age in whole years on a day, or -1 when the birth date is not known.
func (c ChartClient) Age(on Date) int {
	b, err := ParseDate(c.BirthDate)
	if err != nil {
		return -1
	}
	age := on.Y - b.Y
	if on.M < b.M || (on.M == b.M && on.D < b.D) {
		age--
	}
	return age
}

// Chart is everything the client's chart page shows.
type Chart struct {
	Client     ChartClient
	Assessment *ChartAssessment // nil when the client has not submitted one
	Flags      []ChartFlag
	Findings   []Findings      // newest first
	Plans      []TreatmentPlan // newest first, with goals, readings and sessions (a plan's own page reads the rest)
	Sessions   []ChartSession  // today's, then upcoming, then past (OrderTimeline)
	Referrals  []Referral      // newest first, without their letters (a referral's own page reads it whole)
	Today      Date            // in the clinic's zone, for the due dates
	Location   *time.Location  // the clinic's zone
}

// ChartCourse is a booked course as the plan page offers it for linking.
type ChartCourse struct {
	ID         int64
	PlanID     int64
	Sessions   int
	FirstStart time.Time
	Service    string
}

// ChartSession is one appointment on the chart's timeline with the state of its note: what the
// chart and the findings form show of it. Its client is the chart's.
type ChartSession struct {
	ID            int64
	TherapistID   int64
	ServiceID     int64
	CourseID      int64
	CourseIndex   int
	CourseSize    int
	TherapistName string
	ServiceName   string
	Start         time.Time
	Status        ApptStatus
	PlanID        int64 // the plan of the session's course, or else of its note; 0 for none
	NoteID        int64
	NoteStatus    string // "", "draft" or "signed"
	NoteOpen      bool   // its note may be written now (NoteOpen); the chart offers "Write note" only then
}

// NoteOpen reports whether the note of a session may be written at now: the appointment
// lifecycle's rule for drafting one, asked as the session's therapist.
func NoteOpen(status ApptStatus, start, now time.Time, loc *time.Location) bool {
	return ApptAllows(ApptChange{Event: ApptDraftNote, By: RoleTherapist, Status: status, Start: start, Now: now, Zone: loc})
}

// OrderTimeline puts the chart's sessions in the order a clinician reads them at now: today's
// first, by time; then the upcoming ones, soonest first; then the past, newest first. The
// first row is then the session in hand, not the furthest one booked. It marks each session
// whose note may be written now.
func (c *Chart) OrderTimeline(now time.Time) {
	loc := orUTC(c.Location)
	today := DateOf(now, loc)
	part := func(s ChartSession) int { // 0 today, 1 upcoming, 2 past
		switch d := DateOf(s.Start, loc); {
		case d == today:
			return 0
		case d.After(today):
			return 1
		}
		return 2
	}
	slices.SortStableFunc(c.Sessions, func(a, b ChartSession) int {
		pa, pb := part(a), part(b)
		if pa != pb {
			return cmp.Compare(pa, pb)
		}
		if pa == 2 {
			return b.Start.Compare(a.Start)
		}
		return a.Start.Compare(b.Start)
	})
	for i := range c.Sessions {
		s := &c.Sessions[i]
		s.NoteOpen = NoteOpen(s.Status, s.Start, now, loc)
	}
}

// ChartAssessment is the client's latest submitted self-assessment, as the therapist reads it.
type ChartAssessment struct {
	ID             int64
	SubmittedAt    time.Time
	Answers        AssessmentAnswers
	Result         AssessmentResult
	ConfirmedClass string // the therapist's class after seeing the client; "" until confirmed
	ConfirmedBy    string
}

// ChartFlag is a safety outcome or caution raised by the self-assessment, and whether a
// therapist has cleared it. An open flag whose action is refer, defer or clearance keeps a
// plan from starting.
type ChartFlag struct {
	AssessmentID int64
	Code         string
	Label        string
	Action       string
	Note         string
	Cleared      bool
	ClearedNote  string
	ClearedBy    string
	ClearedAt    time.Time
}

// flagCodeSafety is the code of the flag the safety gate's outcome raises.
const flagCodeSafety = "safety"

// Flags are the safety outcome and cautions the assessment raised, each not yet cleared; the
// store adds the clearances recorded since. A nil assessment raises none.
func (a *ChartAssessment) Flags() []ChartFlag {
	if a == nil {
		return nil
	}
	var out []ChartFlag
	if o := a.Result.Safety.Outcome; o != "" && o != SafetyClear {
		label := a.Result.Safety.Headline
		if label == "" {
			label = "Safety check: " + strings.ReplaceAll(string(o), "_", " ")
		}
		out = append(out, ChartFlag{AssessmentID: a.ID, Code: flagCodeSafety, Label: label, Action: string(o)})
	}
	for _, c := range a.Result.Cautions {
		out = append(out, ChartFlag{AssessmentID: a.ID, Code: c.Code, Label: c.Label, Action: c.Action, Note: c.Note})
	}
	return out
}
