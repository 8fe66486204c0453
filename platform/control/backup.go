package control

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// Backuper writes a consistent copy of the sandbox's data file while the
// sandbox runs; *bolt.DB is one.
type Backuper interface {
	Backup(ctx context.Context, w io.Writer, sized func(size int64)) (int64, error)
}

// handleBackup streams a copy of the data file, as it is when the request
// arrives, as an attachment named after the sandbox clock's wall time.
// The copy's length is known before its first byte: a copy cut short by a
// failure is one the client sees short of its Content-Length.
func (s *Server) handleBackup(c echo.Context) error {
	if s.Backup == nil {
		return c.JSON(http.StatusNotFound, map[string]string{"error": "this sandbox keeps no data file to back up"})
	}
	started := false
	_, err := s.Backup.Backup(c.Request().Context(), c.Response(), func(size int64) {
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "application/octet-stream")
		h.Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
		h.Set(echo.HeaderContentDisposition, `attachment; filename="sandbox.db"`)
		c.Response().WriteHeader(http.StatusOK)
		started = true
	})
	if err != nil && !started {
		return s.fail(c, err)
	}
	if err != nil {
		// The answer is under way: all that is left is to say it in the
		// log, and the client sees the copy end early.
		s.logFailure(c, fmt.Errorf("backup cut short: %w", err))
	}
	return nil
}
