package store

import (
	"context"
	"testing"
	"time"

	"allium/clinic"
)

// BenchmarkPageQueries measures the store calls behind the heaviest pages, without rendering:
// the SQL floors the load run holds those pages to. With ALLIUM_BENCH_DB (what `make bench`
// passes: a copy of the large demo) they run on that clinic, else on the booking benchmark's
// generated one. To see where the time goes:
//
//	go test -run '^$' -bench PageQueries/day_view -cpuprofile cpu.out ./store
func BenchmarkPageQueries(b *testing.B) {
	ctx := context.Background()
	st, _, loc := openBenchClinic(b)
	// The busiest day of the coming week, as the load run picks it.
	now := st.Now()
	day, most := clinic.DateOf(now, loc), -1
	for i := range 7 {
		d := clinic.DateOf(now, loc).AddDays(i)
		from := time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
		var n int
		if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM appointments WHERE starts_at >= ? AND starts_at < ?`,
			unix(from), unix(from.AddDate(0, 0, 1))).Scan(&n); err == nil && n > most {
			day, most = d, n
		}
	}
	var chart, sessions int64
	if err := st.r.QueryRowContext(ctx, `SELECT client_id, count(*) AS n FROM appointments GROUP BY client_id
		ORDER BY abs(n - 200), n DESC LIMIT 1`).Scan(&chart, &sessions); err != nil {
		b.Fatal(err)
	}
	owner := Actor{UserID: 1, Role: clinic.RoleOwner}
	if err := st.r.QueryRowContext(ctx, `SELECT id FROM users WHERE role = 'owner' ORDER BY id LIMIT 1`).Scan(&owner.UserID); err != nil {
		owner = System
	}
	reception := Actor{Role: clinic.RoleReception}

	run := func(name string, op func() error) {
		b.Run(name, func(b *testing.B) {
			if err := op(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			c0 := processCPU()
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
			// CPU per operation moves less than wall time with other work on the machine.
			b.ReportMetric(float64(processCPU()-c0)/float64(b.N)/float64(time.Microsecond), "cpu-µs/op")
		})
	}
	from := time.Date(day.Y, day.M, day.D, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 1)
	run("day_view", func() error {
		bk, err := st.DayView(ctx, reception, from, to)
		if err != nil {
			return err
		}
		if len(bk) != most {
			b.Fatalf("day view of %s: %d bookings; want %d", day, len(bk), most)
		}
		if _, err := st.DayTherapists(ctx, day.Weekday()); err != nil {
			return err
		}
		_, err = st.TimeOffBetween(ctx, reception, from, to)
		return err
	})
	run("client_chart", func() error {
		_, err := st.ClientChart(ctx, owner, chart)
		return err
	})
	plan, _, err := st.DemoPlan(ctx, chart)
	if err != nil {
		b.Logf("no plan to measure: %v", err)
		return
	}
	run("plan_page", func() error {
		_, err := st.PlanPage(ctx, owner, plan)
		return err
	})
}
