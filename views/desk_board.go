package views

import (
	"cmp"
	"html/template"
	"slices"
	"time"

	"allium/clinic"
	"allium/store"
)

// deskStep is the height of one board row, in minutes.
const deskStep = 15

// DeskColumn is one column of the board: a therapist, a room or a day.
type DeskColumn struct {
	Name string
	Link Href   // the therapist's week, or the day of a week's column; none when zero
	Note string // working hours, or "Not working"
	Away []string
	// A therapist's column of one day also knows when they work (Shifts) and are away (Off),
	// so its empty rows become links that start a booking with them then. Zero for a room.
	Therapist int64
	Day       clinic.Date
	Shifts    []clinic.Shift
	Off       []store.TimeOff
}

// DeskBoard is the day or the week as the desk page draws it: its columns, the bookings of
// the day or week, which column a booking belongs to (-1: none), and the columns' hours,
// which with the bookings decide the board's first and last rows.
type DeskBoard struct {
	Columns  []DeskColumn
	Bookings []store.DayBooking
	ColumnOf func(store.DayBooking) int
	Shifts   []clinic.Shift
	// Since: empty rows before it are not offered for booking (they are past). Now: where
	// today's board draws its line for the current time; zero on other days.
	Since, Now time.Time
}

// deskLayout is the board laid out: the rows of the day from lo on, and each column's
// bookings grouped into blocks of rows.
type deskLayout struct {
	lo     clinic.ClockTime
	rows   int
	books  [][]*store.DayBooking // per column; pointers, so a busy day's bookings are not copied
	blocks [][]deskBlock
}

// deskBlock is a run of rows in one column covered by bookings; bookings that overlap on
// screen (a cancelled one is never drawn) share one block rather than covering each other.
type deskBlock struct {
	r0, r1 int
	books  []*store.DayBooking
}

// deskClock is where a booking sits on the wall clock of its day; one that runs past
// midnight is cut at the end of the day.
func deskClock(b store.DayBooking, loc *time.Location) (clinic.ClockTime, clinic.ClockTime) {
	s, e := b.Start.In(loc), b.End.In(loc)
	from := clinic.Clock(s.Hour(), s.Minute())
	to := clinic.Clock(e.Hour(), e.Minute())
	if sy, sm, sd := s.Date(); !deskSameDay(e, sy, sm, sd) {
		to = 24 * 60
	}
	return from, max(to, from+1)
}

// deskSameDay reports whether t, already in the clinic's zone, falls on the date y-m-d.
func deskSameDay(t time.Time, y int, m time.Month, d int) bool {
	ty, tm, td := t.Date()
	return ty == y && tm == m && td == d
}

// deskRange is the span of the board: the earliest shift start to the latest shift end,
// widened to every booking so none falls off the page, on whole quarter hours.
func deskRange(shifts []clinic.Shift, books []store.DayBooking, loc *time.Location) (clinic.ClockTime, clinic.ClockTime) {
	lo, hi := clinic.ClockTime(24*60), clinic.ClockTime(0)
	if len(shifts) == 0 {
		lo, hi = clinic.Clock(8, 0), clinic.Clock(19, 0)
	}
	for _, s := range shifts {
		lo, hi = min(lo, s.Start), max(hi, s.End)
	}
	for _, b := range books {
		if b.Active() {
			s, e := deskClock(b, loc)
			lo, hi = min(lo, s), max(hi, e)
		}
	}
	return lo / deskStep * deskStep, (hi + deskStep - 1) / deskStep * deskStep
}

// layout puts the active bookings in rows of 15 minutes.
func (d DeskBoard) layout(loc *time.Location) deskLayout {
	lo, hi := deskRange(d.Shifts, d.Bookings, loc)
	n := int(hi-lo) / deskStep
	l := deskLayout{lo: lo, rows: n, books: make([][]*store.DayBooking, len(d.Columns)), blocks: make([][]deskBlock, len(d.Columns))}
	for i := range d.Bookings {
		if j := d.ColumnOf(d.Bookings[i]); d.Bookings[i].Active() && j >= 0 && j < len(d.Columns) {
			l.books[j] = append(l.books[j], &d.Bookings[i])
		}
	}
	for j := range d.Columns {
		slices.SortStableFunc(l.books[j], deskByTime)
		l.blocks[j] = deskBlocks(l.books[j], lo, n, loc)
	}
	return l
}

// deskByTime orders bookings by start, then therapist, as reception reads a column.
func deskByTime(x, y *store.DayBooking) int {
	return cmp.Or(x.Start.Compare(y.Start), cmp.Compare(x.TherapistID, y.TherapistID))
}

