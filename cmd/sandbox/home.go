package main

import (
	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// homeRoutes mounts the page that links to everything.
func homeRoutes(e *echo.Echo, eng *platform.Engine, r *web.Renderer) {
	e.GET("/", func(c echo.Context) error {
		return c.JSON(200, map[string]any{"sandbox": "ecommpay", "health": "/sandbox/health"})
	})
}
