package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/callback"
)

// forwardRun is what the load of the forwarding ceiling measured.
type forwardRun struct {
	load     loadResult
	merchant *receiver
}

// loadForwarder measures the second ceiling, for d: an echo endpoint that
// also does the one thing every sandbox must do for a sale besides deciding
// and storing it, send the merchant a callback. It reads the sale's payment
// ID from its JSON, answers at once, and queues a callback of the size of
// the sandbox's redirect callback, which senders POST to a local merchant
// over kept-alive connections, as many at once as the sandbox's outbox
// sends to one merchant and with the sandbox's HTTP client. No signature,
// no decision, no storage, no fsync: no sandbox that sends a callback per
// sale can beat its rate on this machine.
func (b *bench) loadForwarder(ctx context.Context, d time.Duration) (*forwardRun, error) {
	merchant := newReceiver(b.ids(benchForwardPrefix), b.o.MaxRequests)
	msrv, murl, err := serveLoopback(merchant)
	if err != nil {
		return nil, err
	}
	defer msrv.Close()

	queue := make(chan string, 1<<16)
	client := callback.NewClient()
	defer client.CloseIdleConnections()
	var senders sync.WaitGroup
	for range platform.DefaultSendsPerMerchant {
		senders.Go(func() {
			for id := range queue {
				forwardCallback(ctx, client, murl+"/callbacks", id)
			}
		})
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/forward", func(c echo.Context) error {
		var sale struct {
			General struct {
				PaymentID string `json:"payment_id"`
			} `json:"general"`
		}
		if err := json.NewDecoder(c.Request().Body).Decode(&sale); err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"status": "error"})
		}
		queue <- sale.General.PaymentID
		return c.JSON(http.StatusOK, map[string]string{"status": "success"})
	})
	srv, url, err := serveLoopback(e)
	if err != nil {
		return nil, err
	}
	bodies, err := newSaleBodies(benchProject, benchSecret, b.ids(benchForwardPrefix))
	if err != nil {
		srv.Close()
		return nil, err
	}
	run := &forwardRun{merchant: merchant}
	run.load = runLoad(ctx, loadSpec{url: url + "/forward", body: bodies.sale, connections: b.o.Connections,
		duration: d, maxRequests: b.o.MaxRequests})
	srv.Close()
	close(queue)
	senders.Wait()
	return run, nil
}

// benchForwardPrefix starts the payment IDs of the forwarding ceiling's
// load, so that its receiver counts its own callbacks only.
const benchForwardPrefix = "forward-"

// forwardCallbackBody is a redirect callback as the sandbox sends it for a
// bench sale, with ID for the payment ID and a signature's length of
// padding: the body the forwarding ceiling POSTs.
var forwardCallbackBody = strings.Split(`{"operation":{"code":"0","created_date":"2026-03-02T09:00:00+0000",`+
	`"date":"2026-03-02T09:00:00+0000","id":5782738302,"message":"Awaiting redirect result","provider":{"auth_code":"",`+
	`"id":1414,"payment_id":"80481e3cdb22"},"request_id":"cfcc4d76f815e9cd2b9a","status":"awaiting redirect result",`+
	`"sum_converted":{"amount":10000,"currency":"MXN"},"sum_initial":{"amount":10000,"currency":"MXN"},"type":"sale"},`+
	`"payment":{"date":"2026-03-02T09:00:00+0000","description":"Order ID","id":"ID","method":"oxxo",`+
	`"status":"awaiting redirect result","sum":{"amount":10000,"currency":"MXN"},"type":"purchase"},"project_id":4242,`+
	`"redirect_data":{"body":[],"method":"GET","url":"http://127.0.0.1:8080/providers/oxxo/vouchers/15764275627119"},`+
	`"signature":"`+strings.Repeat("x", 88)+`"}`, `"id":"ID"`)

// forwardCallback POSTs the callback of payment id to url and reads the
// answer; a failed send is dropped (the receiver counts what arrived).
func forwardCallback(ctx context.Context, client *http.Client, url, id string) {
	body := forwardCallbackBody[0] + `"id":"` + id + `"` + forwardCallbackBody[1]
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(body)))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
}

// forwardLine prints the forwarding ceiling's figures.
func (b *bench) forwardLine(f *forwardRun, echoRes loadResult) {
	b.line("echo+callback", f.load, fmt.Sprintf("%.2f× echo's rate: the ceiling of any sandbox that sends one callback per sale", ratio(f.load.rate(), echoRes.rate())))
	b.printf("%-14s", "  its callbacks")
	b.callbackLine(f.merchant, f.load)
}
