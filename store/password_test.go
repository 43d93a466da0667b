package store

import (
	"strings"
	"testing"
)

// Production programs hash with OWASP's parameters; only test binaries use the cheap ones, and a
// hash made at either cost is checked by its own stored parameters.
func TestProductionPasswordCost(t *testing.T) {
	if c := productionCost; c.time != 2 || c.memory != 19*1024 || c.threads != 1 {
		t.Fatalf("production argon2id cost = %+v; want t=2, m=19456 KiB, p=1 (OWASP)", c)
	}
	if !strings.Contains(productionCost.dummy, "$m=19456,t=2,p=1$") {
		t.Errorf("the unknown-email dummy hash %q is not of the production cost", productionCost.dummy)
	}
	if !strings.Contains(testCost.dummy, "$m=8,t=1,p=1$") {
		t.Errorf("the test dummy hash %q is not of the test cost", testCost.dummy)
	}
	strong, err := hashPassword("correct horse battery", productionCost)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strong, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("production hash = %q; want argon2id m=19456,t=2,p=1", strong)
	}
	cheap, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	// One check at the production cost (each takes seconds under the race detector): it is read
	// from the stored hash, not from the cost in force.
	if !checkPassword(strong, "correct horse battery") {
		t.Errorf("checkPassword(%q) refuses the right password", strong)
	}
	if !checkPassword(cheap, "correct horse battery") || checkPassword(cheap, "correct horse batterY") {
		t.Errorf("checkPassword(%q) does not tell the right password from a wrong one", cheap)
	}
	if checkPassword(testCost.dummy, "") || checkPassword(testCost.dummy, "correct horse battery") {
		t.Errorf("the dummy hash %q matched a password", testCost.dummy)
	}
}
