package control

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/web"
)

// FormField is the name of the hidden field that carries a dashboard
// form's token.
const FormField = "csrf_token"

// maxForm bounds the body of a dashboard form: its largest, the project
// form, holds a secret and two URLs.
const maxForm = 64 << 10

// FormTokens issues the token every dashboard form carries and checks it
// when a form comes back, so that a page elsewhere cannot submit the
// dashboard's forms (cross-site request forgery). The token is an
// HMAC-SHA256 under a key that lives as long as the process: a page
// elsewhere cannot read it, and a restart makes open dashboards reload.
type FormTokens struct {
	token string
}

// NewFormTokens returns the form tokens under key, which should be 32
// random bytes from crypto/rand.
func NewFormTokens(key []byte) *FormTokens {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("ecommpay sandbox dashboard forms"))
	return &FormTokens{token: base64.RawURLEncoding.EncodeToString(mac.Sum(nil))}
}

// RandomFormTokens returns form tokens under a fresh key from crypto/rand.
func RandomFormTokens() *FormTokens {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand never fails on supported platforms
	return NewFormTokens(key)
}

// Token returns the token forms carry in FormField.
func (f *FormTokens) Token() string { return f.token }

// Valid reports whether tok is the forms' token, in constant time.
func (f *FormTokens) Valid(tok string) bool {
	return hmac.Equal([]byte(tok), []byte(f.token))
}

// checkForm admits a dashboard form only when it carries the token, and
// bounds its body.
func (s *Server) checkForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		req.Body = http.MaxBytesReader(c.Response(), req.Body, maxForm)
		if err := req.ParseForm(); err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return s.refuse(c, http.StatusRequestEntityTooLarge, "The form is too large",
					fmt.Sprintf("A developer console form is at most %d KiB; this one is larger.", maxForm>>10))
			}
			return s.refuse(c, http.StatusBadRequest, "The form could not be read", err.Error())
		}
		if !s.Forms.Valid(req.PostForm.Get(FormField)) {
			return s.refuse(c, http.StatusForbidden, "This form did not come from this sandbox's developer console",
				"It carries no valid "+FormField+": it was sent by another page, or opened before the sandbox restarted. Reload the developer console and try again; scripts use the control API under /sandbox instead.")
		}
		return next(c)
	}
}

// refuse answers a dashboard request with an error page.
func (s *Server) refuse(c echo.Context, status int, title, message string) error {
	page := web.NewErrorPage(status, title, message)
	page.Back = &web.Link{Label: "Back to the developer console", URL: "/dashboard"}
	return s.Renderer.Write(c.Response(), status, "error", page)
}
