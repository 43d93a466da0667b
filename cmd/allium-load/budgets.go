package main

import (
	"fmt"
	"time"
)

// The budgets compare each page with floors measured in the same run, so that they hold on any
// machine: a slower or busier machine slows the page and its floors alike. Absolute figures
// (milliseconds, requests per second) stay in the report for reading.
const (
	// A page's server CPU per request is at most the bare Echo handler's, plus cpuTimesSQL times
	// its own SQL floor, plus cpuRender for rendering and the app's middleware.
	cpuTimesSQL = 1.3
	cpuRender   = 200 * time.Microsecond
	// A page at 64 connections serves at least this share of what the bare Echo handler serves.
	minShareOfEcho = 0.02
	// At 2 connections, the slowest request in a hundred is at most this many times the median,
	// or as many times as the bare Echo handler's is in the same run, where the machine's own
	// tail is wider than that (tailLimit).
	maxP99OverP50 = 3.0
	// The course POST takes at most this many times as long per course, at 64 connections, as
	// inserting the rows a booked course wrote (the course_rows floor).
	maxCourseOverRows = 2.0
	// Peak memory does not move with the machine's speed; it stays an absolute budget.
	budgetPeakRSS = 150 << 20
)

// budget is one limit checked by a run: the figure as a ratio to its floor, and the ratio allowed.
type budget struct {
	Page   string
	What   string  // what is compared, e.g. "server CPU / SQL floor"
	Figure string  // the absolute figures behind the ratio, for reading
	Ratio  float64 // the measured ratio
	Limit  float64 // the ratio allowed
	AtMost bool    // the ratio must be at most Limit (else at least)
	Unit   string  // how to print the ratio: "x" or "%"
}

func (b budget) pass() bool {
	if b.AtMost {
		return b.Ratio <= b.Limit
	}
	return b.Ratio >= b.Limit
}

func (b budget) ratioText(v float64) string {
	if b.Unit == "%" {
		return fmt.Sprintf("%.1f %%", 100*v)
	}
	return fmt.Sprintf("%.2fx", v)
}

func (b budget) limitText() string {
	if b.AtMost {
		return "at most " + b.ratioText(b.Limit)
	}
	return "at least " + b.ratioText(b.Limit)
}

// budgets are every budget the run can check, in the order of the pages.
func (rep *report) budgets() []budget {
	var out []budget
	if rep.PeakRSS > 0 {
		out = append(out, budget{Page: "allium serve", What: "peak RSS (VmHWM) / 150 MB",
			Figure: fmt.Sprintf("%.1f MB", float64(rep.PeakRSS)/(1<<20)),
			Ratio:  float64(rep.PeakRSS) / budgetPeakRSS, Limit: 1, AtMost: true, Unit: "x"})
	}
	for _, p := range rep.measured() {
		cpu, echoCPU := perOp(p.Many.CPU.Server, p.Many.OK), rep.echoCPUFor(p)
		if q := p.Queries; q != nil && q.Err == nil && q.CPU > 0 {
			// Shown as CPU over the SQL floor, against the ratio the limit comes to on this run.
			limit := echoCPU + time.Duration(cpuTimesSQL*float64(q.CPU)) + cpuRender
			out = append(out, budget{Page: p.Page.Name, What: "server CPU / SQL floor",
				Figure: fmt.Sprintf("%s / %s; limit %s (Echo %s + %.1f × SQL + %s)", us(cpu), us(q.CPU), us(limit),
					us(echoCPU), cpuTimesSQL, us(cpuRender)),
				Ratio: float64(cpu) / float64(q.CPU), Limit: float64(limit) / float64(q.CPU), AtMost: true, Unit: "x"})
		}
		if p.Page.Forms != nil {
			if f := p.Rows; f != nil && f.Err == nil && f.PerSecond > 0 && p.Many.PerSecond > 0 {
				// Time per course: the inverse of the rate, so the ratio is floor rate / page rate.
				out = append(out, budget{Page: p.Page.Name, What: "time per course at 64 / course_rows floor",
					Figure: fmt.Sprintf("%.0f/s against %.0f/s (server CPU %s a course, the rows' %s)", p.Many.PerSecond,
						f.PerSecond, us(cpu), us(f.CPU)),
					Ratio: f.PerSecond / p.Many.PerSecond, Limit: maxCourseOverRows, AtMost: true, Unit: "x"})
			}
		} else if rep.EchoMany.PerSecond > 0 && p.Page.NoRateBudget == "" {
			out = append(out, budget{Page: p.Page.Name, What: "req/s at 64 / bare Echo's",
				Figure: fmt.Sprintf("%.0f/s against %.0f/s", p.Many.PerSecond, rep.EchoMany.PerSecond),
				Ratio:  p.Many.PerSecond / rep.EchoMany.PerSecond, Limit: minShareOfEcho, Unit: "%"})
		}
		if p.Two.Latency.P50 > 0 {
			limit, figure := rep.tailLimit()
			out = append(out, budget{Page: p.Page.Name, What: "p99 / p50 at 2",
				Figure: fmt.Sprintf("%s / %s; %s", ms(p.Two.Latency.P99), ms(p.Two.Latency.P50), figure),
				Ratio:  float64(p.Two.Latency.P99) / float64(p.Two.Latency.P50), Limit: limit, AtMost: true, Unit: "x"})
		}
	}
	return out
}

