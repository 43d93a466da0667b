package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"allium/store"
)

// TestDeskBoardEscapesClientText: the board and the cancelled list are written without
// html/template, so a client whose name and cautions are markup must still come out as text,
// in the page and in the caution's title attribute.
func TestDeskBoardEscapesClientText(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	ctx := context.Background()
	name := `<img src=x onerror="alert(1)">Eve's & co`
	caution := `"><script>alert(2)</script> blood thinners`
	c, err := d.Store.AddClient(ctx, store.System, store.ClientDetails{Name: name, Email: "eve@example.com", Cautions: caution})
	if err != nil {
		t.Fatal(err)
	}
	d.book(t, c.ID, d.ana, d.at(2026, 3, 11, 10, 0))
	gone := d.book(t, c.ID, d.ben, d.at(2026, 3, 11, 14, 0))[0]
	if _, err := d.Store.Cancel(ctx, store.System, gone.ID, `<b>ill</b>`); err != nil {
		t.Fatal(err)
	}
	r := d.as(t, d.Reception).get("/desk?date=2026-03-11")
	r.wantStatus(http.StatusOK)
	for _, raw := range []string{"<img", "<script>", "<b>ill", `"alert(1)"`} {
		if strings.Contains(r.Body, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	for _, want := range []string{
		`<span class="appt-client"><bdi>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Eve&#39;s &amp; co</bdi></span>`,
		`title="Caution: &#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt; blood thinners"`,
		`<span class="caution">Caution: &#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt; blood thinners</span>`,
		`<td data-label="Reason">&lt;b&gt;ill&lt;/b&gt;</td>`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the page does not hold %s", want)
		}
	}
	if text := r.text(); !strings.Contains(text, name) || !strings.Contains(text, "Caution: "+caution) {
		t.Errorf("the name and caution do not read as written: %s", text)
	}
}

// TestDeskBoardPlacesEachBookingOnItsRows: every booking is drawn once, on the rows of its
// quarter hours, with its course progress; a therapist without bookings says so on phones.
func TestDeskBoardPlacesEachBookingOnItsRows(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	course := d.book(t, d.clientID, d.ben, d.at(2026, 3, 11, 10, 0), d.at(2026, 3, 18, 10, 0))
	r := d.as(t, d.Reception).get("/desk?date=2026-03-11")
	r.wantStatus(http.StatusOK)
	// 09:00 to 17:00 is 32 quarter hours; 10:00 to 11:00 is rows 5 to 8.
	if !strings.Contains(r.Body, `<div class="desk-board desk-rows-32">`) {
		t.Errorf("the board does not have the 32 rows of 09:00-17:00")
	}
	times := regexp.MustCompile(`<li(?: class="desk-hour")?>(\d\d:\d\d)</li>`).FindAllStringSubmatch(r.Body, -1)
	if len(times) != 32 || times[0][1] != "09:00" || times[31][1] != "16:45" {
		t.Errorf("the time column has %d rows; want 32 from 09:00 to 16:45", len(times))
	}
	link := fmt.Sprintf(`href="/desk/appointments/%d"`, course[0].ID)
	if n := strings.Count(r.Body, link); n != 1 {
		t.Errorf("the booking is drawn %d times; want once", n)
	}
	li := regexp.MustCompile(`<li class="desk-at-(\d+) desk-span-(\d+)"><a class="appt status-booked" ` + link).FindStringSubmatch(r.Body)
	if li == nil || li[1] != "5" || li[2] != "4" {
		t.Errorf("the 10:00-11:00 booking is placed at %v; want row 5, spanning 4", li)
	}
	if !strings.Contains(r.text(), "10:00–11:00 Alex Chen Remedial 60 · Room 1 1 of 2 Booked") {
		t.Errorf("the booking does not read time, client, service, room, progress and status: %s", r.text())
	}
	heads, cells := deskCellColumns(t, r.Body)
	if len(heads) != 3 || cells["Alex Chen"] != 1 {
		t.Errorf("columns %q, Alex Chen in %d; want three therapists and Alex under the second", heads, cells["Alex Chen"])
	}
	if n := strings.Count(r.Body, `<p class="muted desk-none">No bookings.</p>`); n != 2 {
		t.Errorf("%d columns say they have no bookings; want 2", n)
	}
}

// TestDeskBoardStylesEveryRow: the stylesheet has a rule for every row count, start row and
// span the board can write (a day has 96 quarter hours); a missing one would draw a booking
// at the wrong time.
func TestDeskBoardStylesEveryRow(t *testing.T) {
	t.Parallel()
	css, err := os.ReadFile("../assets/css/allium.css")
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 96; n++ {
		for _, want := range []string{
			fmt.Sprintf(".desk-rows-%d { grid-template-rows: auto repeat(%d, ", n, n),
			fmt.Sprintf(".desk-at-%d { grid-row-start: %d; }", n, n),
			fmt.Sprintf(".desk-span-%d { grid-row-end: span %d; }", n, n),
		} {
			if !strings.Contains(string(css), want) {
				t.Errorf("the stylesheet has no %q", want)
			}
		}
	}
}

// TestDeskDayKeepsAColumnForADeactivatedTherapist: a therapist taken off the list who still
// has a booking that day keeps a column, with their hours, so the booking is not hidden.
func TestDeskDayKeepsAColumnForADeactivatedTherapist(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0))
	if err := d.Store.SetActive(context.Background(), store.System, d.ana.ID, false); err != nil {
		t.Fatal(err)
	}
	r := d.as(t, d.Reception).get("/desk?date=2026-03-11")
	r.wantStatus(http.StatusOK)
	heads, cells := deskCellColumns(t, r.Body)
	col, ok := cells["Alex Chen"]
	if !ok || heads[col] != "Ana Alvarez 09:00–17:00" {
		t.Errorf("Alex Chen's booking is in column %d of %q; want under Ana Alvarez 09:00–17:00", col, heads)
	}
	if n := strings.Count(strings.Join(heads, "|"), "Ana Alvarez"); n != 1 {
		t.Errorf("Ana has %d columns; want 1", n)
	}
}

