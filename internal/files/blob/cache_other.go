//go:build !linux

package blob

import "os"

// dropCached does nothing where the page cache cannot be advised.
func dropCached(*os.File) {}
