package platform

import (
	"context"
	"fmt"
	"maps"
	"sync"
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
	err := e.store.Update(ctx, func(tx Tx) error { return tx.PutProject(p) })
	e.projects.forget(p.ID) // even on an error: the commit may have been made
	if err != nil {
		return fmt.Errorf("put project %d: %w", p.ID, err)
	}
	e.events.publish(Event{Kind: EventProject, Project: p.ID, At: e.clock.Now()})
	return nil
}

// Reset deletes every payment, delivery and job, and forgets the refused
// Gate requests; projects and the clock stay. It waits for the job runner
// and the callbacks in flight.
func (e *Engine) Reset(ctx context.Context) error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	defer e.outbox.hurry()()
	e.outbox.wait()
	if err := e.store.Update(ctx, func(tx Tx) error { return tx.Reset() }); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	e.refusals.reset()
	e.events.publish(Event{Kind: EventReset, At: e.clock.Now()})
	return nil
}

// projectCache holds the projects Engine.Project read, by ID. Only
// PutProject changes a project once the engine runs; it forgets the project
// once its commit is made. A project read before that commit and kept
// after it would be stale, so changes counts the forgets and put keeps a
// project only when none came since the read began. What it holds and
// returns are copies: callers may change what they get.
type projectCache struct {
	mu      sync.Mutex
	changes uint64
	byID    map[int64]Project
}

// get returns project id, if it is kept.
func (c *projectCache) get(id int64) (Project, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.byID[id]
	return p.clone(), ok
}

// version returns what put needs to know of a read that begins now.
func (c *projectCache) version() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changes
}

// put keeps p, read from a transaction that began at version read, unless
// a project changed since.
func (c *projectCache) put(p Project, read uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changes != read {
		return
	}
	if c.byID == nil {
		c.byID = map[int64]Project{}
	}
	c.byID[p.ID] = p.clone()
}

// forget drops project id, which has just been stored anew.
func (c *projectCache) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changes++
	delete(c.byID, id)
}

// clone returns a copy of p that shares no map with it.
func (p Project) clone() Project {
	if p.Methods == nil {
		return p
	}
	methods := make(map[string]MethodSettings, len(p.Methods))
	for code, s := range p.Methods {
		s.Rates = maps.Clone(s.Rates)
		methods[code] = s
	}
	p.Methods = methods
	return p
}
