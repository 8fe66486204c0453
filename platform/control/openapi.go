package control

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPI is the OpenAPI 3.1 document of every endpoint under /sandbox,
// written by hand. A test walks the router's routes against its paths and
// checks real answers against its schemas, so the two cannot drift apart.
//
//go:embed openapi.json
var openAPI []byte

// handleOpenAPI serves the OpenAPI document of the control API.
func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}
