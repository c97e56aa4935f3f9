// Package pow is the proof of work of the portal's captcha: a nonce such that SHA-256 of
// "challenge:nonce" starts with a number of zero bits. The server checks it (internal/web), the
// browser finds it (static/portal.js: the smallest decimal nonce), and so does the load tool.
package pow

import (
	"crypto/sha256"
	"math/bits"
	"strconv"
)

// Solved reports whether nonce solves challenge to zeroBits.
func Solved(challenge, nonce string, zeroBits int) bool {
	return leadingZeroBits(sha256.Sum256([]byte(challenge+":"+nonce))) >= zeroBits
}

// Solve returns the smallest decimal nonce that solves challenge to zeroBits, as the browser finds it.
func Solve(challenge string, zeroBits int) string {
	buf := make([]byte, 0, len(challenge)+1+20)
	buf = append(buf, challenge...)
	buf = append(buf, ':')
	prefix := len(buf)
	for n := uint64(0); ; n++ {
		buf = strconv.AppendUint(buf[:prefix], n, 10)
		if leadingZeroBits(sha256.Sum256(buf)) >= zeroBits {
			return string(buf[prefix:])
		}
	}
}

// leadingZeroBits counts the zero bits at the start of h.
func leadingZeroBits(h [32]byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}
