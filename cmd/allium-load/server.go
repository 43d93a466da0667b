package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// process is a server this tool started and measures.
type process struct {
	cmd   *exec.Cmd
	base  string // http://127.0.0.1:PORT
	ready time.Duration
	done  chan error
	once  sync.Once
	err   error
}

// freeAddr finds a loopback port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startProcess runs bin with args (ADDR in args is replaced by a free address) and waits until
// GET probe answers 200; ready is the time from exec to that answer.
func startProcess(ctx context.Context, bin string, args []string, probe string, log io.Writer) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	argv := make([]string, len(args))
	for i, a := range args {
		if a == "ADDR" {
			a = addr
		}
		argv[i] = a
	}
	p := &process{base: "http://" + addr, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, argv...)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	p.cmd.Env = os.Environ()
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- p.cmd.Wait() }()
	hc := &http.Client{Timeout: time.Second}
	deadline := start.Add(60 * time.Second)
	for {
		resp, err := hc.Get(p.base + probe)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.ready = time.Since(start)
				return p, nil
			}
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited before it was ready: %v", bin, err)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s not ready after 60 s", bin)
		}
	}
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop asks the process to finish (SIGTERM, as a service manager would) and kills it if it
// has not within ten seconds.
func (p *process) stop() error {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.done:
			var ee *exec.ExitError
			if errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled() {
				err = nil
			}
			p.err = err
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
			p.err = fmt.Errorf("pid %d did not stop on SIGTERM; killed", p.pid())
		}
	})
	return p.err
}
