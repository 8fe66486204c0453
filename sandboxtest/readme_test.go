package sandboxtest_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// TestCheckout is the README's Go test (its "From Go"), as the README
// shows it: TestTheReadmeShowsTestCheckout holds the README to this copy,
// which compiles and passes.
func TestCheckout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb := sandboxtest.New(t, sandboxtest.WithProject(sandboxtest.Project{ID: 842, Secret: "s3cret"}))
	// Your code sends its sale to sb.URL() as project 842; here the helper signs one.
	res, err := sb.Gate(ctx, 842, "/v2/payment/voucher/loterica/sale", map[string]any{
		"general":  map[string]any{"payment_id": "order-1"},
		"payment":  map[string]any{"amount": 10000, "currency": "USD"},
		"customer": map[string]any{"id": "customer-1", "ip_address": "198.51.100.7"},
	})
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("sale: %v %s", err, res.Body)
	}
	sb.AwaitCallback(t, "order-1", "awaiting redirect result")
	if err := sb.Pay(ctx, 842, "order-1", nil); err != nil {
		t.Fatal(err)
	}
	sb.AwaitCallback(t, "order-1", "success")
	// Or, unpaid, the voucher lapses: AwaitCallback(t, "order-1", "decline")
	// moves the clock the 3 days that takes.
}

// TestTheReadmeShowsTestCheckout: the README's ```go block is TestCheckout
// above, so that the example a newcomer copies compiles and passes.
func TestTheReadmeShowsTestCheckout(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	_, shown, ok := strings.Cut(string(readme), "\n```go\n")
	require.True(t, ok, "README.md has a ```go block")
	shown, _, ok = strings.Cut(shown, "\n```\n")
	require.True(t, ok, "README.md's ```go block is closed")

	src, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	_, here, ok := strings.Cut(string(src), "\nfunc TestCheckout(")
	require.True(t, ok, "readme_test.go has TestCheckout")
	here, _, ok = strings.Cut(here, "\n}\n")
	require.True(t, ok)
	assert.Equal(t, "func TestCheckout("+here+"\n}", shown,
		"README.md's Go test differs from TestCheckout in sandboxtest/readme_test.go: change both")
}
