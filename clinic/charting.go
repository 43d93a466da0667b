package clinic

import (
	"strconv"
	"strings"
)

// BodyView is one of the two body chart drawings.
type BodyView string

// Body chart views. Both show the client's own left and right: in the
// anterior view the client's right is on the viewer's left.
const (
	ViewAnterior  BodyView = "anterior"
	ViewPosterior BodyView = "posterior"
)

// BodySide is the side of the body a finding or mark is on, as the client
// stands (anatomical position), never as the therapist sees it.
type BodySide string

// Body sides.
const (
	SideLeft      BodySide = "left"
	SideRight     BodySide = "right"
	SideBilateral BodySide = "bilateral"
	SideMidline   BodySide = "midline"
)

// BodySides lists the sides in the order a form shows them.
func BodySides() []BodySide { return []BodySide{SideLeft, SideRight, SideBilateral, SideMidline} }

// BodyRegion is an area of the body chart. Paired regions are drawn once per
// side, and their SVG shapes carry the side as a suffix ("scapular_R");
// midline regions carry the bare code. Anterior and Posterior say which
// drawings show the region; lateral areas appear in both.
type BodyRegion struct {
	Code                string
	Name                string
	Paired              bool
	Anterior, Posterior bool
}

// BodyRegions is the region vocabulary: the widespread pain index regions
// split into the finer areas massage charting and referral zones need.
func BodyRegions() []BodyRegion {
	const a, p, ap = 1, 2, 3
	rows := []struct {
		code, name string
		paired     bool
		views      int
	}{
		{"vertex", "Top of head", false, ap},
		{"forehead", "Forehead", false, a},
		{"temple", "Temple", true, a},
		{"orbit", "Eye region", true, a},
		{"cheek", "Cheek", true, a},
		{"jaw", "Jaw", true, a},
		{"ear", "Ear", true, ap},
		{"throat", "Throat", false, a},
		{"neck_anterior", "Front of neck", true, a},
		{"occiput", "Back of head", true, p},
		{"mastoid", "Behind the ear", true, p},
		{"neck_posterior", "Back of neck", true, p},
		{"neck_angle", "Angle of neck", true, p},
		{"upper_trap", "Top of shoulder", true, ap},
		{"acromion", "Point of shoulder", true, ap},
		{"shoulder_anterior", "Front of shoulder", true, a},
		{"shoulder_lateral", "Side of shoulder (deltoid)", true, ap},
		{"shoulder_posterior", "Back of shoulder", true, p},
		{"suprascapular", "Above the shoulder blade", true, p},
		{"scapular", "Shoulder blade", true, p},
		{"scapula_medial_border", "Inner edge of shoulder blade", true, p},
		{"interscapular", "Between the shoulder blades", true, p},
		{"upper_back", "Upper back (thoracic spine)", false, p},
		{"chest", "Chest", true, a},
		{"sternum", "Breastbone", false, a},
		{"abdomen", "Abdomen", false, a},
		{"groin", "Groin", true, a},
		{"low_back", "Low back", true, p},
		{"iliac_crest", "Top of the pelvis", true, p},
		{"sacrum", "Sacrum", false, p},
		{"si_joint", "Sacroiliac joint", true, p},
		{"buttock", "Buttock", true, p},
		{"hip_lateral", "Side of hip", true, ap},
		{"upper_arm_anterior", "Front of upper arm", true, a},
		{"upper_arm_lateral", "Outer upper arm", true, ap},
		{"upper_arm_medial", "Inner upper arm", true, a},
		{"upper_arm_posterior", "Back of upper arm", true, p},
		{"elbow_lateral", "Outer elbow", true, ap},
		{"elbow_medial", "Inner elbow", true, ap},
		{"forearm_anterior", "Front of forearm", true, a},
		{"forearm_radial", "Thumb side of forearm", true, ap},
		{"forearm_ulnar", "Little-finger side of forearm", true, ap},
		{"forearm_posterior", "Back of forearm", true, p},
		{"wrist", "Wrist", true, ap},
		{"hand_palm", "Palm", true, a},
		{"hand_dorsum", "Back of hand", true, p},
		{"thumb_index", "Thumb and index finger", true, ap},
		{"thigh_anterior", "Front of thigh", true, a},
		{"thigh_lateral", "Outer thigh", true, ap},
		{"thigh_medial", "Inner thigh", true, a},
		{"thigh_posterior", "Back of thigh", true, p},
		{"knee_anterior", "Front of knee", true, a},
		{"knee_lateral", "Outer knee", true, ap},
		{"knee_posterior", "Back of knee", true, p},
		{"shin", "Shin", true, a},
		{"leg_lateral", "Outer lower leg", true, ap},
		{"calf", "Calf", true, p},
		{"ankle", "Ankle", true, ap},
		{"foot_dorsum", "Top of foot", true, a},
		{"foot_sole", "Sole of foot", true, p},
		{"heel", "Heel", true, p},
	}
	regions := make([]BodyRegion, len(rows))
	for i, r := range rows {
		regions[i] = BodyRegion{Code: r.code, Name: r.name, Paired: r.paired, Anterior: r.views&a != 0, Posterior: r.views&p != 0}
	}
	return regions
}

