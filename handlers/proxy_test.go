package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"allium/handlers"
	"allium/store"
)

// TestTrustedProxyGivesEachClientItsOwnAddress: behind a proxy named in the configuration,
// the per-address limit counts the client address the proxy reports, so one visitor's failures
// do not lock out another; a header added by the client before the proxy's is still ignored.
func TestTrustedProxyGivesEachClientItsOwnAddress(t *testing.T) {
	t.Parallel()
	proxies, err := handlers.ParseTrustedProxies("127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t, func(c *handlers.Config) {
		c.TrustedProxies = proxies
		c.Throttle = store.Throttle{Window: 15 * time.Minute, PerAccount: 50, PerAddress: 3}
	})
	p := ta.seedPeople(t)
	tc := ta.client(t)
	token := tc.csrf("/signin")
	attempt := func(xff, email, password string) *resp {
		v := url.Values{"email": {email}, "password": {password}, "csrf": {token}}
		req := tc.newRequest(http.MethodPost, "/signin", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		return tc.do(req)
	}
	for i := range 3 {
		// The attacker prepends a made-up address; the proxy appends the real one.
		attempt(fmt.Sprintf("10.9.9.%d, 203.0.113.7", i), fmt.Sprintf("guess%d@clinic.test", i), "wrong password").
			wantStatus(http.StatusUnprocessableEntity)
	}
	attempt("203.0.113.7", p.Therapist.Email, testPassword).wantStatus(http.StatusTooManyRequests)
	attempt("198.51.100.20", p.Therapist.Email, testPassword).wantStatus(http.StatusSeeOther)
}

func TestParseTrustedProxiesRejectsNonsense(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"proxy.example", "10.0.0.0/99", "1.2.3"} {
		if _, err := handlers.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	got, err := handlers.ParseTrustedProxies(" 10.0.0.0/8 ,192.0.2.1,")
	if err != nil || len(got) != 2 || got[1].String() != "192.0.2.1/32" {
		t.Fatalf("got %v, %v", got, err)
	}
}
