package views

import (
	"html/template"
	"strings"
)

// Every page carries the same header and footer. Written through the layout template they
// were some forty actions a page, each an escaper called by reflection (html/template's
// escapers are variadic, so each call also builds a slice of its arguments): a third of a
// small page's rendering. Written here they are a few string copies.

// Header is the site header: the clinic's name, the menu of the pages of whoever is signed
// in, and the sign-out form.
func (p Page) Header() template.HTML {
	w := newHTMLWriter(512 + 80*len(p.Nav))
	w.m(`<header class="site">` + "\n" + `  <a class="brand" href="/"><bdi>`)
	w.text(p.Clinic.Name)
	w.m(`</bdi></a>` + "\n")
	if len(p.Nav) > 0 || p.User != nil {
		w.m(`  <details class="site-menu">` + "\n" + `  <summary><span class="menu-icon" aria-hidden="true"></span>Menu</summary>` +
			"\n" + `  <div class="site-menu-body">` + "\n")
		if len(p.Nav) > 0 {
			w.m(`  <nav class="site-nav" aria-label="Main"><ul>` + "\n    ")
			for _, l := range p.Nav {
				w.navItem(localHref(l.Href), l.Label, l.Current)
			}
			w.m("\n" + `  </ul></nav>` + "\n")
		}
		if p.User != nil {
			w.m(`  <form class="signout" method="post" action="/signout">` + "\n" + `    <input type="hidden" name="csrf" value="`)
			w.text(p.CSRF)
			w.m(`">` + "\n" + `    <span class="muted"><bdi>`)
			w.text(p.User.Name)
			w.m(`</bdi></span> <button class="link small" type="submit">Sign out</button>` + "\n" + `  </form>` + "\n")
		}
		w.m(`  </div>` + "\n" + `  </details>` + "\n")
	}
	w.m(`</header>`)
	return w.html()
}

// Footer is the site footer: the clinic's name, address and phone.
func (p Page) Footer() template.HTML {
	w := newHTMLWriter(256)
	w.m(`<footer class="site">` + "\n" + `  <p><bdi>`)
	w.text(p.Clinic.Name)
	w.m(`</bdi>`)
	if p.Clinic.Address != "" {
		w.m(` · `)
		w.text(p.Clinic.Address)
	}
	if p.Clinic.Phone != "" {
		w.m(` · <a href="`)
		w.href(TelHref(p.Clinic.Phone))
		w.m(`">`)
		w.text(p.Clinic.Phone)
		w.m(`</a>`)
	}
	w.m(`</p>` + "\n" + `</footer>`)
	return w.html()
}

// navItem is one link of a menu, marked when it is the page shown.
func (w *htmlWriter) navItem(h Href, label string, current bool) {
	w.m(`<li><a href="`)
	w.href(h)
	w.m(`"`)
	if current {
		w.m(` aria-current="page"`)
	}
	w.m(`>`)
	w.text(label)
	w.m(`</a></li>`)
}

// localHref is a menu link: a path on this site (with its query), as the handlers' menus
// are. Anything else (another site, a scheme) becomes "#", as html/template makes of a URL
// it will not trust.
func localHref(s string) Href {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, `/\`) {
		return Href{"#"}
	}
	return Href{s}
}