// RegionByCode finds a region by its bare code.
func RegionByCode(code string) (BodyRegion, bool) {
	for _, r := range BodyRegions() {
		if r.Code == code {
			return r, true
		}
	}
	return BodyRegion{}, false
}

// Muscle is a muscle as charted: where its trigger points usually sit and
// where they refer, as region codes applied on the muscle's own side.
// Essential zones almost always appear; spillover zones sometimes do.
type Muscle struct {
	Key         string
	Name        string
	TrPLocation string
	TrPRegions  []string
	Essential   []string
	Spillover   []string
	Cues        string
	Caution     string
}

// Muscles is the charting catalogue of commonly treated muscles. Referral
// zones follow the published trigger point literature, redrawn as regions.
func Muscles() []Muscle {
	r := func(codes ...string) []string { return codes }
	return []Muscle{
		{"trap_upper", "Upper trapezius", "Mid free border, above the top of the shoulder blade", r("upper_trap"), r("neck_posterior", "mastoid", "temple"), r("orbit", "jaw"), "Tension neckache, temple headache", ""},
		{"trap_mid", "Middle trapezius", "Between the shoulder blade and C7-T3", r("interscapular"), r("interscapular", "upper_back"), r("acromion"), "Burning between the shoulder blades", ""},
		{"trap_lower", "Lower trapezius", "Lower fibres near the bottom of the shoulder blade", r("scapula_medial_border"), r("neck_posterior", "mastoid", "suprascapular"), nil, "", ""},
		{"levator_scap", "Levator scapulae", "Angle of the neck, above the top corner of the shoulder blade", r("neck_angle"), r("neck_angle", "scapula_medial_border"), r("shoulder_posterior"), "Stiff neck, limited rotation", ""},
		{"scm_sternal", "Sternocleidomastoid (sternal)", "Along the sternal division", r("neck_anterior"), r("vertex", "occiput", "cheek", "orbit"), r("throat", "sternum"), "Sinus-like or facial pain, tension headache", ""},
		{"scm_clav", "Sternocleidomastoid (clavicular)", "Clavicular division", r("neck_anterior"), r("forehead", "ear"), r("mastoid"), "Dizziness, ear pain", "Forehead pain can be on both sides."},
		{"suboccipitals", "Suboccipitals", "Below the occiput, C1-C2", r("occiput"), r("occiput", "temple", "orbit"), r("forehead"), "Headache at the skull base", ""},
		{"splenius_cap", "Splenius capitis", "Occipital triangle", r("neck_posterior"), r("vertex"), nil, "Headache at the top of the head", ""},
		{"splenius_cerv", "Splenius cervicis", "Angle of the neck", r("neck_angle"), r("orbit", "occiput"), r("neck_angle"), "Headache behind the eye", ""},
		{"scalenes", "Scalenes", "Front and side of the neck above the collarbone", r("neck_anterior"), r("chest", "scapula_medial_border", "upper_arm_lateral"), r("forearm_radial", "thumb_index"), "May mimic thoracic outlet or nerve root pain", "Refer if there are neurological signs."},
		{"supraspinatus", "Supraspinatus", "Supraspinous fossa, or near the insertion", r("suprascapular"), r("shoulder_lateral"), r("upper_arm_lateral", "elbow_lateral"), "Pain lifting the arm; may mimic tennis elbow", ""},
		{"infraspinatus", "Infraspinatus", "Below the spine of the shoulder blade", r("scapular"), r("shoulder_anterior"), r("upper_arm_lateral", "forearm_radial", "thumb_index"), "Cannot reach behind the back or sleep on that side", ""},
		{"rhomboids", "Rhomboids", "Between the inner edge of the shoulder blade and T2-T5", r("interscapular"), r("scapula_medial_border"), nil, "Ache between the shoulder blades (check the scalenes too)", ""},
		{"pec_major", "Pectoralis major", "Chest wall", r("chest"), r("chest", "shoulder_anterior"), r("upper_arm_medial", "forearm_ulnar"), "", "Left-sided chest pain may mimic cardiac pain: screen first."},
		{"pec_minor", "Pectoralis minor", "Below the coracoid", r("chest"), r("shoulder_anterior"), r("chest", "upper_arm_medial", "forearm_ulnar"), "", "Left-sided chest pain may mimic cardiac pain: screen first."},
		{"ql", "Quadratus lumborum", "Between the 12th rib and the iliac crest, beside the erectors", r("low_back"), r("si_joint", "buttock"), r("iliac_crest", "groin", "hip_lateral"), "Low back pain worse upright", ""},
		{"iliocostalis_lumb", "Iliocostalis lumborum", "Lumbar paraspinals", r("low_back"), r("low_back", "buttock"), nil, "", ""},
		{"glut_med", "Gluteus medius", "Below the iliac crest", r("buttock"), r("low_back", "sacrum", "si_joint", "buttock"), nil, "Pain walking or lying on that side", ""},
		{"glut_min", "Gluteus minimus", "Deep, anterior and posterior fibres", r("buttock", "hip_lateral"), r("buttock", "thigh_lateral", "thigh_posterior"), r("knee_lateral", "leg_lateral", "calf", "ankle"), "Hip pain, limp, sciatica-like pain", "Distinguish from nerve root pain."},
		{"piriformis", "Piriformis", "Deep buttock, sacrum to greater trochanter", r("buttock"), r("si_joint", "buttock"), r("thigh_posterior"), "Sciatica-like symptoms", "Refer if there is a neurological deficit."},
		{"gastroc", "Gastrocnemius", "Medial and lateral heads", r("calf"), r("calf", "foot_sole"), r("knee_posterior"), "Calf cramps, instep pain", "Exclude DVT before calf work."},
		{"soleus", "Soleus", "Lower calf", r("calf"), r("heel"), r("calf", "si_joint"), "Heel pain", "Exclude DVT before calf work."},
	}
}

