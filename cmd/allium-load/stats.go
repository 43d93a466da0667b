package main

import (
	"slices"
	"time"
)

// percentile is the nearest-rank percentile (0 < p <= 100) of sorted latencies: the smallest
// value that at least p percent of the samples do not exceed. Zero for no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(p/100*float64(n) + 0.999999999)
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// latencies summarises one run's request latencies.
type latencies struct {
	N             int
	P50, P99, Max time.Duration
}

func summarise(samples []time.Duration) latencies {
	s := slices.Clone(samples)
	slices.Sort(s)
	l := latencies{N: len(s), P50: percentile(s, 50), P99: percentile(s, 99)}
	if len(s) > 0 {
		l.Max = s[len(s)-1]
	}
	return l
}

// perOp divides a total (CPU time, say) over a count, zero when nothing was counted.
func perOp(total time.Duration, n int) time.Duration {
	if n <= 0 {
		return 0
	}
	return total / time.Duration(n)
}
