package sandboxtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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

// A merchant of your own: your server takes the callbacks (here an
// httptest server standing for your handler, which checks the signature
// with your SDK), so the sandbox's merchant sees none of them;
// WaitDeliveries moves the clock until your server's state, or the
// delivery log, says what the test waits for.
func ExampleSandbox_WaitDeliveries() {
	ctx := context.Background()
	paid := make(chan string, 10)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cb struct {
			Payment struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"payment"`
		}
		if err := json.NewDecoder(r.Body).Decode(&cb); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		paid <- cb.Payment.Status
		w.WriteHeader(http.StatusOK)
	}))
	defer shop.Close()
	sb, err := sandboxtest.Start(ctx, sandboxtest.WithProject(sandboxtest.Project{
		ID: 842, Secret: "s3cret", CallbackURL: shop.URL + "/ecommpay/callback",
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()

	methods, err := sb.Methods(ctx)
	if err != nil {
		log.Fatal(err)
	}
	loterica := methods[slices.IndexFunc(methods, func(m sandboxtest.Method) bool { return m.Code == "loterica" })]
	body, err := loterica.Sale("order-3")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sb.Gate(ctx, 842, loterica.GatePath, body); err != nil {
		log.Fatal(err)
	}
	// The voucher lapses after 3 days; the decline callback is the second.
	ds, ok, err := sb.WaitDeliveries(ctx, 842, "order-3", 4*24*time.Hour, func(ds []sandboxtest.Delivery) bool {
		return len(ds) == 2 && ds[1].Status == "delivered"
	})
	if err != nil || !ok {
		log.Fatalf("no decline callback reached the shop: %v, %d callbacks", err, len(ds))
	}
	fmt.Println("the shop got:", <-paid, "then", <-paid)
	// Output:
	// the shop got: awaiting redirect result then decline
}

// A merchant that fails a callback once gets it again on ecommpay's
// schedule, 10 s later in sandbox time: AwaitCallback moves the clock
// there, and the delivery log has both attempts.
func ExampleMerchant_SetReply() {
	ctx := context.Background()
	sb, err := sandboxtest.Start(ctx, sandboxtest.WithProject(sandboxtest.Project{ID: 842, Secret: "s3cret"}))
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	sb.Merchant().SetReply(sandboxtest.KindCallback, "order-4", sandboxtest.Reply{FailFirst: 1, FailStatus: http.StatusServiceUnavailable})

	methods, err := sb.Methods(ctx)
	if err != nil {
		log.Fatal(err)
	}
	body, err := methods[0].Sale("order-4")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sb.Gate(ctx, 842, methods[0].GatePath, body); err != nil {
		log.Fatal(err)
	}
	if _, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "order-4", Within: time.Minute}); err != nil {
		log.Fatal(err)
	}
	ds, err := sb.Deliveries(ctx, 842, "order-4")
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range ds[0].Attempts {
		fmt.Println(a.At.Format(time.TimeOnly), a.Status)
	}
	// Output:
	// 09:00:00 503
	// 09:00:10 200
}

// The provider declines a payment with a code of its own, and the
// decline callback carries it.
func ExampleSandbox_Fail() {
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
	body, err := methods[0].Sale("order-5")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sb.Gate(ctx, 842, methods[0].GatePath, body); err != nil {
		log.Fatal(err)
	}
	if err := sb.Fail(ctx, 842, "order-5", 20105); err != nil {
		log.Fatal(err)
	}
	cb, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "order-5", Status: "decline"})
	if err != nil {
		log.Fatal(err)
	}
	var decline struct {
		Operation struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"operation"`
	}
	if err := cb.Decode(&decline); err != nil {
		log.Fatal(err)
	}
	fmt.Println(decline.Operation.Code, decline.Operation.Message)
	// Output:
	// 20105 Insufficient funds on customer account
}

// A card-partner payment paid, then refunded through the Gate: the
// method's RefundPath, signed as a sale is.
func ExampleMethod_refund() {
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
	card := methods[slices.IndexFunc(methods, func(m sandboxtest.Method) bool { return m.RefundPath != "" })]
	body, err := card.Sale("order-6")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sb.Gate(ctx, 842, card.GatePath, body); err != nil {
		log.Fatal(err)
	}
	if err := sb.Pay(ctx, 842, "order-6", sandboxtest.PayInput{Card: "4242424242424242"}); err != nil {
		log.Fatal(err)
	}
	if _, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "order-6", Status: "success"}); err != nil {
		log.Fatal(err)
	}
	res, err := sb.Gate(ctx, 842, card.RefundPath, map[string]any{"general": map[string]any{"payment_id": "order-6"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(card.Code, "refund answered", res.Status)
	cb, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "order-6", Status: "refunded"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("callback:", cb.Status)
	// Output:
	// card-partner refund answered 200
	// callback: refunded
}

// The Payment Page link your shop builds for a customer is the one
// PaymentPageURL signs for the same parameters; opening it shows the page.
func ExampleSandbox_PaymentPageURL() {
	ctx := context.Background()
	sb, err := sandboxtest.Start(ctx, sandboxtest.WithProject(sandboxtest.Project{ID: 842, Secret: "s3cret"}))
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	link, err := sb.PaymentPageURL(842, map[string]string{
		"payment_id": "order-7", "payment_amount": "10000", "payment_currency": "USD", "customer_id": "customer-1",
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := sb.Do(ctx, http.MethodGet, link, nil)
	if err != nil {
		log.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Path, slices.Sorted(maps.Keys(u.Query())))
	fmt.Println("the page answered", res.Status)
	// Output:
	// /payment [customer_id payment_amount payment_currency payment_id project_id signature]
	// the page answered 200
}
