package handlers

import (
	"crypto/sha256"
	"net/http"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"
)

// The message a POST leaves for the page it redirects to travels in its own short-lived
// cookie, encrypted and signed, instead of in the server-side session: keeping it there cost
// two write transactions per form (one to set it, one to clear it), each waiting for the disk,
// and made a session row for every visitor who submitted a form.
const (
	flashCookie = "allium_flash"
	flashMaxAge = 300 // seconds: it is read by the very next page
)

type flashMsg struct {
	Msg  string `json:"m"`
	Kind string `json:"k,omitempty"`
}

// newFlashCodec derives the flash cookie's own keys from the session key, so a flash cookie
// can never be passed off as a session cookie or the other way round.
func newFlashCodec(sessionKey []byte) *securecookie.SecureCookie {
	hashKey := sha256.Sum256(append([]byte("allium flash hash\x00"), sessionKey...))
	blockKey := sha256.Sum256(append([]byte("allium flash block\x00"), sessionKey...))
	codec := securecookie.New(hashKey[:], blockKey[:])
	codec.MaxAge(flashMaxAge)
	codec.SetSerializer(securecookie.JSONEncoder{})
	return codec
}

// setFlash leaves msg for the next page.
func (a *App) setFlash(c echo.Context, msg, kind string) error {
	v, err := a.flashCodec.Encode(flashCookie, flashMsg{Msg: msg, Kind: kind})
	if err != nil {
		return err
	}
	c.SetCookie(a.flashCookie(v, flashMaxAge))
	return nil
}

// takeFlash returns the message left for this page, if any, and clears it.
func (a *App) takeFlash(c echo.Context) (msg, kind string) {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return "", ""
	}
	c.SetCookie(a.flashCookie("", -1))
	var f flashMsg
	if a.flashCodec.Decode(flashCookie, ck.Value, &f) != nil {
		return "", "" // expired or forged: no message
	}
	return f.Msg, f.Kind
}

func (a *App) flashCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: flashCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: a.secure,
		SameSite: http.SameSiteLaxMode}
}
