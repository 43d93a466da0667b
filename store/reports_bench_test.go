package store

import (
	"context"
	"testing"
	"time"

	"allium/clinic"
)

// BenchmarkReports measures each report (the store's facts and the clinic's sums, as the page
// asks for them, for the owner: the whole clinic) over a year and over a month, beside its bare
// SQL floor: reading the period's appointments and nothing else. It runs on ALLIUM_BENCH_DB
// (`make bench` passes a copy of the large demo) or else on the clinic BenchmarkBooking builds.
//
//	go test -run '^$' -bench Reports -benchmem ./store
func BenchmarkReports(b *testing.B) {
	ctx := context.Background()
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		b.Fatal(err)
	}
	st, now, _ := openBenchClinic(b)
	st.Now = func() time.Time { return now }
	owner := Actor{Role: clinic.RoleOwner}
	today := clinic.DateOf(now, loc)
	periods := []struct {
		name string
		p    clinic.ReportPeriod
	}{
		{"year", clinic.ReportPeriod{From: today.AddDays(-365), To: today.AddDays(-1)}},
		{"month", clinic.ReportPeriod{From: today.AddDays(-30), To: today.AddDays(-1)}},
	}
	reports := []struct {
		name string
		run  func(p clinic.ReportPeriod, from, to time.Time) error
	}{
		{"floor", func(_ clinic.ReportPeriod, from, to time.Time) error {
			rows, err := st.r.QueryContext(ctx, `SELECT therapist_id, starts_at, status FROM appointments
				WHERE starts_at >= ? AND starts_at < ?`, unix(from), unix(to))
			if err != nil {
				return err
			}
			defer rows.Close()
			var t, at int64
			var s string
			for rows.Next() {
				if err := rows.Scan(&t, &at, &s); err != nil {
					return err
				}
			}
			return rows.Err()
		}},
		{"attendance", func(p clinic.ReportPeriod, from, to time.Time) error {
			f, err := st.AttendanceFacts(ctx, owner, from, to, loc)
			clinic.Attendance(p, f)
			return err
		}},
		{"utilisation", func(p clinic.ReportPeriod, from, to time.Time) error {
			f, err := st.UtilisationFacts(ctx, owner, from, to, loc)
			clinic.Utilisation(p, f, loc)
			return err
		}},
		{"clients", func(p clinic.ReportPeriod, from, to time.Time) error {
			v, c, k, err := st.ClientsFacts(ctx, owner, from, to)
			clinic.Clients(p, v, c, k)
			return err
		}},
		{"outcomes", func(p clinic.ReportPeriod, from, to time.Time) error {
			f, err := st.OutcomeFacts(ctx, owner, from, to)
			clinic.Outcomes(p, f)
			return err
		}},
	}
	for _, pr := range periods {
		from, to := pr.p.Bounds(loc)
		for _, r := range reports {
			b.Run(r.name+"/"+pr.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := r.run(pr.p, from, to); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
