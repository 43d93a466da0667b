package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"allium/clinic"
)

const goodPassword = "correct horse battery"

// lastToken returns the single-use token carried by the newest queued email of kind to email.
func lastToken(t *testing.T, s *Store, kind, email string) string {
	t.Helper()
	var payload string
	err := s.w.QueryRow(`SELECT payload FROM outbox WHERE kind = ? AND recipient = ? ORDER BY id DESC LIMIT 1`, kind, email).Scan(&payload)
	if err != nil {
		t.Fatalf("no %s email to %s: %v", kind, email, err)
	}
	var p TokenMail
	if err := json.Unmarshal([]byte(payload), &p); err != nil || p.Token == "" {
		t.Fatalf("%s payload %s has no token (%v)", kind, payload, err)
	}
	return p.Token
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	u := mustCreateUser(t, s, clinic.RoleTherapist, "Sam@Example.com", goodPassword)
	mustCreateUser(t, s, clinic.RoleReception, "invited@example.com", "")
	gone := mustCreateUser(t, s, clinic.RoleReception, "gone@example.com", goodPassword)
	if err := s.SetActive(ctx, owner, gone.ID, false); err != nil {
		t.Fatal(err)
	}

	got, err := s.Authenticate(ctx, "sam@example.com", goodPassword)
	if err != nil || got.ID != u.ID {
		t.Errorf("Authenticate with the right password (email in another case) = %+v, %v; want user %d", got, err, u.ID)
	}
	for _, tc := range []struct{ name, email, password string }{
		{"wrong password", "sam@example.com", "correct horse battery!"},
		{"unknown email", "nobody@example.com", goodPassword},
		{"no password yet", "invited@example.com", ""},
		{"deactivated", "gone@example.com", goodPassword},
		{"empty password", "sam@example.com", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Authenticate(ctx, tc.email, tc.password); !errors.Is(err, ErrBadCredentials) {
				t.Errorf("Authenticate = %v; want ErrBadCredentials", err)
			}
		})
	}
}

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	mustCreateUser(t, s, clinic.RoleTherapist, "sam@example.com", "")
	if _, err := s.CreateUser(ctx, System, NewUser{Role: clinic.RoleClient, Email: "SAM@example.com", Name: "Sam"}); !errors.Is(err, ErrConflict) {
		t.Errorf("CreateUser with a taken email in another case = %v; want ErrConflict", err)
	}
	if _, err := s.CreateUser(ctx, System, NewUser{Role: "admin", Email: "x@example.com", Name: "X"}); err == nil {
		t.Error("CreateUser with an invalid role succeeded")
	}
	_, clientID := mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	if staffClient, _ := s.ClientIDForUser(ctx, 1); staffClient != 0 {
		t.Errorf("ClientIDForUser(staff) = %d; want 0", staffClient)
	}
	if clientID == 0 {
		t.Error("a client user has no client record")
	}
	// What a signed-in request reads: the user, and a client's record, in one query.
	alex, err := s.UserByEmail(ctx, "alex@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u, id, err := s.SignedIn(ctx, alex.ID); err != nil || u != alex || id != clientID {
		t.Errorf("SignedIn(client) = %+v, %d, %v; want %+v and client %d", u, id, err, alex, clientID)
	}
	if u, id, err := s.SignedIn(ctx, 1); err != nil || u.Role != clinic.RoleTherapist || id != 0 {
		t.Errorf("SignedIn(staff) = %+v, %d, %v; want the therapist and no client record", u, id, err)
	}
	if _, _, err := s.SignedIn(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("SignedIn(nobody) = %v; want ErrNotFound", err)
	}
}

func TestCreateFirstOwnerOnlyOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	if has, _ := s.HasOwner(ctx); has {
		t.Fatal("HasOwner on a new clinic = true")
	}
	u, err := s.CreateFirstOwner(ctx, "192.0.2.9", NewUser{Role: clinic.RoleClient, Email: "mei@example.com", Name: "Mei", Password: goodPassword})
	if err != nil || u.Role != clinic.RoleOwner {
		t.Fatalf("CreateFirstOwner = %+v, %v; want an owner whatever role was asked", u, err)
	}
	if has, _ := s.HasOwner(ctx); !has {
		t.Error("HasOwner after setup = false")
	}
	if _, err := s.CreateFirstOwner(ctx, "192.0.2.9", NewUser{Email: "eve@example.com", Name: "Eve", Password: goodPassword}); !errors.Is(err, ErrConflict) {
		t.Errorf("second CreateFirstOwner = %v; want ErrConflict", err)
	}
	if _, err := s.UserByEmail(ctx, "eve@example.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("UserByEmail(eve) = %v; want no account made", err)
	}
}

