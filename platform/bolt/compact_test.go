package bolt

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TestCompactParentsMergesSplitPages fills a store as sales do, one
// payment's steps a commit, and shows that once the committer has merged
// the parents' pages, which it does now and then (see nextCompaction), commits
// write fewer pages than before: the pages of the root and of the
// project's indexes, which bbolt split while their buckets were inline, are
// one again. The store is as sound as before.
func TestCompactParentsMergesSplitPages(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.syncOff()
	d.commits.compactAt = math.MaxInt64 // not before the test says
	r := newRealPayments(1)
	require.NoError(t, fillReal(d, r, 0, 120, 1))

	// pagesPerCommit returns how many pages the commits that store payments
	// [from, to) wrote, on average.
	pagesPerCommit := func(from, to int) float64 {
		before, commits := d.db.Stats().TxStats, d.Commits()
		require.NoError(t, fillReal(d, r, from, to, 1))
		after := d.db.Stats().TxStats
		return float64(after.GetPageCount()-before.GetPageCount()) / float64(d.Commits()-commits)
	}
	noop := func(platform.Tx) error { return nil }
	split := pagesPerCommit(120, 160)

	d.commits.compactAt = d.Commits() + 1
	update(t, d, noop) // after this commit, the next one's group compacts
	update(t, d, noop)
	compact := pagesPerCommit(160, 200)

	t.Logf("pages a commit: %.2f with the parents split, %.2f once compacted", split, compact)
	assert.Less(t, compact, split-1, "merging the parents' pages saves at least a page a commit")
	report, err := d.Check(t.Context())
	require.NoError(t, err)
	assert.True(t, report.OK(), "%v", report.Problems)
}

func TestNextCompaction(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]int64{
		firstCompaction:  2 * firstCompaction, // a young store: twice as many commits each time
		512:              compactEvery,
		compactEvery:     2 * compactEvery, // then every compactEvery commits
		5 * compactEvery: 6 * compactEvery,
	} {
		assert.Equal(t, want, nextCompaction(n), "after commit %d", n)
	}
}
