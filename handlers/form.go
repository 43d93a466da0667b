package handlers

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// form reads and checks a submitted form. Each check records one plain message per field,
// shown beside it; Valid reports whether any check failed.
type form struct {
	c      echo.Context
	Values map[string]string
	Errors map[string]string
}

func newForm(c echo.Context) *form {
	return &form{c: c, Values: map[string]string{}, Errors: map[string]string{}}
}

// Valid reports whether every check passed.
func (f *form) Valid() bool { return len(f.Errors) == 0 }

// fail records a message for a field unless it already has one (the first problem is the one to fix).
func (f *form) fail(name, msg string) {
	if _, ok := f.Errors[name]; !ok {
		f.Errors[name] = msg
	}
}

// raw returns the submitted value as sent, after checking it is text a person could have typed.
func (f *form) raw(name, label string, max int, multiline bool) string {
	v := f.c.FormValue(name)
	f.Values[name] = v
	switch {
	case !utf8.ValidString(v):
		f.fail(name, label+" contains characters we cannot read. Please retype it.")
	case utf8.RuneCountInString(v) > max:
		f.fail(name, label+" is too long: at most "+strconv.Itoa(max)+" characters.")
	case hasControl(v, multiline):
		f.fail(name, label+" contains invisible control characters. Please retype it.")
	}
	return v
}

func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			if !multiline && r != '\t' {
				return true
			}
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
		// Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) can
		// make a name read backwards on every page it is shown in; no name or one-line value
		// needs them typed in. Free text (a note) keeps them and is shown isolated.
		if !multiline && ((r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)) {
			return true
		}
	}
	return false
}

// Text is a trimmed single-line value; required fields must not be empty.
func (f *form) Text(name, label string, max int, required bool) string {
	v := strings.TrimSpace(f.raw(name, label, max, false))
	f.Values[name] = v
	if required && v == "" {
		f.fail(name, "Please enter "+lowerFirst(label)+".")
	}
	return v
}

// Multiline is free text such as a note; it is kept exactly as written.
func (f *form) Multiline(name, label string, max int, required bool) string {
	v := f.raw(name, label, max, true)
	if required && strings.TrimSpace(v) == "" {
		f.fail(name, "Please enter "+lowerFirst(label)+".")
	}
	return v
}

// Email is a required email address in a plain form (no display name).
func (f *form) Email(name string) string {
	v := f.Text(name, "Email", 254, true)
	if v == "" {
		return v
	}
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
		f.fail(name, "Please enter an email address like name@example.com.")
	}
	return v
}

// Password is a new password: at least 10 characters, at most 200.
func (f *form) NewPassword(name string) string {
	v := f.raw(name, "Password", 200, false)
	f.Values[name] = ""
	if utf8.RuneCountInString(v) < 10 {
		f.fail(name, "Please choose a password of at least 10 characters.")
	}
	return v
}

// Int is a whole number in [min, max].
func (f *form) Int(name, label string, min, max int) int {
	v := f.Text(name, label, 12, true)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		f.fail(name, label+" must be a whole number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+".")
	}
	return n
}

// ID is a record id chosen from a list; a forged or missing one is reported beside the field.
func (f *form) ID(name, label string) int64 {
	v := f.Text(name, label, 20, true)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		f.fail(name, "Please choose "+lowerFirst(label)+" from the list.")
	}
	return n
}

// OneOf is a value that must be one of the allowed choices.
func (f *form) OneOf(name, label string, allowed ...string) string {
	v := f.Text(name, label, 100, true)
	if v == "" {
		return v
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	f.fail(name, "Please choose "+lowerFirst(label)+" from the list.")
	return v
}

// Bool is a checkbox.
func (f *form) Bool(name string) bool {
	v := f.c.FormValue(name)
	f.Values[name] = v
	return v != ""
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// pathID reads a numeric id from the path; anything else is a 404, never a 500.
func pathID(c echo.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, echo.ErrNotFound
	}
	return n, nil
}
