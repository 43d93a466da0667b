package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"allium/clinic"
	"allium/views"
)

// page is one line of the load plan. The plan is data so that a page arriving later (or moving
// URL) is one line to change: a page whose every candidate URL answers 404 is reported as not
// available yet rather than failing the run.
type page struct {
	Name string
	Role clinic.Role // who signs in to use it; "" for a visitor
	// Paths are candidate URLs; the first that does not answer 404 is measured.
	Paths func(e *env) []string
	// Forms, for a POST, are the bodies to send, each usable once, with who sends it (the CSRF
	// token is added). The first part goes to the 2-connection run, the rest to the 64.
	Forms func(e *env) ([]postForm, error)
	Want  int // the status of a success
	// Queries is the page's own SQL without rendering, for its floor; Floor says what it runs.
	Queries func(e *env) func(context.Context) error
	Floor   string
	// NoRateBudget says why the page is not held to a share of the bare Echo handler's rate
	// (a report reads a year of bookings and is opened a few times a day); "" holds it.
	NoRateBudget string
}

const (
	postSessions   = 2 // sessions per course booked by the POST run
	postShareOfTwo = 0.3
)

func pages() []page {
	return []page{
		{
			Name: "booking page with free times", Role: clinic.RoleClient, Want: http.StatusOK,
			Paths: func(e *env) []string {
				return []string{fmt.Sprintf("/book/times?service=%d&date=%s", e.courseService().ID, e.Day.AddDays(1))}
			},
			// The free-time search is the store's slot query and clinic.FreeTimes over it, as
			// the store's booking benchmark measures it: the slot query alone is mostly Go too,
			// the store's copy of the calendar, so where the line falls between them is arbitrary.
			Floor: "whether booking is open, services, therapists, and the free-time search (the slot query of every therapist and the client's own bookings, and clinic.FreeTimes over it) for the strip's 14 days",
			Queries: func(e *env) func(context.Context) error {
				sv := e.courseService()
				from := localMidnight(e.Day.AddDays(1), e.loc)
				return func(ctx context.Context) error {
					if err := catalogue(ctx, e); err != nil {
						return err
					}
					q, err := e.st.SlotQueryFor(ctx, e.Client.ClientID, sv.Service, sv.Therapists, from, from.AddDate(0, 0, views.StripDays))
					clinic.FreeTimes(q)
					return err
				}
			},
		},
		{
			Name: "reception day view", Role: clinic.RoleReception, Want: http.StatusOK,
			Paths: func(e *env) []string { return []string{"/desk?date=" + e.Day.String()} },
			Floor: "every therapist's appointments of the day, the therapists, their hours and time off",
			Queries: func(e *env) func(context.Context) error {
				from := localMidnight(e.Day, e.loc)
				return func(ctx context.Context) error {
					by, to := e.Reception.actor(), from.AddDate(0, 0, 1)
					if _, err := e.st.DayView(ctx, by, from, to); err != nil {
						return err
					}
					if _, err := e.st.DayTherapists(ctx, e.Day.Weekday()); err != nil {
						return err
					}
					_, err := e.st.TimeOffBetween(ctx, by, from, to)
					return err
				}
			},
		},
		{
			Name: "therapist's day", Role: clinic.RoleTherapist, Want: http.StatusOK,
			Paths: func(e *env) []string { return []string{"/therapist?date=" + e.Day.String()} },
			Floor: "the therapist's appointments of the day",
			Queries: func(e *env) func(context.Context) error {
				from := localMidnight(e.Day, e.loc)
				return func(ctx context.Context) error {
					_, err := e.st.DaySchedule(ctx, e.Therapist.actor(), from, from.AddDate(0, 0, 1), e.Therapist.UserID)
					return err
				}
			},
		},
		{
			Name: "client chart", Role: clinic.RoleOwner, Want: http.StatusOK,
			Paths: func(e *env) []string { return []string{fmt.Sprintf("/clients/%d/chart", e.Chart)} },
			Floor: "the chart: client, assessment, findings, plans, sessions and notes read in one snapshot, then the view's audit row committed to the view log; whether online booking is closed to the client",
			Queries: func(e *env) func(context.Context) error {
				return func(ctx context.Context) error {
					if _, err := e.st.ClientChart(ctx, e.Owner.actor(), e.Chart); err != nil {
						return err
					}
					_, err := e.st.SafetyBlocked(ctx, e.Owner.actor(), e.Chart)
					return err
				}
			},
		},
		{
			Name: "plan page with progress chart", Role: clinic.RoleOwner, Want: http.StatusOK,
			Paths: planPaths,
			Floor: "the plan with its goals, readings, sessions, courses and referrals, then the view's audit row committed to the view log",
			Queries: func(e *env) func(context.Context) error {
				return func(ctx context.Context) error {
					_, err := e.st.PlanPage(ctx, e.Owner.actor(), e.Plan)
					return err
				}
			},
		},
		{
			Name: "booking page: choose a service", Role: clinic.RoleClient, Want: http.StatusOK,
			Paths: func(*env) []string { return []string{"/book"} },
			Floor: "whether booking is open, services and therapists",
			Queries: func(e *env) func(context.Context) error {
				return func(ctx context.Context) error { return catalogue(ctx, e) }
			},
		},
		{
			Name: "recall list", Role: clinic.RoleReception, Want: http.StatusOK,
			Paths: func(*env) []string { return []string{"/desk/recall"} },
			Floor: "courses stalled in the last 6 months, at most 200",
			Queries: func(e *env) func(context.Context) error {
				return func(ctx context.Context) error {
					_, err := e.st.RecallList(ctx, e.Reception.actor(), time.Now().AddDate(0, -6, 0), 200)
					return err
				}
			},
			NoRateBudget: "reception opens it a few times a day to make calls",
		},
		reportPage("attendance", "no-shows and late cancellations of the year", func(e *env, ctx context.Context, from, to time.Time) error {
			_, err := e.st.AttendanceFacts(ctx, e.Owner.actor(), from, to, e.loc)
			return err
		}),
		reportPage("utilisation", "booked hours, working hours and time off of the year", func(e *env, ctx context.Context, from, to time.Time) error {
			_, err := e.st.UtilisationFacts(ctx, e.Owner.actor(), from, to, e.loc)
			return err
		}),
		reportPage("clients", "visits, assessments and courses of the year", func(e *env, ctx context.Context, from, to time.Time) error {
			_, _, _, err := e.st.ClientsFacts(ctx, e.Owner.actor(), from, to)
			return err
		}),
		reportPage("outcomes", "plans reassessed in the year with their readings", func(e *env, ctx context.Context, from, to time.Time) error {
			_, err := e.st.OutcomeFacts(ctx, e.Owner.actor(), from, to)
			return err
		}),
		{
			Name: "takings", Role: clinic.RoleReception, Want: http.StatusOK,
			Paths: func(e *env) []string { return []string{"/desk/takings?date=" + takingsDay(e).String()} },
			Floor: "the payments of the day by method and therapist",
			Queries: func(e *env) func(context.Context) error {
				from := localMidnight(takingsDay(e), e.loc)
				return func(ctx context.Context) error {
					_, err := e.st.Takings(ctx, e.Reception.actor(), from, from.AddDate(0, 0, 1))
					return err
				}
			},
			NoRateBudget: "reception opens it once or twice a day, at closing",
		},
		{
			Name: "course booking (POST)", Role: clinic.RoleClient, Want: http.StatusSeeOther,
			Paths: func(*env) []string { return []string{"/book/confirm"} },
			Forms: func(e *env) ([]postForm, error) { return bookingForms(e, postSessions) },
			Floor: "the rows its courses wrote (course, appointments, mail, audit row) inserted again, one course a transaction: course_rows",
		},
	}
}

