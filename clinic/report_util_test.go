package clinic

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// utilisationByShift is how Utilisation found available time before it worked a day at a
// time: each therapist's shifts through time.Date, then the whole period's spans sorted. It is
// kept to prove the two agree.
func utilisationByShift(p ReportPeriod, f UtilisationFacts, loc *time.Location) (perTherapist []int, rooms int) {
	var anyone []span
	for _, t := range f.Therapists {
		n := len(anyone)
		off := unionSpans(t.TimeOff)
		for d := p.From; !d.After(p.To); d = d.AddDays(1) {
			for _, sh := range t.Hours[d.Weekday()] {
				s := time.Date(d.Y, d.M, d.D, 0, int(sh.Start), 0, 0, loc).Unix()
				e := time.Date(d.Y, d.M, d.D, 0, int(sh.End), 0, 0, loc).Unix()
				for len(off) > 0 && off[0].e <= s {
					off = off[1:]
				}
				anyone = subtractSpans(anyone, s, e, off)
			}
		}
		perTherapist = append(perTherapist, spanMinutes(anyone[n:]))
	}
	return perTherapist, spanMinutes(mergeSpans(anyone))
}

// Random rosters and time off, in zones whose clocks change by an hour, by half an hour, or
// skip a day, over periods across their changes: Utilisation finds the same available time as
// turning every shift into instants one by one.
func TestUtilisationAgreesShiftByShift(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, zone := range []string{"UTC", "Australia/Sydney", "Australia/Lord_Howe", "America/New_York", "Pacific/Apia", "Europe/London"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Skip(err)
		}
		for range 20 {
			var f UtilisationFacts
			for id := range 1 + rng.IntN(6) {
				var week WeeklyHours
				for wd := range week {
					for start := ClockTime(rng.IntN(4) * 15); start < 24*60; {
						end := min(start+ClockTime(30+rng.IntN(10*60)), 24*60)
						if rng.IntN(3) > 0 {
							week[wd] = append(week[wd], Shift{Start: start, End: end})
						}
						start = end + ClockTime(rng.IntN(4)*30)
					}
				}
				var off []Interval
				for range rng.IntN(8) {
					s := time.Date(2011, time.January, 1, 0, 0, 0, 0, loc).Add(time.Duration(rng.Int64N(int64(2 * 366 * 24 * time.Hour))))
					off = append(off, Interval{s, s.Add(time.Duration(rng.Int64N(int64(10 * 24 * time.Hour))))})
				}
				f.Therapists = append(f.Therapists, UtilTherapist{ID: int64(id + 1), Name: string(rune('A' + id)), Hours: week, TimeOff: off})
			}
			from := Date{2011, time.January, 1}.AddDays(rng.IntN(400))
			p := ReportPeriod{From: from, To: from.AddDays(rng.IntN(370))}
			r := Utilisation(p, f, loc)
			wantEach, wantRooms := utilisationByShift(p, f, loc)
			got := make([]int, len(f.Therapists))
			for _, row := range r.ByTherapist {
				got[row.Label[0]-'A'] = row.Booked.Of
			}
			var rooms []int
			f.Rooms = []UtilRoom{{ID: 1, Name: "Room"}}
			for _, row := range Utilisation(p, f, loc).ByRoom {
				rooms = append(rooms, row.Booked.Of)
			}
			if !slices.Equal(got, wantEach) || !slices.Equal(rooms, []int{wantRooms}) {
				t.Fatalf("%s %v: available minutes %v, rooms %v; shift by shift %v, rooms %d", zone, p, got, rooms, wantEach, wantRooms)
			}
		}
	}
}
