package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

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