// deskBlocks turns one column's bookings, in time order, into row blocks.
func deskBlocks(list []*store.DayBooking, lo clinic.ClockTime, n int, loc *time.Location) []deskBlock {
	// At most a block a booking: sized once rather than grown through copies on a busy day.
	out := make([]deskBlock, 0, len(list))
	for i, b := range list {
		s, e := deskClock(*b, loc)
		r0 := deskClamp(int(s-lo)/deskStep, 0, n-1)
		r1 := deskClamp((int(e-lo)+deskStep-1)/deskStep, r0+1, n)
		if k := len(out) - 1; k >= 0 && r0 < out[k].r1 {
			out[k].r1 = max(out[k].r1, r1)
			out[k].books = list[i-len(out[k].books) : i+1]
			continue
		}
		out = append(out, deskBlock{r0, r1, list[i : i+1]})
	}
	return out
}

func deskClamp[T cmp.Ordered](v, lo, hi T) T { return max(lo, min(v, hi)) }

// deskFree is a run of empty rows in a therapist's column, at most an hour long, that a
// booking may start in; at is the instant of its first row.
type deskFree struct {
	r0, r1 int
	at     time.Time
}

// deskFreeRows finds a therapist column's empty rows: inside a shift, clear of the column's
// bookings and time off, not past. Runs break on the hour, so each link names a time close
// to the one reception wants and the times page opens on it.
func deskFreeRows(c DeskColumn, blocks []deskBlock, lo clinic.ClockTime, n int, since time.Time, loc *time.Location) []deskFree {
	if c.Therapist == 0 || len(c.Shifts) == 0 {
		return nil
	}
	busy := make([]bool, n)
	for _, bl := range blocks {
		for r := bl.r0; r < bl.r1 && r < n; r++ {
			busy[r] = true
		}
	}
	var out []deskFree
	for r := range n {
		t := lo + clinic.ClockTime(r*deskStep)
		// The row's instant only for rows that may be free: finding it in the clinic's zone is
		// the dearest step, and on a busy day most rows of a shift are taken.
		if busy[r] || !deskInShift(c.Shifts, t) {
			continue
		}
		at := time.Date(c.Day.Y, c.Day.M, c.Day.D, int(t)/60, int(t)%60, 0, 0, loc)
		if at.Before(since) || deskAway(c.Off, at) {
			continue
		}
		if k := len(out) - 1; k >= 0 && out[k].r1 == r && t%60 != 0 {
			out[k].r1 = r + 1
			continue
		}
		out = append(out, deskFree{r0: r, r1: r + 1, at: at})
	}
	return out
}

func deskInShift(shifts []clinic.Shift, t clinic.ClockTime) bool {
	for _, s := range shifts {
		if s.Start <= t && t+deskStep <= s.End {
			return true
		}
	}
	return false
}

func deskAway(off []store.TimeOff, at time.Time) bool {
	end := at.Add(deskStep * time.Minute)
	for _, o := range off {
		if o.Start.Before(end) && o.End.After(at) {
			return true
		}
	}
	return false
}

// Board writes the board: a column of times, then per column its head and its bookings as a
// list. CSS makes the list a grid on wide screens (desk-at-N and desk-span-N place a block on
// its rows; desk-rows-N sizes the grid) and leaves it a list on phones, so each booking is
// drawn once. It is written with htmlWriter rather than a template: a busy day has some 300
// bookings of a dozen outputs each, and the template's reflection and context-aware escaping
// cost more than the rest of the request. Empty when there are no columns.
func (d DeskDay) Board() template.HTML {
	board, _ := d.board()
	return board
}

// BoardParts is the board cut between its columns, for the page's template. A template prints
// each value through fmt, whose buffer is kept for the next print only up to 64 KB: the board of
// a busy day (146 KB) in one piece was copied into a new buffer on every request. The parts
// share the board's memory.
func (d DeskDay) BoardParts() []template.HTML {
	board, cuts := d.board()
	if board == "" {
		return nil
	}
	parts := make([]template.HTML, 0, len(cuts)+1)
	from := 0
	for _, c := range cuts {
		parts = append(parts, board[from:c])
		from = c
	}
	return append(parts, board[from:])
}

