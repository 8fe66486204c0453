package bolt

import (
	"sync"
	"time"
)

// How the pages of the data file a sandbox has read are kept from filling
// its resident memory (see trimMapped): every trimEvery, when the DB has
// been busy since it last trimmed (trimAfter cursors opened or pages
// written, some hundreds of sales) and the files mapped to the process
// take more than trimAbove, they are dropped: often enough to keep a
// serve process under 200 MB (a million-payment store whose file the
// system caches maps some 150 MB a second under load: a check every
// second let it reach 245 MB), seldom enough that the pages every sale
// reads are not mapped again and again.
const (
	trimEvery = 250 * time.Millisecond
	trimAfter = 20_000
	trimAbove = 96 << 20
)

// trimmer drops the mapped pages of a DB's file now and then, until stop.
type trimmer struct {
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// startTrimming starts dropping the mapped pages of d's file, every every
// when d did after things since the last time and the files mapped to the
// process take more than above bytes. First it reads the runs cached of
// the file back into the system's cache (see recache): Open dropped them.
func startTrimming(d *DB, every time.Duration, after, above int64, cached []pageRun) *trimmer {
	tr := &trimmer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(tr.done)
		recache(d.path, cached, tr.stop)
		tick := time.NewTicker(every)
		defer tick.Stop()
		var last int64
		for {
			select {
			case <-tr.stop:
				return
			case <-tick.C:
			}
			s := d.db.Stats().TxStats
			busy := s.GetCursorCount() + s.GetPageCount()
			if busy-last < after {
				continue
			}
			if n, err := mappedFileBytes(); err != nil {
				return // the system does not say: nothing to go by
			} else if n > above && trimMapped(d.db) == nil { // it fails only when the file is closing
				last = busy
			}
		}
	}()
	return tr
}

// halt stops the trimming and waits for it to end; later calls do
// nothing.
func (tr *trimmer) halt() {
	if tr != nil {
		tr.once.Do(func() { close(tr.stop) })
		<-tr.done
	}
}
