package loadtest

import (
	"math"
	"math/bits"
	"time"
)

// The histogram is log-linear, in the manner of HdrHistogram: values below 2·subBuckets nanoseconds
// get a bucket each, and every further power of two [2^k, 2^(k+1)) is cut into subBuckets equal
// buckets. A bucket is then never wider than 1/subBuckets of its lower bound, and reporting its middle
// puts any percentile within 1/(2·subBuckets) ≈ 0.4 % of the exact one.
const (
	subBucketBits = 7
	subBuckets    = 1 << subBucketBits // 128
	// maxShift bounds the range at 2^(maxShift+subBucketBits+1) ns ≈ 37 minutes; longer values are
	// counted in the last bucket (and still reported exactly as the maximum).
	maxShift   = 33
	numBuckets = subBuckets*(maxShift+1) + subBuckets
)

// Histogram records durations with a relative error under 0.4 % in a fixed array of counters, so
// recording never allocates or locks. It is not safe for concurrent use: give each goroutine its
// own and Merge them afterwards. The zero value is not usable; call NewHistogram.
type Histogram struct {
	counts   []int64
	total    int64
	min, max int64
	sum      float64
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{counts: make([]int64, numBuckets), min: math.MaxInt64}
}

// bucketOf returns the index of the bucket that holds v nanoseconds (v ≥ 0).
func bucketOf(v int64) int {
	shift := bits.Len64(uint64(v)) - (subBucketBits + 1)
	if shift < 0 {
		shift = 0
	}
	if shift > maxShift {
		return numBuckets - 1
	}
	return subBuckets*shift + int(v>>uint(shift))
}

// bucketRange returns the lowest value of bucket i and its width.
func bucketRange(i int) (low, width int64) {
	if i < 2*subBuckets {
		return int64(i), 1
	}
	shift := i/subBuckets - 1
	return int64(i-subBuckets*shift) << uint(shift), 1 << uint(shift)
}

// Record adds one duration. Negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)]++
	h.total++
	h.sum += float64(v)
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
}

// Merge adds all values recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.total == 0 {
		return
	}
	for i, n := range o.counts {
		h.counts[i] += n
	}
	h.total += o.total
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count returns the number of recorded values.
func (h *Histogram) Count() int64 { return h.total }

// Max returns the largest recorded value exactly, or 0 if there is none.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Min returns the smallest recorded value exactly, or 0 if there is none.
func (h *Histogram) Min() time.Duration {
	if h.total == 0 {
		return 0
	}
	return time.Duration(h.min)
}

// Mean returns the arithmetic mean of the recorded values, or 0 if there is none.
func (h *Histogram) Mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.total))
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) by the nearest-rank method: the smallest recorded value
// such that at least q of all values are not greater than it, to within half a bucket. Quantile(1) is
// the exact maximum. It returns 0 if nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	if rank == h.total {
		return time.Duration(h.max)
	}
	var seen int64
	for i, n := range h.counts {
		seen += n
		if seen >= rank {
			low, width := bucketRange(i)
			mid := low + (width-1)/2
			return time.Duration(min(max(mid, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}
