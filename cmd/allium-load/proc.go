package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of /proc CPU counters (USER_HZ), 100 on every Linux this runs on.
const clockTick = 10 * time.Millisecond

// procCPU is a process's user plus system CPU time so far, threads that ended included.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime (fields 14 and 15) from a /proc/PID/stat line. The
// command name in parentheses may hold spaces, so fields are counted after its closing one.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("stat: %d fields", len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("stat: utime %q stime %q", f[11], f[12])
	}
	return time.Duration(u+s) * clockTick, nil
}

// procPeakRSS is a process's high-water resident set size in bytes (VmHWM).
func procPeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusKB(b, "VmHWM:")
}

func parseStatusKB(b []byte, key string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("status: no %s", key)
}

// selfCPU is this process's own CPU time, all threads.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineBusy is the CPU time every process on the machine has used, from /proc/stat.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	var busy int64
	// user nice system idle iowait irq softirq steal: all but idle and iowait are work.
	for i, v := range f[1:min(len(f), 9)] {
		if i == 3 || i == 4 {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * clockTick
}

// cpuMeter measures, over one run, the CPU of the server, of this process and of everything
// else on the machine (the background that spoils a measurement on a shared host).
type cpuMeter struct {
	pid               int
	start             time.Time
	server, self, all time.Duration
}

func startCPU(pid int) cpuMeter {
	m := cpuMeter{pid: pid, start: time.Now(), self: selfCPU(), all: machineBusy()}
	if pid > 0 {
		m.server, _ = procCPU(pid)
	}
	return m
}

// cpuUse is what a cpuMeter saw.
type cpuUse struct {
	Wall, Server, Self time.Duration
	Background         float64 // percent of all cores used by other processes
}

func (m cpuMeter) stop() cpuUse {
	u := cpuUse{Wall: time.Since(m.start), Self: selfCPU() - m.self}
	if m.pid > 0 {
		s, _ := procCPU(m.pid)
		u.Server = s - m.server
	}
	other := machineBusy() - m.all - u.Server - u.Self
	if u.Wall > 0 && other > 0 {
		u.Background = 100 * float64(other) / float64(u.Wall*time.Duration(runtime.NumCPU()))
	}
	return u
}

// waitQuiet waits, at most max, until other processes use less than pct percent of the machine
// over a second, so a run starts on a quiet host. It returns the last background it saw.
func waitQuiet(max time.Duration, pct float64, pids ...int) float64 {
	deadline := time.Now().Add(max)
	for {
		pid := 0
		if len(pids) > 0 {
			pid = pids[0]
		}
		m := startCPU(pid)
		time.Sleep(time.Second)
		bg := m.stop().Background
		if bg < pct || time.Now().After(deadline) {
			return bg
		}
	}
}

// machine describes the host for the report.
type machine struct {
	CPUs      int
	Model     string
	Memory    string
	Kernel    string
	GoVersion string
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if n, err := parseStatusKB(b, "MemTotal:"); err == nil {
			m.Memory = fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}
