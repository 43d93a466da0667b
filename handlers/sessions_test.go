package handlers

import (
	"bytes"
	"encoding/gob"
	"maps"
	"testing"
)

// A session's values come back as they were saved, with their types: the handlers read the
// user's id as an int64 and a token as a string. A session saved as gob (before the values were
// stored as JSON) still reads, so nobody is signed out by an upgrade.
func TestSessionValuesKeepTheirTypes(t *testing.T) {
	vals := map[any]any{keyUser: int64(42), keyRole: "owner", keySignedIn: int64(1764900000), keyAssessment: "12345"}
	data, err := encodeSessionValues(vals)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeSessionValues(data)
	if err != nil || !maps.Equal(got, vals) {
		t.Errorf("values after a save = %#v, %v; want %#v", got, err, vals)
	}

	var old bytes.Buffer
	if err := gob.NewEncoder(&old).Encode(vals); err != nil {
		t.Fatal(err)
	}
	if got, err := decodeSessionValues(old.Bytes()); err != nil || !maps.Equal(got, vals) {
		t.Errorf("values of a session saved as gob = %#v, %v; want %#v", got, err, vals)
	}

	odd := map[any]any{keyUser: int64(7), "flag": true}
	data, err = encodeSessionValues(odd)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeSessionValues(data); err != nil || !maps.Equal(got, odd) {
		t.Errorf("values of a kind JSON would not keep = %#v, %v; want %#v", got, err, odd)
	}
}
