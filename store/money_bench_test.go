package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"allium/clinic"
)

// BenchmarkMoney measures, on the large clinic with its history priced, invoiced and paid
// (DemoMoney): completing an appointment, which issues its invoice in the same transaction,
// against a plain status change (a check-in) of the same appointment just before, timed in
// turn so both see the same machine; and the owner's revenue report for a month and a year.
// It runs on ALLIUM_BENCH_DB (`make bench` passes a copy of the large demo, which carries its
// money already) or else on the clinic BenchmarkBooking builds, priced here (2 to 4 minutes).
//
//	go test -run '^$' -bench Money -benchmem ./store
func BenchmarkMoney(b *testing.B) {
	ctx := context.Background()
	st, now, _ := openBenchClinic(b)
	var invoices, payments int
	st.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM payments)`).Scan(&invoices, &payments)
	if invoices == 0 {
		if _, err := st.w.ExecContext(ctx, `UPDATE services SET price_cents = 9000 + 500 * (id % 7)`); err != nil {
			b.Fatal(err)
		}
		began := time.Now()
		if err := st.DemoMoney(ctx, System); err != nil {
			b.Fatal(err)
		}
		st.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM payments)`).Scan(&invoices, &payments)
		b.Logf("large clinic's money made in %s", time.Since(began).Round(time.Second))
	}
	b.Logf("large clinic's money: %d invoices, %d payments", invoices, payments)
	st.Now = func() time.Time { return now }
	desk := Actor{Role: clinic.RoleReception}

	b.Run("Complete_with_invoice_vs_check_in", func(b *testing.B) {
		rows, err := st.r.QueryContext(ctx, `SELECT id, starts_at FROM appointments WHERE status = `+sqlBooked+` AND starts_at >= ?
			ORDER BY starts_at LIMIT 20000`, unix(now))
		if err != nil {
			b.Fatal(err)
		}
		var ids, starts []int64
		for rows.Next() {
			var id, start int64
			rows.Scan(&id, &start)
			ids, starts = append(ids, id), append(starts, start)
		}
		rows.Close()
		if b.N > len(ids) {
			b.Skipf("%d booked appointments for %d iterations", len(ids), b.N)
		}
		var checkIn, complete time.Duration
		b.ResetTimer()
		for i := range b.N {
			atStart(st, starts[i]) // a session is completed once it has begun
			t0 := time.Now()
			if _, err := st.SetStatus(ctx, desk, ids[i], clinic.ApptCheckedIn); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := st.SetStatus(ctx, desk, ids[i], clinic.ApptCompleted); err != nil {
				b.Fatal(err)
			}
			checkIn += t1.Sub(t0)
			complete += time.Since(t1)
		}
		b.ReportMetric(float64(checkIn.Microseconds())/float64(b.N), "checkin-µs/op")
		b.ReportMetric(float64(complete.Microseconds())/float64(b.N), "complete-µs/op")
		b.ReportMetric(float64(complete)/float64(checkIn), "complete/checkin")
	})
	// A session of a course sold as a prepaid package is drawn down instead of invoiced; the
	// courses are sold before the timing, one package each.
	b.Run("Complete_drawn_from_package_vs_check_in", func(b *testing.B) {
		rows, err := st.r.QueryContext(ctx, `SELECT id, course_id, starts_at FROM appointments WHERE status = `+sqlBooked+`
			AND starts_at >= ? AND course_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM course_packages k WHERE k.course_id = appointments.course_id)
			ORDER BY starts_at LIMIT 20000`, unix(now))
		if err != nil {
			b.Fatal(err)
		}
		var ids, starts []int64
		seen := map[int64]bool{}
		for rows.Next() {
			var id, course, start int64
			rows.Scan(&id, &course, &start)
			if !seen[course] {
				seen[course] = true
				ids, starts = append(ids, id), append(starts, start)
			}
		}
		rows.Close()
		if b.N > len(ids) {
			b.Skipf("%d courses for %d iterations", len(ids), b.N)
		}
		for i := range b.N {
			a, err := st.AppointmentByID(ctx, desk, ids[i])
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := st.SellPackage(ctx, desk, a.CourseID, "bench-"+strconv.FormatInt(a.CourseID, 10)); err != nil {
				b.Fatal(err)
			}
		}
		var checkIn, complete time.Duration
		b.ResetTimer()
		for i := range b.N {
			atStart(st, starts[i])
			t0 := time.Now()
			if _, err := st.SetStatus(ctx, desk, ids[i], clinic.ApptCheckedIn); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := st.SetStatus(ctx, desk, ids[i], clinic.ApptCompleted); err != nil {
				b.Fatal(err)
			}
			checkIn += t1.Sub(t0)
			complete += time.Since(t1)
		}
		b.StopTimer()
		var drawn int
		if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM prepaid_sessions`).Scan(&drawn); err != nil || drawn < b.N {
			b.Fatalf("%d sessions drawn (%v); want at least %d", drawn, err, b.N)
		}
		b.ReportMetric(float64(checkIn.Microseconds())/float64(b.N), "checkin-µs/op")
		b.ReportMetric(float64(complete.Microseconds())/float64(b.N), "complete-µs/op")
		b.ReportMetric(float64(complete)/float64(checkIn), "complete/checkin")
	})
	st.Now = func() time.Time { return now }
	b.Run("Owed_list", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Owed(ctx, desk); err != nil {
				b.Fatal(err)
			}
		}
	})
	owner := Actor{Role: clinic.RoleOwner}
	month := clinic.MonthOf(now, time.UTC).AddMonths(-1) // the last whole month
	for _, c := range []struct {
		name        string
		first, last clinic.Month
	}{{"Revenue/month", month, month}, {"Revenue/year", month.AddMonths(-11), month}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				lines, err := st.Revenue(ctx, owner, c.first, c.last)
				if err != nil || len(lines) == 0 {
					b.Fatalf("revenue: %d lines, %v", len(lines), err)
				}
			}
		})
	}
}

// atStart sets the store's clock a minute into a session starting at start (unix seconds):
// the desk may check it in and complete it then.
func atStart(st *Store, start int64) {
	now := unixTime(start).Add(time.Minute)
	st.Now = func() time.Time { return now }
}
