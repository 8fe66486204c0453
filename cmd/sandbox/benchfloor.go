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

// measureSyncFloor times n writes of 2 KB, each synced with fdatasync, one
// after another, over zeros already in a fresh file in dir: what the data
// file's log costs a commit (a sale's record is 1 to 2 KB). No sale stored
// durably can be answered faster on this machine, whatever the sandbox does
// around it.
func measureSyncFloor(dir string, n int) (*histogram, error) {
	file := filepath.Join(dir, "floor.log")
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("bench: the sync floor: %w", err)
	}
	defer os.Remove(file)
	defer f.Close()
	const record = 2 << 10
	_, err = f.Write(make([]byte, n*record))
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		return nil, fmt.Errorf("bench: the sync floor: %w", err)
	}
	value := make([]byte, record)
	h := &histogram{}
	for i := range n {
		start := time.Now()
		value[0] = byte(i)
		_, err := f.WriteAt(value, int64(i*record))
		if err == nil {
			err = syncData(f)
		}
		if err != nil {
			return nil, fmt.Errorf("bench: the sync floor: %w", err)
		}
		h.record(time.Since(start))
	}
	return h, nil
}

// measureCommitFloor times n bare bbolt commits in a fresh file in dir, one
// after another, each putting one key of the size of a payment record: what
// the disk and bbolt's two fdatasyncs cost a commit that writes almost
// nothing, the floor of a sale stored without the log.
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
