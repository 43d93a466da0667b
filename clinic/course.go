package clinic

import (
	"errors"
	"fmt"
	"time"
)

// Bounds on a remedial course's spacing, in days. Three days lets
// post-treatment soreness settle; beyond ten the course loses its effect and
// a gap alert is due. Other kinds of course have their own (CourseKind).
const (
	MinSpacingDays = 3
	MaxSpacingDays = 10
)

// ErrBadSpacing marks a spacing outside the allowed bounds.
var ErrBadSpacing = errors.New("invalid session spacing")

// CourseKind is what a course is for; each kind bounds how far apart its
// sessions may be.
type CourseKind string

// Course kinds, narrowest first.
const (
	// CourseRemedial treats a problem: 3 to 10 days apart, weekly by default.
	CourseRemedial CourseKind = "remedial"
	// CourseRecovery follows a training block: up to 14 days apart.
	CourseRecovery CourseKind = "sports_recovery"
	// CourseMaintenance keeps a result: every 2 to 6 weeks.
	CourseMaintenance CourseKind = "maintenance"
)

type courseBounds struct{ min, target, max int }

var courseKindBounds = map[CourseKind]courseBounds{
	CourseRemedial:    {MinSpacingDays, 7, MaxSpacingDays},
	CourseRecovery:    {MinSpacingDays, 14, 14},
	CourseMaintenance: {14, 28, 42},
}

// CourseKinds lists the kinds, narrowest first.
func CourseKinds() []CourseKind {
	return []CourseKind{CourseRemedial, CourseRecovery, CourseMaintenance}
}

// Spacing is the kind's spacing at its usual target.
func (k CourseKind) Spacing() Spacing {
	b, ok := courseKindBounds[k]
	if !ok {
		return DefaultSpacing()
	}
	return Spacing{Target: b.target, Min: b.min, Max: b.max}
}

// CourseSpacing is the spacing of a course whose sessions aim to be target
// days apart: the bounds of the narrowest kind that allows target (7 days is
// a remedial course, 14 sports recovery, 28 maintenance). ok is false for a
// target no kind allows.
func CourseSpacing(target int) (Spacing, bool) {
	for _, k := range CourseKinds() {
		b := courseKindBounds[k]
		if target >= b.min && target <= b.max {
			return Spacing{Target: target, Min: b.min, Max: b.max}, true
		}
	}
	return Spacing{}, false
}

// MinCourseDays and MaxCourseDays are the bounds of every kind together.
const (
	MinCourseDays = MinSpacingDays
	MaxCourseDays = 42
)

// Spacing is the gap between sessions of a course, in calendar days.
type Spacing struct {
	Target, Min, Max int
}

// DefaultSpacing is weekly sessions, allowed to move between 3 and 10 days
// after the previous one: a remedial course.
func DefaultSpacing() Spacing { return CourseRemedial.Spacing() }

// Validate requires Min <= Target <= Max inside the bounds of one course
// kind: a plan's own spacing may be narrower than its kind's, never wider.
func (s Spacing) Validate() error {
	if s.Min <= s.Target && s.Target <= s.Max {
		for _, k := range CourseKinds() {
			if b := courseKindBounds[k]; s.Min >= b.min && s.Max <= b.max {
				return nil
			}
		}
	}
	return fmt.Errorf("spacing %d days (%d-%d): want min <= target <= max inside one course kind's bounds: %w",
		s.Target, s.Min, s.Max, ErrBadSpacing)
}

// ErrCourseSpacing says a session of a course is too soon or too late after
// the one before it. Its message is the sentence the person booking reads.
type ErrCourseSpacing struct {
	Session int // 1-based, the session that does not fit
	After   int // the session before it that stands
	Gap     int // days after that one
	Spacing Spacing
}

func (e *ErrCourseSpacing) Error() string {
	gap := fmt.Sprintf("%d days", e.Gap)
	switch {
	case e.Gap == 1:
		gap = "1 day"
	case e.Gap == 0:
		gap = "on the same day as"
	case e.Gap < 0:
		gap = "before"
	}
	if e.Gap > 0 {
		gap += " after"
	}
	return fmt.Sprintf("Session %d would be %s session %d; this course's sessions are %d to %d days apart.",
		e.Session, gap, e.After, e.Spacing.Min, e.Spacing.Max)
}

// CheckCourseSpacing is the rule every course booking and every move of a
// course's session keeps: each session is Min to Max calendar days (in the
// clinic's zone) after the one before it. starts are the sessions in course
// order; a zero time is a session that no longer takes place (cancelled or
// missed) and is skipped, the next one counting from the last that stands.
func CheckCourseSpacing(starts []time.Time, s Spacing, loc *time.Location) error {
	if err := s.Validate(); err != nil {
		return err
	}
	prev, prevSession := Date{}, 0
	for i, st := range starts {
		if st.IsZero() {
			continue
		}
		day := DateOf(st, loc)
		if prevSession > 0 {
			if gap := prev.DaysUntil(day); gap < s.Min || gap > s.Max {
				return &ErrCourseSpacing{Session: i + 1, After: prevSession, Gap: gap, Spacing: s}
			}
		}
		prev, prevSession = day, i+1
	}
	return nil
}

// After returns the days a session may take after one on prev.
func (s Spacing) After(prev Date) DateRange {
	return DateRange{prev.AddDays(s.Min), prev.AddDays(s.Max)}
}

// CourseRange returns the dates a course starting on first could reach,
// which is the range whose busy intervals ProposeCourse needs.
func CourseRange(first Date, sessions int, s Spacing) DateRange {
	return DateRange{first, first.AddDays(max(sessions-1, 0) * s.Max)}
}

