// Command allium runs the Allium clinic app: `allium serve` (the default), `allium demo`,
// `allium user add`, `allium backup PATH` and `allium migrate`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // the clinic's zone must load on machines without a zoneinfo database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "allium:", err)
		os.Exit(1)
	}
}
