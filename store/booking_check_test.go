package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testkit"
)

// TestBookingCheckAgreesWithTheFreeTimeSearch: a booking reads only the bookings that can overlap
// its sessions, trusting the overlap triggers; the free-time search reads every booking of the
// days. On a crowded calendar with long and cancelled bookings, time off and an inactive room,
// both must accept the same times with the same room and refuse the rest for the same reason,
// for single sessions and for two sessions that land back to back or a week apart.
func TestBookingCheckAgreesWithTheFreeTimeSearch(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Australia/Sydney")
	var h clinic.WeeklyHours
	for d := range h {
		h[d] = []clinic.Shift{{Start: clinic.Clock(8, 0), End: clinic.Clock(12, 0)}, {Start: clinic.Clock(13, 0), End: clinic.Clock(19, 0)}}
	}
	svc := func(key string, dur, buf int, room bool) clinic.Service {
		sv := clinic.Service{Key: key, Name: key, Duration: time.Duration(dur) * time.Minute,
			BufferAfter: time.Duration(buf) * time.Minute, NeedsRoom: room}
		id, err := s.UpsertService(ctx, System, Service{Service: sv}, 0)
		if err != nil {
			t.Fatal(err)
		}
		sv.ID = id
		return sv
	}
	services := []clinic.Service{svc("r60", 60, 15, true), svc("long", 240, 30, true), svc("home", 45, 15, false)}
	var therapists []int64
	for _, email := range []string{"a@x.test", "b@x.test", "c@x.test"} {
		th := mustCreateUser(t, s, clinic.RoleTherapist, email, "")
		if _, err := s.SetHours(ctx, System, th.ID, h, loc); err != nil {
			t.Fatal(err)
		}
		offered := []int64{services[0].ID, services[1].ID, services[2].ID}
		if email == "c@x.test" {
			offered = offered[:1] // c does not offer the long session or home visits
		}
		if err := s.SetTherapistServices(ctx, System, th.ID, offered); err != nil {
			t.Fatal(err)
		}
		therapists = append(therapists, th.ID)
	}
	var rooms []int64
	for _, name := range []string{"A", "B", "C"} {
		id, err := s.EnsureRoom(ctx, System, name)
		if err != nil {
			t.Fatal(err)
		}
		rooms = append(rooms, id)
	}
	if _, err := s.w.Exec(`UPDATE rooms SET active = 0 WHERE id = ?`, rooms[2]); err != nil {
		t.Fatal(err)
	}
	_, client := mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	day0 := clinic.DateOf(s.now(), loc).AddDays(2)
	if _, err := s.AddTimeOff(ctx, System, therapists[1], time.Date(day0.Y, day0.M, day0.D+1, 13, 0, 0, 0, loc),
		time.Date(day0.Y, day0.M, day0.D+1, 16, 0, 0, 0, loc), "dentist"); err != nil {
		t.Fatal(err)
	}
	// A crowded calendar: random bookings on a 5-minute grid, the overlap triggers refusing
	// collisions, and a share cancelled, so active bookings hide behind cancelled ones.
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 400 {
		sv := services[rnd.IntN(len(services))]
		d := day0.AddDays(rnd.IntN(9))
		start := time.Date(d.Y, d.M, d.D, 6, 0, 0, 0, loc).Add(time.Duration(rnd.IntN(16*12)) * 5 * time.Minute)
		var room any
		if sv.NeedsRoom {
			room = rooms[rnd.IntN(len(rooms))]
		}
		status := "booked"
		if rnd.IntN(5) == 0 {
			status = "cancelled"
		}
		_, err := s.w.Exec(`INSERT INTO appointments (client_id, therapist_id, service_id, room_id, starts_at, ends_at,
			busy_until, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`, client,
			therapists[rnd.IntN(len(therapists))], sv.ID, room, unix(start), unix(start.Add(sv.Duration)),
			unix(sv.Blocks(start).End), status)
		if err != nil && !errors.Is(translate(err), ErrConflict) {
			t.Fatal(err)
		}
	}
	// Only reads from here on, so the services are checked side by side.
	var checked, free atomic.Int64
	t.Run("services", func(t *testing.T) {
		for _, sv := range services {
			t.Run(sv.Key, func(t *testing.T) {
				t.Parallel()
				for _, th := range therapists {
					for d := day0; d.Before(day0.AddDays(8)); d = d.AddDays(1) {
						for m := 7 * 60; m < 19*60; m += 15 {
							first := time.Date(d.Y, d.M, d.D, m/60, m%60, 0, 0, loc)
							for _, starts := range [][]time.Time{{first}, {first, first.Add(sv.Blocks(first).End.Sub(first))},
								{first, first.AddDate(0, 0, 7)}} {
								want, wantErr := checkBoth(t, s, sv, th, starts, true)
								got, gotErr := checkBoth(t, s, sv, th, starts, false)
								if !errors.Is(gotErr, wantErr) || !errors.Is(wantErr, gotErr) || !sameSlots(got, want) {
									t.Fatalf("%s with %d at %v: booking check gives %v, %v; search gives %v, %v",
										sv.Key, th, starts, got, gotErr, want, wantErr)
								}
								checked.Add(1)
								if wantErr == nil {
									free.Add(1)
								}
							}
						}
					}
				}
			})
		}
	})
	if free, checked := free.Load(), checked.Load(); free == 0 || free == checked {
		t.Fatalf("%d of %d checks free: the calendar does not test both answers", free, checked)
	}
}