func TestPasswordResetWorksOnceAndExpires(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	u := mustCreateUser(t, s, clinic.RoleTherapist, "sam@example.com", goodPassword)
	if err := s.SaveSession(ctx, "old-session", SessionRecord{UserID: u.ID, Data: []byte{}, CreatedAt: clock.Now(),
		SeenAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	if err := s.StartPasswordReset(ctx, "192.0.2.1", "SAM@example.com"); err != nil {
		t.Fatal(err)
	}
	tok := lastToken(t, s, "password_reset", "SAM@example.com")
	if err := s.CheckToken(ctx, tok, TokenReset); err != nil {
		t.Errorf("CheckToken of a fresh reset token: %v", err)
	}
	if err := s.CheckToken(ctx, tok, TokenInvite); !errors.Is(err, ErrNotFound) {
		t.Errorf("CheckToken for another purpose = %v; want ErrNotFound", err)
	}
	if _, err := s.ResetPassword(ctx, "192.0.2.1", tok, "a brand new password"); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	if _, err := s.Authenticate(ctx, "sam@example.com", "a brand new password"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "sam@example.com", goodPassword); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("sign in with the old password = %v; want ErrBadCredentials", err)
	}
	if _, err := s.LoadSession(ctx, "old-session"); !errors.Is(err, ErrNotFound) {
		t.Errorf("session from before the reset = %v; want it ended", err)
	}
	if _, err := s.ResetPassword(ctx, "192.0.2.1", tok, "yet another password"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second use of the token = %v; want ErrNotFound", err)
	}

	// A token is good for an hour, not a second more.
	if err := s.StartPasswordReset(ctx, "192.0.2.1", "sam@example.com"); err != nil {
		t.Fatal(err)
	}
	tok = lastToken(t, s, "password_reset", "sam@example.com")
	clock.Advance(59 * time.Minute)
	if err := s.CheckToken(ctx, tok, TokenReset); err != nil {
		t.Errorf("CheckToken after 59 minutes: %v; want still valid", err)
	}
	clock.Advance(time.Minute)
	if _, err := s.ResetPassword(ctx, "192.0.2.1", tok, "yet another password"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ResetPassword after an hour = %v; want ErrNotFound", err)
	}
	if _, err := s.Authenticate(ctx, "sam@example.com", "a brand new password"); err != nil {
		t.Errorf("the expired token changed the password: %v", err)
	}
}

func TestNewResetLinkRetiresTheOldOne(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	mustCreateUser(t, s, clinic.RoleTherapist, "sam@example.com", goodPassword)
	if err := s.StartPasswordReset(ctx, "", "sam@example.com"); err != nil {
		t.Fatal(err)
	}
	first := lastToken(t, s, "password_reset", "sam@example.com")
	clock.Advance(time.Second)
	if err := s.StartPasswordReset(ctx, "", "sam@example.com"); err != nil {
		t.Fatal(err)
	}
	second := lastToken(t, s, "password_reset", "sam@example.com")
	if first == second {
		t.Fatal("two reset requests got the same token")
	}
	if err := s.CheckToken(ctx, first, TokenReset); !errors.Is(err, ErrNotFound) {
		t.Errorf("the older link = %v; want it retired", err)
	}
	if err := s.CheckToken(ctx, second, TokenReset); err != nil {
		t.Errorf("the newer link: %v", err)
	}
}

func TestResetAndSignInLinkAreSilentAboutUnknownEmails(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	mustCreateUser(t, s, clinic.RoleTherapist, "sam@example.com", goodPassword)
	for _, email := range []string{"nobody@example.com", "sam@example.com"} {
		if err := s.StartSignInLink(ctx, "", email); err != nil {
			t.Errorf("StartSignInLink(%s) = %v; want nil", email, err)
		}
	}
	if err := s.StartPasswordReset(ctx, "", "nobody@example.com"); err != nil {
		t.Errorf("StartPasswordReset(unknown) = %v; want nil", err)
	}
	if n := countRows(t, s, "outbox", ""); n != 0 {
		t.Errorf("outbox rows = %d; want none (unknown email, and sign-in links are for clients only)", n)
	}

	mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	if err := s.StartSignInLink(ctx, "", "alex@example.com"); err != nil {
		t.Fatal(err)
	}
	tok := lastToken(t, s, "signin_link", "alex@example.com")
	u, err := s.UseSignInLink(ctx, "", tok)
	if err != nil || u.Email != "alex@example.com" {
		t.Errorf("UseSignInLink = %+v, %v; want Alex", u, err)
	}
	if _, err := s.UseSignInLink(ctx, "", tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("second UseSignInLink = %v; want ErrNotFound", err)
	}
}

func TestInviteStaff(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	mei := mustCreateUser(t, s, clinic.RoleOwner, "mei@example.com", goodPassword)
	by := Actor{UserID: mei.ID, Role: clinic.RoleOwner}

	if _, err := s.InviteStaff(ctx, Actor{UserID: 9, Role: clinic.RoleReception}, clinic.RoleTherapist, "x@example.com", "X"); !errors.Is(err, ErrForbidden) {
		t.Errorf("InviteStaff by reception = %v; want ErrForbidden", err)
	}
	if _, err := s.InviteStaff(ctx, by, clinic.RoleClient, "x@example.com", "X"); err == nil {
		t.Error("InviteStaff of a client succeeded; want an error")
	}
	u, err := s.InviteStaff(ctx, by, clinic.RoleTherapist, "sam@example.com", "Sam Okafor")
	if err != nil || u.HasPass {
		t.Fatalf("InviteStaff = %+v, %v; want an account without a password", u, err)
	}
	if _, err := s.InviteStaff(ctx, by, clinic.RoleTherapist, "sam@example.com", "Sam again"); !errors.Is(err, ErrConflict) {
		t.Errorf("second invite to the same email = %v; want ErrConflict", err)
	}
	tok := lastToken(t, s, "staff_invite", "sam@example.com")
	got, err := s.AcceptInvite(ctx, "", tok, goodPassword)
	if err != nil || got.ID != u.ID || !got.HasPass {
		t.Fatalf("AcceptInvite = %+v, %v; want Sam with a password", got, err)
	}
	if _, err := s.Authenticate(ctx, "sam@example.com", goodPassword); err != nil {
		t.Errorf("sign in after accepting: %v", err)
	}
	if _, err := s.AcceptInvite(ctx, "", tok, "another password"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second AcceptInvite = %v; want ErrNotFound", err)
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	u := mustCreateUser(t, s, clinic.RoleTherapist, "sam@example.com", goodPassword)
	start := clock.Now()
	rec := SessionRecord{UserID: u.ID, Data: []byte("values"), CreatedAt: start, SeenAt: start, ExpiresAt: start.Add(2 * time.Hour)}
	if err := s.SaveSession(ctx, "id-1", rec); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadSession(ctx, "id-1")
	if err != nil || got.UserID != u.ID || string(got.Data) != "values" || !got.ExpiresAt.Equal(rec.ExpiresAt) {
		t.Fatalf("LoadSession = %+v, %v; want what was saved", got, err)
	}
	if n := countRows(t, s, "sessions", "id_hash = ?", []byte("id-1")); n != 0 {
		t.Error("the session id is stored in the clear; want only its hash")
	}

	// Saving again keeps the creation time and moves the expiry.
	clock.Advance(time.Hour)
	rec2 := SessionRecord{UserID: u.ID, Data: []byte("more"), CreatedAt: clock.Now(), SeenAt: clock.Now(), ExpiresAt: clock.Now().Add(2 * time.Hour)}
	if err := s.SaveSession(ctx, "id-1", rec2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.LoadSession(ctx, "id-1")
	if !got.CreatedAt.Equal(start) || !got.ExpiresAt.Equal(rec2.ExpiresAt) || string(got.Data) != "more" {
		t.Errorf("after a second save: created %v expires %v data %q; want created %v expires %v", got.CreatedAt, got.ExpiresAt, got.Data, start, rec2.ExpiresAt)
	}

	clock.Advance(2 * time.Hour)
	if _, err := s.LoadSession(ctx, "id-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LoadSession after expiry = %v; want ErrNotFound", err)
	}
	if err := s.PruneExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "sessions", ""); n != 0 {
		t.Errorf("sessions after prune = %d; want 0", n)
	}

	for _, id := range []string{"phone", "laptop"} {
		r := rec
		r.ExpiresAt = clock.Now().Add(time.Hour)
		if err := s.SaveSession(ctx, id, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(ctx, "phone"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadSession(ctx, "phone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LoadSession after DeleteSession = %v; want ErrNotFound", err)
	}
	if _, err := s.LoadSession(ctx, "laptop"); err != nil {
		t.Errorf("the other session went too: %v", err)
	}
	if err := s.DeleteUserSessions(ctx, Actor{UserID: u.ID, Role: u.Role}, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadSession(ctx, "laptop"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LoadSession after sign out everywhere = %v; want ErrNotFound", err)
	}
}

// TestThrottleCannotLockTheOwnerOut: a guesser's failures make their own address wait, with
// waits that grow, while the account's owner from another address is never held up.
func TestThrottleCannotLockTheOwnerOut(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	th := Throttle{Window: 15 * time.Minute, PerAccount: 5, PerAddress: 8}
	wait := func(email, addr string) time.Duration {
		t.Helper()
		d, err := s.SignInWait(ctx, th, email, addr)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	fail := func(email, addr string) {
		t.Helper()
		if err := s.RecordSignInFailure(ctx, email, addr); err != nil {
			t.Fatal(err)
		}
	}
	const guesser, owner = "192.0.2.1", "198.51.100.7"
	for i := range 5 {
		if d := wait("sam@example.com", guesser); d != 0 {
			t.Fatalf("wait after %d failures = %v; want 5 free", i, d)
		}
		email := "sam@example.com"
		if i%2 == 1 {
			email = "SAM@example.com" // the same account, however it is typed
		}
		fail(email, guesser)
	}
	if d := wait("Sam@Example.com", guesser); d != time.Minute {
		t.Errorf("guesser's wait after 5 failures = %v; want 1m", d)
	}
	if d := wait("sam@example.com", owner); d != 0 {
		t.Errorf("owner's wait from a clean address = %v; want none", d)
	}
	// Each further failure doubles the wait (up to the window; failures older than it drop out).
	for _, want := range []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute} {
		clock.Advance(wait("sam@example.com", guesser))
		fail("sam@example.com", guesser)
		if d := wait("sam@example.com", guesser); d != want {
			t.Errorf("wait after another failure = %v; want %v", d, want)
		}
	}
	if d := wait("sam@example.com", owner); d != 0 {
		t.Errorf("owner's wait from a clean address after 8 failures elsewhere = %v; want none", d)
	}
	// The owner signing in does not wipe the guesser's count.
	if err := s.ClearSignInFailures(ctx, "sam@example.com", owner); err != nil {
		t.Fatal(err)
	}
	if d := wait("sam@example.com", guesser); d == 0 {
		t.Error("the owner's sign-in lifted the guesser's wait")
	}
	// Many accounts from one address: the address waits too.
	for i := range 8 {
		fail(fmt.Sprintf("guess%d@example.com", i), "203.0.113.9")
	}
	if d := wait("mei@example.com", "203.0.113.9"); d == 0 {
		t.Error("no wait after 8 failures from one address")
	}
	// A password reset clears the account from every address.
	for range 5 {
		fail("sam@example.com", "203.0.113.50")
	}
	if err := s.ClearSignInFailures(ctx, "SAM@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if d := wait("sam@example.com", "203.0.113.50"); d != 0 {
		t.Errorf("wait after a reset = %v; want none", d)
	}
}

func TestAuditLogRecordsAccountChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	mei, err := s.CreateFirstOwner(ctx, "192.0.2.1", NewUser{Email: "mei@example.com", Name: "Mei Lin", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	by := Actor{UserID: mei.ID, Role: clinic.RoleOwner, IP: "192.0.2.1"}
	sam, err := s.CreateUser(ctx, by, NewUser{Role: clinic.RoleTherapist, Email: "sam@example.com", Name: "Sam"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, by, sam.ID, goodPassword); err != nil {
		t.Fatal(err)
	}
	if err := s.SetActive(ctx, by, sam.ID, false); err != nil {
		t.Fatal(err)
	}

	entries, err := s.AuditLog(ctx, by, AuditFilter{RecordType: "user", RecordID: sam.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action)
		if e.ActorID != mei.ID || e.ActorName != "Mei Lin" || e.Address != "192.0.2.1" {
			t.Errorf("%s entry: actor %d %q from %q; want Mei from 192.0.2.1", e.Action, e.ActorID, e.ActorName, e.Address)
		}
	}
	want := []string{"deactivate", "password_change", "create"} // newest first
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("audit actions for Sam = %v; want %v", got, want)
	}
	setup, err := s.AuditLog(ctx, by, AuditFilter{RecordType: "user", RecordID: mei.ID})
	if err != nil || len(setup) != 1 || setup[0].Action != "create" || setup[0].ActorRole != "setup" {
		t.Errorf("audit of the owner's setup = %+v, %v; want one create by setup", setup, err)
	}

	if _, err := s.AuditLog(ctx, Actor{UserID: sam.ID, Role: clinic.RoleTherapist}, AuditFilter{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("AuditLog for a therapist = %v; want ErrForbidden", err)
	}
	if err := s.SetActive(ctx, by, mei.ID, false); !errors.Is(err, ErrConflict) {
		t.Errorf("owner deactivating herself = %v; want ErrConflict", err)
	}
}
