package bolt

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// A real payment, as a sandbox stores it, for the benchmarks and the growth
// test: an Oxxo sale through the Gate whose voucher is paid at a terminal,
// with its "awaiting redirect result" and "success" callbacks each delivered
// at the first attempt. The values and the order of the writes follow a
// real run (the engine's steps, one transaction each); IDs and times vary
// from payment to payment as they do in a real store.
type realPayments struct {
	project int64
	start   time.Time
	rnd     *rand.Rand
}

func newRealPayments(seed uint64) *realPayments {
	return &realPayments{project: 842, start: base, rnd: rand.New(rand.NewPCG(seed, 7))}
}

// hex returns n random bytes as hex.
func (r *realPayments) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.rnd.Uint32())
	}
	return fmt.Sprintf("%x", b)
}

func (r *realPayments) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0' + byte(r.rnd.IntN(10))
	}
	return string(b)
}

// paymentSteps are the writes of one payment's life, each a transaction.
type paymentSteps [](func(tx platform.Tx) error)

// steps returns the writes of payment i. Job and delivery IDs come from
// the store's sequences, as the engine takes them.
func (r *realPayments) steps(i int) paymentSteps {
	now := r.start.Add(time.Duration(i) * 37 * time.Millisecond)
	id := fmt.Sprintf("order-%d", i)
	k := platform.PaymentKey{ProjectID: r.project, PaymentID: id}
	ref := r.digits(14)
	requestID, providerID := r.hex(10), r.hex(6)
	url := "http://127.0.0.1:39711/callbacks"
	sum := platform.Sum{Amount: int64(1000 + r.rnd.IntN(100000)), Currency: "USD"}
	p := &platform.Payment{
		ProjectID: r.project, ID: id, Method: "oxxo", Interface: platform.InterfaceGate, Status: platform.StatusProcessing,
		Amount: sum, Sum: sum, Description: "Order " + id,
		Customer: platform.Customer{ID: r.digits(6), IPAddress: "66.249.64.45", FirstName: "Paul", LastName: "Marques",
			Email: "paul@example.com", DocNumber: r.digits(11)},
		Operations: []platform.Operation{{ID: 1000000000 + int64(i), Type: platform.OperationSale, Status: platform.StatusProcessing,
			RequestID: requestID, Sum: sum, Converted: sum, CreatedAt: now, UpdatedAt: now}},
		CreatedAt: now, UpdatedAt: now,
	}
	sigs := [2]string{r.signature(), r.signature()}
	latency := [2]time.Duration{time.Duration(300_000 + r.rnd.IntN(2_000_000)), time.Duration(300_000 + r.rnd.IntN(2_000_000))}
	var jobIDs [3]uint64
	var deliveryIDs [2]uint64
	paid := now.Add(time.Duration(1+r.rnd.IntN(3600)) * time.Second)

	body := func(status platform.Status, message string, redirect bool) []byte {
		b := fmt.Sprintf(`{"project_id":%d,"payment":{"id":%q,"type":"purchase","status":%q,"date":%q,"method":"oxxo","sum":{"amount":%d,"currency":"USD"},"description":%q},`+
			`"customer":{"id":%q},"operation":{"id":%d,"type":"sale","status":%q,"date":%q,"created_date":%q,"request_id":%q,`+
			`"sum_initial":{"amount":%d,"currency":"USD"},"sum_converted":{"amount":%d,"currency":"USD"},"provider":{"id":1414,"payment_id":%q,"auth_code":"","date":%q},"code":"0","message":%q}`,
			r.project, id, status, platform.FormatDate(now), sum.Amount, p.Description, p.Customer.ID, p.Operations[0].ID, status,
			platform.FormatDate(now), platform.FormatDate(now), requestID, sum.Amount, sum.Amount, providerID, platform.FormatDate(now), message)
		if redirect {
			b += `,"redirect_data":{"url":"http://127.0.0.1:37345/providers/oxxo/vouchers/` + ref + `","method":"GET","body":[]}`
		}
		return []byte(b + "}")
	}
	nextID := func(tx platform.Tx, seq string, into *uint64) error {
		id, err := tx.NextID(seq)
		*into = id
		return err
	}
	deliver := func(tx platform.Tx, n int, at time.Time) error {
		d, err := tx.Delivery(deliveryIDs[n])
		if err != nil {
			return err
		}
		if err := tx.DeleteJob(platform.Job{ID: jobIDs[1+n]}); err != nil {
			return err
		}
		d.Attempts = append(d.Attempts, platform.Attempt{At: at, URL: url, RequestBody: string(d.Body[:len(d.Body)-1]) + `,"signature":"` + sigs[n] + `"}`,
			Status: 200, ResponseBody: `{"ok":true}`, Latency: latency[n]})
		d.Status, d.NextAttempt = platform.DeliveryDelivered, time.Time{}
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		q, err := tx.Payment(k)
		if err != nil {
			return err
		}
		q.Callbacks = platform.CallbackSummary{Health: platform.CallbacksOK, Count: n + 1, Attempts: n + 1, LastStatus: 200, LastAt: at}
		return tx.PutPayment(q)
	}
	enqueue := func(tx platform.Tx, n int, b []byte, at time.Time) error {
		if err := nextID(tx, "deliveries", &deliveryIDs[n]); err != nil {
			return err
		}
		d := &platform.Delivery{ID: deliveryIDs[n], Kind: platform.DeliveryCallback, ProjectID: r.project, PaymentID: id, URL: url,
			Status: platform.DeliveryPending, Body: b, CreatedAt: at, NotBefore: at, Attempts: []platform.Attempt{}}
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		if err := nextID(tx, "jobs", &jobIDs[1+n]); err != nil {
			return err
		}
		d.NextAttempt = at
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		return tx.PutJob(platform.Job{ID: jobIDs[1+n], Kind: platform.JobDeliver, Due: at, Payment: k, DeliveryID: d.ID})
	}
	return paymentSteps{
		// The sale: the payment and its processing job.
		func(tx platform.Tx) error {
			if err := tx.CreatePayment(p); err != nil {
				return err
			}
			if err := nextID(tx, "jobs", &jobIDs[0]); err != nil {
				return err
			}
			return tx.PutJob(platform.Job{ID: jobIDs[0], Kind: platform.JobProcess, Due: now, Payment: k})
		},
		// Processing: the voucher, its reference, its lapse job and the
		// redirect callback.
		func(tx platform.Tx) error {
			if err := tx.DeleteJob(platform.Job{ID: jobIDs[0]}); err != nil {
				return err
			}
			q, err := tx.Payment(k)
			if err != nil {
				return err
			}
			q.Status, q.Operations[0].Status = platform.StatusAwaitingRedirect, platform.StatusAwaitingRedirect
			q.Operations[0].Code, q.Operations[0].Message = "0", "Awaiting redirect result"
			q.Operations[0].ProviderPaymentID, q.Operations[0].ProviderDate = providerID, now
			q.Voucher = &platform.Voucher{Reference: ref, Barcode: ref, Amount: sum, IssuedAt: now,
				ValidUntil: now.Add(240 * time.Hour), BankUntil: now.Add(720 * time.Hour)}
			q.Redirect = &platform.Redirect{URL: "http://127.0.0.1:37345/providers/oxxo/vouchers/" + ref, Method: "GET", Body: []byte("[]")}
			q.Callbacks = platform.CallbackSummary{Health: platform.CallbacksPending, Count: 1, NextAttempt: now}
			if err := tx.PutPayment(q); err != nil {
				return err
			}
			if err := tx.PutReference("oxxo", ref, k); err != nil {
				return err
			}
			var lapse uint64
			if err := nextID(tx, "jobs", &lapse); err != nil {
				return err
			}
			if err := tx.PutJob(platform.Job{ID: lapse, Kind: platform.JobProvider, Name: "lapse", Due: now.Add(720 * time.Hour), Payment: k}); err != nil {
				return err
			}
			return enqueue(tx, 0, body(platform.StatusAwaitingRedirect, "Awaiting redirect result", true), now)
		},
		func(tx platform.Tx) error { return deliver(tx, 0, now) },
		// Paid at a terminal: success, the lapse job gone, the success
		// callback.
		func(tx platform.Tx) error {
			q, err := tx.Payment(k)
			if err != nil {
				return err
			}
			q.Status, q.Operations[0].Status = platform.StatusSuccess, platform.StatusSuccess
			q.Operations[0].Message, q.Operations[0].UpdatedAt, q.UpdatedAt = "Success", paid, paid
			q.Voucher.PaidAt, q.Voucher.Channel = paid, "terminal"
			q.Redirect = nil
			q.Callbacks.Health, q.Callbacks.Count = platform.CallbacksPending, 2
			if err := tx.PutPayment(q); err != nil {
				return err
			}
			js, err := tx.Jobs(k)
			if err != nil {
				return err
			}
			for _, j := range js {
				if err := tx.DeleteJob(j); err != nil {
					return err
				}
			}
			return enqueue(tx, 1, body(platform.StatusSuccess, "Success", false), paid)
		},
		func(tx platform.Tx) error { return deliver(tx, 1, paid) },
	}
}

