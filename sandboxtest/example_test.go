package sandboxtest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// A merchant's test of an Oxxo payment, from the Gate sale to the success
// callback. In your own test write sb := sandboxtest.New(t, …) instead of
// Start and Close, and sb.AwaitCallback(t, "order-1", "success"), which
// fails the test when the callback does not come.
func Example() {
	ctx := context.Background()
	sb, err := sandboxtest.Start(ctx, sandboxtest.WithProject(sandboxtest.Project{ID: 842, Secret: "s3cret"}))
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()

	// Your code sends a sale to sb.URL(); here the helper signs it.
	res, err := sb.Gate(ctx, 842, "/v2/payment/voucher/oxxo/sale", map[string]any{
		"general": map[string]any{"payment_id": "order-1"},
		"payment": map[string]any{"amount": 10000, "currency": "MXN"},
		"customer": map[string]any{
			"id": "customer-1", "ip_address": "198.51.100.7", "first_name": "Guido", "last_name": "Marques",
			"email": "guido@example.com", "identify": map[string]any{"doc_number": "1234567890"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sale answered", res.Status)

	// The merchant gets the voucher to show the customer...
	cb, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "order-1", Status: "awaiting redirect result"})
	if err != nil {
		log.Fatal(err)
	}
	var redirect struct {
		RedirectData struct {
			Method string `json:"method"`
		} `json:"redirect_data"`
	}
	if err := cb.Decode(&redirect); err != nil {
		log.Fatal(err)
	}
	fmt.Println("send the customer to the voucher with", redirect.RedirectData.Method)

	// ...who pays it at a terminal.
	if err := sb.Pay(ctx, 842, "order-1", sandboxtest.PayInput{Channel: "terminal"}); err != nil {
		log.Fatal(err)
	}
	cb, err = sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "order-1", Status: "success"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("callback:", cb.Status)
	// Output:
	// sale answered 200
	// send the customer to the voucher with GET
	// callback: success
}

// Setting the clock forward runs what falls due on the way: a Lotérica
// voucher lapses three days after it was issued, and the payment's decline
// callback has gone out when SetClock returns. Set back, the clock shows
// the past and the payment stays declined.
func ExampleSandbox_SetClock() {
	ctx := context.Background()
	sb, err := sandboxtest.Start(ctx, sandboxtest.WithProject(sandboxtest.Project{ID: 842, Secret: "s3cret"}))
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()

	_, err = sb.Gate(ctx, 842, "/v2/payment/voucher/loterica/sale", map[string]any{
		"general":  map[string]any{"payment_id": "order-2"},
		"payment":  map[string]any{"amount": 10000, "currency": "USD"},
		"customer": map[string]any{"id": "customer-1", "ip_address": "198.51.100.7"},
	})
	if err != nil {
		log.Fatal(err)
	}
	issued, err := time.Parse(time.RFC3339, sandboxtest.DefaultTime)
	if err != nil {
		log.Fatal(err)
	}
	now, err := sb.SetClock(ctx, issued.Add(3*24*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the clock stands at", now.Format(time.RFC3339))
	cb, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "order-2", Status: "decline"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("callback:", cb.Status)

	now, err = sb.SetClock(ctx, issued)
	if err != nil {
		log.Fatal(err)
	}
	p, err := sb.Payment(ctx, 842, "order-2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("set back to", now.Format(time.RFC3339), "the payment is still", p["status"])
	// Output:
	// the clock stands at 2026-01-08T09:00:00Z
	// callback: decline
	// set back to 2026-01-05T09:00:00Z the payment is still decline
}

// Every method's example sale, sent to its Gate endpoint: a body to start
// from when a test needs a sale of any method, or of each.
func ExampleMethod_Sale() {
	ctx := context.Background()
	sb, err := sandboxtest.Start(ctx, sandboxtest.WithProject(sandboxtest.Project{ID: 842, Secret: "s3cret"}))
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()

	methods, err := sb.Methods(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range methods {
		body, err := m.Sale("order-" + m.Code)
		if err != nil {
			log.Fatal(err)
		}
		res, err := sb.Gate(ctx, 842, m.GatePath, body)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m.Code, m.GatePath, res.Status)
	}
	// Output:
	// oxxo /v2/payment/voucher/oxxo/sale 200
	// loterica /v2/payment/voucher/loterica/sale 200
	// rapipago /v2/payment/voucher/rapipago/sale 200
	// eco-voucher /v2/payment/voucher/eco-voucher/sale 200
	// card-partner /v2/payment/card-partner/sale 200
}
