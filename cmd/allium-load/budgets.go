package main

import (
	"fmt"
	"time"
)

// The budgets compare each page with floors measured in the same run, so that they hold on any
// machine: a slower or busier machine slows the page and its floors alike. Absolute figures
// (milliseconds, requests per second) stay in the report for reading.
const (
	// A page's server CPU per request is at most its base (baseCPUFor: a signed-in request with
	// no page), plus cpuTimesSQL times its own SQL floor, plus cpuRender for rendering.
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
	// The signed-in request is every page's base (baseCPUFor), so it has a limit of its own: our
	// middleware may spend on it what a page may spend on rendering, beyond the bare handler.
	for _, s := range []struct {
		name         string
		signed, echo loadResult
	}{{"64 connections", rep.SignedMany, rep.EchoMany}, {"one request at a time", rep.SignedOne, rep.EchoOne}} {
		if s.signed.OK == 0 || s.echo.OK == 0 {
			continue
		}
		cpu, echo := perOp(s.signed.CPU.Server, s.signed.OK), perOp(s.echo.CPU.Server, s.echo.OK)
		out = append(out, budget{Page: "a signed-in request with no page", What: "server CPU / bare Echo's, " + s.name,
			Figure: fmt.Sprintf("%s / %s; limit %s (Echo + %s)", us(cpu), us(echo), us(echo+cpuRender), us(cpuRender)),
			Ratio:  float64(cpu) / float64(echo), Limit: float64(echo+cpuRender) / float64(echo), AtMost: true, Unit: "x"})
	}
	for _, p := range rep.measured() {
		cpu := perOp(p.Many.CPU.Server, p.Many.OK)
		base, baseName := rep.baseCPUFor(p)
		if q := p.Queries; q != nil && q.Err == nil && q.CPU > 0 {
			// Shown as CPU over the SQL floor, against the ratio the limit comes to on this run.
			limit := base + time.Duration(cpuTimesSQL*float64(q.CPU)) + cpuRender
			out = append(out, budget{Page: p.Page.Name, What: "server CPU / SQL floor",
				Figure: fmt.Sprintf("%s / %s; limit %s (%s %s + %.1f × SQL + %s)", us(cpu), us(q.CPU), us(limit),
					baseName, us(base), cpuTimesSQL, us(cpuRender)),
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

// baseCPUFor is the fixed server CPU of one of the page's requests, what it costs before the
// page's own work: a signed-in request with no page (/healthz with a session: HTTP, the session
// and the user read, the middleware) for a page that needs signing in, else the bare Echo
// handler; measured at the concurrency the page's own CPU was, one request at a time for the
// pages opened a few times a day, else 64 connections. Sent one at a time, every request wakes
// the server from idle (the poller, a thread, the scheduler's search for work), which at 64
// connections the requests waiting share: the bare handler cost 29 µs a request at 64
// connections and 89 µs one at a time. name says which it is, for the report.
func (rep *report) baseCPUFor(p pageResult) (cpu time.Duration, name string) {
	one := p.Many.Conns == 1
	if p.Page.Role != "" {
		if r := pick(one, rep.SignedOne, rep.SignedMany); r.OK > 0 {
			return perOp(r.CPU.Server, r.OK), "signed-in request"
		}
	}
	r := pick(one, rep.EchoOne, rep.EchoMany)
	return perOp(r.CPU.Server, r.OK), "Echo"
}

// pick is one if the page was measured one request at a time, else many.
func pick(one bool, r1, many loadResult) loadResult {
	if one && r1.OK > 0 {
		return r1
	}
	return many
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
