package handlers

import (
	"cmp"
	"html"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// deskStep is the height of one board row.
const deskStep = 15

// deskColumn is one column of the board: a therapist, a room or a day, with its bookings.
type deskColumn struct {
	name  string
	href  string // the therapist's week, or the day of a week's column
	note  string // working hours, or "Not working"
	away  []string
	books []*store.DayBooking // pointers: a busy day's bookings are copied once, into the store's list
}

// deskBoard is the day or week as the page draws it: the rows of the day from lo on, and each
// column's bookings grouped into blocks of rows.
type deskBoard struct {
	lo     clinic.ClockTime
	rows   int
	cols   []deskColumn
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
	if clinic.DateOf(e, loc) != clinic.DateOf(s, loc) {
		to = 24 * 60
	}
	return from, max(to, from+1)
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

// buildDeskBoard lays the active bookings out in rows of 15 minutes from lo to hi; col says
// which column a booking belongs to (-1: none).
func buildDeskBoard(cols []deskColumn, lo, hi clinic.ClockTime, books []store.DayBooking,
	col func(store.DayBooking) int, loc *time.Location) deskBoard {
	n := int(hi-lo) / deskStep
	for i := range books {
		if j := col(books[i]); books[i].Active() && j >= 0 && j < len(cols) {
			cols[j].books = append(cols[j].books, &books[i])
		}
	}
	board := deskBoard{lo: lo, rows: n, cols: cols, blocks: make([][]deskBlock, len(cols))}
	for j := range cols {
		slices.SortStableFunc(cols[j].books, deskByTime)
		board.blocks[j] = deskBlocks(cols[j].books, lo, n, loc)
	}
	return board
}

// deskByTime orders bookings by start, then therapist, as reception reads a column.
func deskByTime(x, y *store.DayBooking) int {
	return cmp.Or(x.Start.Compare(y.Start), cmp.Compare(x.TherapistID, y.TherapistID))
}

// deskBlocks turns one column's bookings, in time order, into row blocks.
func deskBlocks(list []*store.DayBooking, lo clinic.ClockTime, n int, loc *time.Location) []deskBlock {
	var out []deskBlock
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

// deskDayPage is the day or week page with its board already written (see deskBoard.html).
type deskDayPage struct {
	views.DeskDay
	Board, CancelledTable template.HTML
}

// deskWriter writes the board's markup. The board is written by hand rather than through
// html/template: a busy day has some 300 bookings of a dozen outputs each, and the template's
// reflection and context-aware escaping cost more than the rest of the request. Every piece
// of text from the database goes through text(), which escapes it with html.EscapeString;
// everything else written is a constant or a number. It writes into a strings.Builder, whose
// String does not copy the page.
type deskWriter struct {
	b       strings.Builder
	scratch [64]byte
}

func newDeskWriter(size int) *deskWriter {
	w := &deskWriter{}
	w.b.Grow(size)
	return w
}

func (w *deskWriter) raw(s string)  { w.b.WriteString(s) }
func (w *deskWriter) text(s string) { w.b.WriteString(html.EscapeString(s)) }

// name writes a person's or a thing's name isolated from the text around it, so a
// right-to-left name (or a planted override character) cannot reorder the rest of the line.
func (w *deskWriter) name(s string) { w.raw("<bdi>"); w.text(s); w.raw("</bdi>") }
func (w *deskWriter) num(n int64)   { w.b.Write(strconv.AppendInt(w.scratch[:0], n, 10)) }

// when writes t in a layout of digits and fixed words only, which need no escaping.
func (w *deskWriter) when(t time.Time, layout string) {
	w.b.Write(t.AppendFormat(w.scratch[:0], layout))
}

func (w *deskWriter) html() template.HTML { return template.HTML(w.b.String()) }

// html writes the board: a column of times, then per column its head and its bookings as a
// list. CSS makes the list a grid on wide screens (desk-at-N and desk-span-N place a block on
// its rows; desk-rows-N sizes the grid) and leaves it a list on phones, so each booking is
// drawn once.
func (b deskBoard) html(loc *time.Location) template.HTML {
	w := newDeskWriter(1024 + b.rows*64 + len(b.cols)*256 + b.bookings()*448)
	w.raw(`<div class="desk-board desk-rows-`)
	w.num(int64(b.rows))
	w.raw(`"><div class="desk-lines" aria-hidden="true">`)
	for r := range b.rows {
		if (b.lo+clinic.ClockTime(r*deskStep))%60 == 0 {
			w.raw(`<i class="desk-hour"></i>`)
		} else {
			w.raw(`<i></i>`)
		}
	}
	w.raw("</div>\n" + `<ol class="desk-times" aria-hidden="true"><li></li>`)
	for r := range b.rows {
		t := b.lo + clinic.ClockTime(r*deskStep)
		if t%60 == 0 {
			w.raw(`<li class="desk-hour">`)
		} else {
			w.raw(`<li>`)
		}
		w.raw(t.String())
		w.raw(`</li>`)
	}
	w.raw("</ol>\n")
	for j, c := range b.cols {
		w.column(c, b.blocks[j], loc)
	}
	w.raw("</div>\n")
	return w.html()
}

func (b deskBoard) bookings() int {
	n := 0
	for _, c := range b.cols {
		n += len(c.books)
	}
	return n
}

func (w *deskWriter) column(c deskColumn, blocks []deskBlock, loc *time.Location) {
	w.raw(`<div class="desk-col"><div class="desk-head"><h2>`)
	if c.href != "" {
		w.raw(`<a href="`)
		w.text(c.href)
		w.raw(`">`)
		w.name(c.name)
		w.raw(`</a>`)
	} else {
		w.name(c.name)
	}
	w.raw(`</h2>`)
	if c.note != "" {
		w.raw(`<p class="muted">`)
		w.text(c.note)
		w.raw(`</p>`)
	}
	for _, a := range c.away {
		w.raw(`<p><span class="badge status-no_show">`)
		w.text(a)
		w.raw(`</span></p>`)
	}
	w.raw("</div>\n")
	if len(blocks) == 0 {
		w.raw("<p class=\"muted desk-none\">No bookings.</p></div>\n")
		return
	}
	w.raw(`<ol class="desk-list">`)
	for _, bl := range blocks {
		w.raw(`<li class="desk-at-`)
		w.num(int64(bl.r0 + 1))
		w.raw(` desk-span-`)
		w.num(int64(bl.r1 - bl.r0))
		w.raw(`">`)
		for _, bk := range bl.books {
			w.booking(bk, loc)
		}
		w.raw("</li>\n")
	}
	w.raw("</ol></div>\n")
}

// booking writes one booking as a link to its desk page: time, client, service and room,
// course progress, status in words, and the client's cautions.
func (w *deskWriter) booking(b *store.DayBooking, loc *time.Location) {
	w.raw(`<a class="appt status-`)
	w.text(b.Status)
	w.raw(`" href="/desk/appointments/`)
	w.num(b.ID)
	if b.Cautions != "" {
		w.raw(`" title="Caution: `)
		w.text(b.Cautions)
	}
	w.raw(`"><time class="appt-time" datetime="`)
	w.when(b.Start.UTC(), time.RFC3339)
	w.raw(`">`)
	w.when(b.Start.In(loc), "15:04")
	w.raw(`–`)
	w.when(b.End.In(loc), "15:04")
	w.raw("</time>\n<span class=\"appt-client\">")
	w.name(b.ClientName)
	w.raw("</span>\n<span class=\"appt-service\">")
	w.name(b.ServiceName)
	if b.RoomName != "" {
		w.raw(` · `)
		w.name(b.RoomName)
	}
	w.raw("</span>\n")
	if b.CourseSize > 1 {
		w.raw(`<span class="appt-progress">`)
		w.num(int64(b.CourseIndex))
		w.raw(` of `)
		w.num(int64(b.CourseSize))
		w.raw("</span>\n")
	}
	w.raw(`<span class="badge status-`)
	w.text(b.Status)
	w.raw(`">`)
	w.text(deskStatusLabel(*b))
	w.raw("</span>\n")
	if b.Cautions != "" {
		w.raw(`<span class="caution">Caution: `)
		w.text(b.Cautions)
		w.raw("</span>\n")
	}
	w.raw(`</a>`)
}

// deskStatusLabel names a booking's status in words, as every desk page does.
func deskStatusLabel(b store.DayBooking) string {
	return views.DeskAppt{Appointment: store.Appointment{Status: b.Status, LateCancel: b.LateCancel}}.StatusLabel()
}

// deskCancelledTable writes the table of the cancelled bookings under the board, by hand for
// the reason the board is: a busy day has dozens.
func deskCancelledTable(books []store.DayBooking, loc *time.Location) template.HTML {
	var gone []store.DayBooking
	for _, b := range books {
		if !b.Active() {
			gone = append(gone, b)
		}
	}
	if len(gone) == 0 {
		return ""
	}
	slices.SortStableFunc(gone, func(x, y store.DayBooking) int {
		return cmp.Or(cmp.Compare(x.TherapistID, y.TherapistID), x.Start.Compare(y.Start))
	})
	w := newDeskWriter(512 + len(gone)*400)
	w.raw(`<table class="data"><thead><tr><th>Client</th><th>Was</th><th>With</th><th>Status</th><th>Reason</th></tr></thead><tbody>` + "\n")
	for _, b := range gone {
		w.raw(`<tr><td data-label="Client"><a href="/desk/appointments/`)
		w.num(b.ID)
		w.raw(`">`)
		w.name(b.ClientName)
		w.raw("</a></td>\n" + `<td data-label="Was">`)
		w.when(b.Start.In(loc), "Mon 2 Jan 15:04")
		w.raw(`</td><td data-label="With">`)
		w.name(b.TherapistName)
		w.raw("</td>\n" + `<td data-label="Status"><span class="badge status-`)
		w.text(b.Status)
		w.raw(`">`)
		w.text(deskStatusLabel(b))
		w.raw(`</span></td><td data-label="Reason">`)
		w.text(b.CancelReason)
		w.raw("</td></tr>\n")
	}
	w.raw("</tbody></table>\n")
	return w.html()
}
