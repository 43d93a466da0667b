package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// argonCost is how hard a new password hash is to compute. A stored hash carries its own
// parameters, so checking a password never depends on the cost in force.
type argonCost struct {
	time, memory uint32 // passes, KiB
	threads      uint8
	dummy        string // a hash of this cost, compared against for an unknown email
}

const argonKeyLen = 32

// productionCost is OWASP's second recommended set (19 MiB, 2 passes, 1 lane).
var productionCost = argonCost{time: 2, memory: 19 * 1024, threads: 1,
	dummy: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Ue2n8c0Q4b1sYpJ3ZSKBp0x3X6wKxkXy7kYvY1m0xU"}

// testCost is argon2id's cheapest setting, used only inside a `go test` binary: under the race
// detector one production hash takes about a second, and the tests create and sign in hundreds
// of people. Production programs are never test binaries, so they always get productionCost
// (TestProductionPasswordCost).
var testCost = argonCost{time: 1, memory: 8, threads: 1,
	dummy: "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$2Ue2n8c0Q4b1sYpJ3ZSKBp0x3X6wKxkXy7kYvY1m0xU"}

// passwordCost is the cost of new hashes in this program.
func passwordCost() argonCost {
	if testing.Testing() {
		return testCost
	}
	return productionCost
}

// HashPassword returns an encoded argon2id hash with its parameters and salt.
func HashPassword(password string) (string, error) {
	return hashPassword(password, passwordCost())
}

func hashPassword(password string, c argonCost) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, c.time, c.memory, c.threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.memory, c.time,
		c.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword compares in constant time. An empty or malformed hash never matches.
func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is compared against when an email is unknown, so a failed sign-in takes the same
// time whether or not the account exists.
var dummyHash = passwordCost().dummy
