package store

import "sync"

// gatherer lends a slice to collect a query's rows in, kept from one call to the next; the
// caller returns a copy of exactly the rows (slices.Clone) and puts the slice back. Appending
// rows one by one to a fresh slice allocates the slices it outgrows as well: a day's 300
// bookings, 62 KB of rows, made 212 KB of slices, the largest part of the reception day view's
// garbage, and the collector pays for every byte of it on a busy server (docs/performance.md,
// "Garbage"). Here the growing happens once per process.
type gatherer[T any] struct{ pool sync.Pool }

// maxGathered keeps one unusually long list (a year's bookings) from pinning its slice.
const maxGathered = 4096

func (g *gatherer[T]) take() *[]T {
	if p, ok := g.pool.Get().(*[]T); ok {
		return p
	}
	return new([]T)
}

// put empties the slice, so it holds no strings of this call's rows, and keeps it for the next.
func (g *gatherer[T]) put(p *[]T) {
	clear(*p)
	*p = (*p)[:0]
	if cap(*p) <= maxGathered {
		g.pool.Put(p)
	}
}
