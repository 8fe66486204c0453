package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
)

const backupUsage = `Usage: sandbox backup [--url URL | --data FOLDER] [--compact] FILE

Copies the sandbox's data file to FILE, a file that does not exist yet.

  --url (the default, http://127.0.0.1:8080): from a running sandbox, through
  GET /sandbox/backup. Sales, callbacks and jobs go on meanwhile; the copy
  holds everything acknowledged before it began.

  --data: from the folder of a stopped sandbox (the folder serve's --data
  names). A file an older sandbox wrote is copied as it is: back it up
  before a newer sandbox serves it, which converts it for good.

  --compact: leave out of the copy the pages the data file no longer uses.
  A reset, or the conversion of an older file, frees pages, which the file
  keeps for later: it never shrinks by itself. The compacted copy, put in
  the data file's place, holds all it did in the space that needs.

The copy's pages are checked, as serve checks them at start, before it is
given its name; sandbox check reads every record of it.
To use it, name it sandbox.db in a folder of its own and run
"sandbox serve --data FOLDER". It holds the projects' secrets.

Flags:
`

// runBackup is the backup verb.
func runBackup(ctx context.Context, args []string, std stdio) error {
	fs := verbFlags("backup")
	from := fs.String("url", "", "`URL` of a running sandbox to copy from (default http://127.0.0.1:8080)")
	data := fs.String("data", "", "`folder` of a stopped sandbox's data file to copy from")
	compact := fs.Bool("compact", false, "leave out the pages the data file no longer uses (what a reset freed)")
	files, err := parseFlags(fs, args, backupUsage, std)
	if err != nil {
		return err
	}
	switch {
	case len(files) != 1:
		return usagef(`backup: name the file to write the copy to, once: "sandbox backup [--url URL | --data FOLDER] [--compact] FILE"`)
	case *from != "" && *data != "":
		return usagef("backup: copy from a running sandbox (--url) or from a stopped one's folder (--data), not both")
	case *from == "" && *data == "":
		*from = "http://127.0.0.1:8080"
	}
	out := files[0]
	if err := checkDataFolder(*data); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("backup: %s exists: name a new file, or move that one away first", out)
	}
	if info, err := os.Stat(filepath.Dir(out)); err != nil || !info.IsDir() {
		return fmt.Errorf("backup: %s: there is no folder %s to write the copy in: create it, or name a file in a folder that exists", out, filepath.Dir(out))
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".*.partial")
	if err != nil {
		return fmt.Errorf("backup: create %s: %w", out, err)
	}
	defer os.Remove(tmp.Name()) // once renamed, there is nothing to remove
	var copied int64
	if *data != "" {
		copied, err = backupFolder(ctx, dataFile(*data), tmp)
	} else {
		copied, err = backupURL(ctx, *from, tmp)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := checkCopy(ctx, tmp.Name()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done, compacted := tmp.Name(), ""
	if *compact {
		done = tmp.Name() + ".compact"
		defer os.Remove(done) // once renamed, there is nothing to remove
		n, err := compactCopy(ctx, tmp.Name(), done)
		if err == nil {
			err = checkCopy(ctx, done)
		}
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		if n < copied {
			compacted = fmt.Sprintf(", compacted from %s", size(copied))
			copied = n
		} else {
			// A file with few free pages can come out larger, its
			// pages laid out anew: the copy is kept as it was.
			done, compacted = tmp.Name(), " (no smaller compacted: copied as it is)"
		}
	}
	if err := os.Rename(done, out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(std.out, "%s: %s%s, its pages checked (sandbox check reads it whole)\n", out, size(copied), compacted)
	return nil
}

// checkCopy reads every page of the copy at path, front to back; sandbox
// check also decodes every record, which takes longer.
func checkCopy(ctx context.Context, path string) error {
	db, err := bolt.OpenToCopy(path)
	if err != nil {
		return fmt.Errorf("the copy is not sound, so it was not kept: %w", err)
	}
	problems, err := db.CheckPages(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("the copy is not sound, so it was not kept: %w; sandbox check --data on the sandbox's folder, once it is stopped, says more", problems[0])
	}
	return nil
}

// compactCopy writes to, a new file, the copy at from without the pages it
// no longer uses, and returns its size.
func compactCopy(ctx context.Context, from, to string) (int64, error) {
	db, err := bolt.OpenToCopy(from)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.CompactTo(ctx, to)
}

// dataFile is the data file of a data folder, as serve names it.
func dataFile(folder string) string { return filepath.Join(folder, "sandbox.db") }

// backupFolder copies the data file at path, which no sandbox may have
// open, to w: as it is, also when an older sandbox wrote it, so that it
// can be kept before this one converts it.
func backupFolder(ctx context.Context, path string, w io.Writer) (int64, error) {
	db, err := bolt.OpenToCopy(path)
	if errors.Is(err, bolt.ErrInUse) {
		return 0, fmt.Errorf("%w; to copy from a running sandbox, give its address: --url http://127.0.0.1:8080", err)
	}
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.Backup(ctx, w, nil)
}

// backupURL copies the data file of the sandbox at base to w.
func backupURL(ctx context.Context, base string, w io.Writer) (int64, error) {
	u := strings.TrimRight(base, "/") + "/sandbox/backup"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("--url %q: write an address such as http://127.0.0.1:8080: %w", base, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("no sandbox answers at %s (%w): start it, or copy a stopped one's folder with --data FOLDER", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(raw))
		}
		return 0, fmt.Errorf("GET %s answered %s: %s", u, resp.Status, e.Error)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("GET %s: the copy broke off after %d bytes: %w", u, n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("GET %s: the copy ended after %d of its %d bytes", u, n, resp.ContentLength)
	}
	return n, nil
}
