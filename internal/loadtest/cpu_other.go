//go:build !unix

package loadtest

import "time"

// processCPU reports that the process's CPU time cannot be read on this system.
func processCPU() (time.Duration, bool) { return 0, false }
