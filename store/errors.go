package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// The store's error vocabulary. Handlers map them to pages: ErrNotFound and ErrForbidden both
// answer 404 so that another person's record looks exactly like one that does not exist.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
)

// translate turns driver errors into the vocabulary above, keeping the original wrapped for the log.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errors.Join(ErrNotFound, err)
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
		return errors.Join(ErrConflict, err)
	}
	if strings.Contains(err.Error(), "appointment overlaps another") {
		return errors.Join(ErrConflict, err)
	}
	return err
}
