package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
)

// storePayments stores n payments of the test project straight into a's
// store, one second apart: a mix of methods, statuses and callback
// healths, as a long-lived sandbox holds them.
func storePayments(b *testing.B, a *app.Sandbox, n int) {
	b.Helper()
	methods := []string{"oxxo", "card-partner", "rapipago", "loterica", "eco-voucher"}
	healths := []platform.CallbackHealth{platform.CallbacksOK, platform.CallbacksOK, platform.CallbacksFailing, platform.CallbacksPending, platform.CallbacksHeld}
	const batch = 5000
	for from := 0; from < n; from += batch {
		err := a.Store.Update(context.Background(), func(tx platform.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				at := frozenAt.Add(time.Duration(i-n) * time.Second)
				status := platform.StatusSuccess
				if i%10 == 0 {
					status = platform.StatusDecline
				}
				sum := platform.Sum{Amount: int64(1000 + i%5000), Currency: "USD"}
				p := &platform.Payment{
					ProjectID: testProject, ID: fmt.Sprintf("bench-%06d", i), Method: methods[i%len(methods)],
					Interface: platform.InterfaceGate, Status: status, Amount: sum, Sum: sum,
					Description: "Order " + fmt.Sprint(i), Customer: platform.Customer{ID: "c-1"},
					Operations: []platform.Operation{{ID: int64(i + 1), Type: platform.OperationSale, Status: status, Sum: sum, Converted: sum, CreatedAt: at, UpdatedAt: at}},
					Callbacks:  platform.CallbackSummary{Health: healths[i%len(healths)], Count: 1, Attempts: 1 + i%3, LastStatus: 200, LastAt: at},
					CreatedAt:  at, UpdatedAt: at,
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
}

// BenchmarkDashboardPage renders the payments list through the real
// handler with 1 000 and with 100 000 payments stored: its first page, a
// filtered page, and a search by payment_id. The 1 000 rows are the
// baseline: a page should cost about the same however many payments are
// stored (the target is under 50 ms a page at 100 000).
func BenchmarkDashboardPage(b *testing.B) {
	for _, stored := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("stored=%d", stored), func(b *testing.B) {
			a, _ := benchApp(b, 0)
			storePayments(b, a, stored)
			for _, page := range []struct{ name, path string }{
				{"first", "/dashboard"},
				{"filtered", "/dashboard?method=oxxo&status=decline"},
				{"search", fmt.Sprintf("/dashboard?q=bench-%06d", stored/2)},
			} {
				b.Run(page.name, func(b *testing.B) {
					for b.Loop() {
						req := httptest.NewRequest(http.MethodGet, page.path, nil)
						req.Host = "127.0.0.1"
						rec := httptest.NewRecorder()
						a.Handler.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("GET %s: %d %s", page.path, rec.Code, rec.Body.String())
						}
					}
				})
			}
		})
	}
}
