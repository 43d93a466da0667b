package store

import (
	"context"
	"testing"
	"time"

	"allium/clinic"
)

// BenchmarkRecallList measures reception's recall list (stalled courses, plans due, lapsed
// clients, with reception's marks) over the last six months, as the recall page asks for it.
// On the large demo with plans (about a million appointments, 37,012 plans), quiet machine:
// 20-23 ms when stalled courses grouped the period's sessions (13.6 ms of it), 11.5 ms since
// they are read from course_ends (1.2 ms; plans 7 ms).
// It runs on ALLIUM_BENCH_DB (`make bench` passes a copy of the large demo) or else on the
// clinic BenchmarkBooking builds (about a million appointments over ten years).
//
//	go test -run '^$' -bench RecallList -benchmem ./store
func BenchmarkRecallList(b *testing.B) {
	ctx := context.Background()
	st, now, _ := openBenchClinic(b)
	st.Now = func() time.Time { return now }
	desk := Actor{Role: clinic.RoleReception}
	since := now.AddDate(0, -6, 0)
	today := clinic.DateOf(now, time.UTC)
	for _, part := range []struct {
		name string
		run  func() (int, error)
	}{
		{"list", func() (int, error) { l, err := st.RecallList(ctx, desk, since, 200); return len(l), err }},
		{"stalled", func() (int, error) { l, err := st.stalledCourses(ctx, since, 200); return len(l), err }},
		{"plans", func() (int, error) { l, err := st.recallPlans(ctx, since, today); return len(l), err }},
	} {
		b.Run(part.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				var err error
				if n, err = part.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "entries")
		})
	}
}
