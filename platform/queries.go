package platform

import (
	"context"
	"errors"
)

// The engine's read side: what adapters show of projects, payments and
// deliveries. Every read is one View transaction, but for a project read
// before and unchanged since (see projectCache).

// Project returns a project, or a 2442 error. A project read once is
// kept until PutProject changes it (see projectCache): every Gate request
// asks for its project, which would otherwise cost a transaction and a
// decoding of the record.
func (e *Engine) Project(ctx context.Context, id int64) (Project, error) {
	if p, ok := e.projects.get(id); ok {
		return p, nil
	}
	read := e.projects.version()
	var p Project
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Project(id)
		return projectError(id, err)
	})
	if err == nil {
		e.projects.put(p, read)
	}
	return p, err
}

// Projects returns every project.
func (e *Engine) Projects(ctx context.Context) ([]Project, error) {
	var ps []Project
	err := e.store.View(ctx, func(tx Tx) (err error) {
		ps, err = tx.Projects()
		return err
	})
	return ps, err
}

// Payment returns a payment, or a 3061 error.
func (e *Engine) Payment(ctx context.Context, k PaymentKey) (*Payment, error) {
	var p *Payment
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Payment(k)
		return paymentError(k, err)
	})
	return p, err
}

// PaymentView is a payment with everything that hangs off it.
type PaymentView struct {
	Payment    *Payment
	Project    Project
	Deliveries []*Delivery
	Jobs       []Job
	// Method is the payment's method, as its provider describes it.
	Method Method
}

// PaymentWhole returns a payment with its deliveries and pending jobs.
func (e *Engine) PaymentWhole(ctx context.Context, k PaymentKey) (PaymentView, error) {
	var v PaymentView
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		if v.Payment, err = tx.Payment(k); err != nil {
			return paymentError(k, err)
		}
		if v.Project, err = tx.Project(k.ProjectID); err != nil {
			return projectError(k.ProjectID, err)
		}
		if v.Deliveries, err = tx.Deliveries(DeliveryFilter{ProjectID: k.ProjectID, PaymentID: k.PaymentID}); err != nil {
			return err
		}
		v.Jobs, err = tx.Jobs(k)
		return err
	})
	if err == nil {
		v.Method = e.methodOf(v.Payment)
	}
	return v, err
}

// Payments lists one page of payments, newest first; the page's Next asks
// for the page after it.
func (e *Engine) Payments(ctx context.Context, f PaymentFilter) (PaymentPage, error) {
	var page PaymentPage
	err := e.store.View(ctx, func(tx Tx) (err error) {
		page, err = tx.Payments(f)
		return err
	})
	return page, err
}

// Deliveries lists deliveries, oldest first.
func (e *Engine) Deliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error) {
	var ds []*Delivery
	err := e.store.View(ctx, func(tx Tx) (err error) {
		ds, err = tx.Deliveries(f)
		return err
	})
	return ds, err
}

// PaymentByReference finds the payment a provider reference belongs to.
func (e *Engine) PaymentByReference(ctx context.Context, method, ref string) (*Payment, error) {
	var p *Payment
	err := e.store.View(ctx, func(tx Tx) error {
		k, err := tx.PaymentByReference(method, ref)
		if errors.Is(err, ErrNotFound) {
			return Errorf(CodeNotFound, "no %s payment has the reference %q; check the number", method, ref)
		} else if err != nil {
			return err
		}
		p, err = tx.Payment(k)
		return paymentError(k, err)
	})
	return p, err
}

// References runs fn with a lookup of method's provider references over
// one read transaction, so that a page's many lookups (the vouchers of a
// wallet) see one consistent state. taken reports whether ref belongs to a
// payment.
func (e *Engine) References(ctx context.Context, method string, fn func(taken func(ref string) (bool, error)) error) error {
	return e.store.View(ctx, func(tx Tx) error {
		return fn(func(ref string) (bool, error) {
			_, err := tx.PaymentByReference(method, ref)
			switch {
			case err == nil:
				return true, nil
			case errors.Is(err, ErrNotFound):
				return false, nil
			}
			return false, err
		})
	})
}
