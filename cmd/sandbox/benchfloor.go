package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.etcd.io/bbolt"
)

// benchFloorCommits is how many commits measureCommitFloor times.
const benchFloorCommits = 300

// measureCommitFloor times n bare bbolt commits in a fresh file in dir, one
// after another, each putting one key of the size of a payment record: what
// the disk and bbolt's two fdatasyncs cost a commit that writes almost
// nothing. No sale stored durably in bbolt can be answered faster on this
// machine, whatever the sandbox does around it.
func measureCommitFloor(dir string, n int) (*histogram, error) {
	file := filepath.Join(dir, "floor.db")
	db, err := bbolt.Open(file, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("bench: the commit floor: %w", err)
	}
	defer os.Remove(file)
	defer db.Close()
	value := make([]byte, 500)
	h := &histogram{}
	for i := range n {
		start := time.Now()
		err := db.Update(func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("floor"))
			if err != nil {
				return err
			}
			return b.Put(strconv.AppendInt(nil, int64(i), 10), value)
		})
		if err != nil {
			return nil, fmt.Errorf("bench: the commit floor: %w", err)
		}
		h.record(time.Since(start))
	}
	return h, nil
}
