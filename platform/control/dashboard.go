package control

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// pageSize is how many payments one page of the list shows.
const pageSize = 50

var statuses = []string{
	string(platform.StatusProcessing), string(platform.StatusAwaitingRedirect), string(platform.StatusAwaitingClarification),
	string(platform.StatusSuccess), string(platform.StatusDecline), string(platform.StatusRefunded), string(platform.StatusError),
}

// healths are the callback healths a list can be filtered by, with what
// each means to a person.
var healths = []web.Choice{
	{Value: string(platform.CallbacksPending), Label: "pending: first attempt due"},
	{Value: string(platform.CallbacksOK), Label: "ok: delivered"},
	{Value: string(platform.CallbacksFailing), Label: "failing: retrying"},
	{Value: string(platform.CallbacksFailed), Label: "failed: gave up"},
	{Value: string(platform.CallbacksHeld), Label: "held: no URL or disabled"},
}

// clockDurations are the clock's quick moves on the dashboard.
var clockDurations = []string{"10s", "1m", "10m", "30m", "1h", "1d", "3d", "10d", "30d"}

func (s *Server) clockView() web.ClockView {
	return web.ClockView{Now: s.Engine.Clock().Now(), Frozen: s.Engine.Clock().Frozen()}
}

// liveHeader marks the requests a page makes to update itself: they leave
// the flash for the page the browser shows next.
const liveHeader = "X-Sandbox-Live"

// console returns what every console page of section has, taking the
// flash the last action left (unless the page is only updating itself).
func (s *Server) console(c echo.Context, section string) web.Console {
	con := web.Console{Section: section, Clock: s.clockView(), FormToken: s.Forms.Token()}
	if c.Request().Header.Get(liveHeader) == "" {
		con.Flash = s.flashOf(c)
	}
	return con
}

// safeReturn reports whether r may be redirected to after an action: a
// path of the dashboard, never another site.
func safeReturn(r string) bool {
	if r != "/dashboard" && !strings.HasPrefix(r, "/dashboard/") && !strings.HasPrefix(r, "/dashboard?") {
		return false
	}
	return !strings.ContainsAny(r, "\\\r\n") && !strings.Contains(r, "//")
}

// back redirects to where an action came from (its "return" field, or to),
// leaving its outcome as the flash of the next page.
func (s *Server) back(c echo.Context, to string, err error, okMessage string) error {
	f := web.Flash{OK: err == nil, Message: okMessage}
	if err != nil {
		f.Message = s.explain(c, err)
	}
	return s.flashTo(c, to, f)
}

// flashTo leaves f for the page the action goes back to: to, or the
// form's return field when it is a dashboard page.
func (s *Server) flashTo(c echo.Context, to string, f web.Flash) error {
	if r := c.FormValue("return"); safeReturn(r) {
		to = r
	}
	s.setFlash(c, f)
	return c.Redirect(http.StatusSeeOther, to)
}

// backTyped is back for a form the action refused with err: the page
// shows form again with the fields named as they were typed.
func (s *Server) backTyped(c echo.Context, to string, err error, form string, fields ...string) error {
	f := web.Flash{Message: s.explain(c, err), Form: form, Typed: make(map[string]string, len(fields))}
	for _, name := range fields {
		f.Typed[name] = c.FormValue(name)
	}
	return s.flashTo(c, to, f)
}

// explain words an error for a flash: what is wrong and how to fix it.
func (s *Server) explain(c echo.Context, err error) string {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		s.logFailure(c, err)
		return "The sandbox failed: " + err.Error()
	}
	msg := pe.Detail
	if msg == "" {
		msg = pe.Message
	}
	for _, f := range pe.Fields {
		if !strings.Contains(msg, f.Field) {
			msg += " (" + f.Field + ": " + f.Message + ")"
		}
	}
	return msg
}

func (s *Server) methodName(code string) string {
	if m, ok := s.Engine.Method(code); ok {
		return m.Name
	}
	return code
}

// row is p as a list shows it at the sandbox time now.
func (s *Server) row(p *platform.Payment, now time.Time) web.PaymentRow {
	r := web.PaymentRow{
		ProjectID: p.ProjectID, PaymentID: p.ID, MethodName: s.methodName(p.Method), Interface: p.Interface,
		Status: p.Status, Amount: p.Amount, Sum: p.Sum, Description: p.Description, Callbacks: p.Callbacks,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, URL: web.ConsolePaymentPath(p.Key()),
	}
	if !p.Callbacks.NextAttempt.IsZero() {
		r.NextIn = web.FormatCountdown(p.Callbacks.NextAttempt.Sub(now))
	}
	return r
}