// catalogue is what both booking pages read before anything else: whether the clinic takes
// bookings online, its services and its therapists.
func catalogue(ctx context.Context, e *env) error {
	if _, err := e.st.BookingOpen(ctx); err != nil {
		return err
	}
	if _, err := e.st.Services(ctx); err != nil {
		return err
	}
	_, err := e.st.Therapists(ctx)
	return err
}

// takingsDay is the day of the last seven with the most payments: the takings page's worst case.
func takingsDay(e *env) clinic.Date {
	today := clinic.DateOf(time.Now(), e.loc)
	day, most := today, -1
	for i := 1; i <= 7; i++ {
		d := today.AddDays(-i)
		from := localMidnight(d, e.loc)
		var n int
		if err := e.db.QueryRowContext(e.ctx, `SELECT count(*) FROM payments WHERE taken_at >= ? AND taken_at < ?`,
			from.Unix(), from.AddDate(0, 0, 1).Unix()).Scan(&n); err == nil && n > most {
			day, most = d, n
		}
	}
	return day
}

// reportPage is one of the owner's reports over its default period, the twelve months up to today:
// its floor is the store call that reads the period's facts.
func reportPage(name, floor string, facts func(e *env, ctx context.Context, from, to time.Time) error) page {
	return page{
		Name: "report: " + name, Role: clinic.RoleOwner, Want: http.StatusOK,
		Paths: func(*env) []string { return []string{"/reports/" + name} },
		Floor: floor,
		Queries: func(e *env) func(context.Context) error {
			today := clinic.DateOf(time.Now(), e.loc)
			from, to := localMidnight(today.AddDays(-364), e.loc), localMidnight(today.AddDays(1), e.loc)
			return func(ctx context.Context) error { return facts(e, ctx, from, to) }
		},
		NoRateBudget: "a report reads a year of the clinic's bookings, and the owner opens it a few times a day",
	}
}

// planPaths guesses the plan page's URL from the plan table, whichever of the likely shapes
// the chart work settles on; the first that answers is measured.
func planPaths(e *env) []string {
	for _, t := range []string{"plans", "treatment_plans"} {
		if !e.hasTable(t) {
			continue
		}
		var id, client int64
		err := e.db.QueryRowContext(e.ctx, `SELECT id, client_id FROM `+t+` ORDER BY client_id = ? DESC, id DESC LIMIT 1`,
			e.Chart).Scan(&id, &client)
		if err != nil {
			return nil
		}
		e.Plan = id
		return []string{fmt.Sprintf("/plans/%d", id), fmt.Sprintf("/clients/%d/plans/%d", client, id)}
	}
	return nil
}

func localMidnight(d clinic.Date, loc *time.Location) time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
}