// MuscleByKey finds a muscle by its key ("trap_upper").
func MuscleByKey(key string) (Muscle, bool) {
	for _, m := range Muscles() {
		if m.Key == key {
			return m, true
		}
	}
	return Muscle{}, false
}

// TendernessGrade is palpation tenderness on the 0-IV scale.
type TendernessGrade int

var tendernessLabels = []string{
	"0: not tender",
	"I: tender, no grimace",
	"II: tender with grimace or flinch",
	"III: withdraws (jump sign)",
	"IV: withdraws from a non-painful touch",
}

// Valid reports whether g is on the scale.
func (g TendernessGrade) Valid() bool { return g >= 0 && int(g) < len(tendernessLabels) }

// Label describes the grade for a person.
func (g TendernessGrade) Label() string {
	if !g.Valid() {
		return strconv.Itoa(int(g))
	}
	return tendernessLabels[g]
}

// TendernessGrades lists the grades from none to most severe.
func TendernessGrades() []TendernessGrade { return []TendernessGrade{0, 1, 2, 3, 4} }

// Tone, TissueTexture and FindingType are palpation vocabularies.
type (
	Tone          string
	TissueTexture string
	FindingType   string
)

// Tones lists muscle tone values.
func Tones() []Tone { return []Tone{"hypotonic", "normal", "hypertonic", "spasm"} }

// TissueTextures lists tissue texture values.
func TissueTextures() []TissueTexture {
	return []TissueTexture{"normal", "ropy", "fibrotic", "boggy_oedematous", "adhered", "thin_atrophic"}
}

// FindingTypes lists what a palpation finding can be.
func FindingTypes() []FindingType {
	return []FindingType{"tenderness", "hypertonicity", "spasm", "taut_band", "trigger_point",
		"fascial_restriction", "adhesion_scar", "oedema", "temperature_change", "nodule_other"}
}

// TrPStatus says whether a trigger point reproduces the complaint.
type TrPStatus string

// Trigger point statuses.
const (
	TrPActive TrPStatus = "active" // reproduces the client's complaint
	TrPLatent TrPStatus = "latent" // tender, but not the complaint
)

