package platform_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

func TestValidateProject(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("k", n) }
	tests := []struct {
		name  string
		p     platform.Project
		field string // "" when valid
		want  string
	}{
		{"valid", platform.Project{ID: 1, Secret: "secret", CallbackURL: "http://127.0.0.1:9000/cb"}, "", ""},
		{"secret at the limit", platform.Project{ID: 1, Secret: long(platform.MaxSecretLength)}, "", ""},
		{"no id", platform.Project{Secret: "s"}, "id", "positive"},
		{"no secret", platform.Project{ID: 1}, "secret", "must not be empty"},
		// The probe's 10 MB secret.
		{"10 MB secret", platform.Project{ID: 1, Secret: long(10 << 20)}, "secret", "is 10485760 bytes long; the limit is 512 bytes"},
		{"secret one byte over", platform.Project{ID: 1, Secret: long(platform.MaxSecretLength + 1)}, "secret", "the limit is 512 bytes"},
		{"relative callback URL", platform.Project{ID: 1, Secret: "s", CallbackURL: "/cb"}, "callback_url", "absolute"},
		{"huge check_deposit URL", platform.Project{ID: 1, Secret: "s", CheckDepositURL: "http://x/" + long(3000)}, "check_deposit_url", "the limit is 2048 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := platform.ValidateProject(tt.p)
			if tt.field == "" {
				assert.NoError(t, err)
				return
			}
			var pe *platform.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.field, pe.Fields[0].Field)
			assert.Contains(t, pe.Detail, tt.want)
			assert.Less(t, len(pe.Detail), 200, "the error quotes no huge value")
		})
	}
}

// TestValidateProjectListsEveryField checks that each wrong field is named,
// in the order of the project's fields, so the first error is always the
// same one.
func TestValidateProjectListsEveryField(t *testing.T) {
	t.Parallel()
	err := platform.ValidateProject(platform.Project{CallbackURL: "ftp://x", CheckDepositURL: "nope"})
	var pe *platform.Error
	require.ErrorAs(t, err, &pe)
	var fields []string
	for _, f := range pe.Fields {
		fields = append(fields, f.Field)
	}
	assert.Equal(t, []string{"id", "secret", "callback_url", "check_deposit_url"}, fields)
}
