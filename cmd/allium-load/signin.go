package main

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// identity is a signed-in browser reduced to what the load runs send: its cookies and the CSRF
// token its forms carry.
type identity struct {
	Cookie string
	CSRF   string
}

// signIn signs in through the sign-in form, as a browser does, and returns the identity.
func signIn(base, email, password string) (identity, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token, err := scrapeCSRF(hc, base+"/signin")
	if err != nil {
		return identity{}, err
	}
	resp, err := hc.PostForm(base+"/signin", url.Values{"csrf": {token}, "email": {email}, "password": {password}})
	if err != nil {
		return identity{}, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return identity{}, fmt.Errorf("sign in as %s: status %d; want 303", email, resp.StatusCode)
	}
	// Forms after sign-in carry the signed-in session's token, not the sign-in page's.
	if token, err = scrapeCSRF(hc, base+"/account"); err != nil {
		return identity{}, err
	}
	u, _ := url.Parse(base)
	var parts []string
	for _, c := range jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return identity{Cookie: strings.Join(parts, "; "), CSRF: token}, nil
}

// scrapeCSRF loads a page and returns the CSRF token of its first form.
func scrapeCSRF(hc *http.Client, pageURL string) (string, error) {
	resp, err := hc.Get(pageURL)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := csrfInput.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("GET %s: status %d, no CSRF field in the page", pageURL, resp.StatusCode)
	}
	return html.UnescapeString(string(m[1])), nil
}