// board writes the board and says where each column starts.
func (d DeskDay) board() (template.HTML, []int) {
	b := d.DeskBoard
	if len(b.Columns) == 0 {
		return "", nil
	}
	loc := d.Page.loc()
	l := b.layout(loc)
	placed := 0
	for _, books := range l.books {
		placed += len(books)
	}
	// Sized for the board as written (about 550 bytes a booking on the large demo's busiest day,
	// 146 KB): a builder that outgrows its first guess copies the whole board into one twice
	// the size, 150 KB more to collect on every request. The memory is the render's spare
	// writer's when it has one, so a busy day's board is not new garbage on every request.
	w := d.spare.reuse(2048 + l.rows*96 + len(b.Columns)*512 + placed*640)
	w.m(`<div class="desk-board desk-rows-`)
	w.int(int64(l.rows))
	w.m(`"><div class="desk-lines" aria-hidden="true">`)
	nowRow, nowPart := deskNowRow(b.Now, l, loc)
	for r := range l.rows {
		switch {
		case r == nowRow:
			// The line for now: drawn across the board like the row lines, a fifth of the
			// row down for every three minutes past the quarter hour.
			w.m(`<i class="desk-now desk-now-`)
			w.int(int64(nowPart))
			if (l.lo+clinic.ClockTime(r*deskStep))%60 == 0 {
				w.m(` desk-hour`)
			}
			w.m(`"></i>`)
		case (l.lo+clinic.ClockTime(r*deskStep))%60 == 0:
			w.m(`<i class="desk-hour"></i>`)
		default:
			w.m(`<i></i>`)
		}
	}
	w.m("</div>\n" + `<ol class="desk-times" aria-hidden="true"><li></li>`)
	for r := range l.rows {
		t := l.lo + clinic.ClockTime(r*deskStep)
		if t%60 == 0 {
			w.m(`<li class="desk-hour">`)
		} else {
			w.m(`<li>`)
		}
		w.clock(t)
		w.m(`</li>`)
	}
	w.m("</ol>\n")
	cuts := make([]int, len(b.Columns))
	for j, c := range b.Columns {
		cuts[j] = w.b.Len()
		w.deskColumn(c, l.blocks[j], deskFreeRows(c, l.blocks[j], l.lo, l.rows, b.Since, loc), loc)
	}
	w.m("</div>\n")
	return w.html(), cuts
}

// deskNowRow is the row the current time falls in and how far into it, in fifths; -1 when
// there is no line to draw (not today's board, or now is outside its hours).
func deskNowRow(now time.Time, l deskLayout, loc *time.Location) (int, int) {
	if now.IsZero() {
		return -1, 0
	}
	t := now.In(loc)
	m := int(clinic.Clock(t.Hour(), t.Minute()) - l.lo)
	if m < 0 || m >= l.rows*deskStep {
		return -1, 0
	}
	return m / deskStep, m % deskStep / 3
}

func (w *htmlWriter) deskColumn(c DeskColumn, blocks []deskBlock, free []deskFree, loc *time.Location) {
	w.m(`<div class="desk-col"><div class="desk-head"><h2>`)
	if c.Link != (Href{}) {
		w.m(`<a href="`)
		w.href(c.Link)
		w.m(`">`)
		w.bdi(c.Name)
		w.m(`</a>`)
	} else {
		w.bdi(c.Name)
	}
	w.m(`</h2>`)
	if c.Note != "" {
		w.m(`<p class="muted">`)
		w.text(c.Note)
		w.m(`</p>`)
	}
	for _, a := range c.Away {
		w.m(`<p><span class="badge status-no_show">`)
		w.text(a)
		w.m(`</span></p>`)
	}
	w.m("</div>\n")
	if len(blocks) == 0 {
		w.m("<p class=\"muted desk-none\">No bookings.</p>")
		if len(free) == 0 {
			w.m("</div>\n")
			return
		}
	}
	w.m(`<ol class="desk-list">`)
	// Bookings and empty rows in time order, as the column reads.
	i := 0
	for _, bl := range blocks {
		for ; i < len(free) && free[i].r0 < bl.r0; i++ {
			w.deskFreeRow(c, free[i], loc)
		}
		w.m(`<li class="desk-at-`)
		w.int(int64(bl.r0 + 1))
		w.m(` desk-span-`)
		w.int(int64(bl.r1 - bl.r0))
		w.m(`">`)
		for _, bk := range bl.books {
			w.deskBooking(bk, loc)
			if bk.Status == clinic.ApptCheckedIn || bk.Status == clinic.ApptCompleted {
				// One tap to take the payment; beside the booking's link, as links do not nest.
				w.m(`<a class="appt-pay button small" href="`)
				w.deskApptHref(bk.ID, deskPayPart)
				w.m(`">Pay<span class="visually-hidden"> for `)
				w.bdi(bk.ClientName)
				w.m(`</span></a>`)
			}
		}
		w.m("</li>\n")
	}
	for ; i < len(free); i++ {
		w.deskFreeRow(c, free[i], loc)
	}
	w.m("</ol></div>\n")
}