// TestDeskBoardBooksFromAnEmptyTime: an empty time in a therapist's column links to the client
// list, which says what is being booked; a client's Book link there opens the booking pages on
// that therapist and day with that time chosen. Booked, past and off-shift rows have no link.
func TestDeskBoardBooksFromAnEmptyTime(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	d.book(t, d.clientID, d.ben, d.at(2026, 3, 11, 10, 0))
	desk := d.as(t, d.Reception)
	r := desk.get("/desk?date=2026-03-11")
	r.wantStatus(http.StatusOK)
	link := func(th store.User, hh, mm int) string {
		v := slotValue(th.ID, d.at(2026, 3, 11, hh, mm))
		return fmt.Sprintf(`href="/desk/clients?therapist=%d&amp;slot=%s"`, th.ID, v)
	}
	for _, want := range []string{link(d.ben, 9, 0), link(d.ben, 11, 0), link(d.ana, 10, 0), link(d.ana, 16, 0)} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the board has no link %s", want)
		}
	}
	// Ben's 10:00-11:00 is taken, 17:00 is after hours; a link is an hour's stretch at most, from
	// its start (11:15 is in the stretch from 11:00).
	for _, bad := range []string{link(d.ben, 10, 0), link(d.ben, 11, 15), link(d.ana, 17, 0)} {
		if strings.Contains(r.Body, bad) {
			t.Errorf("the board offers %s, which is not free", bad)
		}
	}
	if n := strings.Count(r.Body, `<li class="desk-free desk-at-`); n != 2*8+7 {
		t.Errorf("%d empty stretches; want Ana's 8 hours, Ben's 7 around his session and Sam's 8", n)
	}

	// A therapist's week offers the same: Ana's Thursday at 09:00, nothing on the weekend.
	week := desk.get(fmt.Sprintf("/desk/week?therapist=%d&date=2026-03-11", d.ana.ID))
	week.wantStatus(http.StatusOK)
	if thu := slotValue(d.ana.ID, d.at(2026, 3, 12, 9, 0)); !strings.Contains(week.Body, "slot="+thu+`"`) {
		t.Errorf("Ana's week does not offer Thursday 09:00")
	}
	if sat := slotValue(d.ana.ID, d.at(2026, 3, 14, 9, 0)); strings.Contains(week.Body, "slot="+sat+`"`) {
		t.Errorf("Ana's week offers Saturday, when she does not work")
	}

	r = desk.get(strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(link(d.ana, 14, 0), `href="`), `"`), "&amp;", "&"))
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Booking Ana Alvarez at Wed 11 Mar, 14:00") {
		t.Errorf("the client list does not say what is being booked: %s", r.text())
	}
	book := regexp.MustCompile(`href="(/book\?client=` + deskID(d.clientID) + `&amp;[^"]*)"`).FindStringSubmatch(r.Body)
	if book == nil {
		t.Fatalf("no Book link for the client carries the time")
	}
	r = desk.get(strings.ReplaceAll(book[1], "&amp;", "&"))
	r.wantStatus(http.StatusOK)
	slot := slotValue(d.ana.ID, d.at(2026, 3, 11, 14, 0))
	times := fmt.Sprintf("/book/times?service=%d&client=%d&therapist=%d&date=2026-03-11&day=2026-03-11&slot=%s",
		d.service, d.clientID, d.ana.ID, url.QueryEscape(slot))
	if !strings.Contains(r.Body, `name="slot" value="`+slot+`"`) || !strings.Contains(r.Body, `name="day" value="2026-03-11"`) {
		t.Fatalf("the service step does not pass the time on")
	}
	r = desk.get(times)
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.Body, `value="`+slot+`" checked`) {
		t.Errorf("the times page does not open with 14:00 with Ana chosen")
	}
	// Ben's empty stretch from 11:00 starts in the 15 minutes kept after his session: the
	// times page chooses his next free time, 11:15.
	after := fmt.Sprintf("/book/times?service=%d&client=%d&therapist=%d&date=2026-03-11&day=2026-03-11&slot=%s",
		d.service, d.clientID, d.ben.ID, url.QueryEscape(slotValue(d.ben.ID, d.at(2026, 3, 11, 11, 0))))
	if r := desk.get(after); !strings.Contains(r.Body, `value="`+slotValue(d.ben.ID, d.at(2026, 3, 11, 11, 15))+`" checked`) {
		t.Errorf("the times page does not choose Ben's next free time, 11:15")
	}
}

