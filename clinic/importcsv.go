package clinic

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Importing clients from another system's CSV export: the columns recognised, the rows read
// and checked, and which rows match clients already here. No SQL: the store imports the rows
// this decides are new.

// ImportFields are the client fields a CSV column can fill, in the order the preview shows them.
var ImportFields = []string{"name", "first_name", "last_name", "email", "phone", "birth_date", "notes"}

// importAliases are the column names common exports use for each field, lower case.
var importAliases = map[string][]string{
	"name":       {"name", "full name", "client name", "client", "patient name", "patient", "customer name"},
	"first_name": {"first name", "firstname", "given name", "first"},
	"last_name":  {"last name", "lastname", "surname", "family name", "last"},
	"email":      {"email", "e-mail", "email address", "e-mail address", "mail"},
	"phone":      {"phone", "mobile", "mobile phone", "phone number", "mobile number", "cell", "telephone"},
	"birth_date": {"date of birth", "dob", "birth date", "birthdate", "birthday", "d.o.b."},
	"notes":      {"notes", "note", "comments", "comment", "remarks"},
}

// Errors of a whole file, said to the owner as they are.
var (
	ErrImportNotUTF8 = errors.New("the file is not UTF-8 text: please export it again as CSV UTF-8")
	ErrImportNoName  = errors.New("no column holds the clients' names: please choose which column does, or add a Name column")
	ErrImportEmpty   = errors.New("the file has no rows of clients")
	ErrImportBadCSV  = errors.New("the file is not a CSV file we can read")
	ErrImportTooMany = fmt.Errorf("the file has more than %d rows: please split it", MaxImportRows)
)

// Limits of an import: a clinic's whole client list fits well inside them.
const (
	MaxImportRows     = 50_000
	MaxImportFileSize = 5 << 20 // bytes; a larger upload is refused before it is read
)

// ImportMapping says which column (0-based) fills each field; -1 or absent means none.
type ImportMapping map[string]int

// ImportRow is one row of the file as it will be imported, with what keeps it out.
type ImportRow struct {
	Line                     int // line in the file, the header being 1
	Name, Email, Phone, Note string
	BirthDate                string // YYYY-MM-DD or empty
	Problem                  string // why the row is not imported: an error or a duplicate
	Duplicate                bool
}

// ImportFile is a read file: its header, the mapping used and the rows.
type ImportFile struct {
	Header  []string
	Mapping ImportMapping
	Rows    []ImportRow
}

// GuessMapping recognises the columns of common exports by their names.
func GuessMapping(header []string) ImportMapping {
	m := ImportMapping{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for field, aliases := range importAliases {
			for _, a := range aliases {
				if _, taken := m[field]; h == a && !taken {
					m[field] = i
				}
			}
		}
	}
	return m
}

// ReadClientCSV reads and checks a client export. A mapping of nil is guessed from the
// header. The whole file is refused (with one of the ErrImport errors) when it cannot be
// read as UTF-8 CSV or has no name column; a bad row is kept with its Problem.
func ReadClientCSV(data []byte, mapping ImportMapping) (ImportFile, error) {
	var f ImportFile
	if !utf8.Valid(data) {
		return f, ErrImportNotUTF8
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err == io.EOF {
		return f, ErrImportEmpty
	}
	if err != nil {
		return f, ErrImportBadCSV
	}
	f.Header = header
	if mapping == nil {
		mapping = GuessMapping(header)
	}
	f.Mapping = mapping
	col := func(field string) int {
		if i, ok := mapping[field]; ok && i >= 0 && i < len(header) {
			return i
		}
		return -1
	}
	name, first, last := col("name"), col("first_name"), col("last_name")
	if name < 0 && first < 0 && last < 0 {
		return f, ErrImportNoName
	}
	email, phone, birth, notes := col("email"), col("phone"), col("birth_date"), col("notes")
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return f, ErrImportBadCSV
		}
		if len(f.Rows) >= MaxImportRows {
			return f, ErrImportTooMany
		}
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		row := ImportRow{Line: line, Name: get(name), Email: get(email), Phone: get(phone), Note: get(notes)}
		if row.Name == "" {
			row.Name = strings.TrimSpace(get(first) + " " + get(last))
		}
		if strings.Join(rec, "") == "" {
			continue // a blank line
		}
		row.BirthDate, row.Problem = checkImportRow(&row, get(birth))
		f.Rows = append(f.Rows, row)
	}
	if len(f.Rows) == 0 {
		return f, ErrImportEmpty
	}
	return f, nil
}

// checkImportRow returns the row's birth date as YYYY-MM-DD and its first problem.
func checkImportRow(row *ImportRow, birth string) (string, string) {
	switch {
	case row.Name == "":
		return "", "No name."
	case utf8.RuneCountInString(row.Name) > 100:
		return "", "The name is longer than 100 characters."
	case hasControlChars(row.Name + row.Email + row.Phone):
		return "", "Contains invisible control characters."
	case utf8.RuneCountInString(row.Note) > 5000:
		return "", "The notes are longer than 5,000 characters."
	case len(row.Phone) > 40:
		return "", "The phone number is longer than 40 characters."
	}
	if row.Email != "" {
		if a, err := mail.ParseAddress(row.Email); err != nil || a.Address != row.Email || !strings.Contains(row.Email[strings.LastIndex(row.Email, "@"):], ".") {
			return "", "The email address " + row.Email + " is not valid."
		}
	}
	if birth == "" {
		return "", ""
	}
	for _, layout := range []string{"2006-01-02", "2/1/2006", "02/01/2006", "2-1-2006", "2.1.2006"} {
		if t, err := time.Parse(layout, birth); err == nil {
			if t.Year() < 1900 {
				return "", "The date of birth " + birth + " is not believable."
			}
			return t.Format("2006-01-02"), ""
		}
	}
	return "", "The date of birth " + birth + " is not a date like 1980-05-31 or 31/05/1980."
}

func hasControlChars(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// ImportKey is how a row matches a client: the same email, or the same name and birth date.
func ImportKeys(name, email, birthDate string) []string {
	var keys []string
	if email != "" {
		keys = append(keys, "e:"+strings.ToLower(email))
	}
	if birthDate != "" {
		keys = append(keys, "n:"+strings.ToLower(strings.Join(strings.Fields(name), " "))+"|"+birthDate)
	}
	return keys
}

// MarkDuplicates marks the rows that match a client already here (existing holds their
// ImportKeys) or an earlier row of the file. Rows with an error are left as they are.
func MarkDuplicates(rows []ImportRow, existing map[string]bool) {
	seen := map[string]int{}
	for i := range rows {
		r := &rows[i]
		if r.Problem != "" {
			continue
		}
		for _, k := range ImportKeys(r.Name, r.Email, r.BirthDate) {
			if existing[k] {
				r.Duplicate, r.Problem = true, "Already a client here ("+matchWord(k)+")."
				break
			}
			if line, ok := seen[k]; ok {
				r.Duplicate, r.Problem = true, fmt.Sprintf("The same client as line %d (%s).", line, matchWord(k))
				break
			}
		}
		if !r.Duplicate {
			for _, k := range ImportKeys(r.Name, r.Email, r.BirthDate) {
				seen[k] = r.Line
			}
		}
	}
}

func matchWord(key string) string {
	if strings.HasPrefix(key, "e:") {
		return "same email"
	}
	return "same name and date of birth"
}
