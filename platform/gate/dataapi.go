package gate

// The Data API (docs/data-api.md, a sandbox choice of a subset of ecommpay's):
// POST /operations/get lists the operations of some projects in an interval,
// newest first, a page at a time. docs/data-api.md is its manual; what it
// decides is written here once, next to the code that does it:
//
//   - The body is signed at its top level ("signature") with the secret of
//     the first project in project_id. A request may list other projects
//     only when they share that secret: the sandbox has no merchant
//     accounts, so holding a project's secret is what lets one read it.
//   - The interval selects payments by the moment they were created (their
//     sale), from "from" to "to", both included, to the second, in UTC; every
//     operation of such a payment is listed, its refund included whenever it
//     came, so a payment's operations are never split across intervals.
//   - Newest first: payments by creation, newest first (payments created in
//     the same instant, as under a frozen clock, in the order project_id
//     lists their projects, then newest first); a payment's operations
//     newest first, its refund before its sale. limit and offset count
//     operations in that order.
//   - Checks run in the Gate's order and the first failure answers: JSON
//     (2003), project_id (2003 for its type, 2004 when missing, 2442 for an
//     unknown project), signature (3262, 3261), then the other fields: every
//     wrong type at once (2003), else every missing or unusable value at once
//     (2004), each error naming its field; of the fields it does not take,
//     the first ten in byte order are named and one more error counts the
//     rest.

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// Limits of a Data API request.
const (
	// IntervalLayout is how the Data API writes the bounds of an interval,
	// in UTC.
	IntervalLayout = "2006-01-02 15:04:05"
	// DefaultOperationsLimit is the page size of a request without limit.
	DefaultOperationsLimit = 100
	// MaxOperationsLimit is the largest limit a request may ask for.
	MaxOperationsLimit = 1000
	// MaxOperationsProjects is how many projects one request may list.
	MaxOperationsProjects = 100
	// MaxOperationsOffset is the largest offset a request may ask for.
	MaxOperationsOffset = 1_000_000_000
)

// operationsFields are the fields a Data API request may carry.
// maxUnknownNamed is how many fields the Data API does not take an answer
// names, an error each; one more error counts the rest, so that a body of
// many fields does not earn an answer ten times its size.
const maxUnknownNamed = 10

var operationsFields = []string{"project_id", "interval", "limit", "offset", "signature"}

// operationsQuery is a verified Data API request.
type operationsQuery struct {
	projects []platform.Project
	// from and to bound the payments' creation: from ≤ created < to, where
	// to is the end of the second the request names.
	from, to      time.Time
	limit, offset int
}

// operationsAnswer is the Data API's answer.
type operationsAnswer struct {
	Status    string   `json:"status"`
	ProjectID []int64  `json:"project_id"`
	Interval  interval `json:"interval"`
	Limit     int      `json:"limit"`
	Offset    int      `json:"offset"`
	// HasMore says the next page, at offset+limit, holds more operations.
	HasMore    bool             `json:"has_more"`
	Operations []operationEntry `json:"operations"`
}

type interval struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// operationEntry is one operation of a payment as the Data API lists it.
type operationEntry struct {
	ProjectID          int64                     `json:"project_id"`
	PaymentID          string                    `json:"payment_id"`
	PaymentMethod      string                    `json:"payment_method"`
	PaymentStatus      platform.Status           `json:"payment_status"`
	PaymentSum         platform.Sum              `json:"payment_sum"`
	PaymentCreatedAt   string                    `json:"payment_created_at"`
	Description        string                    `json:"description"`
	CustomerID         string                    `json:"customer_id"`
	OperationID        int64                     `json:"operation_id"`
	OperationType      string                    `json:"operation_type"`
	OperationStatus    platform.Status           `json:"operation_status"`
	OperationCreatedAt string                    `json:"operation_created_at"`
	OperationUpdatedAt string                    `json:"operation_updated_at"`
	RequestID          string                    `json:"request_id"`
	SumInitial         platform.Sum              `json:"sum_initial"`
	SumConverted       platform.Sum              `json:"sum_converted"`
	Code               string                    `json:"code"`
	Message            string                    `json:"message"`
	Provider           operationProvider         `json:"provider"`
	Errors             []platform.OperationError `json:"errors,omitempty"`
}

type operationProvider struct {
	ID        int    `json:"id"`
	PaymentID string `json:"payment_id"`
	AuthCode  string `json:"auth_code"`
	Date      string `json:"date,omitempty"`
}

