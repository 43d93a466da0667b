// Package assets embeds Allium's CSS, JavaScript and images and serves them under
// fingerprinted URLs, so browsers may cache them for good and still see every change.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"strings"
)

//go:embed css js img
var files embed.FS

// Assets maps logical names ("css/allium.css") to fingerprinted URLs.
type Assets struct {
	FS   fs.FS
	urls map[string]string
}

// New fingerprints every embedded file.
func New() (*Assets, error) {
	a := &Assets{FS: files, urls: map[string]string{}}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		fp := hex.EncodeToString(sum[:])[:10]
		a.urls[path] = "/assets/" + fp + "/" + path
		return nil
	})
	return a, err
}

// URL returns the fingerprinted URL of a file, or the plain path if it does not exist (which
// views_test catches).
func (a *Assets) URL(name string) string {
	if u, ok := a.urls[name]; ok {
		return u
	}
	return "/assets/missing/" + name
}

// Open returns the file behind a fingerprinted path "FP/css/allium.css". Only the current
// fingerprint of a file opens it: an old or made-up one is not found, so nothing wrong is ever
// cached as immutable. Directories are not files.
func (a *Assets) Open(path string) (fs.File, string, error) {
	_, name, ok := strings.Cut(path, "/")
	if !ok || a.urls[name] != "/assets/"+path {
		return nil, "", fs.ErrNotExist
	}
	f, err := files.Open(name)
	return f, name, err
}

// ReadFile returns a file's bytes, for inlining SVG into pages.
func (a *Assets) ReadFile(name string) ([]byte, error) { return files.ReadFile(name) }
