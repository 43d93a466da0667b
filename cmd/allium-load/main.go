// Command allium-load measures Allium on a large clinic: it starts `allium serve` on loopback
// against a copy of a database, signs in as the clinic's people, drives each page at 2 and at 64
// connections, measures the floors (a bare Echo handler, each page's own SQL, a bare SQLite
// insert transaction) in the same run, and writes the "Pages and load" section of
// docs/performance.md.
//
//	allium-load -db bench/large.db -server-bin bin/allium -out docs/performance.md -duration 10s
//	allium-load floor-server -addr 127.0.0.1:8089   (the bare Echo handler; started by the above)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	_ "net/http/pprof" // profiles of this process on -pprof, never of the server measured
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "allium-load:", err)
		os.Exit(1)
	}
}

// options are the flags of a load run.
type options struct {
	DB, ServerBin, Out, GoBench, Password, Pprof string
	Only                                         string
	Duration, Warmup, FloorDuration, QuietWait   time.Duration
	QuietPct                                     float64
	Copy                                         bool
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "floor-server" {
		return floorServer(args[1:])
	}
	var o options
	fs := flag.NewFlagSet("allium-load", flag.ContinueOnError)
	fs.StringVar(&o.DB, "db", "bench/large.db", "database to measure (a copy is used unless -copy=false)")
	fs.StringVar(&o.ServerBin, "server-bin", "bin/allium", "the allium binary to start")
	fs.StringVar(&o.Out, "out", "docs/performance.md", "markdown file whose \"Pages and load\" section is rewritten; - for standard output")
	fs.StringVar(&o.GoBench, "gobench", "", "output of go test -bench to include in the report")
	fs.StringVar(&o.Password, "password", "allium-demo-2026", "password of the demo accounts")
	fs.StringVar(&o.Pprof, "pprof", "", "serve this process's pprof on this address (e.g. 127.0.0.1:6061)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "measured time of each run")
	fs.DurationVar(&o.Warmup, "warmup", time.Second, "unmeasured time before each run")
	fs.DurationVar(&o.FloorDuration, "floor-duration", 3*time.Second, "measured time of each in-process floor")
	fs.DurationVar(&o.QuietWait, "quiet-wait", 30*time.Second, "longest wait for other processes to go quiet before a run")
	fs.Float64Var(&o.QuietPct, "quiet-pct", 5, "background CPU percent that counts as quiet")
	fs.StringVar(&o.Only, "only", "", "measure only pages whose name contains this (for profiling one page)")
	fs.BoolVar(&o.Copy, "copy", true, "measure a scratch copy, leaving -db as it was")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Pprof != "" {
		go http.ListenAndServe(o.Pprof, nil) //nolint:errcheck // a diagnostic aid
	}
	rep, err := measure(ctx, o, stdout)
	if err != nil {
		return err
	}
	md := rep.markdown()
	if o.Out == "-" {
		if _, err := io.WriteString(stdout, md); err != nil {
			return err
		}
	} else if err := writeSection(o.Out, md); err != nil {
		return err
	} else {
		fmt.Fprintf(stdout, "wrote %s\n", o.Out)
	}
	// The report is written either way: a miss is read there, and fails the run.
	fmt.Fprintln(stdout, "budgets (ratios to floors measured in this run):")
	for _, b := range rep.budgets() {
		fmt.Fprintf(stdout, "  %-4s  %-30s %-42s %8s  (%s)\n", strings.ToUpper(strings.Trim(passMiss(b.pass()), "*")), b.Page,
			b.What, b.ratioText(b.Ratio), b.limitText())
	}
	if misses := rep.missed(); len(misses) > 0 {
		return fmt.Errorf("%d budgets missed:\n  %s", len(misses), strings.Join(misses, "\n  "))
	}
	return nil
}
