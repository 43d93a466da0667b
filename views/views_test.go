package views

import (
	"bytes"
	"html/template"
	"testing"
)

// TestPagesShareOneSetWithoutSharingTheirOwnTemplates: in the one set every page is parsed into,
// two pages may each define "main", and a page that defines its own "select" gets it where the
// other keeps the partial's.
func TestPagesShareOneSetWithoutSharingTheirOwnTemplates(t *testing.T) {
	set := template.Must(template.New("").Parse(`{{define "select"}}partial select{{end}}`))
	layout := `{{define "layout"}}<main>{{template "main" .}}</main>{{end}}`
	pages := map[string]string{
		"own":     `{{define "main"}}own page: {{template "select" .}}{{end}}{{define "select"}}own select{{end}}`,
		"partial": `{{define "main"}}partial page: {{template "select" .}}{{end}}`,
	}
	for name, src := range pages {
		if _, err := set.New(name).Parse(underPage(name, layout+src)); err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
	}
	for name, want := range map[string]string{
		"own":     "<main>own page: own select</main>",
		"partial": "<main>partial page: partial select</main>",
	} {
		var b bytes.Buffer
		if err := set.Lookup(name+"/layout").Execute(&b, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b.String() != want {
			t.Errorf("%s renders %q; want %q", name, b.String(), want)
		}
	}
}