// signature returns a random signature as the sender writes it.
func (r *realPayments) signature() string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = byte(r.rnd.Uint32())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// payLater is how many batches after its sale a payment's voucher is paid.
const payLater = 20

// fillReal stores payments [from, to) of r in d, batch payments a
// transaction. The lives of the payments overlap as they would under load:
// a transaction makes the sales of one batch, processes the batch before
// it and records the delivery of the redirect callbacks of the batch
// before that, and takes the payments of a batch payLater batches back,
// with their success callbacks.
func fillReal(d *DB, r *realPayments, from, to, batch int) error {
	var pending []paymentSteps // by payment, from `from`
	for i := from; i < to; i++ {
		pending = append(pending, r.steps(i))
	}
	nBatches := (to - from + batch - 1) / batch
	lag := [5]int{0, 1, 2, payLater, payLater + 1} // batches between a sale and each step
	for round := 0; round < nBatches+lag[4]; round++ {
		err := d.Update(context.Background(), func(tx platform.Tx) error {
			for step := range 5 {
				b := round - lag[step]
				if b < 0 || b >= nBatches {
					continue
				}
				for i := b * batch; i < min((b+1)*batch, len(pending)); i++ {
					if err := pending[i][step](tx); err != nil {
						return fmt.Errorf("payment %d, step %d: %w", from+i, step, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
