package clinic

import (
	"testing"
	"time"
)

// BenchmarkUtilisationYear sums a year of utilisation for a clinic the size of the large demo
// (20 therapists on two shifts a weekday, a day off a month each) from facts already read: the
// part of the report page that is Go, not SQL.
//
//	go test -run '^$' -bench Utilisation ./clinic
func BenchmarkUtilisationYear(b *testing.B) {
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		b.Skip(err)
	}
	p := ReportPeriod{From: Date{2025, time.December, 1}, To: Date{2026, time.November, 30}}
	var f UtilisationFacts
	for id := int64(1); id <= 20; id++ {
		t := UtilTherapist{ID: id, Name: "Therapist"}
		for wd := time.Monday; wd <= time.Friday; wd++ {
			t.Hours[wd] = []Shift{{Start: 8 * 60, End: 12 * 60}, {Start: 13 * 60, End: 18 * 60}}
		}
		for m := range 12 {
			s := time.Date(2025, time.December+time.Month(m), 3+int(id%20), 0, 0, 0, 0, loc)
			t.TimeOff = append(t.TimeOff, Interval{s, s.AddDate(0, 0, 1)})
		}
		f.Therapists = append(f.Therapists, t)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := Utilisation(p, f, loc); r.Total.Booked.Of == 0 {
			b.Fatal("no working hours")
		}
	}
}
