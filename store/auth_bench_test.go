package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"allium"
	"allium/clinic"
)

// BenchmarkStartPasswordReset compares a reset for an account with one for an unknown email:
// both commit one write (the request's count), so the answer's timing says little about
// whether the email has an account.
func BenchmarkStartPasswordReset(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "allium.db"), allium.Schema)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateUser(ctx, System, NewUser{Role: clinic.RoleClient, Email: "alex@example.com", Name: "Alex",
		Password: "a long enough password"}); err != nil {
		b.Fatal(err)
	}
	for _, email := range []string{"alex@example.com", "nobody@example.com"} {
		b.Run(map[bool]string{true: "known", false: "unknown"}[email == "alex@example.com"], func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				lim := Limit{Kind: "forgot", Scope: "address", Key: fmt.Sprint("192.0.2.", i%250), Max: 1 << 30, Window: time.Minute}
				if err := s.StartPasswordReset(ctx, "192.0.2.1", email, lim); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
