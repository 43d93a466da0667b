package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser journeys drive Debian's Chromium headless against the real app on loopback.
// Where Chromium is missing they skip, saying so loudly; under CI (CI=true) a missing browser
// or axe-core is a failure, so the journeys cannot silently stop running.

const axePath = "../.tools/node_modules/axe-core/axe.min.js"

func chromiumPath() string {
	for _, p := range []string{os.Getenv("ALLIUM_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := exec.LookPath(p); err == nil {
				return p
			}
		}
	}
	return ""
}

func needTool(t *testing.T, what string) {
	t.Helper()
	msg := "SKIPPING BROWSER TESTS: " + what + " (run `make tools`, or apt-get install chromium)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	fmt.Fprintln(os.Stderr, "!!!", msg)
	t.Skip(msg)
}

// TestMain owns the one Chromium process the browser journeys share. Starting Chromium is most
// of a short journey's cost, and several journeys open two or three browsers, so each journey
// gets a tab in its own browser context instead (cookies and storage are not shared), and the
// process stops once every test has run.
func TestMain(m *testing.M) {
	journeyChromium = &chromiumProcess{}
	code := m.Run()
	journeyChromium.stop()
	os.Exit(code)
}

// journeyChromium is set by TestMain, before any test runs, and not changed after.
var journeyChromium *chromiumProcess

// chromiumProcess is one headless Chromium, started by the first journey that needs it.
type chromiumProcess struct {
	once   sync.Once
	root   context.Context // the browser's first tab: journeys open theirs from it
	cancel context.CancelFunc
	err    error

	mu      sync.Mutex
	audited map[[sha256.Size]byte]bool // the markup of every page audited so far
}

// firstAudit says whether no journey has audited this markup yet, and counts it as audited.
// Every browser of a journey starts at the sign-in page, and the timeline journey alone opens
// eleven: the same markup gives the same audit, so it is audited once.
func (c *chromiumProcess) firstAudit(markup string) bool {
	sum := sha256.Sum256([]byte(markup))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.audited[sum] {
		return false
	}
	if c.audited == nil {
		c.audited = map[[sha256.Size]byte]bool{}
	}
	c.audited[sum] = true
	return true
}

func (c *chromiumProcess) start(exe string) (context.Context, error) {
	c.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.WindowSize(412, 915))
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		root, cancelB := chromedp.NewContext(actx)
		c.root, c.cancel = root, func() { cancelB(); cancelA() }
		c.err = chromedp.Do(root)
	})
	return c.root, c.err
}

// stop ends the browser and removes its profile folder (the allocator made it).
func (c *chromiumProcess) stop() {
	if c.cancel != nil {
		c.cancel()
	}
}

// browser is one headless Chromium tab, audited with axe-core on every page it checks.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	axe  string
	seen map[string]bool // paths already audited by this tab, or by another with the same markup
}

// newBrowser opens a tab in a browser context of its own, so it starts signed out with empty
// storage like a fresh browser, and closes it (and its context) when the test ends.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	exe := chromiumPath()
	if exe == "" {
		needTool(t, "no Chromium found")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		needTool(t, "axe-core not installed at "+axePath)
	}
	root, err := journeyChromium.start(exe)
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelB := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	ctx, cancelC := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelC(); cancelB() })
	// A new window need not take the browser's window size: set the journey's phone screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(412, 915)); err != nil {
		t.Fatalf("open a tab in Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, base: base, axe: string(axe), seen: map[string]bool{}}
}

// fail saves a screenshot and the page's HTML to a folder named in the failure message.
func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "testdata", "journey-failures", strings.ReplaceAll(b.t.Name(), "/", "_")))
	_ = os.MkdirAll(dir, 0o755)
	if png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(90)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "screen.png"), png, 0o644)
	}
	if html, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "page.html"), []byte(html), 0o644)
	}
	url, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.t.Fatalf("%s\n(at %s; screenshot and HTML saved in %s)", fmt.Sprintf(format, args...), url, dir)
}

func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
	b.page()
}

// page waits for the new page, checks it is not an error page, and audits it once per path.
func (b *browser) page() {
	b.t.Helper()
	b.do("wait for the page", chromedp.WaitReady(chromedp.CSS("main")))
	b.settle()
	title, _ := chromedp.Run(b.ctx, chromedp.Title())
	for _, bad := range []string{"Something went wrong", "Page not found"} {
		if strings.Contains(title, bad) {
			b.fail("landed on an error page: %q", title)
		}
	}
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	key := strings.SplitN(strings.TrimPrefix(loc, b.base), "?", 2)[0]
	if !b.seen[key] && journeyChromium.firstAudit(b.markup()) {
		b.audit(key)
		b.checkLayout(key)
	}
	b.seen[key] = true
}

