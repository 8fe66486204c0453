package platform

import (
	"fmt"
	"strings"
)

// Limits of a project's fields. A secret longer than any real project's
// key, or a URL longer than servers take, is a mistake (a file pasted into
// the field), and every callback would carry its cost.
const (
	// MaxSecretLength bounds a project's secret key, in bytes.
	MaxSecretLength = 512
	// MaxURLLength bounds a project's callback and check_deposit URLs, in
	// bytes.
	MaxURLLength = 2048
)

// ValidateProject checks a project before it is stored.
func ValidateProject(p Project) error {
	var fields []FieldError
	add := func(field, format string, args ...any) {
		fields = append(fields, FieldError{Code: CodeInvalidRequest, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if p.ID <= 0 {
		add("id", "must be a positive integer")
	}
	switch {
	case p.Secret == "":
		add("secret", "must not be empty: it is the key callbacks and requests are signed with")
	case len(p.Secret) > MaxSecretLength:
		add("secret", "is %d bytes long; the limit is %d bytes", len(p.Secret), MaxSecretLength)
	}
	for _, u := range []struct{ name, value string }{{"callback_url", p.CallbackURL}, {"check_deposit_url", p.CheckDepositURL}} {
		switch {
		case u.value == "":
		case len(u.value) > MaxURLLength:
			add(u.name, "is %d bytes long; the limit is %d bytes", len(u.value), MaxURLLength)
		case strings.TrimSpace(u.value) != u.value:
			add(u.name, "%q has white space at its start or end, which would be sent as part of the URL: remove it", u.value)
		default:
			if !IsHTTPURL(u.value) {
				add(u.name, "%q is not an absolute http(s) URL", u.value)
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalidRequest, Message: "Invalid project", Detail: fields[0].Field + " " + fields[0].Message, Fields: fields}
}
