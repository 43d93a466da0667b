package views

import (
	"html/template"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"allium/clinic"
)

// The pages measured too slow for html/template (the reception board, the chart's timeline,
// the progress chart, the body chart's marks) are written by hand with htmlWriter. It is the
// only code outside the templates that writes HTML, and it keeps text and markup apart by
// type rather than by care:
//
//   - markup is what the writer's callers write between values: tags, attribute names,
//     constant words. It is a string type of its own, so only an untyped string constant
//     converts to it by itself; a string variable (anything read from the database) does not
//     compile where markup is wanted.
//   - every string value goes through text, the one escaper, whether it lands in an element
//     or in a double-quoted attribute;
//   - links are Hrefs, built only by this package's builders from ids and dates, so no text
//     can become a URL;
//   - class names from data go through class, which keeps only the characters of a class name.
//
// The fuzz test in writer_test.go parses what the writer makes and proves no text injects an
// element or an attribute.

// markup is constant markup written by this package's own source.
type markup string

// layout is a time layout: constant, and of digits and month and day names only.
type layout string

// htmlWriter writes markup into a byteBuilder, whose String hands a page part of 100 KB to
// the template without copying it.
type htmlWriter struct {
	b       byteBuilder
	scratch [64]byte
	// lent: a render's spare writer (see Views.Render) is in use, and what it wrote is still
	// being read; a second part of the same render gets a writer of its own.
	lent bool
}

func newHTMLWriter(size int) *htmlWriter {
	w := &htmlWriter{}
	w.b.Grow(size)
	return w
}

// reuse is the render's spare writer, emptied, when there is one not yet in use; else a new
// writer. What it writes is valid only until the render ends, when the memory goes back to
// the pool: the template copies it into the page, and nothing else may keep it.
func (s *htmlWriter) reuse(size int) *htmlWriter {
	if s == nil || s.lent {
		return newHTMLWriter(size)
	}
	s.lent = true
	s.b.buf = s.b.buf[:0]
	s.b.Grow(size)
	return s
}

// byteBuilder is strings.Builder that can be emptied and written again: String shares the
// bytes, as strings.Builder's does, so whoever empties it must know no string of it is left.
type byteBuilder struct{ buf []byte }

func (b *byteBuilder) WriteString(s string) { b.buf = append(b.buf, s...) }
func (b *byteBuilder) writeByte(c byte)     { b.buf = append(b.buf, c) }
func (b *byteBuilder) Write(p []byte)       { b.buf = append(b.buf, p...) }
func (b *byteBuilder) Len() int             { return len(b.buf) }

// Grow makes room for n more bytes.
func (b *byteBuilder) Grow(n int) {
	if cap(b.buf)-len(b.buf) < n {
		b.buf = append(make([]byte, 0, 2*cap(b.buf)+n), b.buf...)
	}
}

// String is what was written, sharing its memory.
func (b *byteBuilder) String() string { return unsafe.String(unsafe.SliceData(b.buf), len(b.buf)) }

// m writes constant markup.
func (w *htmlWriter) m(s markup) { w.b.WriteString(string(s)) }

// text writes s escaped for an element's content or a double-quoted attribute value: the
// characters html/template escapes there, NUL as U+FFFD as html/template does, and any byte
// that is not UTF-8 as U+FFFD, as a browser would read it.
func (w *htmlWriter) text(s string) {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if esc := htmlEscapes[c]; esc != "" {
				w.b.WriteString(s[start:i])
				w.b.WriteString(esc)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.b.WriteString(s[start:i])
			w.b.WriteString("\uFFFD")
			start = i + 1
		}
		i += size
	}
	w.b.WriteString(s[start:])
}

// htmlEscapes is html/template's table for text and quoted attributes.
var htmlEscapes = [utf8.RuneSelf]string{
	0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;",
}

// class writes a class name made from data (a status), keeping only letters, digits, '_' and
// '-': whatever the database holds, it stays one class name.
func (w *htmlWriter) class(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			w.b.writeByte(c)
		}
	}
}

// int writes a whole number.
func (w *htmlWriter) int(n int64) { w.b.Write(strconv.AppendInt(w.scratch[:0], n, 10)) }

// num writes a coordinate or a score, as short as it reads exactly.
func (w *htmlWriter) num(v float64) { w.b.Write(strconv.AppendFloat(w.scratch[:0], v, 'f', -1, 64)) }

