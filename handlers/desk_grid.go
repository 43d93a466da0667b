package handlers

import (
	"cmp"
	"slices"
	"time"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// deskStep is the height of one grid row.
const deskStep = 15

// deskBlock is a run of rows in one column covered by bookings; bookings that overlap on
// screen (a cancelled one is never drawn) share one block rather than breaking the table.
type deskBlock struct {
	r0, r1 int
	appts  []views.DeskBlock
}

// deskClock is where a booking sits on the wall clock of its day; one that runs past
// midnight is cut at the end of the day.
func deskClock(a store.Appointment, loc *time.Location) (clinic.ClockTime, clinic.ClockTime) {
	s, e := a.Start.In(loc), a.End.In(loc)
	from := clinic.Clock(s.Hour(), s.Minute())
	to := clinic.Clock(e.Hour(), e.Minute())
	if clinic.DateOf(e, loc) != clinic.DateOf(s, loc) {
		to = 24 * 60
	}
	return from, max(to, from+1)
}

// deskRange is the span of the grid: the earliest shift start to the latest shift end,
// widened to every booking so none falls off the page, on whole quarter hours.
func deskRange(shifts []clinic.Shift, appts []store.Appointment, loc *time.Location) (clinic.ClockTime, clinic.ClockTime) {
	lo, hi := clinic.ClockTime(24*60), clinic.ClockTime(0)
	if len(shifts) == 0 {
		lo, hi = clinic.Clock(8, 0), clinic.Clock(19, 0)
	}
	for _, s := range shifts {
		lo, hi = min(lo, s.Start), max(hi, s.End)
	}
	for _, a := range appts {
		if a.Active() {
			s, e := deskClock(a, loc)
			lo, hi = min(lo, s), max(hi, e)
		}
	}
	return lo / deskStep * deskStep, (hi + deskStep - 1) / deskStep * deskStep
}

// buildDeskGrid lays the active bookings out in rows of 15 minutes from lo to hi; col says
// which column a booking belongs to (-1: none). Each column also gets its bookings as a list.
func buildDeskGrid(cols []views.DeskColumn, lo, hi clinic.ClockTime, appts []store.Appointment,
	col func(store.Appointment) int, loc *time.Location) views.DeskGrid {
	n := int(hi-lo) / deskStep
	per := make([][]store.Appointment, len(cols))
	for _, a := range appts {
		if j := col(a); a.Active() && j >= 0 && j < len(cols) {
			per[j] = append(per[j], a)
		}
	}
	blocks := make([][]deskBlock, len(cols))
	for j := range cols {
		slices.SortStableFunc(per[j], func(x, y store.Appointment) int { return x.Start.Compare(y.Start) })
		cols[j].Appts = make([]views.DeskBlock, len(per[j]))
		for i, a := range per[j] {
			cols[j].Appts[i] = views.NewDeskBlock(a, loc)
		}
		blocks[j] = deskBlocks(per[j], cols[j].Appts, lo, n, loc)
	}
	g := views.DeskGrid{Columns: cols, Rows: make([]views.DeskRow, n)}
	next, covered := make([]int, len(cols)), make([]int, len(cols))
	for r := range n {
		t := lo + clinic.ClockTime(r*deskStep)
		row := views.DeskRow{Label: t.String(), Hour: t%60 == 0}
		for j := range cols {
			if r < covered[j] {
				continue
			}
			if k := next[j]; k < len(blocks[j]) && blocks[j][k].r0 == r {
				b := blocks[j][k]
				row.Cells = append(row.Cells, views.DeskCell{Span: b.r1 - b.r0, Appts: b.appts})
				covered[j], next[j] = b.r1, k+1
				continue
			}
			row.Cells = append(row.Cells, views.DeskCell{})
		}
		g.Rows[r] = row
	}
	return g
}

// deskBlocks turns one column's bookings, in time order, into row blocks of their slots.
func deskBlocks(list []store.Appointment, slots []views.DeskBlock, lo clinic.ClockTime, n int, loc *time.Location) []deskBlock {
	var out []deskBlock
	for i, a := range list {
		s, e := deskClock(a, loc)
		r0 := deskClamp(int(s-lo)/deskStep, 0, n-1)
		r1 := deskClamp((int(e-lo)+deskStep-1)/deskStep, r0+1, n)
		if k := len(out) - 1; k >= 0 && r0 < out[k].r1 {
			out[k].r1 = max(out[k].r1, r1)
			out[k].appts = append(out[k].appts, slots[i])
			continue
		}
		out = append(out, deskBlock{r0, r1, []views.DeskBlock{slots[i]}})
	}
	return out
}

func deskClamp[T cmp.Ordered](v, lo, hi T) T { return max(lo, min(v, hi)) }

// deskShifts is a day's hours as people read them: "09:00–12:30, 13:30–18:00".
func deskShifts(shifts []clinic.Shift) string {
	if len(shifts) == 0 {
		return "Not working"
	}
	s := ""
	for i, sh := range shifts {
		if i > 0 {
			s += ", "
		}
		s += sh.Start.String() + "–" + sh.End.String()
	}
	return s
}
