package mail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"allium/store"
)

// BenchmarkDispatchSMTP measures the worker's throughput to a real SMTP server on loopback:
// claim, send-time check, render (text, HTML and a calendar file for confirmations), one SMTP
// session per message, and the record of it. Report: msgs/s.
func BenchmarkDispatchSMTP(b *testing.B) {
	for _, kind := range []string{"password_reset", "confirmation"} {
		b.Run(kind, func(b *testing.B) {
			f := newClinicFixture(b, utcAt(2026, 3, 20, 9))
			ctx := context.Background()
			queue := func(i int) {
				if kind == "confirmation" {
					start := sydneyAt(2026, 3, 22+i%80, 9+2*(i/80))
					if _, err := f.st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: f.ClientID, ServiceID: f.Service,
						TherapistID: f.Therapist.ID, Starts: []time.Time{start}}); err != nil {
						b.Fatal(err)
					}
					return
				}
				if err := f.st.Enqueue(ctx, store.Email{Kind: "password_reset", To: "alex@example.com", DedupeKey: fmt.Sprint("r", i),
					Payload: store.TokenMail{Name: "Alex", Token: "tok"}}); err != nil {
					b.Fatal(err)
				}
			}
			n := b.N
			if kind == "confirmation" && n > 320 {
				n = 320 // the free times of one therapist within the booking horizon
			}
			for i := range n {
				queue(i)
			}
			b.ResetTimer()
			start := time.Now()
			sent, err := f.worker.Drain(ctx)
			elapsed := time.Since(start)
			b.StopTimer()
			if err != nil || sent < n {
				b.Fatalf("Drain sent %d of %d: %v", sent, n, err)
			}
			b.ReportMetric(float64(sent)/elapsed.Seconds(), "msgs/s")
		})
	}
}
