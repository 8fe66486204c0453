package app

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// MaxBody bounds the body the sandbox reads of any request. It is above
// the 1 MiB the Gate, the Payment Page and the control API allow
// themselves, so that they answer a body over theirs in their own words;
// what it bounds is the rest, such as a provider's page or a dashboard
// form, which would otherwise read a form of any size (any web page a
// developer visits can post one to a sandbox on localhost).
const MaxBody = 2 << 20

// limitBodies makes a request's body read as an error past max bytes
// (http.MaxBytesReader, which also has the connection closed after the
// answer): a form so cut reads empty, a JSON body fails to decode.
func limitBodies(max int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if req := c.Request(); req.Body != nil && req.Body != http.NoBody {
				req.Body = http.MaxBytesReader(c.Response(), req.Body, max)
			}
			return next(c)
		}
	}
}
