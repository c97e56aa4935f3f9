package testkit

import (
	"fmt"
	"runtime"
	"testing"
)

// recordingTB records Errorf and Skipf calls instead of failing or skipping the test it wraps.
type recordingTB struct {
	testing.TB
	errors []string
	skips  []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// Skipf records the message and ends the goroutine, as testing's Skipf does: call what may skip in
// a goroutine of its own.
func (r *recordingTB) Skipf(format string, args ...any) {
	r.skips = append(r.skips, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
