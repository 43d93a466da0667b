package store

import (
	"context"
	"maps"
	"strconv"
	"testing"
	"time"

	"allium/clinic"
)

// reportSummaries reads client_first_visit and course_ends as "client 3: 1764550800" lines.
func reportSummaries(t *testing.T, s *Store, fromBookings bool) map[string]int64 {
	t.Helper()
	firsts := `SELECT 'client ' || client_id, first_at FROM client_first_visit`
	ends := `SELECT 'course ' || course_id || ' ends', last_at FROM course_ends
		UNION ALL SELECT 'course ' || course_id || ' attended', attended FROM course_ends`
	if fromBookings { // the definitions, worked out from every booking as the migration does
		firsts = `SELECT 'client ' || client_id, min(starts_at) FROM appointments
			WHERE status NOT IN ('cancelled', 'no_show') GROUP BY client_id`
		ends = `SELECT 'course ' || course_id || ' ends', max(starts_at) FROM appointments
			WHERE course_id IS NOT NULL AND status <> 'cancelled' GROUP BY course_id
			UNION ALL SELECT 'course ' || course_id || ' attended', sum(status IN ('checked_in', 'completed')) FROM appointments
			WHERE course_id IS NOT NULL AND status <> 'cancelled' GROUP BY course_id`
	}
	out := map[string]int64{}
	for _, q := range []string{firsts, ends} {
		rows, err := s.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var v int64
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			out[k] = v
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestReportSummariesFollowEveryChange: the first visits and course ends the clients report
// reads stay what the bookings say through booking, moving, cancelling, a no-show, a
// completed session and a merge of two client records.
func TestReportSummariesFollowEveryChange(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	check := func(step string) {
		t.Helper()
		if got, want := reportSummaries(t, c.s, false), reportSummaries(t, c.s, true); !maps.Equal(got, want) {
			t.Errorf("after %s: summaries %v; the bookings give %v", step, got, want)
		}
	}
	course := c.book(t, c.alex, c.a, c.tenAM, c.nextMonday)
	single := c.book(t, c.sam, c.b, c.afternoon)
	check("booking")
	first, second := course.Appointments[0], course.Appointments[1]
	if _, err := c.s.Reschedule(ctx, System, second.ID, c.nextMonday.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("moving the course's last session")
	if _, err := c.s.Cancel(ctx, System, first.ID, "test"); err != nil {
		t.Fatal(err)
	}
	check("cancelling the first session")
	if got := reportSummaries(t, c.s, false); got[clientKey(c.alex)] != unix(c.nextMonday.Add(2*time.Hour)) {
		t.Errorf("Alex's first visit after the first was cancelled = %d; want the moved second session", got[clientKey(c.alex)])
	}
	c.s.Now = func() time.Time { return c.nextMonday.Add(5 * time.Hour) } // after every session
	if _, err := c.s.SetStatus(ctx, System, second.ID, clinic.ApptCompleted); err != nil {
		t.Fatal(err)
	}
	check("completing a session")
	if _, err := c.s.SetStatus(ctx, System, single.Appointments[0].ID, clinic.ApptNoShow); err != nil {
		t.Fatal(err)
	}
	check("a no-show")
	if got := reportSummaries(t, c.s, false); len(got) != 3 { // Alex, and the course's end and attended
		t.Errorf("summaries after Sam's only session was missed = %v; want Sam gone", got)
	}
	later := c.book(t, c.sam, c.b, c.nextMonday.Add(4*24*time.Hour))
	if err := c.s.MergeClients(ctx, Actor{Role: clinic.RoleOwner}, c.alex, c.sam); err != nil {
		t.Fatal(err)
	}
	check("merging Sam's record into Alex's")
	if _, err := c.s.w.Exec(`DELETE FROM appointments WHERE id = ?`, later.Appointments[0].ID); err != nil {
		t.Fatal(err)
	}
	check("deleting a booking")
}

func clientKey(id int64) string { return "client " + strconv.FormatInt(id, 10) }