// handleOperations answers POST /operations/get.
func (s *Server) handleOperations(c echo.Context) error {
	q, err := s.operationsQuery(c)
	if err != nil {
		return s.fail(c, ids{}, err)
	}
	ans, err := s.operations(c.Request().Context(), q)
	if err != nil {
		return s.fail(c, ids{}, err)
	}
	return c.JSON(http.StatusOK, ans)
}

// operationsQuery reads and verifies a Data API request.
func (s *Server) operationsQuery(c echo.Context) (operationsQuery, error) {
	raw, err := io.ReadAll(io.LimitReader(c.Request().Body, s.MaxBody+1))
	if err != nil {
		return operationsQuery{}, fmt.Errorf("read body: %w", err)
	}
	if int64(len(raw)) > s.MaxBody {
		return operationsQuery{}, platform.Errorf(platform.CodeInvalidJSON, "the body is larger than %d bytes", s.MaxBody)
	}
	data, err := jsonObject(raw, c.Request().Header.Get(echo.HeaderContentType))
	if err != nil {
		return operationsQuery{}, platform.Errorf(platform.CodeInvalidJSON,
			`the body must be a JSON object such as {"project_id":[1],"interval":{"from":"2026-03-01 00:00:00","to":"2026-03-31 23:59:59"},"signature":"…"}: %v`, err)
	}
	var q operationsQuery
	if q.projects, err = s.operationsProjects(c.Request().Context(), data["project_id"]); err != nil {
		return operationsQuery{}, err
	}
	if err := checkOperationsSignature(data, q.projects); err != nil {
		return operationsQuery{}, err
	}
	var typeErrs, valueErrs []platform.FieldError
	bad := func(code int, field, format string, args ...any) {
		fe := platform.FieldError{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
		if code == platform.CodeInvalidJSON {
			typeErrs = append(typeErrs, fe)
		} else {
			valueErrs = append(valueErrs, fe)
		}
	}
	unknown := 0
	for _, k := range slices.Sorted(maps.Keys(data)) {
		if slices.Contains(operationsFields, k) {
			continue
		}
		if unknown++; unknown <= maxUnknownNamed {
			bad(platform.CodeRequiredField, k, "is not a field the sandbox's Data API takes: it reads project_id, interval, limit and offset, and filters by nothing else")
		}
	}
	if unknown > maxUnknownNamed {
		bad(platform.CodeRequiredField, "", "and %d more fields the sandbox's Data API does not take", unknown-maxUnknownNamed)
	}
	q.from, q.to = readInterval(data["interval"], bad)
	q.limit = readCount(data, "limit", DefaultOperationsLimit, 1, MaxOperationsLimit, bad)
	q.offset = readCount(data, "offset", 0, 0, MaxOperationsOffset, bad)
	if len(typeErrs) > 0 {
		return operationsQuery{}, fieldsError(platform.CodeInvalidJSON, typeErrs)
	}
	if len(valueErrs) > 0 {
		return operationsQuery{}, fieldsError(platform.CodeRequiredField, valueErrs)
	}
	return q, nil
}

// operationsProjects reads project_id, a list of project IDs, and finds
// each project. A project listed twice counts once.
func (s *Server) operationsProjects(ctx context.Context, v any) ([]platform.Project, error) {
	const example = "a list of project IDs such as [1] or [1, 2]"
	list, ok := v.([]any)
	switch {
	case v == nil || ok && len(list) == 0:
		return nil, fieldsError(platform.CodeRequiredField, []platform.FieldError{{Code: platform.CodeRequiredField, Field: "project_id",
			Message: "is required: " + example}})
	case !ok:
		return nil, fieldsError(platform.CodeInvalidJSON, []platform.FieldError{{Code: platform.CodeInvalidJSON, Field: "project_id",
			Message: fmt.Sprintf("must be %s, not %s", example, describe(v))}})
	case len(list) > MaxOperationsProjects:
		return nil, fieldsError(platform.CodeRequiredField, []platform.FieldError{{Code: platform.CodeRequiredField, Field: "project_id",
			Message: fmt.Sprintf("lists %d projects: one request reads at most %d", len(list), MaxOperationsProjects)}})
	}
	var projectIDs []int64
	var errs []platform.FieldError
	for i, item := range list {
		id, err := wholeNumber(item)
		if err != nil || id <= 0 {
			errs = append(errs, platform.FieldError{Code: platform.CodeInvalidJSON, Field: "project_id." + strconv.Itoa(i),
				Message: fmt.Sprintf("must be a project ID (a positive whole number), not %s", describe(item))})
			continue
		}
		if !slices.Contains(projectIDs, id) {
			projectIDs = append(projectIDs, id)
		}
	}
	if len(errs) > 0 {
		return nil, fieldsError(platform.CodeInvalidJSON, errs)
	}
	projects := make([]platform.Project, 0, len(projectIDs))
	for _, id := range projectIDs {
		p, err := s.Engine.Project(ctx, id)
		if platform.ErrorCode(err) == platform.CodeProjectNotFound {
			i := slices.IndexFunc(list, func(item any) bool { n, _ := wholeNumber(item); return n == id })
			errs = append(errs, platform.FieldError{Code: platform.CodeProjectNotFound, Field: "project_id." + strconv.Itoa(i),
				Message: fmt.Sprintf("there is no project %d in this sandbox", id)})
			continue
		} else if err != nil {
			return nil, err
		}
		projects = append(projects, p)
	}
	if len(errs) > 0 {
		return nil, fieldsError(platform.CodeProjectNotFound, errs)
	}
	return projects, nil
}

// checkOperationsSignature verifies a Data API request with the secret of
// its first project, and that every other project listed shares it.
func checkOperationsSignature(data map[string]any, projects []platform.Project) error {
	signer := projects[0]
	got, _ := data["signature"].(string)
	err := signature.Verify(data, got, signer.Secret)
	switch {
	case errors.Is(err, signature.ErrEmpty):
		return fieldsError(platform.CodeEmptySignature, []platform.FieldError{{Code: platform.CodeEmptySignature, Field: "signature",
			Message: fmt.Sprintf("the request is not signed: sign the body with the secret of project %d, the first in project_id, and put it in signature", signer.ID)}})
	case err != nil:
		e := fieldsError(platform.CodeInvalidSignature, []platform.FieldError{{Code: platform.CodeInvalidSignature, Field: "signature",
			Message: fmt.Sprintf("does not match the body signed with the secret of project %d, the first in project_id: %v", signer.ID, err)}})
		e.Err = err
		return e
	}
	var errs []platform.FieldError
	for i, p := range projects[1:] {
		if subtle.ConstantTimeCompare([]byte(p.Secret), []byte(signer.Secret)) != 1 {
			errs = append(errs, platform.FieldError{Code: platform.CodeInvalidSignature, Field: "project_id." + strconv.Itoa(i+1),
				Message: fmt.Sprintf("project %d has a secret of its own: a request signed with the secret of project %d reads only the projects that share it; ask for project %d in a request signed with its secret",
					p.ID, signer.ID, p.ID)})
		}
	}
	if len(errs) > 0 {
		return fieldsError(platform.CodeInvalidSignature, errs)
	}
	return nil
}

// readInterval reads interval.from and interval.to and returns the moments
// they bound: from itself and the end of the second to names.
func readInterval(v any, bad func(code int, field, format string, args ...any)) (from, to time.Time) {
	const how = "a time in UTC written YYYY-MM-DD hh:mm:ss, such as 2026-03-02 09:00:00"
	if v == nil {
		bad(platform.CodeRequiredField, "interval", `is required: {"from":"2026-03-01 00:00:00","to":"2026-03-31 23:59:59"}, both included`)
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		bad(platform.CodeInvalidJSON, "interval", `must be an object such as {"from":"2026-03-01 00:00:00","to":"2026-03-31 23:59:59"}, not %s`, describe(v))
		return
	}
	read := func(name string) (time.Time, bool) {
		field := "interval." + name
		switch s := m[name].(type) {
		case nil:
			bad(platform.CodeRequiredField, field, "is required: %s", how)
		case string:
			t, err := time.Parse(IntervalLayout, strings.TrimSpace(s))
			if err != nil {
				bad(platform.CodeRequiredField, field, "must be %s, not %q", how, s)
				return time.Time{}, false
			}
			return t, true
		default:
			bad(platform.CodeInvalidJSON, field, "must be a string, %s, not %s", how, describe(s))
		}
		return time.Time{}, false
	}
	from, okFrom := read("from")
	to, okTo := read("to")
	if !okFrom || !okTo {
		return time.Time{}, time.Time{}
	}
	if from.After(to) {
		bad(platform.CodeRequiredField, "interval", "runs backwards: from (%s) is after to (%s); swap them",
			from.Format(IntervalLayout), to.Format(IntervalLayout))
		return time.Time{}, time.Time{}
	}
	return from, to.Add(time.Second)
}

// readCount reads an optional whole number from lo to hi, def when it is
// absent.
func readCount(data map[string]any, field string, def, lo, hi int, bad func(code int, field, format string, args ...any)) int {
	v, ok := data[field]
	if !ok {
		return def
	}
	rng := fmt.Sprintf("from %d to %d", lo, hi)
	n, err := wholeNumber(v)
	if err != nil {
		bad(platform.CodeInvalidJSON, field, "must be a whole number %s, not %s", rng, describe(v))
		return def
	}
	if n < int64(lo) || n > int64(hi) {
		bad(platform.CodeRequiredField, field, "must be %s, not %d", rng, n)
		return def
	}
	return int(n)
}

// operations lists the page of operations q asks for.
func (s *Server) operations(ctx context.Context, q operationsQuery) (operationsAnswer, error) {
	ans := operationsAnswer{
		Status:     "success",
		Interval:   interval{From: q.from.Format(IntervalLayout), To: q.to.Add(-time.Second).Format(IntervalLayout)},
		Limit:      q.limit,
		Offset:     q.offset,
		Operations: []operationEntry{},
	}
	// Each payment has at least one operation, so offset+limit+1 payments
	// of each project are enough to fill the page and see past its end.
	need := q.offset + q.limit + 1
	lists := make([][]*platform.Payment, len(q.projects))
	for i, p := range q.projects {
		ans.ProjectID = append(ans.ProjectID, p.ID)
		ps, err := s.createdIn(ctx, p.ID, q.from, q.to, need)
		if err != nil {
			return operationsAnswer{}, fmt.Errorf("operations of project %d: %w", p.ID, err)
		}
		lists[i] = ps
	}
	skipped := 0
	for p := range newestFirst(lists) {
		for i := len(p.Operations) - 1; i >= 0; i-- {
			switch {
			case skipped < q.offset:
				skipped++
			case len(ans.Operations) < q.limit:
				ans.Operations = append(ans.Operations, s.operationEntry(p, &p.Operations[i]))
			default:
				ans.HasMore = true
				return ans, nil
			}
		}
	}
	return ans, nil
}

// createdIn returns up to n payments of a project created from from to
// before to, newest first, read through the store's indexes.
func (s *Server) createdIn(ctx context.Context, projectID int64, from, to time.Time, n int) ([]*platform.Payment, error) {
	page, err := s.Engine.Payments(ctx, platform.PaymentFilter{ProjectID: projectID, CreatedFrom: from, CreatedTo: to, Limit: n})
	if err != nil {
		return nil, err
	}
	return page.Payments, nil
}

// newestFirst merges lists of payments, each newest first, into one, newest
// first; payments created in the same instant come in the order of their
// lists.
func newestFirst(lists [][]*platform.Payment) func(yield func(*platform.Payment) bool) {
	return func(yield func(*platform.Payment) bool) {
		heads := make([]int, len(lists))
		for {
			best := -1
			for i, l := range lists {
				if heads[i] == len(l) {
					continue
				}
				if best < 0 || l[heads[i]].CreatedAt.After(lists[best][heads[best]].CreatedAt) {
					best = i
				}
			}
			if best < 0 {
				return
			}
			p := lists[best][heads[best]]
			heads[best]++
			if !yield(p) {
				return
			}
		}
	}
}

func (s *Server) operationEntry(p *platform.Payment, op *platform.Operation) operationEntry {
	m, _ := s.Engine.Method(p.Method)
	method := m.PaymentMethod
	if method == "" {
		method = p.Method
	}
	e := operationEntry{
		ProjectID: p.ProjectID, PaymentID: p.ID, PaymentMethod: method, PaymentStatus: p.Status, PaymentSum: p.Sum,
		PaymentCreatedAt: platform.FormatDate(p.CreatedAt), Description: p.Description, CustomerID: p.Customer.ID,
		OperationID: op.ID, OperationType: op.Type, OperationStatus: op.Status,
		OperationCreatedAt: platform.FormatDate(op.CreatedAt), OperationUpdatedAt: platform.FormatDate(op.UpdatedAt),
		RequestID: op.RequestID, SumInitial: op.Sum, SumConverted: op.Converted, Code: op.Code, Message: op.Message,
		Provider: operationProvider{ID: m.ProviderID, PaymentID: op.ProviderPaymentID, AuthCode: op.AuthCode},
		Errors:   op.Errors,
	}
	if !op.ProviderDate.IsZero() {
		e.Provider.Date = platform.FormatDate(op.ProviderDate)
	}
	return e
}

// fieldsError is an error of code naming the fields at fault.
func fieldsError(code int, fields []platform.FieldError) *platform.Error {
	e := &platform.Error{Code: code, Message: platform.CodeMessage(code), Fields: fields}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + " " + f.Message
	}
	e.Detail = strings.Join(parts, "; ")
	return e
}
