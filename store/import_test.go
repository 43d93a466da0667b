package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"allium"
	"allium/clinic"
)

// An import is all or nothing: when one row cannot be written, no row is.
func TestImportIsAllOrNothing(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	if _, err := s.w.Exec(`CREATE TRIGGER boom BEFORE INSERT ON clients WHEN NEW.name = 'Boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	rows := []clinic.ImportRow{{Line: 2, Name: "Alex Chen"}, {Line: 3, Name: "Boom"}}
	if _, err := s.ImportClients(ctx, System, rows); err == nil {
		t.Fatal("the import succeeded")
	}
	if n := countRows(t, s, "clients", "1 = 1"); n != 0 {
		t.Errorf("%d clients after a failed import, want none", n)
	}
}

// The import skips the rows with problems and those matching a client here, and says why.
func TestImportSkipsDuplicatesAndErrors(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	f, err := clinic.ReadClientCSV([]byte("Name,Email,DOB\nAlex Chen,ALEX@example.com,\nBea Ng,bea@example.com,1980-01-02\nCy,bad,\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.ImportClients(ctx, System, f.Rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != 1 || rep.Created[0].Name != "Bea Ng" || len(rep.Skipped) != 2 ||
		!strings.Contains(rep.Skipped[0].Problem, "Already a client here") {
		t.Errorf("report: %+v", rep)
	}
	if _, err := s.ImportClients(ctx, Actor{UserID: 1, Role: clinic.RoleReception}, f.Rows); err != ErrForbidden {
		t.Errorf("reception imported: %v", err)
	}
}

// BenchmarkImport10000Clients reads, checks and imports a 10,000-row export into a clinic
// that already has clients. The bar is under 10 seconds.
func BenchmarkImport10000Clients(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("First Name,Last Name,Email,Mobile,Date of birth,Notes\n")
	for i := range 10000 {
		fmt.Fprintf(&sb, "Client%d,Family%d,client%d@example.com,0400 %06d,%02d/%02d/19%02d,Imported from the old system\n",
			i, i%97, i, i, i%28+1, i%12+1, 40+i%60)
	}
	data := []byte(sb.String())
	// The clinic's own 10,000 clients, from an earlier import: every new row is checked
	// against them for duplicates.
	var earlier strings.Builder
	earlier.WriteString("Name,Email,Phone\n")
	for i := range 10000 {
		fmt.Fprintf(&earlier, "Existing %d,existing%d@example.com,0411 %06d\n", i, i, i)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "import.db"), allium.Schema)
		if err != nil {
			b.Fatal(err)
		}
		old, err := clinic.ReadClientCSV([]byte(earlier.String()), nil)
		if err != nil {
			b.Fatal(err)
		}
		if rep, err := s.ImportClients(ctx, System, old.Rows); err != nil || len(rep.Created) != 10000 {
			b.Fatalf("the clinic's own clients: %v", err)
		}
		b.StartTimer()
		f, err := clinic.ReadClientCSV(data, nil)
		if err != nil {
			b.Fatal(err)
		}
		keys, err := s.ClientImportKeys(ctx, System)
		if err != nil {
			b.Fatal(err)
		}
		clinic.MarkDuplicates(f.Rows, keys)
		rep, err := s.ImportClients(ctx, System, f.Rows)
		if err != nil || len(rep.Created) != 10000 {
			b.Fatalf("%v: %d created", err, len(rep.Created))
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