// TriggerPointSigns are recorded one by one because examiners agree on
// them unevenly: tenderness and recognised pain are the most reliable, the
// taut band and twitch the least, so no single box says "trigger point".
type TriggerPointSigns struct {
	SpotTenderness bool
	TautBand       bool
	RecognisedPain bool
	Referral       bool
	Twitch         bool
}

// SuggestedStatus pre-fills the status from the signs: no spot tenderness
// means no trigger point (""); recognised pain makes it active.
func (s TriggerPointSigns) SuggestedStatus() TrPStatus {
	switch {
	case !s.SpotTenderness:
		return ""
	case s.RecognisedPain:
		return TrPActive
	}
	return TrPLatent
}

// BodyMarkType is what a mark on the body chart means.
type BodyMarkType string

// BodyMarkTypes lists the chart's mark types.
func BodyMarkTypes() []BodyMarkType {
	return []BodyMarkType{"pain_area", "tenderness", "trigger_point_active", "trigger_point_latent",
		"referral_zone_essential", "referral_zone_spillover", "referral_arrow", "paraesthesia", "numbness",
		"stiffness", "fascial_restriction", "swelling", "scar", "bruise", "avoid_area", "cleared_area", "acupoint"}
}

// Channel is one of the fourteen main Tui Na channels, with its WHO code and
// the number of points on it.
type Channel struct {
	Code   string
	Name   string
	Points int
}

// Channels lists the fourteen main channels. GV counts Yintang as GV29, as
// the 2021 Chinese national standard does; EX-HN3 still names it too.
func Channels() []Channel {
	return []Channel{
		{"LU", "Lung", 11}, {"LI", "Large Intestine", 20}, {"ST", "Stomach", 45},
		{"SP", "Spleen", 21}, {"HT", "Heart", 9}, {"SI", "Small Intestine", 19},
		{"BL", "Bladder", 67}, {"KI", "Kidney", 27}, {"PC", "Pericardium", 9},
		{"TE", "Triple Energizer (San Jiao)", 23}, {"GB", "Gallbladder", 44}, {"LR", "Liver", 14},
		{"GV", "Governor Vessel (Du)", 29}, {"CV", "Conception Vessel (Ren)", 24},
	}
}

// channelAliases maps older channel abbreviations found in imported notes.
var channelAliases = map[string]string{
	"UB": "BL", "SJ": "TE", "TH": "TE", "TW": "TE", "LIV": "LR", "LV": "LR",
	"DU": "GV", "REN": "CV", "H": "HT", "HE": "HT", "P": "PC", "HC": "PC", "K": "KI", "KID": "KI",
}

// extraPointRegions are the WHO extra-point groups and how many each has.
var extraPointRegions = map[string]int{"HN": 15, "CA": 1, "B": 9, "UE": 11, "LE": 12}

// NormalizeAcupoint returns the canonical code for a point ("gb 21",
// "GB-21", "Liv3" -> "GB21", "GB21", "LR3"; "ex-hn3" -> "EX-HN3"; "a-shi" ->
// "ASHI"), and false when the code names no point: an unknown channel, or a
// number beyond the channel's last point.
func NormalizeAcupoint(s string) (string, bool) {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "").Replace(strings.TrimSpace(s)))
	if c == "ASHI" {
		return c, true
	}
	letters := strings.TrimRight(c, "0123456789")
	n, err := strconv.Atoi(c[len(letters):])
	if err != nil || n < 1 || c[len(letters)] == '0' {
		return "", false
	}
	if region, ok := strings.CutPrefix(letters, "EX"); ok && len(letters) > 2 {
		if last, ok := extraPointRegions[region]; ok && n <= last {
			return "EX-" + region + strconv.Itoa(n), true
		}
		return "", false
	}
	if alias, ok := channelAliases[letters]; ok {
		letters = alias
	}
	for _, ch := range Channels() {
		if ch.Code == letters && n <= ch.Points {
			return letters + strconv.Itoa(n), true
		}
	}
	return "", false
}

// ValidAcupoint reports whether s names a point on a channel, a WHO extra
// point or an A-shi point, in any common spelling.
func ValidAcupoint(s string) bool {
	_, ok := NormalizeAcupoint(s)
	return ok
}

// Acupoint is a catalogue entry: the points a clinic uses most for
// musculoskeletal work. Any valid code can be charted; the catalogue adds
// names, short locations and cautions for the ones listed.
type Acupoint struct {
	Code             string
	Pinyin           string
	Location         string
	Use              string
	Caution          string
	AvoidInPregnancy bool
}