func (s *Server) handleHome(c echo.Context) error {
	ctx := c.Request().Context()
	projects, err := s.Engine.Projects(ctx)
	if err != nil {
		return s.errorPage(c, err)
	}
	page := web.HomePage{Page: web.Page{Title: "ecommpay sandbox"}, BaseURL: s.Engine.BaseURL(), Clock: s.clockView(), Projects: projects}
	for _, m := range s.Engine.Methods() {
		card := web.MethodCard{Name: m.Name, Code: m.Code, Currencies: m.Currencies, GatePath: m.GatePath, ProviderID: m.ProviderID,
			ExampleSale: demoSale(m)}
		card.Links = append(card.Links, web.Link{Label: "Payments by " + m.Name, URL: "/dashboard?method=" + url.QueryEscape(m.Code)})
		for _, l := range m.Pages {
			card.Links = append(card.Links, web.Link{Label: l.Label, URL: l.URL})
		}
		page.Methods = append(page.Methods, card)
	}
	return s.Renderer.Write(c.Response(), http.StatusOK, "home", page)
}

// listQuery is what the payments list is asked for, as its URL says.
type listQuery struct {
	filter platform.PaymentFilter // what it says of project, status, method, callbacks and payment_id
	view   web.PaymentFilterView
	cursor string
}

// parseList reads the list's filter from the query. A value it cannot use
// is dropped and named in the returned problem, so the page still shows.
func (s *Server) parseList(c echo.Context) (listQuery, string) {
	var q listQuery
	v := &q.view
	v.ProjectID = strings.TrimSpace(c.QueryParam("project_id"))
	v.Status, v.Method = c.QueryParam("status"), c.QueryParam("method")
	v.Callbacks, v.Query = c.QueryParam("callbacks"), strings.TrimSpace(c.QueryParam("q"))
	q.cursor = c.QueryParam("cursor")
	var problems []string
	if v.ProjectID != "" {
		id, err := strconv.ParseInt(v.ProjectID, 10, 64)
		if err != nil || id <= 0 {
			problems = append(problems, fmt.Sprintf("project_id %q is not a project number", v.ProjectID))
			v.ProjectID = ""
		}
		q.filter.ProjectID = id
	}
	for _, field := range []struct {
		name  string
		value *string
	}{{"status", &v.Status}, {"method", &v.Method}, {"callbacks", &v.Callbacks}} {
		if problem := s.filterProblem(field.name, *field.value); problem != "" {
			problems = append(problems, problem)
			*field.value = ""
		}
	}
	q.filter.Status, q.filter.Method = platform.Status(v.Status), v.Method
	q.filter.Callbacks, q.filter.PaymentID = platform.CallbackHealth(v.Callbacks), v.Query
	v.Filtered = v.ProjectID != "" || v.Status != "" || v.Method != "" || v.Callbacks != "" || v.Query != ""
	if len(problems) == 0 {
		return q, ""
	}
	return q, "Part of the filter was ignored: " + strings.Join(problems, "; ") + "."
}

// filterProblem says why value cannot filter payments by field (status,
// method or callbacks), or "" when it can. The control API refuses such a
// filter; the console drops it and says so.
func (s *Server) filterProblem(field, value string) string {
	if value == "" {
		return ""
	}
	switch field {
	case "status":
		if !slices.Contains(statuses, value) {
			return fmt.Sprintf("status %q is not a payment status: use one of %q", value, statuses)
		}
	case "method":
		if _, ok := s.Engine.Method(value); !ok {
			return fmt.Sprintf("method %q is not a method of this sandbox: use one of %v", value, s.methodCodes())
		}
	case "callbacks":
		if !hasChoice(healths, value) {
			values := make([]string, len(healths))
			for i, h := range healths {
				values[i] = h.Value
			}
			return fmt.Sprintf("callbacks %q is not a callback health: use one of %v", value, values)
		}
	}
	return ""
}

func hasChoice(list []web.Choice, v string) bool {
	for _, c := range list {
		if c.Value == v {
			return true
		}
	}
	return false
}

