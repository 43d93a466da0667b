package assets

import (
	"io"
	"strings"
	"testing"
)

func TestOnlyCurrentFingerprintsOpen(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	url := a.URL("css/allium.css")
	f, name, err := a.Open(strings.TrimPrefix(url, "/assets/"))
	if err != nil || name != "css/allium.css" {
		t.Fatalf("current URL %s: %v", url, err)
	}
	b, _ := io.ReadAll(f)
	if len(b) < 1000 {
		t.Fatalf("stylesheet is %d bytes", len(b))
	}
	for _, bad := range []string{"0000000000/css/allium.css", strings.Split(url, "/")[2] + "/css", "x/../css/allium.css", "css"} {
		if _, _, err := a.Open(bad); err == nil {
			t.Errorf("%q opened", bad)
		}
	}
	if got := a.URL("css/none.css"); !strings.HasPrefix(got, "/assets/missing/") {
		t.Errorf("missing file URL = %q", got)
	}
}