// Acupoints is the starter catalogue. Locations are short reminders for a
// tooltip; the WHO standard locations are the authority.
func Acupoints() []Acupoint {
	const strongAvoid = "Pregnancy: avoid strong stimulation."
	return []Acupoint{
		{"GB20", "Fengchi", "Below the occiput, between the SCM and trapezius origins", "Neck stiffness, headache", "", false},
		{"GB21", "Jianjing", "Top of the shoulder, midway between GV14 and the acromion", "Neck and shoulder tension", strongAvoid, true},
		{"GB30", "Huantiao", "Buttock, a third of the way from the greater trochanter to the sacral hiatus", "Hip and buttock, sciatica-type pain", "", false},
		{"GB34", "Yanglingquan", "Below and in front of the head of the fibula", "Influential point of sinews; outer leg", "", false},
		{"GV14", "Dazhui", "Below the C7 spinous process", "Neck, upper back", "", false},
		{"SI3", "Houxi", "Little-finger edge of the hand, behind the 5th knuckle", "Distal point for neck and back of shoulder", "", false},
		{"SI9", "Jianzhen", "Above the back armpit crease", "Back of shoulder", "", false},
		{"SI11", "Tianzong", "Centre of the infraspinous fossa", "Shoulder blade and shoulder pain", "", false},
		{"SI14", "Jianwaishu", "Above the spine of the shoulder blade, level with T1", "Upper back and neck", "", false},
		{"SI15", "Jianzhongshu", "Beside C7, above the shoulder blade", "Upper back and neck", "", false},
		{"LI4", "Hegu", "Back of the hand between the 1st and 2nd metacarpals", "Distal point for face, head and arm pain", "Pregnancy: avoid.", true},
		{"LI10", "Shousanli", "2 cun below LI11 on the thumb side of the forearm", "Forearm and arm pain", "", false},
		{"LI11", "Quchi", "Outer end of the elbow crease, elbow bent", "Arm and shoulder pain", "", false},
		{"LI15", "Jianyu", "Front of the acromion, in the hollow with the arm lifted", "Front and side of shoulder", "", false},
		{"TE5", "Waiguan", "Back of the forearm, 2 cun above the wrist crease", "Outer arm and shoulder", "", false},
		{"TE14", "Jianliao", "Back hollow below the acromion with the arm lifted", "Side and back of shoulder", "", false},
		{"BL10", "Tianzhu", "Beside the trapezius at the hairline", "Neck, occipital headache", "", false},
		{"BL11", "Dazhu", "1.5 cun beside T1", "Upper back", "", false},
		{"BL12", "Fengmen", "1.5 cun beside T2", "Upper back", "", false},
		{"BL13", "Feishu", "1.5 cun beside T3", "Upper back", "", false},
		{"BL14", "Jueyinshu", "1.5 cun beside T4", "Upper back", "", false},
		{"BL15", "Xinshu", "1.5 cun beside T5", "Upper back", "", false},
		{"BL16", "Dushu", "1.5 cun beside T6", "Upper back", "", false},
		{"BL17", "Geshu", "1.5 cun beside T7", "Upper back", "", false},
		{"BL23", "Shenshu", "1.5 cun beside L2", "Low back", "Pregnancy: no strong lumbar or sacral work.", false},
		{"BL25", "Dachangshu", "1.5 cun beside L4", "Low back", "Pregnancy: no strong lumbar or sacral work.", false},
		{"BL40", "Weizhong", "Middle of the crease behind the knee", "Distal point for back pain", "Avoid over varicose veins.", false},
		{"BL60", "Kunlun", "Behind the outer ankle bone", "Ankle, distal point for back pain", "Pregnancy: avoid.", true},
		{"BL67", "Zhiyin", "Outer corner of the little toenail", "", "Pregnancy: avoid.", true},
		{"ST36", "Zusanli", "3 cun below ST35, a finger's width outside the shin crest", "General tonification (root)", "", false},
		{"SP6", "Sanyinjiao", "3 cun above the inner ankle bone, behind the tibia", "", "Pregnancy: avoid.", true},
		{"LR3", "Taichong", "Top of the foot between the 1st and 2nd metatarsals", "Stress-linked tension (root)", "Pregnancy: use caution.", false},
		{"EX-HN3", "Yintang", "Between the eyebrows", "Calming", "", false},
		{"EX-HN5", "Taiyang", "Hollow at the temple, behind the outer end of the eyebrow", "Temple headache", "", false},
		{"EX-B2", "Jiaji", "0.5 cun beside the spinous processes, T1 to L5", "Back pain along the spine", "", false},
		{"ASHI", "A-shi", "A tender point with no fixed location: mark it on the chart", "Local (branch)", "", false},
	}
}

