package clinic

import (
	"slices"
	"testing"
)

func TestValidAcupoint(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical code, "" when invalid
	}{
		{"GB21", "GB21"},
		{"LI4", "LI4"},
		{"gb21", "GB21"},
		{" Gb 21 ", "GB21"},
		{"GB-21", "GB21"},
		{"GB44", "GB44"},
		{"GB45", ""},
		{"GB99", ""},
		{"GB0", ""},
		{"GB021", ""},
		{"XX1", ""},
		{"LI20", "LI20"},
		{"LI21", ""},
		{"ST45", "ST45"},
		{"BL67", "BL67"},
		{"BL68", ""},
		{"SI19", "SI19"},
		{"TE23", "TE23"},
		{"SJ5", "TE5"},
		{"TW5", "TE5"},
		{"LU11", "LU11"},
		{"HT9", "HT9"},
		{"HT10", ""},
		{"PC9", "PC9"},
		{"P6", "PC6"},
		{"KI27", "KI27"},
		{"K1", "KI1"},
		{"SP21", "SP21"},
		{"LR14", "LR14"},
		{"Liv3", "LR3"},
		{"LV3", "LR3"},
		{"GV28", "GV28"},
		{"GV29", "GV29"},
		{"GV30", ""},
		{"Du20", "GV20"},
		{"CV24", "CV24"},
		{"Ren17", "CV17"},
		{"CV25", ""},
		{"UB40", "BL40"},
		{"EX-HN3", "EX-HN3"},
		{"ex-hn3", "EX-HN3"},
		{"EX-B2", "EX-B2"},
		{"EX-HN16", ""},
		{"EX-ZZ1", ""},
		{"EX2", ""},
		{"ASHI", "ASHI"},
		{"a-shi", "ASHI"},
		{"", ""},
		{"21", ""},
		{"GB", ""},
		{"GB21A", ""},
	}
	for _, tt := range tests {
		got, ok := NormalizeAcupoint(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("NormalizeAcupoint(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
		if v := ValidAcupoint(tt.in); v != (tt.want != "") {
			t.Errorf("ValidAcupoint(%q) = %v", tt.in, v)
		}
	}
}

func TestChannels(t *testing.T) {
	total := 0
	for _, c := range Channels() {
		total += c.Points
	}
	// 361 classical points plus Yintang counted on the Governor Vessel.
	if got, want := len(Channels()), 14; got != want {
		t.Errorf("got %d channels, want %d", got, want)
	}
	if total != 362 {
		t.Errorf("got %d points, want 362", total)
	}
}

func TestAcupointCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Acupoints() {
		if c, ok := NormalizeAcupoint(p.Code); !ok || c != p.Code {
			t.Errorf("catalogue code %q is not canonical (got %q, %v)", p.Code, c, ok)
		}
		if seen[p.Code] {
			t.Errorf("%s listed twice", p.Code)
		}
		seen[p.Code] = true
		if p.Pinyin == "" || p.Location == "" {
			t.Errorf("%s: missing name or location", p.Code)
		}
	}
	for _, code := range []string{"LI4", "SP6", "GB21", "BL60", "BL67"} {
		if p, ok := AcupointByCode(code); !ok || !p.AvoidInPregnancy {
			t.Errorf("%s: got %+v, want it marked to avoid in pregnancy", code, p)
		}
	}
	if p, ok := AcupointByCode("gb-20"); !ok || p.Pinyin != "Fengchi" {
		t.Errorf("gb-20: got %+v, %v; want Fengchi", p, ok)
	}
	if _, ok := AcupointByCode("GB40"); ok {
		t.Error("GB40 is valid but not in the catalogue: got an entry")
	}
}

func TestMusclesReferToRegions(t *testing.T) {
	if got := len(Muscles()); got != 22 {
		t.Errorf("got %d muscles, want the 22 of the charting table", got)
	}
	seen := map[string]bool{}
	for _, m := range Muscles() {
		if seen[m.Key] {
			t.Errorf("%s listed twice", m.Key)
		}
		seen[m.Key] = true
		if len(m.TrPRegions) == 0 || len(m.Essential) == 0 {
			t.Errorf("%s: no trigger point region or essential zone", m.Key)
		}
		for _, code := range slices.Concat(m.TrPRegions, m.Essential, m.Spillover) {
			if _, ok := RegionByCode(code); !ok {
				t.Errorf("%s: unknown region %q", m.Key, code)
			}
		}
	}
	m, ok := MuscleByKey("infraspinatus")
	if !ok || !slices.Equal(m.Essential, []string{"shoulder_anterior"}) {
		t.Errorf("infraspinatus: got %+v, %v; want referral to the front of the shoulder", m, ok)
	}
	if _, ok := MuscleByKey("biceps"); ok {
		t.Error("biceps: got a muscle, want none")
	}
}

func TestMusclesAreCopies(t *testing.T) {
	a := Muscles()
	a[0].Essential[0] = "changed"
	if b := Muscles(); b[0].Essential[0] == "changed" {
		t.Error("changing a returned muscle changed the catalogue")
	}
}

func TestBodyRegions(t *testing.T) {
	seen := map[string]bool{}
	front, back := 0, 0
	for _, r := range BodyRegions() {
		if seen[r.Code] {
			t.Errorf("%s listed twice", r.Code)
		}
		seen[r.Code] = true
		if !r.Anterior && !r.Posterior {
			t.Errorf("%s is on no view", r.Code)
		}
		if r.Anterior {
			front++
		}
		if r.Posterior {
			back++
		}
	}
	if front < 20 || back < 20 {
		t.Errorf("got %d front and %d back regions, want a full chart on each", front, back)
	}
}

func TestSuggestedTrPStatus(t *testing.T) {
	tests := []struct {
		signs TriggerPointSigns
		want  TrPStatus
	}{
		{TriggerPointSigns{}, ""},
		{TriggerPointSigns{TautBand: true, Twitch: true, RecognisedPain: true}, ""},
		{TriggerPointSigns{SpotTenderness: true}, TrPLatent},
		{TriggerPointSigns{SpotTenderness: true, TautBand: true, Referral: true}, TrPLatent},
		{TriggerPointSigns{SpotTenderness: true, RecognisedPain: true}, TrPActive},
	}
	for _, tt := range tests {
		if got := tt.signs.SuggestedStatus(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.signs, got, tt.want)
		}
	}
}

func TestTendernessGrade(t *testing.T) {
	if got, want := TendernessGrade(3).Label(), "III: withdraws (jump sign)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if TendernessGrade(5).Valid() || TendernessGrade(-1).Valid() || !TendernessGrade(0).Valid() {
		t.Error("grades outside 0-IV must be invalid and 0 valid")
	}
	if got := len(TendernessGrades()); got != 5 {
		t.Errorf("got %d grades, want 5", got)
	}
}

func TestTechniques(t *testing.T) {
	seen := map[string]bool{}
	tuina := 0
	for _, tq := range Techniques() {
		if seen[tq.Code] {
			t.Errorf("%s listed twice", tq.Code)
		}
		seen[tq.Code] = true
		if tq.Family == "tui_na" {
			tuina++
		}
	}
	if tuina != 14 {
		t.Errorf("got %d Tui Na techniques, want 14", tuina)
	}
	if tq, ok := TechniqueByCode("tuina_yao"); !ok || tq.Note == "" {
		t.Errorf("tuina_yao: got %+v, want a restriction note", tq)
	}
}
