package loadtest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// reference returns the nearest-rank q-quantile of sorted values.
func reference(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

var quantiles = []float64{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1}

// distributions of random durations to record.
var distributions = []struct {
	name string
	draw func(r *rand.Rand) time.Duration
}{
	{"uniform below 1ms", func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(int64(time.Millisecond))) }},
	{"log-uniform 1µs to 30s", func(r *rand.Rand) time.Duration {
		return time.Duration(math.Exp(math.Log(1e3) + r.Float64()*(math.Log(30e9)-math.Log(1e3))))
	}},
	{"log-normal around 5ms", func(r *rand.Rand) time.Duration {
		return time.Duration(5e6 * math.Exp(r.NormFloat64()))
	}},
	{"exponential around 20ms with rare 2s stalls", func(r *rand.Rand) time.Duration {
		if r.IntN(1000) == 0 {
			return 2*time.Second + time.Duration(r.Int64N(int64(time.Second)))
		}
		return time.Duration(r.ExpFloat64() * 20e6)
	}},
	{"tiny values below 300ns", func(r *rand.Rand) time.Duration { return time.Duration(r.IntN(300)) }},
	{"a single value", func(*rand.Rand) time.Duration { return 1234567 * time.Nanosecond }},
}

func TestHistogramQuantiles(t *testing.T) {
	for _, d := range distributions {
		t.Run(d.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			h := NewHistogram()
			values := make([]time.Duration, 100_000)
			for i := range values {
				values[i] = d.draw(r)
				h.Record(values[i])
			}
			slices.Sort(values)
			if got, want := h.Count(), int64(len(values)); got != want {
				t.Errorf("Count() = %d, want %d", got, want)
			}
			if got, want := h.Max(), values[len(values)-1]; got != want {
				t.Errorf("Max() = %v, want %v", got, want)
			}
			if got, want := h.Min(), values[0]; got != want {
				t.Errorf("Min() = %v, want %v", got, want)
			}
			for _, q := range quantiles {
				got, want := h.Quantile(q), reference(values, q)
				if diff := math.Abs(float64(got - want)); diff > 0.01*float64(want) {
					t.Errorf("Quantile(%g) = %v, want %v within 1%% (off by %.3f%%)", q, got, want, 100*diff/float64(want))
				}
			}
		})
	}
}

func TestHistogramMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	whole := NewHistogram()
	parts := []*Histogram{NewHistogram(), NewHistogram(), NewHistogram(), NewHistogram()}
	var values []time.Duration
	for i := range 50_000 {
		v := distributions[1].draw(r)
		values = append(values, v)
		whole.Record(v)
		parts[i%3].Record(v) // parts[3] stays empty
	}
	merged := NewHistogram()
	for _, p := range parts {
		merged.Merge(p)
	}
	if got, want := merged.Count(), whole.Count(); got != want {
		t.Fatalf("merged Count() = %d, want %d", got, want)
	}
	if !slices.Equal(merged.counts, whole.counts) {
		t.Error("merged buckets differ from recording everything into one histogram")
	}
	if got, want := merged.Min(), whole.Min(); got != want {
		t.Errorf("merged Min() = %v, want %v", got, want)
	}
	if got, want := merged.Max(), whole.Max(); got != want {
		t.Errorf("merged Max() = %v, want %v", got, want)
	}
	if got, want := merged.Mean(), whole.Mean(); math.Abs(float64(got-want)) > 1 {
		t.Errorf("merged Mean() = %v, want %v", got, want)
	}
	slices.Sort(values)
	for _, q := range quantiles {
		if got, want := merged.Quantile(q), whole.Quantile(q); got != want {
			t.Errorf("merged Quantile(%g) = %v, want %v", q, got, want)
		}
		if got, want := merged.Quantile(q), reference(values, q); math.Abs(float64(got-want)) > 0.01*float64(want) {
			t.Errorf("merged Quantile(%g) = %v, want %v within 1%%", q, got, want)
		}
	}
}

func TestHistogramBuckets(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	prev := -1
	for v := int64(0); v < 1<<42; v = v + 1 + v/97 + r.Int64N(v/50+1) {
		i := bucketOf(v)
		if i < prev {
			t.Fatalf("bucketOf(%d) = %d, below the bucket of a smaller value (%d)", v, i, prev)
		}
		prev = i
		low, width := bucketRange(i)
		if v >= 1<<41 {
			if i != numBuckets-1 {
				t.Fatalf("bucketOf(%d) = %d, want the last bucket %d", v, i, numBuckets-1)
			}
			continue
		}
		if v < low || v >= low+width {
			t.Fatalf("bucketOf(%d) = %d, whose range [%d, %d) does not hold it", v, i, low, low+width)
		}
		if v >= 2*subBuckets && float64(width)/float64(low) > 1.0/subBuckets {
			t.Fatalf("bucket %d is [%d, %d): wider than 1/%d of its start", i, low, low+width, subBuckets)
		}
	}
}

func TestHistogramEdges(t *testing.T) {
	h := NewHistogram()
	if got := h.Quantile(0.5); got != 0 {
		t.Errorf("empty Quantile(0.5) = %v, want 0", got)
	}
	if got := h.Min(); got != 0 {
		t.Errorf("empty Min() = %v, want 0", got)
	}
	h.Record(-time.Second)
	h.Record(time.Hour)
	if got, want := h.Quantile(0.5), time.Duration(0); got != want {
		t.Errorf("Quantile(0.5) = %v, want %v (negative counts as zero)", got, want)
	}
	if got, want := h.Quantile(1), time.Hour; got != want {
		t.Errorf("Quantile(1) = %v, want %v (beyond the range, still exact)", got, want)
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	h := NewHistogram()
	r := rand.New(rand.NewPCG(7, 8))
	values := make([]time.Duration, 4096)
	for i := range values {
		values[i] = distributions[2].draw(r)
	}
	i := 0
	for b.Loop() {
		h.Record(values[i&4095])
		i++
	}
}
