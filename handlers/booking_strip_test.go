package handlers

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"allium/clinic"
	"allium/views"
)

// TestDayStripCountsEachDaysTimes holds dayStrip to its definition, each slot's day worked out
// on its own, over random free times around Sydney's clock changes (a 25-hour and a 23-hour day
// inside the strip) and with times before and after the strip.
func TestDayStripCountsEachDaysTimes(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	byDefinition := func(slots []clinic.Slot, first, want clinic.Date) ([]views.StripDay, clinic.Date, []clinic.Slot) {
		strip := make([]views.StripDay, views.StripDays)
		byDay := make([][]clinic.Slot, views.StripDays)
		for i := range strip {
			strip[i].Date = first.AddDays(i)
		}
		for _, s := range slots {
			i := first.DaysUntil(clinic.DateOf(s.Start, syd))
			if i < 0 || i >= views.StripDays {
				continue
			}
			if n := len(byDay[i]); n == 0 || !byDay[i][n-1].Start.Equal(s.Start) {
				strip[i].Free++
			}
			byDay[i] = append(byDay[i], s)
		}
		pick := pickDay(strip, first, want)
		strip[pick].Current = true
		return strip, strip[pick].Date, byDay[pick]
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, first := range []clinic.Date{{Y: 2026, M: time.March, D: 30}, {Y: 2026, M: time.September, D: 28}} {
		for round := range 200 {
			from := localMidnight(first.AddDays(-1), syd)
			var slots []clinic.Slot
			for at := from; at.Before(from.AddDate(0, 0, views.StripDays+2)); at = at.Add(15 * time.Minute) {
				for tid := int64(1); tid <= 2; tid++ {
					if rng.IntN(40) == 0 {
						slots = append(slots, clinic.Slot{TherapistID: tid, Start: at})
					}
				}
			}
			want := clinic.Date{}
			if round%3 == 0 {
				want = first.AddDays(rng.IntN(views.StripDays+2) - 1)
			}
			gotStrip, gotDay, gotSlots := dayStrip(slots, first, want, syd)
			wantStrip, wantDay, wantSlots := byDefinition(slots, first, want)
			if !reflect.DeepEqual(gotStrip, wantStrip) || gotDay != wantDay || len(gotSlots) != len(wantSlots) {
				t.Fatalf("from %s, want %s: strip %+v day %s (%d slots); by definition %+v %s (%d)", first, want,
					gotStrip, gotDay, len(gotSlots), wantStrip, wantDay, len(wantSlots))
			}
			for i := range gotSlots {
				if gotSlots[i] != wantSlots[i] {
					t.Fatalf("from %s: slot %d is %+v; want %+v", first, i, gotSlots[i], wantSlots[i])
				}
			}
		}
	}
}
