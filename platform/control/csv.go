package control

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// csvPage is how many payments the export reads at once.
const csvPage = 1000

// csvHeader names the export's columns.
var csvHeader = []string{
	"project_id", "payment_id", "method", "interface", "status", "amount", "currency", "sum",
	"description", "customer_id", "callbacks", "callback_count", "callback_attempts",
	"last_answer", "last_error", "last_attempt_at", "next_attempt_at", "created_at", "updated_at",
}

// handleDashboardCSV exports the filtered payments list, every page of it,
// newest first, as CSV: amounts in minor units, times in RFC 3339 UTC, as
// the control API writes them.
func (s *Server) handleDashboardCSV(c echo.Context) error {
	q, problem := s.parseList(c)
	if problem != "" {
		return c.JSON(http.StatusBadRequest, map[string]string{"error": problem})
	}
	ctx := c.Request().Context()
	first, next, err := s.page(ctx, q, csvPage)
	if err != nil {
		return s.fail(c, err)
	}
	w := c.Response()
	name := "payments-" + s.Engine.Clock().Now().UTC().Format("20060102-150405") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	out := csv.NewWriter(w)
	if err := out.Write(csvHeader); err != nil {
		return nil // the client is gone
	}
	ps := first
	for {
		for _, p := range ps {
			if err := out.Write(csvRow(p)); err != nil {
				return nil
			}
		}
		out.Flush()
		if next == "" || out.Error() != nil {
			return nil
		}
		q.cursor = next
		if ps, next, err = s.page(ctx, q, csvPage); err != nil {
			// The answer has begun: say so in the file rather than cut it short silently.
			_ = out.Write([]string{"# the export stopped early: " + err.Error()})
			out.Flush()
			return nil
		}
	}
}

func csvRow(p *platform.Payment) []string {
	cb := p.Callbacks
	last := ""
	if cb.LastStatus != 0 {
		last = strconv.Itoa(cb.LastStatus)
	}
	return []string{
		strconv.FormatInt(p.ProjectID, 10), cell(p.ID), p.Method, string(p.Interface), string(p.Status),
		strconv.FormatInt(p.Amount.Amount, 10), p.Amount.Currency, strconv.FormatInt(p.Sum.Amount, 10),
		cell(p.Description), cell(p.Customer.ID), string(cb.Health), strconv.Itoa(cb.Count), strconv.Itoa(cb.Attempts),
		last, cell(cb.LastError), csvTime(cb.LastAt), csvTime(cb.NextAttempt), csvTime(p.CreatedAt), csvTime(p.UpdatedAt),
	}
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// cell keeps a merchant's text from being read as a formula by a
// spreadsheet that opens the file: a leading =, +, -, @, tab or carriage
// return gets a quote before it.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
