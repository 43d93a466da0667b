package requestid

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// A line logged with a request's context carries its id, once, however the logger was made;
// a line logged without one carries none.
func TestLoggerAddsTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := Logger(Logger(slog.New(slog.NewTextHandler(&buf, nil)))).With("part", "store")
	log.InfoContext(With(context.Background(), "req-7"), "booked")
	log.Info("scan")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines:\n%s", len(lines), buf.String())
	}
	if strings.Count(lines[0], "request_id=req-7") != 1 || !strings.Contains(lines[0], "part=store") {
		t.Errorf("a request's line: %s", lines[0])
	}
	if strings.Contains(lines[1], "request_id") {
		t.Errorf("a line outside any request: %s", lines[1])
	}
}