// Proposal is one session of a proposed course. When Found is false no
// free time was found in Window and the client must pick another way
// (call the clinic, another therapist, a later block).
type Proposal struct {
	Session int       // 1-based
	Target  Date      // the ideal day: first + (Session-1)*Target, kept inside Window
	Window  DateRange // the days searched, from the previous session's spacing
	Day     Date      // the slot's local date when Found
	Slot    Slot
	Found   bool
}

// ProposeCourse lays out a course of sessions with the first session's
// therapist, starting with first. Session k aims for first + k*Target days,
// at the free start nearest the first session's local time of day, so a
// 10:00 course stays at 10:00 across a DST change. When that day is full it
// takes the day nearest to it (earlier on a tie) inside [prev+Min,
// prev+Max].
//
// q.From, q.To and therapists other than first's are ignored; q must carry
// busy intervals for CourseRange. It returns nil when sessions < 1 or the
// spacing is invalid; a zero Spacing means DefaultSpacing.
func ProposeCourse(q SlotQuery, first Slot, sessions int, spacing Spacing) []Proposal {
	if spacing == (Spacing{}) {
		spacing = DefaultSpacing()
	}
	if sessions < 1 || spacing.Validate() != nil {
		return nil
	}
	loc := orUTC(q.Location)
	day := DateOf(first.Start, loc)
	out := make([]Proposal, sessions)
	out[0] = Proposal{Session: 1, Target: day, Window: DateRange{day, day}, Day: day, Slot: first, Found: true}
	free := courseFreeTimes(q, first, sessions, spacing)
	tod := secondOfDay(first.Start.In(loc))
	for k := 1; k < sessions; k++ {
		prev := out[k-1].Day
		if !out[k-1].Found {
			prev = out[k-1].Target
		}
		win := spacing.After(prev)
		target := clampDate(day.AddDays(k*spacing.Target), win)
		out[k] = Proposal{Session: k + 1, Target: target, Window: win}
		if s, d, ok := nearestFree(free, target, win, tod, loc); ok {
			out[k].Slot, out[k].Day, out[k].Found = s, d, true
		}
	}
	return out
}

// courseFreeTimes runs one search over the whole course range for the
// first session's therapist and files the starts by local date.
func courseFreeTimes(q SlotQuery, first Slot, sessions int, spacing Spacing) map[Date][]Slot {
	loc := orUTC(q.Location)
	r := CourseRange(DateOf(first.Start, loc), sessions, spacing)
	q.From, q.To = r.From.AddDays(spacing.Min), r.To
	var only []TherapistCalendar
	for _, t := range q.Therapists {
		if t.TherapistID == first.TherapistID {
			only = append(only, t)
			break
		}
	}
	q.Therapists = only
	free := make(map[Date][]Slot)
	for _, s := range FreeTimes(q) {
		d := DateOf(s.Start, loc)
		free[d] = append(free[d], s)
	}
	return free
}

// nearestFree searches the window's days outward from target and returns
// the first day's start nearest the time of day tod.
func nearestFree(free map[Date][]Slot, target Date, win DateRange, tod int, loc *time.Location) (Slot, Date, bool) {
	for step := 0; step <= win.From.DaysUntil(win.To); step++ {
		for _, d := range []Date{target.AddDays(-step), target.AddDays(step)} {
			if !win.Contains(d) || len(free[d]) == 0 {
				continue
			}
			return nearestTime(free[d], tod, loc), d, true
		}
	}
	return Slot{}, Date{}, false
}

// nearestTime picks the slot whose local time of day is closest to tod;
// on a tie the earlier one.
func nearestTime(slots []Slot, tod int, loc *time.Location) Slot {
	best, bestGap := slots[0], -1
	for _, s := range slots {
		gap := secondOfDay(s.Start.In(loc)) - tod
		if gap < 0 {
			gap = -gap
		}
		if bestGap < 0 || gap < bestGap {
			best, bestGap = s, gap
		}
	}
	return best
}

func secondOfDay(t time.Time) int {
	h, m, s := t.Clock()
	return h*3600 + m*60 + s
}

func clampDate(d Date, r DateRange) Date {
	switch {
	case d.Before(r.From):
		return r.From
	case d.After(r.To):
		return r.To
	}
	return d
}

// SessionWindow returns the days session index k (0-based) of a proposed
// course may move to without breaking the spacing to its neighbours: after
// the previous session by Min..Max days and before the next found one by
// the same. ok is false when no day fits, or for the first session when
// nothing follows it.
func SessionWindow(ps []Proposal, k int, s Spacing) (DateRange, bool) {
	if k < 0 || k >= len(ps) {
		return DateRange{}, false
	}
	var w DateRange
	bounded := false
	if k > 0 {
		prev := ps[k-1].Day
		if !ps[k-1].Found {
			prev = ps[k-1].Target
		}
		w, bounded = s.After(prev), true
	}
	if k+1 < len(ps) && ps[k+1].Found {
		next := DateRange{ps[k+1].Day.AddDays(-s.Max), ps[k+1].Day.AddDays(-s.Min)}
		if bounded {
			next = DateRange{laterDate(w.From, next.From), earlierDate(w.To, next.To)}
		}
		w, bounded = next, true
	}
	return w, bounded && !w.From.After(w.To)
}

func laterDate(a, b Date) Date {
	if a.After(b) {
		return a
	}
	return b
}

func earlierDate(a, b Date) Date {
	if a.Before(b) {
		return a
	}
	return b
}