// when writes an instant in a constant layout.
func (w *htmlWriter) when(t time.Time, l layout) { w.b.Write(t.AppendFormat(w.scratch[:0], string(l))) }

// money writes an amount as Money.In does: a sign, the currency's symbol (one of clinic's own,
// never text from data), digits, commas and a point, none of which needs escaping.
func (w *htmlWriter) money(m clinic.Money, c clinic.Currency) {
	w.b.Write(m.AppendIn(w.scratch[:0], c))
}

// clock writes a wall-clock time ("09:15"): digits and a colon.
func (w *htmlWriter) clock(t clinic.ClockTime) { w.b.WriteString(t.String()) }

// href writes a link built by one of the builders below.
func (w *htmlWriter) href(h Href) { w.text(h.s) }

// html is what was written, for a template.
func (w *htmlWriter) html() template.HTML {
	return template.HTML(w.b.String()) //nolint:gosec // markup is constant; every value went through text, class or a number
}

// Href is a link inside Allium, or a phone number's tel: link. It is built only by this
// package's builders, from ids, dates and escaped values, so no text from the database can
// become a link of its own (a "javascript:" URL, say).
type Href struct{ s string }

// String is the link as a URL path with its query.
func (h Href) String() string { return h.s }

func pathID(prefix string, id int64, suffix string) Href {
	return Href{prefix + strconv.FormatInt(id, 10) + suffix}
}

// sitePath is a path of Allium's own written in the source ("/desk/clients"): an untyped
// string constant converts to it, a string variable does not compile where it is wanted.
type sitePath string

// PathHref is a fixed page of Allium's, named by a constant path.
func PathHref(p sitePath) Href { return Href{string(p)} }

const deskApptPath = "/desk/appointments/"

// DeskApptHref is an appointment's page for reception.
func DeskApptHref(id int64) Href { return pathID(deskApptPath, id, "") }

// DeskPayHref is the money part of an appointment's desk page, where a payment is taken.
func DeskPayHref(id int64) Href { return pathID(deskApptPath, id, deskPayPart) }

const deskPayPart = "#money"

// deskApptHref writes DeskApptHref's link (DeskPayHref's with part deskPayPart) as href
// does, byte for byte, without making a string first: a busy board has hundreds. It is a
// constant path and digits, with nothing to escape.
func (w *htmlWriter) deskApptHref(id int64, part markup) {
	w.m(deskApptPath)
	w.int(id)
	w.m(part)
}

// deskBookSlotHref writes DeskBookSlotHref's link as href does, for the board's empty rows:
// its "&" escaped, the rest constant, digits and the time in RFC 3339, which needs none.
func (w *htmlWriter) deskBookSlotHref(therapistID int64, at time.Time) {
	w.m(`/desk/clients?therapist=`)
	w.int(therapistID)
	w.m(`&amp;slot=`)
	w.int(therapistID)
	w.m(`@`)
	w.when(at.UTC(), time.RFC3339)
}

// DeskDayHref is reception's day.
func DeskDayHref(d clinic.Date) Href { return Href{"/desk?date=" + d.String()} }

// DeskWeekHref is a therapist's week around a day.
func DeskWeekHref(therapistID int64, d clinic.Date) Href {
	return Href{"/desk/week?therapist=" + strconv.FormatInt(therapistID, 10) + "&date=" + d.String()}
}

// DeskBookSlotHref starts a booking at the desk with a therapist at a time: the client list,
// whose Book links then carry the therapist and the time to the booking pages.
func DeskBookSlotHref(therapistID int64, at time.Time) Href {
	id := strconv.FormatInt(therapistID, 10)
	return Href{"/desk/clients?therapist=" + id + "&slot=" + id + "@" + at.UTC().Format(time.RFC3339)}
}

// NoteHref is a signed note.
func NoteHref(id int64) Href { return pathID("/notes/", id, "") }

// ChartHref is a client's chart.
func ChartHref(clientID int64) Href { return pathID("/clients/", clientID, "/chart") }

// NoteFormHref is the note of an appointment, to write or to go on with.
func NoteFormHref(appointmentID int64) Href { return pathID("/appointments/", appointmentID, "/note") }

// loc is the clinic's zone the page is shown in; UTC for a page made without one.
func (p Page) loc() *time.Location {
	if p.Loc == nil {
		return time.UTC
	}
	return p.Loc
}
