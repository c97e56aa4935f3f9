//go:build unix

package testkit

import (
	"syscall"
	"time"
)

// ProcessCPU returns the user and system CPU time the process has used so far (zero where it
// cannot be read), for benchmarks that report CPU a unit of work beside its wall time.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
