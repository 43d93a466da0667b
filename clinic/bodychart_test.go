package clinic

import (
	"slices"
	"testing"
)

// TestEveryRegionIsMarkedOnAnArea: a finding in any region of the vocabulary gets a mark, on
// an area of the body chart, and on the side it was found.
func TestEveryRegionIsMarkedOnAnArea(t *testing.T) {
	for _, r := range BodyRegions() {
		marks := BodyMarks(r.Code, SideRight)
		if len(marks) == 0 {
			t.Errorf("region %s is marked nowhere", r.Code)
		}
		for _, m := range marks {
			a, ok := BodyAreaByCode(m.Area)
			if !ok {
				t.Errorf("region %s is marked on %s, which is not an area of the body chart", r.Code, m.Area)
			}
			if a.Side == SideLeft {
				t.Errorf("region %s on the right is marked on %s", r.Code, m.Area)
			}
		}
	}
	for code := range regionMarks {
		if _, ok := RegionByCode(code); !ok {
			t.Errorf("regionMarks names %s, which is not a region", code)
		}
	}
}

func TestBodyMarksFollowTheSide(t *testing.T) {
	for _, tc := range []struct {
		region string
		side   BodySide
		want   []BodyMark
	}{
		{"upper_trap", SideLeft, []BodyMark{{ViewAnterior, "shoulder_l"}, {ViewPosterior, "shoulder_l"}}},
		{"calf", SideBilateral, []BodyMark{{ViewPosterior, "calf_r"}, {ViewPosterior, "calf_l"}}},
		{"sacrum", SideMidline, []BodyMark{{ViewPosterior, "low_back"}}},
		{"tail", SideLeft, nil},
	} {
		if got := BodyMarks(tc.region, tc.side); !slices.Equal(got, tc.want) {
			t.Errorf("BodyMarks(%s, %s) = %v, want %v", tc.region, tc.side, got, tc.want)
		}
	}
}

func TestBodyAreasAreUniqueWithTheirSide(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range BodyChartAreas() {
		if seen[a.Code] {
			t.Errorf("area %s is listed twice", a.Code)
		}
		seen[a.Code] = true
		got, ok := BodyAreaByCode(a.Code)
		if !ok || got != a {
			t.Errorf("BodyAreaByCode(%s) = %v, %v", a.Code, got, ok)
		}
	}
	if a, _ := BodyAreaByCode("jaw_r"); a.Label != "Right jaw" || a.Side != SideRight {
		t.Errorf("jaw_r = %+v", a)
	}
	for code, want := range map[string]BodySide{"neck": SideMidline, "knee_l": SideLeft, "knee_r": SideRight, "knee": ""} {
		if got, ok := bodyAreaSide(code); got != want || ok != (want != "") {
			t.Errorf("side of %s: %q, %v; want %q", code, got, ok, want)
		}
	}
	if codes := BodyAreas(); len(codes) != len(seen) || !slices.Contains(codes, "ankle_foot_l") {
		t.Errorf("BodyAreas() = %v", codes)
	}
}
