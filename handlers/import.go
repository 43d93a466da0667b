package handlers

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/views"
)

// importRoutes: bringing clients from another system as a CSV file.
func (a *App) importRoutes() []Route {
	return []Route{
		{"GET", "/admin/import", "admin.import", ownerOnly, a.ImportForm},
		{"POST", "/admin/import/preview", "admin.import.preview", ownerOnly, a.ImportPreview},
		{"POST", "/admin/import", "admin.import.post", ownerOnly, a.ImportRun},
	}
}

var importFieldLabels = map[string]string{"name": "Full name", "first_name": "First name", "last_name": "Last name",
	"email": "Email", "phone": "Phone", "birth_date": "Date of birth", "notes": "Notes"}

func (a *App) ImportForm(c echo.Context) error {
	return a.render(c, "admin_import", views.ImportPage{Page: a.page(c, "Import clients")})
}

// importData is the file of a preview: the upload, or the text the preview carried forward.
func importData(c echo.Context) ([]byte, error) {
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, clinic.MaxImportFileSize+1))
	}
	return []byte(c.FormValue("data")), nil
}

// importMapping reads the columns the owner chose on the preview; nil before there was one.
func importMapping(c echo.Context) clinic.ImportMapping {
	if c.FormValue("mapped") != "1" {
		return nil
	}
	m := clinic.ImportMapping{}
	for _, f := range clinic.ImportFields {
		if n, err := strconv.Atoi(c.FormValue("map_" + f)); err == nil && n >= 0 {
			m[f] = n
		}
	}
	return m
}

// readImport reads and checks the file, and marks the rows matching clients here. A file that
// cannot be imported at all answers 422 with the reason beside the file field.
func (a *App) readImport(c echo.Context) (views.ImportPage, bool, error) {
	data := views.ImportPage{Page: a.page(c, "Import clients")}
	raw, err := importData(c)
	if err != nil {
		return data, false, err
	}
	if len(raw) > clinic.MaxImportFileSize {
		data.Page.Errors["file"] = "The file is larger than 5 MB: export only the clients' details, or split it."
		return data, false, a.invalid(c, "admin_import", data)
	}
	if len(raw) == 0 {
		data.Page.Errors["file"] = "Please choose the CSV file exported from your old system."
		return data, false, a.invalid(c, "admin_import", data)
	}
	file, err := clinic.ReadClientCSV(raw, importMapping(c))
	data.File, data.Data = file, string(raw)
	if err != nil {
		if !errors.Is(err, clinic.ErrImportNoName) {
			data.File.Header = nil
		}
		data.Page.Errors["file"] = sentence(err.Error())
		data.Fields = importFields(file)
		return data, false, a.invalid(c, "admin_import", data)
	}
	keys, err := a.Store.ClientImportKeys(c.Request().Context(), actor(c))
	if err != nil {
		return data, false, err
	}
	clinic.MarkDuplicates(data.File.Rows, keys)
	data.Fields = importFields(data.File)
	for _, r := range data.File.Rows {
		switch {
		case r.Duplicate:
			data.Duplicates++
		case r.Problem != "":
			data.Errors++
		default:
			data.New++
		}
	}
	return data, true, nil
}

func importFields(f clinic.ImportFile) []views.ImportField {
	var out []views.ImportField
	for _, name := range clinic.ImportFields {
		col, ok := f.Mapping[name]
		if !ok {
			col = -1
		}
		out = append(out, views.ImportField{Name: name, Label: importFieldLabels[name], Column: col})
	}
	return out
}

// sentence capitalises an error's text and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// ImportPreview shows what an import would do: the columns used, which rows are new, which
// match a client here and which have errors. Nothing is saved.
func (a *App) ImportPreview(c echo.Context) error {
	data, ok, err := a.readImport(c)
	if err != nil || !ok {
		return err
	}
	data.Preview = true
	return a.render(c, "admin_import", data)
}

// ImportRun imports the new rows in one transaction, all or none, and reports each row.
func (a *App) ImportRun(c echo.Context) error {
	data, ok, err := a.readImport(c)
	if err != nil || !ok {
		return err
	}
	rep, err := a.Store.ImportClients(c.Request().Context(), actor(c), data.File.Rows)
	if err != nil {
		return err
	}
	data.Report, data.Data = &rep, ""
	return a.render(c, "admin_import", data)
}
