package handlers_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// totpCode is RFC 6238's time-based one-time password (HMAC-SHA1, 30-second steps, six digits),
// written here from the RFC and independent of the library the app uses, as an authenticator
// app would compute it.
func totpCode(key []byte, at time.Time) string {
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := uint32(sum[off]&0x7f)<<24 | uint32(sum[off+1])<<16 | uint32(sum[off+2])<<8 | uint32(sum[off+3])
	return fmt.Sprintf("%06d", bin%1_000_000)
}

func totpFromSecret(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		t.Fatalf("the key %q is not base32: %v", secret, err)
	}
	return totpCode(key, at)
}

// TestTOTPMatchesTheRFC checks the test's own implementation against RFC 6238's table.
func TestTOTPMatchesTheRFC(t *testing.T) {
	key := []byte("12345678901234567890")
	for at, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		if got := totpCode(key, time.Unix(at, 0)); got != want {
			t.Errorf("TOTP at %d = %s; want %s", at, got, want)
		}
	}
}

var (
	secretRe   = regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`)
	recoveryRe = regexp.MustCompile(`<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>`)
)

// TestStaffTwoFactorSignIn: a therapist sets up two-step sign-in by scanning a QR code; then
// signs in with codes an independent implementation computes; a code used once is refused the
// second time; a recovery code works once; the owner can require it of everyone and reset it.
func TestStaffTwoFactorSignIn(t *testing.T) {
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	sam := ta.client(t)
	sam.signIn(p.Therapist.Email, testPassword)
	setup := sam.get("/account/2fa")
	setup.wantStatus(http.StatusOK)
	if cc := setup.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the setup page's Cache-Control = %q; want no-store", cc)
	}
	m := secretRe.FindStringSubmatch(setup.Body)
	if m == nil {
		t.Fatalf("the setup page shows no key:\n%s", setup.text())
	}
	secret := m[1]
	qr := sam.get("/account/2fa/qr.png")
	qr.wantStatus(http.StatusOK)
	if img, err := png.Decode(bytes.NewReader([]byte(qr.Body))); err != nil || qr.Header.Get("Content-Type") != "image/png" || img.Bounds().Dx() < 100 {
		t.Fatalf("the QR code is not a PNG image: %s, %v", qr.Header.Get("Content-Type"), err)
	}
	wrong := sam.postForm("/account/2fa", "/account/2fa", url.Values{"code": {"000000"}})
	wrong.wantStatus(http.StatusUnprocessableEntity)
	on := sam.postForm("/account/2fa", "/account/2fa", url.Values{"code": {totpFromSecret(t, secret, ta.Clock.Now())}})
	on.wantStatus(http.StatusOK)
	var codes []string
	for _, m := range recoveryRe.FindAllStringSubmatch(on.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown; want 10:\n%s", len(codes), on.text())
	}

	signInCode := func(code string) *resp {
		t.Helper()
		b := ta.client(t)
		b.postForm("/signin", "/signin", url.Values{"email": {p.Therapist.Email}, "password": {testPassword}}).wantRedirect("/signin/code")
		b.get("/therapist").wantSignIn() // the password alone signs nobody in
		return b.postForm("/signin/code", "/signin/code", url.Values{"code": {code}})
	}
	// The code that turned it on is used up; so is any code of that step or before.
	now := totpFromSecret(t, secret, ta.Clock.Now())
	if r := signInCode(now); r.StatusCode != http.StatusUnprocessableEntity || r.fieldError("code") == "" {
		t.Errorf("a replayed code: %d; want 422 with a message beside the code", r.StatusCode)
	}
	ta.Clock.Advance(30 * time.Second)
	next := totpFromSecret(t, secret, ta.Clock.Now())
	signInCode(next).wantRedirect("/")
	if r := signInCode(next); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the same code a second time: %d; want 422", r.StatusCode)
	}
	signInCode(strings.ToUpper(codes[3])).wantRedirect("/")
	if r := signInCode(codes[3]); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a recovery code a second time: %d; want 422", r.StatusCode)
	}
	if page := sam.get("/account/2fa").text(); !strings.Contains(page, "9 unused recovery codes") {
		t.Errorf("the account page does not count the codes left: %s", page)
	}

	// The owner requires it of every staff member: reception must set it up before anything else.
	owner := ta.client(t)
	owner.signIn(p.Owner.Email, testPassword)
	form := validSettings(ta.App.Settings())
	form.Set("booking_hold", "15")
	form.Set("staff_two_factor", "1")
	if r := owner.postForm("/admin/settings", "/admin/settings", form); r.fieldError("staff_two_factor") == "" {
		t.Errorf("the owner without two-step sign-in could require it: %d", r.StatusCode)
	}
	ownerSecret := secretRe.FindStringSubmatch(owner.get("/account/2fa").Body)[1]
	owner.postForm("/account/2fa", "/account/2fa", url.Values{"code": {totpFromSecret(t, ownerSecret, ta.Clock.Now())}}).wantStatus(http.StatusOK)
	owner.postForm("/admin/settings", "/admin/settings", form).wantRedirect("/admin/settings")
	desk := ta.client(t)
	desk.signIn(p.Reception.Email, testPassword)
	desk.get("/desk").wantRedirect("/account/2fa")
	desk.get("/account/2fa").wantStatus(http.StatusOK)
	// A client is not asked.
	alex := ta.client(t)
	alex.signIn(p.Client.Email, testPassword)
	alex.get("/my").wantStatus(http.StatusOK)

	// Sam lost the phone and the codes: the owner resets it, and it is in the audit log.
	page := owner.get("/admin/staff")
	if !strings.Contains(page.Body, fmt.Sprintf(`action="/admin/staff/%d/2fa/reset"`, p.Therapist.ID)) {
		t.Fatalf("the staff page offers no reset for Sam")
	}
	owner.postForm(fmt.Sprintf("/admin/staff/%d/2fa/reset", p.Therapist.ID), "/admin/staff", url.Values{}).wantRedirect("/admin/staff")
	sam.get("/therapist").wantSignIn() // the reset ended Sam's sessions
	if !strings.Contains(auditActions(t, ta), "reset_2fa") {
		t.Error("the reset is not in the audit log")
	}
	again := ta.client(t)
	again.postForm("/signin", "/signin", url.Values{"email": {p.Therapist.Email}, "password": {testPassword}}).wantRedirect("/")
	again.get("/therapist").wantRedirect("/account/2fa") // required, so set it up again
}

// TestSecondFactorFormRefusesHostileInput sends the sweep's hostile values as the code: each is
// refused beside the field, never a server error, never echoed as markup.
func TestSecondFactorFormRefusesHostileInput(t *testing.T) {
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	sam := ta.client(t)
	sam.signIn(p.Therapist.Email, testPassword)
	secret := secretRe.FindStringSubmatch(sam.get("/account/2fa").Body)[1]
	sam.postForm("/account/2fa", "/account/2fa", url.Values{"code": {totpFromSecret(t, secret, ta.Clock.Now())}}).wantStatus(http.StatusOK)
	for i, bad := range hostileValues {
		if i%4 == 0 {
			ta.Clock.Advance(16 * time.Minute) // past the waits the wrong codes earn
		}
		b := ta.client(t)
		b.postForm("/signin", "/signin", url.Values{"email": {p.Therapist.Email}, "password": {testPassword}}).wantRedirect("/signin/code")
		r := b.postForm("/signin/code", "/signin/code", url.Values{"code": {bad}, "next": {bad}})
		if r.StatusCode >= 500 || (r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusTooManyRequests) {
			t.Errorf("code %.30q: %d; want 422", bad, r.StatusCode)
		}
		if strings.Contains(r.Body, "<script>window.__pwned") || strings.Contains(r.Body, "<img src=x onerror") {
			t.Errorf("code %.30q echoed as markup", bad)
		}
	}
}
