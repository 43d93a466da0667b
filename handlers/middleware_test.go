package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"allium"
	"allium/assets"
	"allium/handlers"
	"allium/store"
	"allium/views"
)

// explode is a handler's bug: a write to a nil map.
func explode() {
	var counts map[string]int
	counts["sessions"]++
}

// A request that panics answers the generic 500 page, and the log has what a maintainer needs:
// the panic with the stack that shows where it happened, and the request's own access line,
// both under the id the response gave the person.
func TestPanicIsLoggedWithItsStackAndItsRequest(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "allium.db"), allium.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	as, err := assets.New()
	if err != nil {
		t.Fatal(err)
	}
	vs, err := views.New(as.URL)
	if err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	e, _, err := handlers.New(ctx, handlers.Config{Store: st, Views: vs, Assets: as, BaseURL: "http://clinic.test",
		Log: slog.New(slog.NewTextHandler(&log, nil)), SessionKey: []byte("test-session-key-0123456789abcdef-0123456789")})
	if err != nil {
		t.Fatal(err)
	}
	e.GET("/explode", func(echo.Context) error { explode(); return nil })

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/explode", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d; want 500", rec.Code)
	}
	if page := rec.Body.String(); strings.Contains(page, "goroutine") || strings.Contains(page, "nil map") {
		t.Errorf("the page shows the panic:\n%s", page)
	}
	id := rec.Header().Get(echo.HeaderXRequestID)
	if id == "" {
		t.Fatal("no request id in the response")
	}
	var panicLine, accessLine string
	for _, l := range strings.Split(log.String(), "\n") {
		switch {
		case strings.Contains(l, "msg=panic"):
			panicLine = l
		case strings.Contains(l, "msg=request"):
			accessLine = l
		}
	}
	if !strings.Contains(panicLine, "assignment to entry in nil map") || !strings.Contains(panicLine, "handlers_test.explode") {
		t.Errorf("the panic is logged without its cause or the stack that shows where:\n%s", panicLine)
	}
	if !strings.Contains(accessLine, "path=/explode") || !strings.Contains(accessLine, "status=500") || !strings.Contains(accessLine, "level=ERROR") {
		t.Errorf("the request has no access-log line with its 500:\n%s", log.String())
	}
	for _, l := range []string{panicLine, accessLine} {
		if !strings.Contains(l, "request_id="+id) {
			t.Errorf("a line does not carry the request id %s:\n%s", id, l)
		}
	}
}
