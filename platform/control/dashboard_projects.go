package control

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
	"github.com/ecommpay-sandbox/sandbox/web"
)

const projectsPath = "/dashboard/projects"

// newProjectForm names the new project form in a refusal's flash.
const newProjectForm = "new-project"

func projectAnchor(id int64) string { return projectsPath + "#project-" + itoa(id) }

func (s *Server) handleDashboardProjects(c echo.Context) error {
	ps, err := s.Engine.Projects(c.Request().Context())
	if err != nil {
		return s.errorPage(c, err)
	}
	page := web.ProjectsPage{Page: web.Page{Title: "Projects"}, Console: s.console(c, "projects")}
	for _, p := range ps {
		r := web.ProjectRow{ID: p.ID, Secret: p.Secret, CallbackURL: p.CallbackURL, CheckDepositURL: p.CheckDepositURL}
		for code := range p.Methods {
			r.Methods = append(r.Methods, s.methodName(code))
		}
		slices.Sort(r.Methods)
		page.Projects = append(page.Projects, r)
	}
	return s.Renderer.Write(c.Response(), http.StatusOK, "dashboard_projects", page)
}

// projectID reads a project ID from a form field or a path parameter.
func projectID(v string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("project_id %q is not a positive whole number: type the project's number, such as 2", v)
	}
	return id, nil
}

// handleDashboardProject creates a project. One that exists is edited in
// its own row, so that a typo in the ID cannot replace another project.
func (s *Server) handleDashboardProject(c echo.Context) error {
	refused := func(to string, err error) error {
		return s.backTyped(c, to, err, newProjectForm, "id", "secret", "callback_url", "check_deposit_url")
	}
	id, err := projectID(c.FormValue("id"))
	if err != nil {
		return refused(projectsPath, err)
	}
	ctx := c.Request().Context()
	if _, err := s.Engine.Project(ctx, id); err == nil {
		return refused(projectAnchor(id), badRequest("project %d exists already: change it with Edit in its row", id))
	}
	p := platform.Project{ID: id, Secret: c.FormValue("secret"),
		CallbackURL: strings.TrimSpace(c.FormValue("callback_url")), CheckDepositURL: strings.TrimSpace(c.FormValue("check_deposit_url"))}
	if err := s.Engine.PutProject(ctx, p); err != nil {
		return refused(projectsPath, err)
	}
	return s.back(c, projectAnchor(id), nil, fmt.Sprintf("Project %d is created.", id))
}

// handleDashboardProjectEdit changes a project's URLs and, when one is
// typed, its secret; its method settings stay.
func (s *Server) handleDashboardProjectEdit(c echo.Context) error {
	id, err := projectID(param(c, "id"))
	if err != nil {
		return s.back(c, projectsPath, err, "")
	}
	ctx := c.Request().Context()
	p, err := s.Engine.Project(ctx, id)
	if err != nil {
		return s.back(c, projectsPath, err, "")
	}
	if secret := c.FormValue("secret"); secret != "" {
		p.Secret = secret
	}
	p.CallbackURL = strings.TrimSpace(c.FormValue("callback_url"))
	p.CheckDepositURL = strings.TrimSpace(c.FormValue("check_deposit_url"))
	if err := s.Engine.PutProject(ctx, p); err != nil {
		// The secret typed is not shown again: the edit form never shows one.
		return s.backTyped(c, projectAnchor(id), err, "project-"+itoa(id), "callback_url", "check_deposit_url")
	}
	return s.back(c, projectAnchor(id), nil, fmt.Sprintf("Project %d is saved.", id))
}

// handleDashboardTestCallback sends a project's callback URL a signed test
// callback and shows what the merchant answered.
func (s *Server) handleDashboardTestCallback(c echo.Context) error {
	id, err := projectID(param(c, "id"))
	if err != nil {
		return s.back(c, projectsPath, err, "")
	}
	a, err := s.Engine.TestCallback(c.Request().Context(), id)
	if err != nil {
		return s.back(c, projectAnchor(id), err, "")
	}
	av := web.AttemptOf(1, a)
	f := web.Flash{OK: a.OK(), Answer: &av}
	switch {
	case a.OK():
		f.Message = fmt.Sprintf("Project %d's callback URL answered 200 in %s: the test callback is delivered.", id, av.Latency)
	case a.Status != 0:
		f.Message = fmt.Sprintf("Project %d's callback URL answered %d, so a real callback would be retried: %s.", id, a.Status, a.Error)
	default:
		f.Message = fmt.Sprintf("Project %d's callback URL did not answer: %s.", id, a.Error)
	}
	s.setFlash(c, f)
	return c.Redirect(http.StatusSeeOther, projectAnchor(id))
}

func randomPaymentID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return "link-" + hex.EncodeToString(b)
}

