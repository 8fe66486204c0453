package platform

import (
	"context"
	"fmt"
)

// The engine's projects and what a whole sandbox is reset to: merchants'
// projects and their method settings, stored; Reset forgets the payments.

// CheckSettings checks settings of the method with code: those no method
// can work with (see MethodSettings.Check), then what its provider refuses.
func (e *Engine) CheckSettings(code string, s MethodSettings) error {
	prov, ok := e.providers[code]
	if !ok {
		return Errorf(CodeInvalidRequest, "there is no method %q; the methods are %s", code, e.methodList())
	}
	if fields := s.Check(prov.Method()); len(fields) > 0 {
		for i := range fields {
			fields[i].Field = "methods." + code + "." + fields[i].Field
		}
		e := Errorf(CodeInvalidRequest, "%s %s", fields[0].Field, fields[0].Message)
		e.Fields = fields
		return e
	}
	if c, ok := prov.(SettingsChecker); ok {
		if err := c.CheckSettings(s); err != nil {
			return Errorf(CodeInvalidRequest, "methods.%s: %v", code, err)
		}
	}
	return nil
}

// PutProject creates or replaces a project after checking it and its
// method settings.
func (e *Engine) PutProject(ctx context.Context, p Project) error {
	if err := ValidateProject(p); err != nil {
		return err
	}
	for code, s := range p.Methods {
		if err := e.CheckSettings(code, s); err != nil {
			return err
		}
	}
	if err := e.store.Update(ctx, func(tx Tx) error { return tx.PutProject(p) }); err != nil {
		return fmt.Errorf("put project %d: %w", p.ID, err)
	}
	e.events.publish(Event{Kind: EventProject, Project: p.ID, At: e.clock.Now()})
	return nil
}

// Reset deletes every payment, delivery and job; projects and the clock
// stay. It waits for the job runner and the callbacks in flight.
func (e *Engine) Reset(ctx context.Context) error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	defer e.outbox.hurry()()
	e.outbox.wait()
	if err := e.store.Update(ctx, func(tx Tx) error { return tx.Reset() }); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	e.events.publish(Event{Kind: EventReset, At: e.clock.Now()})
	return nil
}
