package platform

import (
	"fmt"
	"net/url"
)

// ValidateProject checks a project before it is stored.
func ValidateProject(p Project) error {
	var fields []FieldError
	if p.ID <= 0 {
		fields = append(fields, FieldError{Code: CodeInvalidRequest, Field: "id", Message: "must be a positive integer"})
	}
	if p.Secret == "" {
		fields = append(fields, FieldError{Code: CodeInvalidRequest, Field: "secret", Message: "must not be empty: it is the key callbacks and requests are signed with"})
	}
	for name, u := range map[string]string{"callback_url": p.CallbackURL, "check_deposit_url": p.CheckDepositURL} {
		if u == "" {
			continue
		}
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			fields = append(fields, FieldError{Code: CodeInvalidRequest, Field: name, Message: fmt.Sprintf("%q is not an absolute http(s) URL", u)})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalidRequest, Message: "Invalid project", Detail: fields[0].Field + " " + fields[0].Message, Fields: fields}
}
