package content

import "math/bits"

// rng is a SplitMix64 generator: tiny, fast and fully specified, so that
// the output of a Generator never changes with the Go release.
type rng struct{ s uint64 }

// next returns the next 64 random bits.
func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n). n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int {
	return lo + r.intn(hi-lo+1)
}

// chance reports true with probability percent/100.
func (r *rng) chance(percent int) bool {
	return r.intn(100) < percent
}

// pick returns a random element of list.
func pick[T any](r *rng, list []T) T {
	return list[r.intn(len(list))]
}

// weighted is a cumulative weight table for choosing one of several values.
type weighted[T any] struct {
	values []T
	cum    []int
}

// newWeighted builds a table from parallel slices of values and weights.
func newWeighted[T any](values []T, weights []int) weighted[T] {
	if len(values) != len(weights) {
		panic("content: weights do not match values")
	}
	w := weighted[T]{values: values, cum: make([]int, len(weights))}
	total := 0
	for i, x := range weights {
		total += x
		w.cum[i] = total
	}
	return w
}

// pick returns a value with probability proportional to its weight.
func (w *weighted[T]) pick(r *rng) T {
	x := r.intn(w.cum[len(w.cum)-1])
	for i, c := range w.cum {
		if x < c {
			return w.values[i]
		}
	}
	return w.values[len(w.values)-1]
}
