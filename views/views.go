// Package views renders Allium's pages and emails from html/template files embedded in the
// binary, parsed once at start. Page data is typed (see data.go); templates never see errors
// or anything a person should not read.
package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"allium/clinic"
)

//go:embed layout.html partials pages email
var files embed.FS

// Views holds the pages, parsed into one template set (parsePages), and a set per email.
type Views struct {
	// bufs are render buffers used again: a day view is about 100 KB, and growing a fresh
	// buffer to that size on every request was garbage the collector paid for.
	bufs sync.Pool
	// spares are writers a page's hand-written part (the desk's board, 146 KB on a busy day)
	// borrows for one render, for the same reason.
	spares sync.Pool
	pages  map[string]*template.Template
	html   map[string]*template.Template
	text   map[string]*texttemplate.Template
}

// New parses every page (with the layout and partials) and every email. It fails if any
// template is broken, so a bad template stops the server at start, not a person mid-task.
func New(asset func(string) string) (*Views, error) {
	v := &Views{pages: map[string]*template.Template{}, html: map[string]*template.Template{},
		text: map[string]*texttemplate.Template{}}
	fm := funcs(asset)
	if err := v.parsePages(fm); err != nil {
		return nil, err
	}
	mails, _ := fs.Glob(files, "email/*.txt")
	for _, p := range mails {
		kind := strings.TrimSuffix(path.Base(p), ".txt")
		tt, err := texttemplate.New(path.Base(p)).Funcs(texttemplate.FuncMap(fm)).ParseFS(files, p)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		ht, err := template.New("base.html").Funcs(fm).ParseFS(files, "email/base.html", "email/"+kind+".html")
		if err != nil {
			return nil, fmt.Errorf("parse email %s: %w", kind, err)
		}
		v.text[kind], v.html[kind] = tt, ht
	}
	return v, nil
}

// parsePages parses every page into one template set, with the partials parsed once. Each page
// had a set of its own, with its own copy of the layout and the partials: 65 copies of the
// partials were four fifths of the trees, 12 of the server's 18 MB of live heap, which every
// collection had to mark (docs/performance.md, "Garbage"). In the one set a page's own
// templates, and its copy of the layout, are named under the page ("desk_day/main"), so two
// pages may each define "main", or their own "select" in place of the partial's.
func (v *Views) parsePages(fm template.FuncMap) error {
	set, err := template.New("").Funcs(fm).ParseFS(files, "partials/*.html")
	if err != nil {
		return fmt.Errorf("parse partials: %w", err)
	}
	layout, err := fs.ReadFile(files, "layout.html")
	if err != nil {
		return err
	}
	pages, _ := fs.Glob(files, "pages/*.html")
	for _, p := range pages {
		src, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(path.Base(p), ".html")
		own := underPage(name, string(layout)+string(src))
		if _, err := set.New(p).Parse(own); err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		v.pages[name] = set.Lookup(name + "/layout")
	}
	return nil
}

// underPage names the templates src defines under page, in their definitions and calls alike;
// calls of templates src does not define (the partials') are left as they are.
func underPage(page, src string) string {
	// A template's name where a define, block or template action gives it.
	templateName := regexp.MustCompile(`(\{\{-?\s*(?:define|block|template)\s+)"([^"]+)"`)
	own := map[string]bool{}
	for _, m := range templateName.FindAllStringSubmatch(src, -1) {
		if strings.Contains(m[1], "define") || strings.Contains(m[1], "block") {
			own[m[2]] = true
		}
	}
	return templateName.ReplaceAllStringFunc(src, func(action string) string {
		m := templateName.FindStringSubmatch(action)
		if !own[m[2]] {
			return action
		}
		return m[1] + `"` + page + "/" + m[2] + `"`
	})
}

// Render writes a page. It renders into a buffer first, so a template error becomes a clean
// error page rather than half a page.
func (v *Views) Render(w io.Writer, name string, data any) error {
	t, ok := v.pages[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	buf, _ := v.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer v.putBuf(buf)
	if p, ok := data.(sparer); ok {
		w, _ := v.spares.Get().(*htmlWriter)
		if w == nil {
			w = &htmlWriter{}
		}
		// The part is read from the spare's memory until the template has copied it into buf:
		// the spare goes back only when the page is written.
		defer v.putSpare(w)
		data = p.withSpare(w)
	}
	if err := t.Execute(buf, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// maxPooledBuf keeps one unusually large page from pinning its buffer for good.
const maxPooledBuf = 1 << 20

func (v *Views) putBuf(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledBuf {
		return
	}
	buf.Reset()
	v.bufs.Put(buf)
}

// sparer is a page that can write a large part into a writer lent for one render.
type sparer interface {
	withSpare(*htmlWriter) any
}

func (v *Views) putSpare(w *htmlWriter) {
	if cap(w.b.buf) > maxPooledBuf {
		return
	}
	w.lent = false // reuse empties it
	v.spares.Put(w)
}

// Email is a rendered message.
type Email struct {
	Subject string
	Text    string
	HTML    string
}

// RenderEmail renders an email kind: the subject and plain text from email/KIND.txt (which
// defines "subject" and "body"), the HTML part from email/KIND.html inside email/base.html.
func (v *Views) RenderEmail(kind string, data any) (Email, error) {
	tt, ok := v.text[kind]
	if !ok {
		return Email{}, fmt.Errorf("no email template %q", kind)
	}
	var subj, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subj, "subject", data); err != nil {
		return Email{}, fmt.Errorf("email %s subject: %w", kind, err)
	}
	if err := tt.ExecuteTemplate(&text, "body", data); err != nil {
		return Email{}, fmt.Errorf("email %s text: %w", kind, err)
	}
	if err := v.html[kind].ExecuteTemplate(&html, "base", data); err != nil {
		return Email{}, fmt.Errorf("email %s html: %w", kind, err)
	}
	return Email{Subject: strings.TrimSpace(subj.String()), Text: text.String(), HTML: html.String()}, nil
}

func funcs(asset func(string) string) template.FuncMap {
	return template.FuncMap{
		"asset": asset,
		// local formats an instant in the clinic's zone: {{local .Loc .T "Mon 2 Jan 15:04"}}.
		"local": func(loc *time.Location, t time.Time, layout string) string {
			if t.IsZero() {
				return ""
			}
			if loc == nil {
				loc = time.UTC
			}
			return t.In(loc).Format(layout)
		},
		"deskNav": deskNav,
		"field":   func(errs map[string]string, name string) string { return errs[name] },
		"add":     func(a, b int) int { return a + b },
		"price":   clinic.FormatPrice,
		"mul":     func(a, b int) int { return a * b },
		"minutes": func(d time.Duration) int { return int(d / time.Minute) },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"contains": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
	}
}
