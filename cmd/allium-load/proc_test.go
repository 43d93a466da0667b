package main

import (
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name string
		line string
		want time.Duration
	}{
		{"plain", "4242 (allium) S 1 4242 4242 0 -1 4194304 500 0 0 0 150 25 0 0 20 0 8 0 100 0 0", 1750 * time.Millisecond},
		{"name with spaces and parens", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 0 0", 70 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tt.line))
			if err != nil || got != tt.want {
				t.Errorf("parseStatCPU = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if _, err := parseStatCPU([]byte("garbage")); err == nil {
		t.Error("parseStatCPU(garbage) succeeded; want an error")
	}
}

func TestParseStatusKB(t *testing.T) {
	status := "Name:\tallium\nVmPeak:\t 900000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40000 kB\n"
	got, err := parseStatusKB([]byte(status), "VmHWM:")
	if want := int64(51200 * 1024); err != nil || got != want {
		t.Errorf("VmHWM = %d, %v; want %d", got, err, want)
	}
	if _, err := parseStatusKB([]byte(status), "VmSwap:"); err == nil {
		t.Error("a missing key gave no error")
	}
}