// values is the query of a list filter, without its cursor.
func (q listQuery) values() url.Values {
	out := url.Values{}
	set := func(k, v string) {
		if v != "" {
			out.Set(k, v)
		}
	}
	set("project_id", q.view.ProjectID)
	set("status", q.view.Status)
	set("method", q.view.Method)
	set("callbacks", q.view.Callbacks)
	set("q", q.view.Query)
	return out
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// page lists one page of the filtered payments, newest first, from the
// query's cursor; next is the cursor of the page after it, "" on the last.
func (s *Server) page(ctx context.Context, q listQuery, limit int) ([]*platform.Payment, string, error) {
	f := q.filter
	f.Limit, f.Cursor = limit, q.cursor
	list, err := s.Engine.Payments(ctx, f)
	if err != nil {
		return nil, "", err
	}
	return list.Payments, list.Next, nil
}

func (s *Server) handleDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	q, problem := s.parseList(c)
	page := web.DashboardPage{
		Page: web.Page{Title: "Payments"}, Console: s.console(c, "payments"),
		Filter: q.view, Durations: clockDurations,
	}
	if problem != "" && page.Flash == nil {
		page.Flash = &web.Flash{Message: problem}
	}
	if err := s.filterChoices(ctx, &page.Filter); err != nil {
		return s.errorPage(c, err)
	}
	page.Filter.PageLimit = pageSize
	page.Refusals, page.RefusalsKept = s.refusalRows(q.view.ProjectID), platform.MaxRefusals
	ps, next, err := s.page(ctx, q, pageSize)
	if err != nil {
		return s.errorPage(c, err)
	}
	for _, p := range ps {
		page.Payments = append(page.Payments, s.row(p, page.Clock.Now))
	}
	vals := q.values()
	page.CSV = withQuery("/dashboard/payments.csv", vals)
	if q.cursor != "" {
		page.First = withQuery("/dashboard", vals)
	}
	if next != "" {
		vals.Set("cursor", next)
		page.Next = withQuery("/dashboard", vals)
	}
	return s.Renderer.Write(c.Response(), http.StatusOK, "dashboard", page)
}

// refusalsShown is how many refused Gate requests the dashboard shows.
const refusalsShown = 5

// refusalRows returns the newest Gate requests refused of project (a
// project ID as the filter has it, "" for every project).
func (s *Server) refusalRows(project string) []web.RefusalRow {
	id, _ := strconv.ParseInt(project, 10, 64)
	var rows []web.RefusalRow
	for _, r := range s.Engine.Refusals(id) {
		if len(rows) == refusalsShown {
			break
		}
		rows = append(rows, web.NewRefusalRow(r))
	}
	return rows
}

// filterChoices fills in what the list's filter offers.
func (s *Server) filterChoices(ctx context.Context, v *web.PaymentFilterView) error {
	projects, err := s.Engine.Projects(ctx)
	if err != nil {
		return err
	}
	for _, p := range projects {
		v.Projects = append(v.Projects, p.ID)
	}
	v.Statuses, v.Healths = statuses, healths
	for _, m := range s.Engine.Methods() {
		v.Methods = append(v.Methods, web.Choice{Value: m.Code, Label: m.Name})
	}
	return nil
}

// clockAdvanceForm names the clock's advance form when the dashboard
// refuses the duration typed in it (web.Flash.Form).
const clockAdvanceForm = "clock-advance"

func (s *Server) handleDashboardClock(c echo.Context) error {
	noWriteDeadline(c)
	ctx := c.Request().Context()
	var err error
	msg := ""
	switch param(c, "action") {
	case "advance":
		v := strings.TrimSpace(c.FormValue("custom"))
		if v == "" {
			v = c.FormValue("duration")
		}
		dur, perr := parseDuration(v)
		if perr != nil {
			return s.backTyped(c, "/dashboard", perr, clockAdvanceForm, "custom")
		}
		_, err = s.Engine.AdvanceFor(ctx, dur, platform.AllProjects)
		msg = "The clock moved forward by " + v + "; every job that fell due has run."
	case "set":
		v := strings.TrimSpace(c.FormValue("now"))
		t, perr := parseClockInput(v)
		if perr != nil {
			return s.back(c, "/dashboard", perr, "")
		}
		_, err = s.Engine.SetClockFor(ctx, t, platform.AllProjects)
		msg = "The clock is set to " + web.FormatTimeSeconds(t) + "; jobs keep their due times."
	case "freeze":
		err, msg = s.Engine.Freeze(ctx), "The clock is frozen."
	case "unfreeze":
		err, msg = s.Engine.Unfreeze(ctx), "The clock runs again."
	default:
		err = badRequest("there is no clock action %q; use advance, set, freeze or unfreeze", param(c, "action"))
	}
	return s.back(c, "/dashboard", err, msg)
}

