// Command allium-shots signs in to a running demo clinic as each demo account and saves a
// screenshot of that account's main page, for the README. `make screenshots` builds a fresh
// demo, serves it and runs this, so the pictures show the app as it is.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// shot is one picture: who signs in, which page, the file it is saved as.
type shot struct {
	email, path, file string
	width, height     int64
}

var shots = []shot{
	{"alex.chen@example.com", "/my/plan", "client-plan.png", 390, 844},
	{"sam@demo.allium.test", "/clients/1/chart", "therapist-chart.png", 1280, 800},
	{"desk@demo.allium.test", "/desk?date=" + nextWeekday(), "reception-day.png", 1280, 800},
	{"owner@demo.allium.test", "/admin/mail", "owner-mail.png", 1280, 800},
}

const password = "allium-demo-2026"

// nextWeekday is today, or the next Monday at a weekend, in the demo clinic's zone: the day
// every therapist might work.
func nextWeekday() string {
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		loc = time.UTC
	}
	d := time.Now().In(loc)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format("2006-01-02")
}

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "the demo clinic's address")
	out := flag.String("out", "docs/img", "folder for the screenshots")
	flag.Parse()
	if err := run(*base, *out); err != nil {
		fmt.Fprintln(os.Stderr, "allium-shots:", err)
		os.Exit(1)
	}
}

func run(base, out string) error {
	exe, err := chromium()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, s := range shots {
		png, err := take(exe, base, s)
		if err != nil {
			return fmt.Errorf("%s %s: %w", s.email, s.path, err)
		}
		if err := os.WriteFile(filepath.Join(out, s.file), png, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %s as %s\n", filepath.Join(out, s.file), s.path, s.email)
	}
	return nil
}

func chromium() (string, error) {
	for _, p := range []string{os.Getenv("ALLIUM_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no Chromium found (apt-get install chromium, or set ALLIUM_CHROMIUM)")
}

// take signs in through the form in a fresh browser and captures the page at its size.
func take(exe, base string, s shot) ([]byte, error) {
	dir, err := os.MkdirTemp("", "allium-shots")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(dir), chromedp.WindowSize(int(s.width), int(s.height)))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancelC := context.WithTimeout(ctx, time.Minute)
	defer cancelC()
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(s.width, s.height),
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), s.email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS("main form button.primary")),
		chromedp.WaitReady(chromedp.CSS("form.signout")),
		chromedp.Navigate(base+s.path),
		chromedp.WaitReady(chromedp.CSS("main")),
	)
	if err != nil {
		return nil, err
	}
	return chromedp.Run(ctx, chromedp.CaptureScreenshot())
}