// checkBoth checks starts as BookCourse does, reading the calendar the narrow way or the way
// the free-time search does.
func checkBoth(t *testing.T, s *Store, sv clinic.Service, therapist int64, starts []time.Time, search bool) ([]clinic.Slot, error) {
	t.Helper()
	ctx := context.Background()
	var out []clinic.Slot
	var checkErr error
	err := s.read(ctx, func(tx *sql.Tx) error {
		set, loc, err := s.settingsZone(ctx, tx)
		if err != nil {
			return err
		}
		var q clinic.SlotQuery
		if search {
			q, err = s.slotQueryAt(ctx, tx, sv, []int64{therapist}, sessionWindows(sv, starts))
		} else {
			var cal calendar
			cal, err = sessionCalendar(ctx, tx, sv, therapist, sessionWindows(sv, starts))
			q = cal.query(set, loc, sv, s.now())
		}
		if err != nil {
			return err
		}
		for _, st := range starts {
			sl, err := clinic.SlotAt(q, st, therapist)
			if err != nil {
				checkErr = err
				return nil
			}
			out = append(out, sl)
			holdSlot(&q, sv, sl)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, checkErr
}

func sameSlots(a, b []clinic.Slot) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Start.Equal(b[i].Start) || !a[i].End.Equal(b[i].End) || a[i].RoomID != b[i].RoomID || a[i].TherapistID != b[i].TherapistID {
			return false
		}
	}
	return true
}

// TestBookingMailNamesThePlan: the confirmation and every reminder of a course booked under an
// active plan name the plan's goal and its reassessment day, read once for all of them.
func TestBookingMailNamesThePlan(t *testing.T) {
	f := newChartFixture(t)
	ctx := context.Background()
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	f.consent(t)
	plan := f.plan(t)
	f.mustEvent(t, plan, clinic.PlanEventStart, clinic.PlanActive)
	var review string
	if err := f.s.w.QueryRow(`SELECT reassessment_date FROM treatment_plans WHERE id = ?`, plan).Scan(&review); err != nil || review == "" {
		t.Fatalf("plan review day %q, %v", review, err)
	}
	d, _ := clinic.ParseDate(review)
	wantReview := time.Date(d.Y, d.M, d.D, 12, 0, 0, 0, time.UTC).Format("Mon 2 Jan")
	sv := clinic.Service{Key: "r60room", Name: "Remedial", Duration: time.Hour, BufferAfter: 15 * time.Minute, NeedsRoom: true}
	svID := mustService(t, f.s, sv)
	mustRoom(t, f.s, "Room 1")
	loc := testkit.Sydney()
	mustCalendar(t, f.s, f.samUser.ID, testkit.EveryDay(9, 17), loc, svID)
	day := clinic.DateOf(f.clock.Now(), loc).AddDays(3)
	first := time.Date(day.Y, day.M, day.D, 10, 0, 0, 0, loc)
	if _, err := f.s.BookCourse(ctx, f.alex, BookingRequest{ServiceID: svID, TherapistID: f.samUser.ID,
		Starts: []time.Time{first, first.AddDate(0, 0, 7)}, Consent: true, Reminders: true}); err != nil {
		t.Fatal(err)
	}
	rows, err := f.s.w.Query(`SELECT kind, payload FROM outbox WHERE recipient = 'alex@example.com' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var kinds []string
	for rows.Next() {
		var kind, payload string
		if err := rows.Scan(&kind, &payload); err != nil {
			t.Fatal(err)
		}
		var p ApptMail
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			t.Fatal(err)
		}
		if p.Goal != painGoal().Description || p.Review != wantReview || p.ClientName != "Alex Chen" {
			t.Errorf("%s: goal %q, review %q, client %q; want %q, %q, Alex Chen", kind, p.Goal, p.Review, p.ClientName,
				painGoal().Description, wantReview)
		}
		kinds = append(kinds, kind)
	}
	if got, want := strings.Join(kinds, " "), "confirmation reminder reminder reminder reminder"; got != want {
		t.Errorf("queued %q; want %q", got, want)
	}
}

// TestBookingCheckSearchesBoundedRanges: the booking's own reads find each session's bookings
// by a search bounded on both sides of the start time, never a scan, so a booking costs the
// same in a clinic's tenth year as in its first.
func TestBookingCheckSearchesBoundedRanges(t *testing.T) {
	s, _ := newTestStore(t)
	with, wargs := windowRows([]window{{testEpoch, testEpoch.Add(time.Hour)}, {testEpoch.AddDate(0, 0, 7), testEpoch.AddDate(0, 0, 7).Add(time.Hour)}})
	tests := []struct {
		name, query string
		args        []any
		want        string
	}{
		{"therapist", with + therapistAtSQL, append(wargs, 1, 1, 2, 3, 1, 1),
			"SEARCH b USING COVERING INDEX appointments_therapist (therapist_id=? AND starts_at>? AND starts_at<?)"},
		{"rooms", with + roomsAtSQL, wargs, "SEARCH b USING COVERING INDEX appointments_room (room_id=? AND starts_at>? AND starts_at<?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := queryPlan(t, s.w, tt.query, tt.args...)
			if !strings.Contains(got, tt.want) || strings.Contains(got, "SCAN appointments") || strings.Contains(got, "TEMP B-TREE") {
				t.Errorf("plan = %q; want %q and no scan or sort of appointments", got, tt.want)
			}
		})
	}
}
