package handlers_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testkit"
)

var (
	stripDay    = regexp.MustCompile(`<li>(?:<a class="(strip-\w+)" href="([^"]*)"( aria-current="true")?[^>]*>|<span class="(strip-none)">)<span class="strip-wd">(\w+)</span> <span class="strip-num">(\d+)</span>`)
	slotGroupRe = regexp.MustCompile(`(?s)<fieldset class="slot-group"><legend><bdi>([^<]*)</bdi></legend>(.*?)</fieldset>`)
)

// stripDays reads the booking page's strip: each day's number, its mark, its link (none for a
// day with nothing free) and whether it is the day shown.
type stripEntry struct {
	num, mark, href string
	current         bool
}

func readStrip(body string) []stripEntry {
	var out []stripEntry
	for _, m := range stripDay.FindAllStringSubmatch(body, -1) {
		e := stripEntry{num: m[6], mark: m[1] + m[4], href: strings.ReplaceAll(m[2], "&amp;", "&"), current: m[3] != ""}
		out = append(out, e)
	}
	return out
}

// localDays are the clinic dates of the times a page offers.
func localDays(t *testing.T, values []string, loc *time.Location) map[string]bool {
	t.Helper()
	days := map[string]bool{}
	for _, v := range values {
		_, at, _ := strings.Cut(v, "@")
		ts, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatalf("offered %q", v)
		}
		days[ts.In(loc).Format("2006-01-02")] = true
	}
	return days
}

// TestBookingPageShowsTwoWeeksAndOneDay: the page is a strip of fourteen days marked with what
// is free, and the times of one day, whose therapist is named once above them, not in every
// time. A day with nothing free is marked and not a link; another day is a plain link.
func TestBookingPageShowsTwoWeeksAndOneDay(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	// Noor works Mondays and Wednesdays only.
	noor := ta.mustUser(t, clinic.RoleTherapist, "noor@clinic.test", "Noor Haddad", "")
	var h clinic.WeeklyHours
	h[time.Monday] = []clinic.Shift{{Start: clinic.Clock(9, 0), End: clinic.Clock(17, 0)}}
	h[time.Wednesday] = h[time.Monday]
	ta.mustTherapistCalendar(t, noor.ID, h, bc.Course)
	tc := ta.client(t)

	r := tc.get(fmt.Sprintf("/book/times?service=%d&therapist=%d&date=2026-03-16&sessions=4", bc.Course, noor.ID))
	r.wantStatus(http.StatusOK)
	strip := readStrip(r.Body)
	if len(strip) != 14 || strip[0].num != "16" || strip[13].num != "29" {
		t.Fatalf("the strip has %d days (%v); want the 14 from 16 to 29 March", len(strip), strip)
	}
	for i, d := range strip {
		open := i%7 == 0 || i%7 == 2 // Mondays and Wednesdays
		if open != (d.mark == "strip-open") || open != (d.href != "") {
			t.Errorf("strip day %s is %q linking %q; want it marked and linked only on Noor's days", d.num, d.mark, d.href)
		}
	}
	if !strip[0].current {
		t.Errorf("the day shown is not Monday 16, the first with free times")
	}
	if got := localDays(t, offeredSlots(r.Body), bc.Loc); len(got) != 1 || !got["2026-03-16"] {
		t.Errorf("the page offers times on %v; want Monday 16 March only", got)
	}
	groups := slotGroupRe.FindAllStringSubmatch(r.Body, -1)
	if len(groups) != 1 || groups[0][1] != "Noor Haddad" || strings.Count(r.Body, "Noor Haddad") != 1 {
		t.Errorf("the times are not under one heading naming Noor once: %d groups, name %d times", len(groups), strings.Count(r.Body, "Noor Haddad"))
	}
	if !strings.Contains(r.text(), "You can change or cancel online") || !strings.Contains(r.Body, `<button class="primary" type="submit">Continue</button>`) {
		t.Errorf("the page lacks the cancellation policy or Continue: %s", r.text())
	}

	// Wednesday's link shows Wednesday.
	r = tc.get(strip[2].href)
	r.wantStatus(http.StatusOK)
	if got := localDays(t, offeredSlots(r.Body), bc.Loc); len(got) != 1 || !got["2026-03-18"] {
		t.Errorf("the Wednesday link offers times on %v", got)
	}
	if s := readStrip(r.Body); len(s) != 14 || !s[2].current || s[0].current {
		t.Errorf("after choosing Wednesday the strip marks another day current")
	}
	// A day with nothing free says so and keeps the strip.
	r = tc.get(strings.Replace(strip[2].href, "day=2026-03-18", "day=2026-03-17", 1))
	r.wantStatus(http.StatusOK)
	if len(offeredSlots(r.Body)) != 0 || !strings.Contains(r.text(), "No free times on Tue 17 Mar") || len(readStrip(r.Body)) != 14 {
		t.Errorf("a day without free times: %s", r.text())
	}
}

// TestBookingPageGroupsFirstAvailableByTherapist: with no therapist chosen the day's times
// come in one group per therapist, each time in the group with that therapist.
func TestBookingPageGroupsFirstAvailableByTherapist(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	noor := ta.mustUser(t, clinic.RoleTherapist, "noor@clinic.test", "Noor Haddad", "")
	ta.mustTherapistCalendar(t, noor.ID, testkit.EveryDay(13, 17), bc.Course)
	r := ta.client(t).get(fmt.Sprintf("/book/times?service=%d&date=2026-03-16", bc.Course))
	r.wantStatus(http.StatusOK)
	groups := slotGroupRe.FindAllStringSubmatch(r.Body, -1)
	if len(groups) != 2 {
		t.Fatalf("%d groups of times; want one each for Sam and Noor", len(groups))
	}
	want := map[string]int64{bc.Therapist.Name: bc.Therapist.ID, "Noor Haddad": noor.ID}
	for _, g := range groups {
		id, ok := want[g[1]]
		if !ok {
			t.Errorf("a group for %q", g[1])
			continue
		}
		times := offeredSlots(g[2])
		if len(times) == 0 {
			t.Errorf("%s's group offers no times", g[1])
		}
		for _, v := range times {
			if !strings.HasPrefix(v, fmt.Sprint(id)+"@") {
				t.Errorf("%s's group offers %s, another therapist's time", g[1], v)
			}
		}
		if strings.Count(r.Body, g[1]) != 1 {
			t.Errorf("%s is named %d times on the page; want once, above their times", g[1], strings.Count(r.Body, g[1]))
		}
	}
}

// TestBookingPageForAWeekStaysSmall: a therapist free every day from 08:00 to 20:00 makes the
// busiest page there is for one therapist; it stays under 60 KB of HTML, so it loads fast on a
// phone.
func TestBookingPageForAWeekStaysSmall(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	ta.mustTherapistCalendar(t, bc.Therapist.ID, testkit.EveryDay(8, 20), bc.Course)
	r := ta.client(t).get(fmt.Sprintf("/book/times?service=%d&therapist=%d&date=2026-03-16&sessions=4", bc.Course, bc.Therapist.ID))
	r.wantStatus(http.StatusOK)
	if n := len(offeredSlots(r.Body)); n < 40 {
		t.Fatalf("the page offers %d times; want a full day", n)
	}
	t.Logf("booking page: %d bytes, %d times", len(r.Body), len(offeredSlots(r.Body)))
	if n := len(r.Body); n >= 60*1024 {
		t.Errorf("the booking page is %d bytes; want under 60 KB", n)
	}
}
