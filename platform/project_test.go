package platform_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
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
		{"a space after the callback URL", platform.Project{ID: 1, Secret: "s", CallbackURL: "http://127.0.0.1:9000/cb "}, "callback_url", `"http://127.0.0.1:9000/cb " has white space at its start or end`},
		{"a newline before the check_deposit URL", platform.Project{ID: 1, Secret: "s", CheckDepositURL: "\nhttp://127.0.0.1:9000/cd"}, "check_deposit_url", "white space at its start or end"},
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

// countingViews counts the read transactions of a store; after each, it
// calls then, when set.
type countingViews struct {
	platform.Store
	views atomic.Int64
	then  func()
}

func (s *countingViews) View(ctx context.Context, fn func(platform.Tx) error) error {
	s.views.Add(1)
	err := s.Store.View(ctx, fn)
	if s.then != nil {
		s.then()
	}
	return err
}

// TestProjectIsReadOnceUntilItChanges asks for a project again and again,
// as every Gate request does: the store is read once, until PutProject
// changes the project, and what a caller does to the project it got
// changes nothing for the next.
func TestProjectIsReadOnceUntilItChanges(t *testing.T) {
	t.Parallel()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	store := &countingViews{Store: db}
	eng, _, _ := newEngineOn(t, store)
	ctx := context.Background()
	want := project5
	want.Methods = map[string]platform.MethodSettings{"test": {MaxAmount: 500}}
	require.NoError(t, eng.PutProject(ctx, want))

	before := store.views.Load()
	for range 3 {
		got, err := eng.Project(ctx, project5.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		got.Methods["test"] = platform.MethodSettings{MaxAmount: 1} // a caller's change to its copy
	}
	assert.Equal(t, int64(1), store.views.Load()-before, "the project is read from the store once")

	want.Secret = "changed"
	require.NoError(t, eng.PutProject(ctx, want))
	got, err := eng.Project(ctx, project5.ID)
	require.NoError(t, err)
	assert.Equal(t, "changed", got.Secret, "PutProject's change is seen at once")

	_, err = eng.Project(ctx, 404)
	assert.Equal(t, platform.CodeProjectNotFound, platform.ErrorCode(err))

	// A project changed while it was being read is not kept as it was.
	want.Secret = "changed again"
	require.NoError(t, eng.PutProject(ctx, want))
	store.then = func() {
		store.then = nil
		want.Secret = "changed meanwhile"
		require.NoError(t, eng.PutProject(ctx, want))
	}
	got, err = eng.Project(ctx, project5.ID)
	require.NoError(t, err)
	assert.Equal(t, "changed again", got.Secret, "what the read found")
	got, err = eng.Project(ctx, project5.ID)
	require.NoError(t, err)
	assert.Equal(t, "changed meanwhile", got.Secret, "the change made during the read")
}