// AcupointByCode finds a catalogue point by any spelling of its code.
func AcupointByCode(code string) (Acupoint, bool) {
	c, ok := NormalizeAcupoint(code)
	if !ok {
		return Acupoint{}, false
	}
	for _, p := range Acupoints() {
		if p.Code == c {
			return p, true
		}
	}
	return Acupoint{}, false
}

// Technique is one entry of the treatment technique vocabulary.
type Technique struct {
	Code   string
	Name   string
	Pinyin string // Tui Na techniques only
	Family string // "remedial" or "tui_na"
	Note   string
}

// Techniques lists the remedial and Tui Na techniques a session can record.
func Techniques() []Technique {
	const rem, tn = "remedial", "tui_na"
	joint := "Restricted with osteoporosis, recent fracture or a joint prosthesis."
	return []Technique{
		{"effleurage", "Effleurage", "", rem, ""},
		{"petrissage", "Petrissage", "", rem, ""},
		{"friction_cross_fibre", "Cross-fibre friction", "", rem, ""},
		{"tapotement", "Tapotement", "", rem, ""},
		{"vibration", "Vibration", "", rem, ""},
		{"compression", "Compression", "", rem, ""},
		{"deep_stroking", "Deep stroking", "", rem, ""},
		{"trp_pressure_release", "Trigger point pressure release", "", rem, "Hold 20-120 s, default 60."},
		{"ischaemic_compression", "Ischaemic compression", "", rem, "Hold 20-120 s, default 60."},
		{"myofascial_release", "Myofascial release", "", rem, ""},
		{"muscle_energy_technique", "Muscle energy technique", "", rem, ""},
		{"pnf_stretch", "PNF stretch", "", rem, ""},
		{"passive_stretch", "Passive stretch", "", rem, ""},
		{"active_assisted_stretch", "Active assisted stretch", "", rem, ""},
		{"tuina_tui", "Pushing", "tui fa", tn, ""},
		{"tuina_na", "Grasping", "na fa", tn, ""},
		{"tuina_an", "Pressing", "an fa", tn, ""},
		{"tuina_mo", "Round rubbing", "mo fa", tn, ""},
		{"tuina_rou", "Kneading", "rou fa", tn, ""},
		{"tuina_gun", "Rolling", "gun fa", tn, "Broad muscle areas; avoid bony points."},
		{"tuina_dian", "Point pressing", "dian fa", tn, ""},
		{"tuina_yi_zhi_chan", "One-finger pushing", "yi zhi chan tui fa", tn, ""},
		{"tuina_ca", "Scrubbing", "ca fa", tn, ""},
		{"tuina_ji", "Chopping and patting", "ji fa, pai fa", tn, "Usually at the close of a session."},
		{"tuina_dou", "Shaking", "dou fa", tn, ""},
		{"tuina_yao", "Rotating", "yao fa", tn, joint},
		{"tuina_ba_shen", "Traction", "ba shen fa", tn, joint},
		{"tuina_cuo", "Palm twisting", "cuo fa", tn, ""},
		{"other", "Other", "", "", "Describe it in the note."},
	}
}

// TechniqueByCode finds a technique by its code.
func TechniqueByCode(code string) (Technique, bool) {
	for _, t := range Techniques() {
		if t.Code == code {
			return t, true
		}
	}
	return Technique{}, false
}

// TuiNaPhase, PointRole and TreatmentAim label Tui Na work within a session:
// its phase, why a point was chosen, and whether it treats branch or root.
type (
	TuiNaPhase   string
	PointRole    string
	TreatmentAim string
)

// TuiNaPhases lists session phases in order: warm and broad, specific, dissipative.
func TuiNaPhases() []TuiNaPhase { return []TuiNaPhase{"opening", "main", "closing"} }

// PointRoles lists why a point was chosen.
func PointRoles() []PointRole { return []PointRole{"local", "adjacent", "distal", "root"} }

// TreatmentAims lists the aims: the manifestation, the underlying pattern, or both.
func TreatmentAims() []TreatmentAim { return []TreatmentAim{"branch", "root", "both"} }