// handleDashboardLinks shows the payment-link form and, once it is filled
// in, the signed Payment Page link it makes. Nothing is stored: the link
// is what a merchant's backend would build.
func (s *Server) handleDashboardLinks(c echo.Context) error {
	ctx := c.Request().Context()
	ps, err := s.Engine.Projects(ctx)
	if err != nil {
		return s.errorPage(c, err)
	}
	page := web.LinksPage{Page: web.Page{Title: "Payment links"}, Console: s.console(c, "links"), Languages: web.Languages()}
	for _, p := range ps {
		page.Projects = append(page.Projects, p.ID)
	}
	seen := map[string]bool{}
	for _, m := range s.Engine.Methods() {
		if len(m.ForceCodes) > 0 {
			page.Methods = append(page.Methods, web.Choice{Value: m.ForceCodes[0], Label: m.Name})
		}
		for _, cur := range m.Currencies {
			if !seen[cur] {
				seen[cur] = true
				page.Currencies = append(page.Currencies, cur)
			}
		}
	}
	slices.Sort(page.Currencies)
	q := c.QueryParams()
	f := web.LinkForm{
		ProjectID: q.Get("project_id"), PaymentID: strings.TrimSpace(q.Get("payment_id")), Amount: strings.TrimSpace(q.Get("amount")),
		Currency: strings.ToUpper(strings.TrimSpace(q.Get("currency"))), Method: q.Get("method"),
		CustomerID: strings.TrimSpace(q.Get("customer_id")), Email: strings.TrimSpace(q.Get("customer_email")),
		FirstName: strings.TrimSpace(q.Get("customer_first_name")), LastName: strings.TrimSpace(q.Get("customer_last_name")),
		Description: q.Get("description"), Language: q.Get("language"),
	}
	build := f.ProjectID != ""
	if !build {
		f = web.LinkForm{Amount: "25.00", Currency: "USD", CustomerID: "customer-1", Language: web.DefaultLanguage, Description: "Sandbox hoodie"}
		if len(ps) > 0 {
			f.ProjectID = itoa(ps[0].ID)
		}
	}
	if f.PaymentID == "" {
		f.PaymentID = s.NewPaymentID()
	}
	page.Form = f
	if build {
		page.Link, page.Problems = s.buildLink(c, f)
	}
	return s.Renderer.Write(c.Response(), http.StatusOK, "dashboard_links", page)
}

// buildLink signs the Payment Page link the form describes, or says what
// is wrong with the form.
func (s *Server) buildLink(c echo.Context, f web.LinkForm) (*web.BuiltLink, []web.LinkProblem) {
	var problems []web.LinkProblem
	problem := func(field, msg string) { problems = append(problems, web.LinkProblem{Field: field, Message: msg}) }
	id, err := projectID(f.ProjectID)
	var project platform.Project
	if err == nil {
		project, err = s.Engine.Project(c.Request().Context(), id)
	}
	if err != nil {
		problem("l-project", s.explain(c, err))
	}
	if len(f.Currency) != 3 || strings.Trim(f.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		problem("l-currency", fmt.Sprintf("currency %q is not a three-letter ISO 4217 code such as USD", f.Currency))
	}
	amount, aerr := parseAmount(f.Amount, f.Currency)
	if aerr != nil {
		problem("l-amount", aerr.Error())
	}
	if f.CustomerID == "" {
		problem("l-customer", "customer ID is required: the Payment Page needs customer_id")
	}
	var note string
	if f.Method != "" {
		m, ok := s.Engine.MethodByForceCode(f.Method)
		switch {
		case !ok:
			problem("l-method", fmt.Sprintf("there is no method %q", f.Method))
		case !m.Supports(f.Currency):
			// As on ecommpay, the Payment Page takes the link and the
			// sale declines it: a way to see the merchant's decline.
			note = fmt.Sprintf("%s does not take %s (it takes %s): the Payment Page takes this link and the sale is declined with 20000, as ecommpay declines it; the callback tells your server",
				m.Name, f.Currency, strings.Join(m.Currencies, ", "))
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	p := map[string]string{
		"project_id": itoa(project.ID), "payment_id": f.PaymentID, "payment_amount": strconv.FormatInt(amount, 10),
		"payment_currency": f.Currency, "customer_id": f.CustomerID, "language_code": web.Language(f.Language),
	}
	for k, v := range map[string]string{"customer_email": f.Email, "customer_first_name": f.FirstName,
		"customer_last_name": f.LastName, "payment_description": f.Description, "force_payment_method": f.Method} {
		if v != "" {
			p[k] = v
		}
	}
	data := make(map[string]any, len(p))
	for k, v := range p {
		data[k] = v
	}
	signed := signature.Canonical(data)
	sig := signature.SignString(signed, project.Secret)
	vals := url.Values{}
	keys := make([]string, 0, len(p))
	for k, v := range p {
		vals.Set(k, v)
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals.Set("signature", sig)
	l := &web.BuiltLink{URL: s.Engine.BaseURL() + "/payment?" + vals.Encode(), Signed: signed,
		Amount: platform.Sum{Amount: amount, Currency: f.Currency}, Note: note}
	for _, k := range keys {
		l.Params = append(l.Params, web.FormField{Name: k, Value: p[k]})
	}
	l.Params = append(l.Params, web.FormField{Name: "signature", Value: sig})
	return l, nil
}

// parseAmount reads an amount in major units ("25", "25.5", "25.00") into
// minor units of currency.
func parseAmount(v, currency string) (int64, error) {
	exp := web.Exponent(currency)
	whole, frac, hasFrac := strings.Cut(v, ".")
	bad := errors.New("amount " + strconv.Quote(v) + " is not an amount such as 25.00 in " + currency)
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || (hasFrac && frac == "") {
		return 0, bad
	}
	if len(frac) > exp {
		rounded := whole
		if exp > 0 {
			rounded += "." + frac[:exp]
		}
		return 0, fmt.Errorf("amount %q has more decimals than %s has (%d): round it, such as %s", v, currency, exp, rounded)
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > 1e15 {
		return 0, bad
	}
	return n, nil
}