// echoCPUFor is the bare Echo handler's server CPU per request at the concurrency the page's
// own CPU was measured at: one request at a time for the pages opened a few times a day, else 64
// connections. Sent one at a time, every request wakes the server from idle (the poller, a thread,
// the scheduler's search for work), which at 64 connections is shared by the requests waiting:
// the bare handler costs 29 µs a request at 64 connections and several times that one at a time.
// A page must not be charged for the machine's cost of serving one request alone.
func (rep *report) echoCPUFor(p pageResult) time.Duration {
	if p.Many.Conns == 1 && rep.EchoOne.OK > 0 {
		return perOp(rep.EchoOne.CPU.Server, rep.EchoOne.OK)
	}
	return perOp(rep.EchoMany.CPU.Server, rep.EchoMany.OK)
}

// tailLimit is the tail allowed at 2 connections: 3 times the median, or the bare Echo
// handler's own p99 over p50 in this run where that is wider. On two cores shared with the load
// generator, two connections keep both cores busy, and a request that meets the other's or the
// generator's time slice waits for it: the bare handler, which does nothing, had p99 at 5.4 to
// 6.1 times its p50 in quiet runs, and a page's SQL alone, in one goroutine without HTTP, 3 to
// 7 times (docs/performance.md, "The tail at two connections"). A page whose tail is no wider
// than the machine's is not queueing behind anything of its own; a stall of ours (a checkpoint
// inside a commit once made a course take 56 to 63 ms while its neighbours took 2) still misses.
func (rep *report) tailLimit() (float64, string) {
	echo := 0.0
	if l := rep.EchoTwo.Latency; l.P50 > 0 {
		echo = float64(l.P99) / float64(l.P50)
	}
	if echo > maxP99OverP50 {
		return echo, fmt.Sprintf("limit the bare Echo handler's %.2fx (%s / %s)", echo, ms(rep.EchoTwo.Latency.P99), ms(rep.EchoTwo.Latency.P50))
	}
	return maxP99OverP50, fmt.Sprintf("limit %.0fx (the bare Echo handler's %.2fx)", maxP99OverP50, echo)
}

// missed counts the budgets a run missed, and the pages that could not be measured: a page
// that fails to answer has not met its budgets either.
func (rep *report) missed() (misses []string) {
	for _, b := range rep.budgets() {
		if !b.pass() {
			misses = append(misses, fmt.Sprintf("%s: %s %s, %s", b.Page, b.What, b.ratioText(b.Ratio), b.limitText()))
		}
	}
	for _, p := range rep.Pages {
		if p.Available && p.Many.OK == 0 {
			misses = append(misses, fmt.Sprintf("%s: %s", p.Page.Name, p.why()))
		}
	}
	return misses
}