// TestDeskBoardMarksNow: today's board has a line at the current time, in its quarter hour's
// row; another day's board has none.
func TestDeskBoardMarksNow(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	d.Clock.Set(d.at(2026, 3, 11, 13, 40))
	desk := d.as(t, d.Reception)
	r := desk.get("/desk")
	r.wantStatus(http.StatusOK)
	// 09:00 is row 1, so 13:30 is row 19; 13:40 is ten minutes, three fifths, into it.
	lines := regexp.MustCompile(`<div class="desk-lines" aria-hidden="true">(.*?)</div>`).FindStringSubmatch(r.Body)
	if lines == nil {
		t.Fatal("no row lines on the board")
	}
	rows := regexp.MustCompile(`<i[^>]*>`).FindAllString(lines[1], -1)
	if len(rows) != 32 || rows[18] != `<i class="desk-now desk-now-3">` || strings.Count(r.Body, "desk-now ") != 1 {
		t.Errorf("the line for now is not once in row 19 (13:30), three fifths down: %q", rows)
	}
	if strings.Contains(r.Body, `slot=`+deskID(d.ana.ID)+`@`+d.at(2026, 3, 11, 13, 0).UTC().Format(time.RFC3339)) {
		t.Errorf("the board offers 13:00 today, which has passed")
	}
	if r := desk.get("/desk?date=2026-03-12"); strings.Contains(r.Body, "desk-now ") {
		t.Errorf("tomorrow's board has a line for now")
	}
}