// settle waits until the page has stopped scrolling. A page opened at a #fragment scrolls to
// it smoothly (the stylesheet asks for smooth scrolling), and a click while it still moves
// lands on whatever has scrolled under the pointer: a few frames with the same scroll
// position mean the scroll is over, or never began.
func (b *browser) settle() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	const still = `new Promise(done => { let last = NaN, same = 0;
		const frame = () => { same = scrollY === last ? same + 1 : 0; last = scrollY;
			if (same >= 3) done(true); else requestAnimationFrame(frame); };
		requestAnimationFrame(frame); })`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](still, chromedp.EvalAwaitPromise)); err != nil {
		b.fail("wait for the page to stop scrolling: %v", err)
	}
}

// markup is the page's HTML without what changes from one response to the next (the CSRF
// tokens of its forms), so two identical pages have the same markup.
func (b *browser) markup() string {
	b.t.Helper()
	html, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { const d = document.documentElement.cloneNode(true);
		d.querySelectorAll("input[type=hidden]").forEach(i => i.setAttribute("value", ""));
		return location.pathname + location.search + "\n" + d.outerHTML; })()`))
	if err != nil {
		b.fail("read the page's markup: %v", err)
	}
	return html
}

// layoutCheck lists what is wrong with the page as a person on this screen would see it: the
// page wider than the window (it scrolls sideways), other than one current navigation item
// on a page that belongs to a section (none or one elsewhere), or an ISO date in the text.
const layoutCheck = `(() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll("body *")]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(-3)
      .map(e => e.tagName.toLowerCase() + (typeof e.className === "string" && e.className ? "." + e.className.trim().replace(/\s+/g, ".") : ""));
    problems.push("the page is " + doc.scrollWidth + " px wide in a " + window.innerWidth + " px window (" + wide.join(", ") + ")");
  }
  const links = [...document.querySelectorAll(".site-nav a")];
  const current = links.filter(a => a.getAttribute("aria-current") === "page").length;
  const path = location.pathname;
  const belongs = links.some(a => { const h = a.getAttribute("href"); return path === h || path.startsWith(h + "/"); });
  if (belongs ? current !== 1 : current > 1) problems.push(current + " navigation items are current");
  const iso = document.body.innerText.match(/\b\d{4}-\d{2}-\d{2}\b/);
  if (iso) problems.push("an ISO date in the text: " + iso[0]);
  return problems.join("; ");
})()`

// checkLayout looks at the page on a small phone and on a desktop, then goes back to the
// journey's phone size.
func (b *browser) checkLayout(path string) {
	b.t.Helper()
	for _, w := range []int64{360, 1280} {
		b.do("resize to "+strconv.FormatInt(w, 10), chromedp.EmulateViewport(w, 800))
		out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](layoutCheck))
		if err != nil {
			b.fail("check the layout of %s: %v", path, err)
		}
		if out != "" {
			b.fail("%s at %d px: %s", path, w, out)
		}
	}
	b.do("resize back", chromedp.EmulateViewport(412, 915))
}

// audit runs axe-core on the page and fails on serious or critical violations.
func (b *browser) audit(path string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](b.axe+";0")); err != nil {
		b.fail("inject axe-core: %v", err)
	}
	js := `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("axe on %s: %v", path, err)
	}
	var v []map[string]any
	_ = json.Unmarshal([]byte(out), &v)
	if len(v) > 0 {
		b.fail("accessibility violations on %s: %s", path, out)
	}
}

func (b *browser) text() string {
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		b.fail("read the page: %v", err)
	}
	return s
}

func (b *browser) wantText(want string) {
	b.t.Helper()
	if !strings.Contains(b.text(), want) {
		b.fail("page does not say %q", want)
	}
}

// signOut opens the site menu, where the sign-out button lives, and signs out.
func (b *browser) signOut() {
	b.t.Helper()
	b.eval(`document.querySelector("details.site-menu").open = true`)
	b.submit("form.signout button")
}

// submit clicks a button and waits for the next page.
func (b *browser) submit(sel string) {
	b.t.Helper()
	// Mark this document, so the wait is for the next one however long the click takes to start
	// navigating: a fixed pause was sometimes too short under the race detector on a busy
	// machine, and the old page was read as the new one.
	b.eval("window.alliumLeaving = true")
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// An error is a document between two: not gone yet, or not ready yet.
		leaving, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("window.alliumLeaving === true"))
		if err == nil && !leaving {
			break
		}
		if time.Now().After(deadline) {
			what, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { const el = document.querySelector(`+jsString(sel)+`);
				if (!el) return "no such element"; const r = el.getBoundingClientRect();
				const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
				return JSON.stringify({rect: r, scrollY: window.scrollY, height: window.innerHeight,
					topmost: top ? top.outerHTML.slice(0, 160) : null}); })()`))
			b.fail("click %s: still on the same page after 20 s (%s)", sel, what)
		}
	}
	b.page()
}

func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

func (b *browser) eval(js string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](js)); err != nil {
		b.fail("run %s: %v", js, err)
	}
}

// chromedpClick clicks the first element matching a CSS selector.
func chromedpClick(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel))
}

// jsString quotes s for a JavaScript source.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// chromedpBool evaluates a JavaScript expression that gives a boolean.
func chromedpBool(b *browser, js string) (bool, error) {
	return chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
}
