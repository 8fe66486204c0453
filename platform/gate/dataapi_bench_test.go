package gate_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
)

// benchStart is when the first stored payment of a benchmark was created;
// the others follow one a second.
var benchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// benchSandbox is a sandbox holding n payments of project 2, created one a
// second from benchStart, written straight into the store in large
// transactions (the engine would sync each one).
func benchSandbox(b *testing.B, n int) *app.Sandbox {
	b.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, app.Options{
		DataFile:  filepath.Join(b.TempDir(), "sandbox.db"),
		PublicURL: "http://127.0.0.1:8080",
		Seed:      1,
		Clock:     platform.ClockState{Frozen: true, FrozenAt: benchStart.Add(time.Duration(n) * time.Second)},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Close() })
	if err := a.Engine.PutProject(ctx, platform.Project{ID: 2, Secret: "shared"}); err != nil {
		b.Fatal(err)
	}
	const batch = 5000
	for first := 0; first < n; first += batch {
		err := a.Store.Update(ctx, func(tx platform.Tx) error {
			for i := first; i < min(first+batch, n); i++ {
				at := benchStart.Add(time.Duration(i) * time.Second)
				sum := platform.Sum{Amount: 10000, Currency: "USD"}
				p := &platform.Payment{
					ProjectID: 2, ID: fmt.Sprintf("p-%06d", i), Method: "loterica", Interface: platform.InterfaceGate,
					Status: platform.StatusSuccess, Amount: sum, Sum: sum, Customer: platform.Customer{ID: "c"},
					Operations: []platform.Operation{{ID: int64(1_000_000_000 + i), Type: platform.OperationSale, Status: platform.StatusSuccess,
						Sum: sum, Converted: sum, Code: "0", Message: "Success", CreatedAt: at, UpdatedAt: at}},
					CreatedAt: at, UpdatedAt: at,
				}
				if err := tx.CreatePayment(p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return a
}

// BenchmarkOperationsGet asks for a page of 100 operations through the real
// router, out of stores of growing size. "oldest" asks for the first 100
// payments ever stored, behind every other; "newest" for the last 100. With
// the store's time index both cost the same whatever the store holds.
func BenchmarkOperationsGet(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		a := benchSandbox(b, n)
		for _, page := range []struct {
			name  string
			first int // the first payment the interval holds
		}{{"oldest", 0}, {"newest", n - 100}} {
			from := benchStart.Add(time.Duration(page.first) * time.Second)
			body := signedBody(b, map[string]any{
				"project_id": []int{2},
				"interval":   map[string]any{"from": from.Format("2006-01-02 15:04:05"), "to": from.Add(99 * time.Second).Format("2006-01-02 15:04:05")},
				"limit":      100,
			}, "shared")
			b.Run(fmt.Sprintf("stored=%d/%s", n, page.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec := postOperations(a, body)
					if rec.Code != http.StatusOK {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
			})
		}
	}
}
