package main

import (
	"testing"
	"time"
)

func msList(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"no samples", nil, 99, 0},
		{"one sample is every percentile", msList(7), 50, 7 * time.Millisecond},
		{"median of four is the second", msList(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"median of five is the third", msList(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"p99 of 1..100 is 99", hundred, 99, 99 * time.Millisecond},
		{"p100 is the maximum", hundred, 100, 100 * time.Millisecond},
		{"p99 of ten is the slowest", msList(1, 1, 1, 1, 1, 1, 1, 1, 1, 40), 99, 40 * time.Millisecond},
		{"tiny p is the minimum", msList(3, 5, 9), 0.1, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v; want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSummariseSortsACopy(t *testing.T) {
	in := msList(9, 1, 5)
	got := summarise(in)
	want := latencies{N: 3, P50: 5 * time.Millisecond, P99: 9 * time.Millisecond, Max: 9 * time.Millisecond}
	if got != want {
		t.Errorf("summarise = %+v; want %+v", got, want)
	}
	if in[0] != 9*time.Millisecond {
		t.Errorf("summarise reordered its input: %v", in)
	}
}
