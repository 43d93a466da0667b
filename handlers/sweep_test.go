package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileValues is what the sweep types into every field: markup and script, SQL
// metacharacters, 10 KB, NUL and control characters, a right-to-left override, emoji, invalid
// UTF-8, impossible dates and a time that does not exist on the day Sydney's clocks go forward.
var hostileValues = []string{
	`<script>window.__pwned=1</script>`,
	`"><img src=x onerror="window.__pwned=1">`,
	`' OR '1'='1' --`,
	`'; DROP TABLE clients; --`,
	strings.Repeat("x", 10*1024),
	"nul\x00byte",
	"bell\x07escape\x1b[31m",
	"\u202Etxt.exe",
	"Zoë 😀🙏🏽 清",
	"\xff\xfe\xfd",
	"2027-02-30",
	"2027-13-45",
	"2027-10-03T02:30",
	"02:30",
	"-1",
	"99999999999999999999999",
	"1@2026-10-04T02:30:00+11:00",
}

var (
	formRe   = regexp.MustCompile(`(?s)<form[^>]*method="post"[^>]*>.*?</form>`)
	actionRe = regexp.MustCompile(`action="([^"]*)"`)
	fieldRe  = regexp.MustCompile(`<(input|textarea|select)\b[^>]*\bname="([^"]+)"[^>]*>`)
	valueRe  = regexp.MustCompile(`\bvalue="([^"]*)"`)
	typeRe   = regexp.MustCompile(`\btype="([^"]*)"`)
	optionRe = regexp.MustCompile(`<option[^>]*value="([^"]*)"`)
)

// sweepForm is a form as a page offers it: where it posts and the values it would send.
type sweepForm struct {
	action string
	fields []string
	values url.Values
}

func formsOf(page string) []sweepForm {
	var out []sweepForm
	for _, f := range formRe.FindAllString(page, -1) {
		m := actionRe.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		sf := sweepForm{action: html.UnescapeString(m[1]), values: url.Values{}}
		for _, fm := range fieldRe.FindAllStringSubmatch(f, -1) {
			tag, name := fm[0], fm[2]
			if name == "csrf" {
				continue
			}
			typ := ""
			if t := typeRe.FindStringSubmatch(tag); t != nil {
				typ = t[1]
			}
			v := ""
			if vm := valueRe.FindStringSubmatch(tag); vm != nil {
				v = html.UnescapeString(vm[1])
			}
			if fm[1] == "select" {
				rest := f[strings.Index(f, tag):]
				if om := optionRe.FindStringSubmatch(rest); om != nil {
					v = html.UnescapeString(om[1])
				}
			}
			if (typ == "checkbox" || typ == "radio") && !strings.Contains(tag, " checked") {
				if sf.values.Has(name) {
					continue
				}
			}
			if !sf.values.Has(name) {
				sf.fields = append(sf.fields, name)
			}
			sf.values.Set(name, v)
		}
		out = append(out, sf)
	}
	return out
}

// Forms whose normal effect would end the sweep's own session or account.
func sweepSkips(action string) bool {
	for _, s := range []string{"/signout", "/account/signout-everywhere", "/admin/staff/", "/setup"} {
		if strings.HasPrefix(action, s) {
			return true
		}
	}
	return false
}

// TestHostileInputSweep finds every POST form on every page each persona can open and sends each
// hostile value in each field in turn: no answer may be a 5xx, and no page may echo markup unescaped.
func TestHostileInputSweep(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the sweep sends thousands of requests")
	}
	// Each persona sweeps a world of its own, so what one sends cannot change what another finds.
	for _, p := range personas {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			sweepAs(t, p)
		})
	}
}

// sweepAs is the sweep for one persona.
func sweepAs(t *testing.T, p string) {
	ta, bc, w, emails := newMatrixWorld(t)
	// Pages the route table reaches only with a query: the booking steps.
	slot := url.QueryEscape(slotValue(bc.Therapist.ID, bc.local(2026, 3, 13, 10, 0)))
	extra := []string{fmt.Sprintf("/book/times?service=%d", bc.Course),
		fmt.Sprintf("/book/course?service=%d&sessions=2&slot=%s", bc.Course, slot)}
	tc := ta.client(t)
	if p != "anon" {
		tc.signIn(emails[p], testPassword)
	}
	token := tc.csrf(map[bool]string{true: "/signin", false: "/account"}[p == "anon"])
	done := map[string]bool{}
	pages := extra
	for _, route := range ta.App.Routes() {
		if route.Method == http.MethodGet && !strings.HasPrefix(route.Path, "/ical/") {
			pages = append(pages, w.fill(t, route.Path))
		}
	}
	for _, path := range pages {
		page := tc.get(path)
		if page.StatusCode != http.StatusOK {
			continue
		}
		for _, f := range formsOf(page.Body) {
			if done[f.action] || sweepSkips(f.action) || strings.HasPrefix(f.action, "http") {
				continue
			}
			done[f.action] = true
			// Every value in every field at once, then (for forms of a dozen fields or fewer)
			// in each field alone, so one bad field cannot hide behind another's message.
			sets := [][]string{f.fields}
			if len(f.fields) <= 12 {
				for _, field := range f.fields {
					sets = append(sets, []string{field})
				}
			}
			for _, fields := range sets {
				for _, bad := range hostileValues {
					v := url.Values{}
					for k, vs := range f.values {
						v[k] = append([]string(nil), vs...)
					}
					for _, field := range fields {
						v.Set(field, bad)
					}
					v.Set("csrf", token)
					r := tc.post(f.action, v)
					if r.StatusCode >= 500 {
						t.Errorf("%s: %s %s with %v=%.40q: %d", p, path, f.action, fields, bad, r.StatusCode)
					}
					if strings.Contains(r.Body, "<script>window.__pwned") || strings.Contains(r.Body, `<img src=x onerror`) {
						t.Errorf("%s: %s with %v echoed markup unescaped", p, f.action, fields)
					}
				}
			}
		}
	}
	if len(done) == 0 && p != "anon" {
		t.Errorf("%s: the sweep found no forms at all", p)
	}
	t.Logf("%s: swept %d forms", p, len(done))
}

// TestHostileTextRoundTrips: text reception types for a client comes back exactly as typed and
// is shown escaped; what no person could have typed is refused beside the field.
func TestHostileTextRoundTrips(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tc := ta.client(t)
	tc.signIn(bc.Reception.Email, testPassword)
	for i, bad := range hostileValues {
		name := bad
		if len(name) > 100 {
			name = name[:100]
		}
		r := tc.postForm("/desk/clients", "/desk/clients", url.Values{"name": {name}, "phone": {fmt.Sprintf("0400 000 %03d", i)},
			"cautions": {name}})
		switch {
		case strings.ContainsAny(name, "\x00\x07\x1b\u202e") || !utf8.ValidString(name): // a bidi override reorders what others read
			r.wantStatus(http.StatusUnprocessableEntity)
			if r.fieldError("name") == "" {
				t.Errorf("%q refused without a message beside the name", name)
			}
			continue
		case r.StatusCode != http.StatusSeeOther:
			t.Errorf("%.30q: %d %.200s", name, r.StatusCode, r.text())
			continue
		}
		page := tc.get(r.Header.Get("Location"))
		if strings.Contains(name, "<") && strings.Contains(page.Body, name) {
			t.Errorf("%q shown unescaped", name)
		}
		if !strings.Contains(html.UnescapeString(page.Body), name) {
			t.Errorf("%.40q did not come back as typed", name)
		}
	}
}