// parseClockInput reads the time a datetime-local field sends (taken as
// UTC, with or without seconds) or an RFC 3339 time.
func parseClockInput(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, badRequest("say where to set the clock, e.g. 2026-03-02T09:00:00 (UTC)")
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, badRequest("%q is not a time such as 2026-03-02T09:00:00 (UTC) or an RFC 3339 time", v)
}

func (s *Server) handleDashboardResend(c echo.Context) error {
	id, err := strconv.ParseUint(param(c, "id"), 10, 64)
	if err != nil {
		return s.back(c, "/dashboard", badRequest("delivery id %q is not a number", param(c, "id")), "")
	}
	_, err = s.Engine.Resend(c.Request().Context(), id)
	return s.back(c, "/dashboard", err, "The callback is being resent now; it gets the whole retry schedule again.")
}

// resetConfirm is what the reset form must carry: only the confirmation
// page's form does.
const resetConfirm = "forget-every-payment"

func (s *Server) handleDashboardResetPage(c echo.Context) error {
	page := web.ResetPage{Page: web.Page{Title: "Reset payments"}, Console: s.console(c, "payments"), Confirm: resetConfirm}
	return s.Renderer.Write(c.Response(), http.StatusOK, "dashboard_reset", page)
}

func (s *Server) handleDashboardReset(c echo.Context) error {
	if c.FormValue("confirm") != resetConfirm {
		return s.back(c, "/dashboard/reset", badRequest("a reset forgets every payment: confirm it on this page first"), "")
	}
	err := s.Engine.Reset(c.Request().Context())
	return s.back(c, "/dashboard", err, "Every payment, callback and job is gone; projects and the clock stay.")
}

// errorPage is the one place the dashboard turns an error into a page: a
// *platform.Error becomes the page web.ErrorFrom makes of it; any other
// error a 500 page, logged.
func (s *Server) errorPage(c echo.Context, err error) error {
	if web.HTTPStatus(err) == http.StatusInternalServerError {
		s.logFailure(c, err)
	}
	page := web.ErrorFrom(err)
	page.Back = &web.Link{Label: "Back to the developer console", URL: "/dashboard"}
	return s.Renderer.Write(c.Response(), page.Status, "error", page)
}

// apiPrefixes are the paths where an unknown path is answered in JSON:
// programs call them.
var apiPrefixes = []string{"/sandbox/", "/v2/", "/operations/", "/shared/"}

// APIPath reports whether path belongs to an API programs call (the Gate,
// the control API under /sandbox/), whose errors are answered in JSON
// whoever asks; the developer console lives under /dashboard.
func APIPath(path string) bool {
	for _, prefix := range apiPrefixes {
		if strings.HasPrefix(path, prefix) || path == strings.TrimSuffix(prefix, "/") {
			return true
		}
	}
	return false
}

// handlePageNotFound answers a path nothing serves: JSON for programs (the
// APIs, or a client that does not ask for HTML, as curl's */*), a page for
// a browser.
func (s *Server) handlePageNotFound(c echo.Context) error {
	req := c.Request()
	p := req.URL.Path
	if APIPath(p) {
		return s.handleNotFound(c)
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead || !web.WantsPage(req) {
		return c.JSON(http.StatusNotFound, map[string]string{
			"error": fmt.Sprintf("%s %s is not an endpoint of the sandbox; GET / links to everything it serves", req.Method, p),
		})
	}
	page := web.NewErrorPage(http.StatusNotFound, "There is no page here",
		fmt.Sprintf("The sandbox has nothing at %s. Check the address, or start from the links below.", p))
	page.Back = &web.Link{Label: "Open the developer console", URL: "/dashboard"}
	return s.Renderer.Write(c.Response(), http.StatusNotFound, "error", page)
}
