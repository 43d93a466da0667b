package mail

import (
	"context"
	"log/slog"
	"time"

	"allium/store"
)

// Scheduler queues the messages that no booking change causes: "book your next session" after
// a course session, gap warnings, therapists' lists for tomorrow and maintenance prompts. The
// rules decide what is due at the scheduler's clock; the outbox's dedupe keys make a repeated
// or overlapping scan harmless, so a restart or two processes cannot double a message.
type Scheduler struct {
	Store *store.Store
	Now   func() time.Time
	Every time.Duration // between scans; 5 minutes when zero
	Log   *slog.Logger
}

func (s *Scheduler) every() time.Duration {
	if s.Every <= 0 {
		return 5 * time.Minute
	}
	return s.Every
}

// Scan queues what is due now and reports how many messages it added.
func (s *Scheduler) Scan(ctx context.Context) (int, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return s.Store.QueueNudges(ctx, now())
}

// scan runs Scan and logs the outcome; a failed scan is retried at the next tick.
func (s *Scheduler) scan(ctx context.Context) {
	n, err := s.Scan(ctx)
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("scheduler", "err", err)
	case n > 0:
		log.Info("scheduler queued", "messages", n)
	}
}