// deskFreeRow writes empty rows as a link that starts a booking with the column's therapist
// at the rows' first time: reception chooses the client, then the service, and the times
// page opens on that day with that time chosen.
func (w *htmlWriter) deskFreeRow(c DeskColumn, f deskFree, loc *time.Location) {
	w.m(`<li class="desk-free desk-at-`)
	w.int(int64(f.r0 + 1))
	w.m(` desk-span-`)
	w.int(int64(f.r1 - f.r0))
	w.m(`"><a href="`)
	w.deskBookSlotHref(c.Therapist, f.at)
	w.m(`">Book `)
	w.when(f.at.In(loc), "15:04")
	w.m(`<span class="visually-hidden"> with `)
	w.text(c.Name)
	w.m(`</span></a></li>` + "\n")
}

// deskBooking writes one booking as a link to its desk page: time, client, service and room,
// course progress, status in words, and the client's cautions.
func (w *htmlWriter) deskBooking(b *store.DayBooking, loc *time.Location) {
	w.m(`<a class="appt status-`)
	w.class(string(b.Status))
	w.m(`" href="`)
	w.deskApptHref(b.ID, "")
	if b.Cautions != "" {
		w.m(`" title="Caution: `)
		w.text(b.Cautions)
	}
	w.m(`"><time class="appt-time" datetime="`)
	w.when(b.Start.UTC(), time.RFC3339)
	w.m(`">`)
	w.when(b.Start.In(loc), "15:04")
	w.m(`–`)
	w.when(b.End.In(loc), "15:04")
	w.m("</time>\n<span class=\"appt-client\">")
	w.bdi(b.ClientName)
	w.m("</span>\n<span class=\"appt-service\">")
	w.bdi(b.ServiceName)
	if b.RoomName != "" {
		w.m(` · `)
		w.bdi(b.RoomName)
	}
	w.m("</span>\n")
	if b.CourseSize > 1 {
		w.m(`<span class="appt-progress">`)
		w.int(int64(b.CourseIndex))
		w.m(` of `)
		w.int(int64(b.CourseSize))
		w.m("</span>\n")
	}
	w.m(`<span class="badge status-`)
	w.class(string(b.Status))
	w.m(`">`)
	w.text(deskStatusLabel(*b))
	w.m("</span>\n")
	if b.Cautions != "" {
		w.m(`<span class="caution">Caution: `)
		w.text(b.Cautions)
		w.m("</span>\n")
	}
	w.m(`</a>`)
}

// deskStatusLabel names a booking's status in words, as every desk page does.
func deskStatusLabel(b store.DayBooking) string {
	return DeskAppt{Appointment: store.Appointment{Status: b.Status, LateCancel: b.LateCancel}}.StatusLabel()
}

// Cancelled writes the table of the cancelled bookings under the board, by hand for the
// reason the board is: a busy day has dozens. Empty when none was cancelled.
func (d DeskDay) Cancelled() template.HTML {
	// Pointers, as the board's: a busy day's dozens of bookings are not copied as they are
	// gathered and sorted.
	var gone []*store.DayBooking
	for i := range d.Bookings {
		if !d.Bookings[i].Active() {
			gone = append(gone, &d.Bookings[i])
		}
	}
	if len(gone) == 0 {
		return ""
	}
	slices.SortStableFunc(gone, func(x, y *store.DayBooking) int {
		return cmp.Or(cmp.Compare(x.TherapistID, y.TherapistID), x.Start.Compare(y.Start))
	})
	loc := d.Page.loc()
	w := newHTMLWriter(512 + len(gone)*400)
	w.m(`<table class="data"><thead><tr><th>Client</th><th>Was</th><th>With</th><th>Status</th><th>Reason</th></tr></thead><tbody>` + "\n")
	for _, b := range gone {
		w.m(`<tr><td data-label="Client"><a href="`)
		w.deskApptHref(b.ID, "")
		w.m(`">`)
		w.bdi(b.ClientName)
		w.m("</a></td>\n" + `<td data-label="Was">`)
		w.when(b.Start.In(loc), "Mon 2 Jan 15:04")
		w.m(`</td><td data-label="With">`)
		w.bdi(b.TherapistName)
		w.m("</td>\n" + `<td data-label="Status"><span class="badge status-`)
		w.class(string(b.Status))
		w.m(`">`)
		w.text(deskStatusLabel(*b))
		w.m(`</span></td><td data-label="Reason">`)
		w.text(b.CancelReason)
		w.m("</td></tr>\n")
	}
	w.m("</tbody></table>\n")
	return w.html()
}
