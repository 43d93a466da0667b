package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"allium/store"
)

// floorServer is the bare Echo handler the pages are compared with: the same framework and
// the same loopback, no middleware, no database, no template.
func floorServer(args []string) error {
	fs := flag.NewFlagSet("floor-server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8089", "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// opFloor is a loop of one operation in this process, on one goroutine.
type opFloor struct {
	Ops       int
	PerSecond float64
	CPU       time.Duration // this process's CPU per operation
	Latency   latencies
	Err       error
	lat       []time.Duration // the samples behind Latency, and the time they took,
	wall      time.Duration   // so that floors taken in turns add up to one
}

// measureOp runs op for dur after a short warm-up and reports its rate and CPU per operation.
func measureOp(ctx context.Context, dur time.Duration, op func(context.Context) error) opFloor {
	warm := time.Now().Add(dur / 5)
	for time.Now().Before(warm) {
		if err := op(ctx); err != nil {
			return opFloor{Err: err}
		}
	}
	var lat []time.Duration
	m := startCPU(0)
	end := time.Now().Add(dur)
	for t0 := time.Now(); t0.Before(end); t0 = time.Now() {
		if err := op(ctx); err != nil {
			return opFloor{Err: err}
		}
		lat = append(lat, time.Since(t0))
	}
	u := m.stop()
	return opFloor{Ops: len(lat), PerSecond: float64(len(lat)) / u.Wall.Seconds(), CPU: perOp(u.Self, len(lat)),
		Latency: summarise(lat), lat: lat, wall: u.Wall}
}

// insertFloor is a bare single-row insert transaction, with the connection settings the store
// uses for its writer (WAL, store.Synchronous, immediate transactions), in a fresh file.
func insertFloor(ctx context.Context, dir string, dur time.Duration) opFloor {
	path := filepath.Join(dir, "insert-floor.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous="+store.Synchronous+"&_busy_timeout=5000&_txlock=immediate")
	if err != nil {
		return opFloor{Err: err}
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL,
		b INTEGER NOT NULL, c TEXT NOT NULL)`); err != nil {
		return opFloor{Err: err}
	}
	i := 0
	return measureOp(ctx, dur, func(ctx context.Context) error {
		i++
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO t (a, b, c) VALUES (?, ?, ?)`, i, i*7, "booked"); err != nil {
			tx.Rollback()
			return fmt.Errorf("insert: %w", err)
		}
		return tx.Commit()
	})
}
