package main

import (
	"context"
	"slices"
	"time"
)

// turns is how many times a page's run and its floor take turns. A shared machine's speed
// drifts from one few seconds to the next; measured in turns, a page and its floor meet the
// same drift, where a page measured for five seconds and its floor for three afterwards did
// not: in two quiet runs of the same build the plan page came out 1.79 and 2.67 times its
// floor (docs/performance.md, "Budgets").
const turns = 4

// inTurns measures a page's throughput run and its floor in turns: run and floor each take a
// quarter of their time, four times over, and each adds up to one result as if measured at once.
// floor may be nil (a page without a floor).
func inTurns(ctx context.Context, o options, pid int, run func(options) loadResult, floor func(context.Context) error) (loadResult, *opFloor) {
	part := o
	part.Duration = o.Duration / turns
	part.Warmup = max(o.Warmup/turns, 250*time.Millisecond)
	var page loadResult
	var f *opFloor
	for i := range turns {
		page = page.add(run(part), i == 0)
		if floor == nil || page.OK == 0 || ctx.Err() != nil {
			continue
		}
		waitQuiet(o.QuietWait, o.QuietPct, pid)
		next := measureOp(ctx, o.FloorDuration/turns, floor)
		if f == nil {
			f = &next
		} else {
			*f = f.add(next)
		}
	}
	return page, f
}

// add is two runs of the same page at the same concurrency as one.
func (r loadResult) add(x loadResult, first bool) loadResult {
	if first {
		return x
	}
	out := r
	out.OK, out.Failed = r.OK+x.OK, r.Failed+x.Failed
	out.Statuses = addCounts(r.Statuses, x.Statuses)
	out.lat, out.window = slices.Concat(r.lat, x.lat), r.window+x.window
	out.Latency = summarise(out.lat)
	if out.window > 0 {
		out.PerSecond = float64(out.OK) / out.window.Seconds()
	}
	out.CPU = cpuUse{Wall: r.CPU.Wall + x.CPU.Wall, Server: r.CPU.Server + x.CPU.Server, Self: r.CPU.Self + x.CPU.Self}
	if out.CPU.Wall > 0 {
		out.CPU.Background = (r.CPU.Background*r.CPU.Wall.Seconds() + x.CPU.Background*x.CPU.Wall.Seconds()) / out.CPU.Wall.Seconds()
	}
	out.Bytes, out.Exhausted = x.Bytes, r.Exhausted || x.Exhausted
	return out
}

// add is two stretches of the same floor as one.
func (f opFloor) add(x opFloor) opFloor {
	if f.Err != nil || x.Err != nil {
		return opFloor{Err: cmpOr(f.Err, x.Err)}
	}
	out := opFloor{Ops: f.Ops + x.Ops, lat: slices.Concat(f.lat, x.lat), wall: f.wall + x.wall}
	out.CPU = perOp(f.CPU*time.Duration(f.Ops)+x.CPU*time.Duration(x.Ops), out.Ops)
	out.Latency = summarise(out.lat)
	if out.wall > 0 {
		out.PerSecond = float64(out.Ops) / out.wall.Seconds()
	}
	return out
}

func cmpOr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
