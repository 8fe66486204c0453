package voucher

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Gate paths of the customer's fields a voucher method checks.
const (
	DocNumberField = "customer.identify.doc_number"
	EmailField     = "customer.email"
)

// Payment Page parameters a voucher method checks (Method.CheckField).
const (
	ParamDocNumber = "identify_doc_number"
	ParamEmail     = "customer_email"
)

// CheckField is the method's Method.CheckField: it checks a Payment Page
// parameter the customer typed with the method's rule and returns what is
// wrong with it in lang, or "". It checks identify_doc_number when the
// method has a document rule (Config.DocNumberLengths) and customer_email
// when the method requires it; any other parameter passes.
func (p *Provider) CheckField(param, value, lang string) string {
	value = strings.TrimSpace(value)
	t := web.NewTranslator(lang).With(words)
	english := t.Lang() == web.DefaultLanguage
	switch {
	case param == ParamDocNumber && len(p.cfg.DocNumberLengths) > 0:
		e := CheckDigits(param, value, p.cfg.DocNumberLengths...)
		switch {
		case e == nil:
		case english:
			return e.Message
		case value != "" && strings.IndexFunc(value, func(r rune) bool { return r < '0' || r > '9' }) >= 0:
			return t.T("v.field.doc.digits", lengthsIn(t, p.cfg.DocNumberLengths))
		default:
			return t.T("v.field.doc.length", lengthsIn(t, p.cfg.DocNumberLengths), len(value))
		}
	case param == ParamEmail && slices.Contains(p.cfg.Method.PageRequired, ParamEmail):
		if e := CheckEmail(param, value); e != nil {
			if english {
				return e.Message
			}
			return t.T("v.field.email")
		}
	}
	return ""
}

// lengthsIn writes lengths for people in t's language: "10 to 18", "7, 8
// o 11".
func lengthsIn(t web.Translator, lengths []int) string {
	ls := slices.Clone(lengths)
	slices.Sort(ls)
	ls = slices.Compact(ls)
	switch {
	case len(ls) > 2 && ls[len(ls)-1]-ls[0] == len(ls)-1:
		return t.T("v.lengths.range", ls[0], ls[len(ls)-1])
	case len(ls) == 1:
		return strconv.Itoa(ls[0])
	}
	parts := make([]string, len(ls)-1)
	for i, n := range ls[:len(ls)-1] {
		parts[i] = strconv.Itoa(n)
	}
	return t.T("v.lengths.or", strings.Join(parts, ", "), ls[len(ls)-1])
}

// CheckEmail checks that value is a bare email address, name@example.com:
// no display name, no angle brackets, a domain with a dot. It returns the
// operation error that names field, or nil when value passes.
func CheckEmail(field, value string) *platform.OperationError {
	const rule = "must be an email address such as name@example.com"
	fail := func(why string) *platform.OperationError {
		return &platform.OperationError{Code: platform.DeclineGeneral, Field: field, Message: rule + "; " + why}
	}
	if value == "" {
		return fail("it is missing")
	}
	addr, err := mail.ParseAddress(value)
	if err != nil || addr.Address != value || addr.Name != "" {
		return fail(fmt.Sprintf("%q is not one", value))
	}
	_, domain, _ := strings.Cut(addr.Address, "@")
	if !strings.Contains(strings.Trim(domain, "."), ".") {
		return fail(fmt.Sprintf("the domain %q has no dot", domain))
	}
	return nil
}

// DigitsBetween returns the lengths min through max, for CheckDigits and
// DocNumberDigits: Oxxo's document number has 10 to 18 digits.
func DigitsBetween(min, max int) []int {
	var out []int
	for n := min; n <= max; n++ {
		out = append(out, n)
	}
	return out
}

// CheckDigits checks that value is made of digits only, as many as one of
// lengths. It returns the operation error that names field and the rule,
// or nil when value passes.
func CheckDigits(field, value string, lengths ...int) *platform.OperationError {
	rule := "must be " + describeLengths(lengths) + " digits"
	fail := func(why string) *platform.OperationError {
		return &platform.OperationError{Code: platform.DeclineGeneral, Field: field, Message: rule + "; " + why}
	}
	switch {
	case value == "":
		return fail("it is missing")
	case strings.IndexFunc(value, func(r rune) bool { return r < '0' || r > '9' }) >= 0:
		return fail("it contains characters that are not digits")
	case !slices.Contains(lengths, len(value)):
		return fail(fmt.Sprintf("it has %d", len(value)))
	}
	return nil
}

// DocNumberDigits returns a Config.CheckCustomer that checks the customer's
// document number (customer.identify.doc_number) with CheckDigits:
// DocNumberDigits(DigitsBetween(10, 18)...) for Oxxo, DocNumberDigits(7, 8,
// 11) for Rapipago.
func DocNumberDigits(lengths ...int) func(p *platform.Payment) []platform.OperationError {
	lengths = slices.Clone(lengths)
	slices.Sort(lengths)
	return func(p *platform.Payment) []platform.OperationError {
		if e := CheckDigits(DocNumberField, p.Customer.DocNumber, lengths...); e != nil {
			return []platform.OperationError{*e}
		}
		return nil
	}
}

// describeLengths writes lengths for people: "10 to 18", "7, 8 or 11".
func describeLengths(lengths []int) string {
	if len(lengths) == 0 {
		return "any number of"
	}
	ls := slices.Clone(lengths)
	slices.Sort(ls)
	ls = slices.Compact(ls)
	if len(ls) > 2 && ls[len(ls)-1]-ls[0] == len(ls)-1 {
		return fmt.Sprintf("%d to %d", ls[0], ls[len(ls)-1])
	}
	parts := make([]string, len(ls))
	for i, n := range ls {
		parts[i] = strconv.Itoa(n)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// DocNumberHelp is the Method.FieldHelp of a method whose document number
// has these lengths: what customer.identify.doc_number must be.
func DocNumberHelp(lengths ...int) map[string]string {
	return map[string]string{DocNumberField: "the number of the customer's identity document, " + describeLengths(lengths) + " digits"}
}

// PersonGateRequired lists the Gate fields of a method that knows its
// customer by name, email and identity document (Oxxo, Rapipago), with the
// customer's ID and IP address every sale needs.
func PersonGateRequired() []string {
	return []string{"customer.id", "customer.ip_address", "customer.first_name", "customer.last_name", EmailField, DocNumberField}
}

// PersonPageRequired lists the same as Payment Page parameters, which the
// page asks the customer for when the merchant did not send them.
func PersonPageRequired() []string {
	return []string{"customer_first_name", "customer_last_name", ParamEmail, ParamDocNumber}
}
