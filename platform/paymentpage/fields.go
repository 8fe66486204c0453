package paymentpage

import (
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// fieldSpec is how the form asks for one Payment Page parameter.
type fieldSpec struct {
	Type, Autocomplete, InputMode string
	// Hint is shown under the field when the table has it.
	Hint bool
}

// fieldSpecs are the customer parameters a method may require (Method.
// PageRequired); any other is asked for as plain text.
var fieldSpecs = map[string]fieldSpec{
	"customer_first_name": {Type: "text", Autocomplete: "given-name"},
	"customer_last_name":  {Type: "text", Autocomplete: "family-name"},
	"customer_email":      {Type: "email", Autocomplete: "email", InputMode: "email", Hint: true},
	"customer_phone":      {Type: "tel", Autocomplete: "tel", InputMode: "tel", Hint: true},
	"identify_doc_number": {Type: "text", Autocomplete: "off", InputMode: "numeric", Hint: true},
	"customer_country":    {Type: "text", Autocomplete: "country"},
	"customer_city":       {Type: "text", Autocomplete: "address-level2"},
	"customer_address":    {Type: "text", Autocomplete: "street-address"},
	"customer_zip":        {Type: "text", Autocomplete: "postal-code"},
}

// maxFieldLength bounds what a customer types into one field.
const maxFieldLength = 255

// askedFields returns the parameters of m the form asks the customer for,
// in the method's order: those the request lacks, and those it sent with a
// value the method refuses (a document number of the wrong length, an
// email that is not one). The page asks for a refused value again rather
// than let the provider decline the payment for it: the customer can
// correct it, which a declined payment_id no longer allows. t speaks the
// page's language.
func askedFields(m platform.Method, p params, t web.Translator) []string {
	var out []string
	for _, name := range m.PageRequired {
		if !p.has(name) || fieldProblem(m, name, p.get(name), t) != "" {
			out = append(out, name)
		}
	}
	return out
}

// sentValues is what the form shows before the customer typed anything:
// the value the shop sent for each asked field, with what is wrong with
// it; the fields the shop left out are empty and not yet in error.
func sentValues(m platform.Method, p params, names []string, t web.Translator) typed {
	in := typed{values: map[string]string{}, errs: map[string]string{}}
	for _, name := range names {
		v := p.get(name)
		if v == "" {
			continue
		}
		if len(v) > maxFieldLength {
			v = v[:maxFieldLength]
		}
		in.values[name] = v
		if why := fieldProblem(m, name, v, t); why != "" {
			in.errs[name] = t.T("error.sent") + " " + why
		}
	}
	return in
}

// fieldProblem says what is wrong with a non-empty value of the parameter
// name, in t's language, or "": an email's format, then the method's own
// rule (Method.CheckField).
func fieldProblem(m platform.Method, name, v string, t web.Translator) string {
	switch {
	case fieldSpecs[name].Type == "email" && !validEmail(v):
		return t.T("error.email")
	case m.CheckField != nil:
		if why := m.CheckField(name, v, t.Lang()); why != "" {
			return platform.Sentence(why)
		}
	}
	return ""
}

// typed is what the customer typed into the form: the value of each field,
// spaces trimmed, and what is wrong with it.
type typed struct {
	values map[string]string
	errs   map[string]string
}

// check reads the fields the form asked for and checks each: presence,
// then fieldProblem.
// Messages are in t's language, the method's own too.
func check(m platform.Method, names []string, form map[string][]string, t web.Translator) typed {
	in := typed{values: map[string]string{}, errs: map[string]string{}}
	for _, name := range names {
		v := ""
		if vs := form[name]; len(vs) > 0 {
			v = strings.TrimSpace(vs[0])
		}
		if len(v) > maxFieldLength {
			v = v[:maxFieldLength]
		}
		in.values[name] = v
		if v == "" {
			key := "error.required." + name
			if !t.Has(key) {
				key = "error.required"
			}
			in.errs[name] = t.T(key)
		} else if why := fieldProblem(m, name, v, t); why != "" {
			in.errs[name] = why
		}
	}
	return in
}

// ok reports whether every field passed.
func (in typed) ok() bool { return len(in.errs) == 0 }

// validEmail is a plain check of an email address: one @, something
// before it, a domain with a dot after it, no spaces.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.ContainsAny(s, " \t<>()[],;:\\\"") || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.LastIndex(domain, ".")
	return dot > 0 && dot < len(domain)-1 && !strings.HasPrefix(domain, ".") && !strings.Contains(domain, "..")
}

// formFields builds the form's fields for names, with what was typed and
// what is wrong with it.
func formFields(names []string, in typed, t web.Translator) []web.PaymentField {
	out := make([]web.PaymentField, 0, len(names))
	for _, name := range names {
		spec, ok := fieldSpecs[name]
		if !ok {
			spec = fieldSpec{Type: "text"}
		}
		f := web.PaymentField{
			Name: name, Type: spec.Type, Autocomplete: spec.Autocomplete, InputMode: spec.InputMode,
			Value: in.values[name], Error: in.errs[name],
		}
		if key := "field." + name; t.Has(key) {
			f.Label = t.T(key)
		} else {
			f.Label = name
		}
		if key := "hint." + name; spec.Hint && t.Has(key) {
			f.Hint = t.T(key)
		}
		out = append(out, f)
	}
	return out
}
