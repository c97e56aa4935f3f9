//go:build !linux

package testkit

import "testing"

// ResidentPages is read only on Linux: elsewhere it skips the test.
func ResidentPages(tb testing.TB, path string) int {
	tb.Helper()
	tb.Skip("page cache residency is read only on Linux (mincore)")
	return 0
}

// NeedPageCache skips the test: page cache residency is read only on Linux.
func NeedPageCache(tb testing.TB, dir string) {
	tb.Helper()
	tb.Skip("page cache residency is read only on Linux (mincore)")
}
