//go:build !unix

package testkit

import "time"

// ProcessCPU returns zero: the process's CPU time cannot be read on this system.
func ProcessCPU() time.Duration { return 0 }
