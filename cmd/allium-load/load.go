package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// nextRequest makes a worker's next request; false means there is nothing more to send (a
// booking run that has used every free time it was given).
type nextRequest func() (*http.Request, bool)

// loadResult is one load run: a fixed number of connections, each sending its next request as soon as
// the last one answered (a closed loop, as wrk does), for a bounded time.
type loadResult struct {
	Conns     int
	OK        int // answered with the wanted status inside the window
	Failed    int // any other status, or a transport error
	Statuses  map[int]int
	Latency   latencies
	PerSecond float64 // OK answers per second of the window
	CPU       cpuUse
	Bytes     int64 // body bytes of the last OK answer
	Exhausted bool  // the run ended early: no more requests to make
	// lat and window are what the summaries above were computed from, so that runs taken in
	// turns (interleave.go) add up to one.
	lat    []time.Duration
	window time.Duration
}

// sample is one answered request of the measured phase.
type sample struct {
	start, end time.Time
	code       int
	bytes      int64
	err        error
}

// loadRun drives conns connections for warmup (not counted) and then dur. Only requests that
// start and finish inside the measured window count; the server's CPU is read at its edges.
func loadRun(ctx context.Context, pid, conns int, warmup, dur time.Duration, next nextRequest, want int) loadResult {
	// Stopping lets each connection finish the request it has in flight: cancelling it would
	// make the server log a failure that is the load generator's doing.
	var stopping atomic.Bool
	measuring := make(chan struct{})
	results := make([][]sample, conns)
	exhausted := make([]bool, conns)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			var conn wireConn
			defer conn.close()
			for !stopping.Load() && ctx.Err() == nil {
				req, more := next()
				if !more {
					exhausted[w] = true
					return
				}
				s := sample{start: time.Now()}
				s.code, s.bytes, s.err = conn.send(req)
				s.end = time.Now()
				select {
				case <-measuring:
					results[w] = append(results[w], s)
				default: // warming up
				}
			}
		})
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()
	select {
	case <-time.After(warmup):
	case <-allDone:
	}
	winStart := time.Now()
	meter := startCPU(pid)
	close(measuring)
	select {
	case <-time.After(dur):
	case <-allDone:
	case <-ctx.Done():
	}
	cpu := meter.stop()
	winEnd := time.Now()
	stopping.Store(true)
	<-allDone
	out := tally(results, winStart, winEnd, want)
	out.Conns, out.CPU = conns, cpu
	for _, e := range exhausted {
		out.Exhausted = out.Exhausted || e
	}
	return out
}

// tally counts the samples that started and ended inside the window.
func tally(results [][]sample, winStart, winEnd time.Time, want int) loadResult {
	out := loadResult{Statuses: map[int]int{}}
	var lat []time.Duration
	for _, rs := range results {
		for _, s := range rs {
			if s.start.Before(winStart) || s.end.After(winEnd) {
				continue
			}
			out.Statuses[s.code]++
			if s.err != nil || s.code != want {
				out.Failed++
				continue
			}
			out.OK++
			out.Bytes = s.bytes
			lat = append(lat, s.end.Sub(s.start))
		}
	}
	out.Latency, out.lat, out.window = summarise(lat), lat, winEnd.Sub(winStart)
	if w := out.window.Seconds(); w > 0 {
		out.PerSecond = float64(out.OK) / w
	}
	return out
}

// send makes one request and reads the whole answer; redirects are answers, not followed.
func send(hc *http.Client, req *http.Request) (int, int64, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, n, err
}

// wireConn is one keep-alive HTTP/1.1 connection driven directly: the request written, the
// answer parsed with net/http's own reader, no Transport. The Transport's two goroutines and
// channel hand-offs per connection cost the generator 100-300 µs of CPU a request on the cores
// it shares with the server; this costs a fraction, as wrk would. A connection the server
// closes, or one that fails, is dialled again for the next request.
type wireConn struct {
	c  net.Conn
	br *bufio.Reader
	bw *bufio.Writer
}

func (w *wireConn) send(req *http.Request) (int, int64, error) {
	if w.c == nil {
		c, err := net.DialTimeout("tcp", req.URL.Host, 5*time.Second)
		if err != nil {
			return 0, 0, err
		}
		w.c, w.br, w.bw = c, bufio.NewReaderSize(c, 32<<10), bufio.NewWriterSize(c, 8<<10)
	}
	_ = w.c.SetDeadline(time.Now().Add(30 * time.Second))
	resp, err := w.roundTrip(req)
	if err != nil {
		w.close()
		return 0, 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		w.close()
	}
	return resp.StatusCode, n, err
}

func (w *wireConn) roundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Write(w.bw); err != nil {
		return nil, err
	}
	if err := w.bw.Flush(); err != nil {
		return nil, err
	}
	return http.ReadResponse(w.br, req)
}

func (w *wireConn) close() {
	if w.c != nil {
		w.c.Close()
		w.c = nil
	}
}

// newHTTPClient is one connection's client: keep-alive, no compression, no redirects.
func newHTTPClient() *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// serialRun sends one request at a time for dur (after one unmeasured request) and reads the
// server's CPU before the first and after the last answer, when it has nothing in flight: the
// CPU per request of a slow page, exact. A window cut across requests in flight, as loadRun's
// is, charges a page of 100 ms or more with whole requests it does not count.
func serialRun(ctx context.Context, pid int, dur time.Duration, next nextRequest, want int) loadResult {
	var conn wireConn
	defer conn.close()
	if req, ok := next(); ok {
		_, _, _ = conn.send(req)
	}
	var samples []sample
	meter := startCPU(pid)
	end := time.Now().Add(dur)
	for time.Now().Before(end) && ctx.Err() == nil {
		req, ok := next()
		if !ok {
			break
		}
		s := sample{start: time.Now()}
		s.code, s.bytes, s.err = conn.send(req)
		s.end = time.Now()
		samples = append(samples, s)
	}
	cpu := meter.stop()
	out := tally([][]sample{samples}, meter.start, time.Now(), want)
	out.Conns, out.CPU, out.window = 1, cpu, cpu.Wall
	if cpu.Wall > 0 {
		out.PerSecond = float64(out.OK) / cpu.Wall.Seconds()
	}
	return out
}
