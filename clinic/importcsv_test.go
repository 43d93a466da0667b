package clinic

import (
	"errors"
	"testing"
)

func TestReadClientCSV(t *testing.T) {
	data := "\ufeffFirst Name,Surname,E-mail,Mobile,DOB,Comments\n" +
		"Alex,Chen,alex@example.com,0400 000 001,31/05/1980,Left knee\n" +
		",,nobody@example.com,,,\n" +
		"Bea,Ng,not-an-email,,,\n" +
		"Cy,Oh,,,1975-02-30,\n" +
		"Alex,Chen,ALEX@example.com,,,\n" +
		"Dee,Park,,,1990-01-02,\n" +
		"Dee ,Park,,,2/1/1990,\n"
	f, err := ReadClientCSV([]byte(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	MarkDuplicates(f.Rows, map[string]bool{"e:existing@example.com": true})
	want := []struct {
		name, problem string
		dup           bool
	}{
		{"Alex Chen", "", false},
		{"", "No name.", false},
		{"Bea Ng", "The email address not-an-email is not valid.", false},
		{"Cy Oh", "The date of birth 1975-02-30 is not a date like 1980-05-31 or 31/05/1980.", false},
		{"Alex Chen", "The same client as line 2 (same email).", true},
		{"Dee Park", "", false},
		{"Dee Park", "The same client as line 7 (same name and date of birth).", true},
	}
	if len(f.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(f.Rows), len(want), f.Rows)
	}
	for i, w := range want {
		r := f.Rows[i]
		if r.Name != w.name || r.Problem != w.problem || r.Duplicate != w.dup {
			t.Errorf("line %d: %q %q dup=%v; want %q %q dup=%v", r.Line, r.Name, r.Problem, r.Duplicate, w.name, w.problem, w.dup)
		}
	}
	if f.Rows[0].BirthDate != "1980-05-31" || f.Rows[0].Note != "Left knee" || f.Rows[0].Phone != "0400 000 001" {
		t.Errorf("first row: %+v", f.Rows[0])
	}
	existing := map[string]bool{}
	for _, k := range ImportKeys("Alex Chen", "", "1980-05-31") {
		existing[k] = true
	}
	rows := []ImportRow{{Line: 2, Name: "alex  chen", BirthDate: "1980-05-31"}}
	MarkDuplicates(rows, existing)
	if !rows[0].Duplicate {
		t.Error("same name and birth date as a client here is not marked")
	}
}

func TestReadClientCSVRefusesWholeFiles(t *testing.T) {
	for name, c := range map[string]struct {
		data string
		want error
	}{
		"Latin-1":        {"Name\nJos\xe9\n", ErrImportNotUTF8},
		"no name column": {"Email,Phone\na@b.co,1\n", ErrImportNoName},
		"only a header":  {"Name,Email\n", ErrImportEmpty},
		"empty":          {"", ErrImportEmpty},
	} {
		if _, err := ReadClientCSV([]byte(c.data), nil); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	// A column the export names differently is chosen by hand.
	f, err := ReadClientCSV([]byte("Kunde,Email\nJo,jo@example.com\n"), ImportMapping{"name": 0, "email": 1})
	if err != nil || f.Rows[0].Name != "Jo" {
		t.Errorf("mapped by hand: %v %+v", err, f.Rows)
	}
}
