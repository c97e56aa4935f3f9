package pow_test

import (
	"crypto/sha256"
	"strconv"
	"testing"

	"github.com/otklik/otklik/internal/pow"
)

// Solve finds a nonce meeting the rule, counted here bit by bit, and the smallest one.
func TestSolveChallenge(t *testing.T) {
	for _, bits := range []int{1, 4, 8, 14, 16} {
		for i := range 3 {
			challenge := "1.1796478285." + strconv.Itoa(bits) + ".abc" + strconv.Itoa(i) + ".mac1.mac2"
			nonce := pow.Solve(challenge, bits)
			if len(nonce) == 0 || len(nonce) > 32 {
				t.Fatalf("bits %d: nonce %q, want 1 to 32 characters (the server's limit)", bits, nonce)
			}
			// The rule: SHA-256 of "challenge:nonce" starts with
			// bits zero bits, counted here bit by bit.
			h := sha256.Sum256([]byte(challenge + ":" + nonce))
			for b := range bits {
				if h[b/8]&(0x80>>(b%8)) != 0 {
					t.Errorf("bits %d: SHA-256(%q) = %x has bit %d set", bits, challenge+":"+nonce, h, b)
					break
				}
			}
			// The smallest nonce, as static/portal.js finds it.
			n, _ := strconv.Atoi(nonce)
			for m := range n {
				if pow.Solved(challenge, strconv.Itoa(m), bits) {
					t.Errorf("bits %d: nonce %d, but %d is smaller and solves it", bits, n, m)
					break
				}
			}
		}
	}
}

func TestSolvedCountsBits(t *testing.T) {
	// Find a nonce whose hash starts with exactly one zero byte and then a 1 bit: 8 bits, not 9.
	for m := 0; ; m++ {
		h := sha256.Sum256([]byte("x:" + strconv.Itoa(m)))
		if h[0] == 0 && h[1]&0x80 != 0 {
			if !pow.Solved("x", strconv.Itoa(m), 8) || pow.Solved("x", strconv.Itoa(m), 9) {
				t.Fatalf("nonce %d: 8 zero bits miscounted", m)
			}
			return
		}
	}
}
