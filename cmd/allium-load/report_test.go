package main

import (
	"strings"
	"testing"
)

func TestReplaceSection(t *testing.T) {
	gen := "figures v2\n"
	block := beginMarker + "\nfigures v2\n" + endMarker + "\n"
	tests := []struct {
		name, doc, want string
	}{
		{"empty file gets the section", "# Performance\n",
			"# Performance\n\n## Pages and load\n\n" + block},
		{"other sections are kept and the section goes last",
			"# Performance\n\n## Booking\n\nbooking text\n",
			"# Performance\n\n## Booking\n\nbooking text\n\n## Pages and load\n\n" + block},
		{"a section without markers keeps its notes under the figures",
			"# P\n\n## Pages and load\nnotes\n## Mail\nmail\n",
			"# P\n\n## Pages and load\n\n" + block + "notes\n## Mail\nmail\n"},
		{"old figures are replaced, notes and other sections kept",
			"# P\n\n## Pages and load\n\n" + beginMarker + "\nfigures v1\n" + endMarker + "\n\n### Fixes\nbefore/after\n\n## Mail\nm\n",
			"# P\n\n## Pages and load\n\n" + block + "\n### Fixes\nbefore/after\n\n## Mail\nm\n"},
		{"a longer heading is not this section",
			"# P\n\n## Pages and load balancers\n",
			"# P\n\n## Pages and load balancers\n\n## Pages and load\n\n" + block},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := replaceSection(tt.doc, gen)
			if got != tt.want {
				t.Errorf("replaceSection:\ngot:\n%s\nwant:\n%s", got, tt.want)
			}
			if again := replaceSection(got, gen); again != got {
				t.Errorf("a second run changed the file:\n%s", again)
			}
			if strings.Count(got, sectionHeading+"\n") != 1 {
				t.Errorf("want exactly one %q heading:\n%s", sectionHeading, got)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1000000: "1,000,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q; want %q", n, got, want)
		}
	}
}
