//go:build !unix

package main

// lockServing does nothing where flock is missing: one server to an embedded database is then the
// operator's to keep.
func lockServing(string) (unlock func(), err error) { return func() {}, nil }
