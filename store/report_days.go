package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"allium/clinic"
)

// The span of years report_zone covers: every booking a clinic can hold, with room to spare.
// A booking outside it is counted on the day of the nearest span's offset, and the reports
// never read report_days for such a day (they ask for at most three years around today).
var reportZoneFrom, reportZoneTo = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

type zoneSpan struct {
	until  int64 // the first instant after the span; the largest integer for the last
	offset int
}

// reportZoneSpans are loc's offsets as report_zone holds them.
func reportZoneSpans(loc *time.Location) []zoneSpan {
	var out []zoneSpan
	for _, sp := range clinic.ZoneSpans(loc, reportZoneFrom, reportZoneTo) {
		until := int64(math.MaxInt64)
		if !sp.Until.IsZero() {
			until = sp.Until.Unix()
		}
		out = append(out, zoneSpan{until, sp.Offset})
	}
	return out
}

// reportZoneIs reports whether report_zone holds want, the offsets of the zone named name.
func reportZoneIs(ctx context.Context, db rowsQuerier, name string, want []zoneSpan) (bool, error) {
	var have []zoneSpan
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var sp zoneSpan
		var zone string
		if err := r.Scan(&sp.until, &sp.offset, &zone); err != nil {
			return err
		}
		if zone != name {
			sp.offset = math.MinInt // never equal: the zone's name changed
		}
		have = append(have, sp)
		return nil
	}, `SELECT until, utc_offset, zone FROM report_zone ORDER BY until`)
	if err != nil {
		return false, fmt.Errorf("report zone: %w", err)
	}
	return slices.Equal(have, want), nil
}

// syncReportZone makes report_zone hold loc's offsets and, when they were not already there
// (a new clinic, another zone chosen, or new zone rules in the time zone database), rebuilds
// report_days from the bookings with them. On the large demo clinic a rebuild takes a few
// seconds; it runs when the store opens and in the transaction that changes the zone.
func syncReportZone(ctx context.Context, tx *sql.Tx, loc *time.Location) error {
	want := reportZoneSpans(loc)
	if same, err := reportZoneIs(ctx, tx, loc.String(), want); err != nil || same {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_zone`); err != nil {
		return fmt.Errorf("report zone: %w", err)
	}
	for _, sp := range want {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_zone (until, utc_offset, zone) VALUES (?, ?, ?)`,
			sp.until, sp.offset, loc.String()); err != nil {
			return fmt.Errorf("report zone: %w", err)
		}
	}
	// The same sums as the triggers', over every booking.
	_, err := tx.ExecContext(ctx, `DELETE FROM report_days;
		INSERT INTO report_days (day, therapist_id, room_id, sessions, no_shows, late_cancels, booked_secs)
		SELECT (a.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > a.starts_at
				ORDER BY z.until LIMIT 1), 0)) / 86400 AS day, a.therapist_id, coalesce(a.room_id, 0) AS room,
			count(*), sum(a.status = 'no_show'), sum(a.status = 'cancelled'),
			sum(CASE WHEN a.status <> 'cancelled' THEN a.ends_at - a.starts_at ELSE 0 END)
		FROM appointments a WHERE a.status <> 'cancelled' OR a.late_cancel = 1
		GROUP BY day, a.therapist_id, room ORDER BY day, a.therapist_id, room`)
	if err != nil {
		return fmt.Errorf("report days: %w", err)
	}
	return nil
}

// syncReportZoneNow brings report_zone and report_days to the clinic's zone setting, taking
// the writer only when they are not there already.
func (s *Store) syncReportZoneNow(ctx context.Context) error {
	_, loc, err := s.settingsZone(ctx, s.w)
	if err != nil {
		return err
	}
	if same, err := reportZoneIs(ctx, s.w, loc.String(), reportZoneSpans(loc)); err != nil || same {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error { return syncReportZone(ctx, tx, loc) })
}

// reportDays are the whole days of loc within [from, to) that report_days can answer for:
// day numbers [d0, d1) (as clinic.DayNumber counts them) and the instants they span, start
// and end. ok is false when report_days is not kept in loc (the zone setting is another), or
// there is no whole day; the caller then reads the bookings for all of [from, to).
func (s *Store) reportDays(ctx context.Context, loc *time.Location, from, to time.Time) (d0, d1 int64, start, end time.Time, ok bool, err error) {
	var zone string
	err = s.r.QueryRowContext(ctx, `SELECT zone FROM report_zone LIMIT 1`).Scan(&zone)
	if err == sql.ErrNoRows || (err == nil && zone != loc.String()) {
		return 0, 0, from, from, false, nil
	}
	if err != nil {
		return 0, 0, from, from, false, fmt.Errorf("report zone: %w", err)
	}
	first := clinic.DateOf(from, loc)
	if start = dayStart(first, loc); start.Before(from) {
		first = first.AddDays(1)
		start = dayStart(first, loc)
	}
	last := clinic.DateOf(to, loc) // the day after the last whole one
	end = dayStart(last, loc)
	if !end.After(start) {
		return 0, 0, from, from, false, nil
	}
	return dayNumber(first), dayNumber(last), start, end, true, nil
}

func dayStart(d clinic.Date, loc *time.Location) time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
}

// dayNumber is d counted in days from 1970-01-01, the inverse of clinic.DayNumber.
func dayNumber(d clinic.Date) int64 {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
