package testnet

import (
	"net"
	"sync/atomic"
)

// Starting is the listener of a server still starting: it drops the
// connections it accepts, unanswered, until it has dropped Drop of them,
// then serves. Drop may be raised or lowered while it listens; Dropped
// counts those it dropped.
type Starting struct {
	net.Listener
	Drop    atomic.Int32
	Dropped atomic.Int32
}

// Accept returns the next connection not dropped.
func (l *Starting) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || l.Dropped.Load() >= l.Drop.Load() {
			return c, err
		}
		l.Dropped.Add(1)
		_ = c.Close()
	}
}
