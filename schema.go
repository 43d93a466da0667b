// Package allium holds what belongs to the whole project rather than to one layer:
// the canonical schema of a fresh database.
package allium

import _ "embed"

// Schema is schema.sql: the whole current schema, the fold of every migration in store/migrations.
//
//go:embed schema.sql
var Schema string
