package store

import "testing"

// TestSQLiteKeepsNoMemoryCounts checks SQLite was told, before any connection, not to count
// its allocations under its global mutex: with a store open and read, it has counted nothing.
func TestSQLiteKeepsNoMemoryCounts(t *testing.T) {
	s, _ := newTestStore(t)
	if _, err := s.Therapists(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := sqliteMemoryCounted(); n != 0 {
		t.Errorf("SQLite counts %d bytes in use; want no counts kept", n)
	}
}
