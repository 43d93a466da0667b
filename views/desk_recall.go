package views

import (
	"html/template"
	"net/url"

	"allium/clinic"
)

// Rows writes the recall list's rows. The list is 200 entries, each with four forms; through
// the template every row was about forty reflective calls and escapers and three sub-templates,
// which cost more than reading the list from the database.
func (d DeskRecall) Rows() template.HTML {
	w := newHTMLWriter(1600 * len(d.Courses))
	for _, e := range d.Courses {
		w.m(`<tr><td data-label="Client"><a href="`)
		w.href(DeskClientHref(e.ClientID))
		w.m(`">`)
		w.bdi(e.ClientName)
		w.m(`</a>`)
		if e.Mark != "" {
			w.m(`<br><span class="badge">`)
			w.text(string(e.Mark))
			if e.Marked != "" {
				w.m(` `)
				w.text(e.Marked)
			}
			w.m(`</span>`)
		}
		w.m("</td>\n<td data-label=\"Phone\">")
		if e.ClientPhone != "" {
			w.m(`<a href="`)
			w.href(TelHref(e.ClientPhone))
			w.m(`">`)
			w.text(e.ClientPhone)
			w.m(`</a>`)
		} else {
			w.text(e.ClientEmail)
		}
		w.m("</td>\n<td data-label=\"Why\"><strong>")
		w.text(e.Reason.Label())
		w.m(`</strong>`)
		if e.Reason == clinic.RecallStalled {
			w.m(`: `)
			w.bdi(e.ServiceName)
			w.m(` with `)
			w.bdi(e.TherapistName)
			w.m(`: `)
			w.int(int64(e.Done))
			w.m(` of `)
			w.int(int64(e.Sessions))
			w.m(` done`)
		} else {
			w.m(` · `)
			w.bdi(e.TherapistName)
			if !e.Due.IsZero() {
				w.m(` · due `)
				w.text(d.Page.Day(e.Due))
			}
		}
		w.m("</td>\n<td data-label=\"Last session\">")
		w.text(e.Last)
		w.m(`</td><td data-label="Days since" class="num">`)
		if e.Last != "" {
			w.int(int64(e.DaysSince))
		}
		w.m("</td>\n<td><div class=\"actions\"><a class=\"button small primary\" href=\"")
		w.href(e.BookHref)
		w.m("\">Book</a>\n")
		if e.Reason == clinic.RecallMaintenanceDue && e.ClientEmail != "" {
			w.m(`<form method="post" action="/desk/recall/remind">`)
			w.csrf(d.Page.CSRF)
			w.m(`<input type="hidden" name="ref" value="`)
			w.int(e.PlanID)
			w.m(`"><button class="small secondary" type="submit">Email a reminder</button></form>`)
		}
		w.m("\n")
		w.recallMark(d.Page.CSRF, e.RecallCourse, clinic.RecallContacted, "Contacted")
		w.recallMark(d.Page.CSRF, e.RecallCourse, clinic.RecallSnoozed, "Snooze 2 weeks")
		w.recallMark(d.Page.CSRF, e.RecallCourse, clinic.RecallDismissed, "Dismiss")
		w.m(`</div></td></tr>`)
	}
	return w.html()
}

// recallMark writes the form that records one mark on an entry.
func (w *htmlWriter) recallMark(csrf string, rc clinic.RecallCourse, m clinic.RecallMark, label markup) {
	w.m(`<form method="post" action="/desk/recall/mark">`)
	w.csrf(csrf)
	w.m(`<input type="hidden" name="reason" value="`)
	w.text(string(rc.Reason))
	w.m(`"><input type="hidden" name="ref" value="`)
	w.int(rc.RefID())
	w.m(`"><input type="hidden" name="mark" value="`)
	w.text(string(m))
	w.m(`"><button class="small secondary" type="submit">`)
	w.m(label)
	w.m(`</button></form>`)
}

// csrf writes a form's CSRF field, as the "csrf" template does.
func (w *htmlWriter) csrf(token string) {
	w.m(`<input type="hidden" name="csrf" value="`)
	w.text(token)
	w.m(`">`)
}

// DeskClientHref is a client's page for reception.
func DeskClientHref(id int64) Href { return pathID("/desk/clients/", id, "") }

// BookHref is the booking page with the query q: the path is constant and every value of q is
// escaped, so no text can make it a link anywhere else.
func BookHref(q url.Values) Href { return Href{"/book?" + q.Encode()} }

// TelHref is a link that calls phone. The number is written as html/template writes it after
// "tel:": every byte but letters, digits, URL delimiters and a valid %-escape percent-encoded,
// so it stays one tel: link whatever the record holds.
func TelHref(phone string) Href {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len("tel:")+len(phone)+8)
	b = append(b, "tel:"...)
	for i := 0; i < len(phone); i++ {
		c := phone[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		case c == '-' || c == '.' || c == '_' || c == '~':
		case c == '!' || c == '#' || c == '$' || c == '&' || c == '*' || c == '+' || c == ',' || c == '/' ||
			c == ':' || c == ';' || c == '=' || c == '?' || c == '@' || c == '[' || c == ']':
		case c == '%' && i+2 < len(phone) && isHex(phone[i+1]) && isHex(phone[i+2]):
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return Href{string(b)}
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
