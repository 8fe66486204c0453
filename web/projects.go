package web

import (
	"slices"
	"strconv"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// ProjectsPage lists the projects, each editable in place, with a form for
// a new one.
type ProjectsPage struct {
	Page
	Console
	Projects []ProjectRow
}

// ProjectRow is one project: its secret (masked until revealed), where its
// callbacks and check_deposit requests go, and the method settings it
// overrides.
type ProjectRow struct {
	ID              int64
	Secret          string
	CallbackURL     string
	CheckDepositURL string
	Methods         []string
}

// Anchor is the row's id on the page.
func (r ProjectRow) Anchor() string { return "project-" + strconv.FormatInt(r.ID, 10) }

// LinksPage builds a signed Payment Page link, as a merchant's backend
// does: a form, and the link it made.
type LinksPage struct {
	Page
	Console
	Form       LinkForm
	Projects   []int64
	Methods    []Choice // force_payment_method values
	Currencies []string
	Languages  []string
	// Problems say what is wrong with the form, when something is.
	Problems []LinkProblem
	Link     *BuiltLink
}

// LinkProblem is what is wrong with one field of the link form.
type LinkProblem struct {
	Field   string // the id of the field it is about, "l-amount"
	Message string
}

// Invalid reports whether a problem is about the field with id.
func (p LinksPage) Invalid(id string) bool {
	return slices.ContainsFunc(p.Problems, func(pr LinkProblem) bool { return pr.Field == id })
}

// LinkForm is the payment-link form as it was filled in.
type LinkForm struct {
	ProjectID   string
	PaymentID   string
	Amount      string // in major units: "25.00"
	Currency    string
	Method      string
	CustomerID  string
	Email       string
	FirstName   string
	LastName    string
	Description string
	Language    string
}

// BuiltLink is a signed Payment Page link with what went into it.
type BuiltLink struct {
	URL    string
	Amount platform.Sum
	// Signed is the string the signature was made of.
	Signed string
	Params []FormField
	// Note says what will happen to a payment of the link that the
	// merchant may not expect, such as a decline; "" when nothing.
	Note string
}

// ResetPage asks before every payment is forgotten.
type ResetPage struct {
	Page
	Console
	// Confirm is the value the form's confirm field must carry.
	Confirm string
}
