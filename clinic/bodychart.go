package clinic

import "strings"

// BodyArea is one clickable area of the body chart drawings: a findings record marks the
// painful ones, and palpation marks are placed in them. The drawings (assets/img/body-*.svg)
// draw each area as a shape whose data-region is the code and whose title is the label;
// the views check at start that the drawings and this list agree.
type BodyArea struct {
	Code  string // "shoulder_r"
	Label string // "Right shoulder"
	Side  BodySide
}

// bodyAreas is the one list of the drawings' areas, in the order the findings form offers
// them: the front drawing's areas first, then those only the back drawing has. A trailing
// "_*" stands for a right ("_r") and a left ("_l") area, in that order unless back is set
// (the back drawing lists left first, as the viewer sees it).
var bodyAreas = []struct {
	code, label string
	back        bool
}{
	{"head", "Head", false}, {"face", "Face", false}, {"jaw_*", "jaw", false}, {"neck", "Neck", false},
	{"chest", "Chest", false}, {"abdomen", "Abdomen", false}, {"hip_*", "hip", false},
	{"thigh_front_*", "thigh (front)", false}, {"shin_*", "shin", false}, {"shoulder_*", "shoulder", false},
	{"upper_arm_*", "upper arm", false}, {"elbow_*", "elbow", false}, {"forearm_*", "forearm", false},
	{"wrist_hand_*", "wrist and hand", false}, {"knee_*", "knee", false}, {"ankle_foot_*", "ankle and foot", false},
	{"upper_back", "Upper back", true}, {"mid_back", "Mid back", true}, {"low_back", "Low back", true},
	{"buttock_*", "buttock", true}, {"thigh_back_*", "thigh (back)", true}, {"calf_*", "calf", true},
}

// BodyChartAreas lists the body chart's areas, paired areas as two (right and left).
func BodyChartAreas() []BodyArea {
	out := make([]BodyArea, 0, 2*len(bodyAreas))
	for _, a := range bodyAreas {
		base, paired := strings.CutSuffix(a.code, "_*")
		if !paired {
			out = append(out, BodyArea{a.code, a.label, SideMidline})
			continue
		}
		right := BodyArea{base + "_r", "Right " + a.label, SideRight}
		left := BodyArea{base + "_l", "Left " + a.label, SideLeft}
		if a.back {
			out = append(out, left, right)
		} else {
			out = append(out, right, left)
		}
	}
	return out
}

// BodyAreas lists the body chart's area codes, paired areas as two.
func BodyAreas() []string {
	areas := BodyChartAreas()
	out := make([]string, len(areas))
	for i, a := range areas {
		out[i] = a.Code
	}
	return out
}

// BodyAreaByCode finds an area of the body chart by its code ("shoulder_r").
func BodyAreaByCode(code string) (BodyArea, bool) {
	for _, a := range BodyChartAreas() {
		if a.Code == code {
			return a, true
		}
	}
	return BodyArea{}, false
}

// bodyAreaSide reports whether code is an area of the body chart and which side it is on,
// for the check of a findings record's painful areas.
func bodyAreaSide(code string) (BodySide, bool) {
	a, ok := BodyAreaByCode(code)
	return a.Side, ok
}

// BodyMark is where on the drawings a finding is marked: an area of one drawing.
type BodyMark struct {
	View BodyView
	Area string // a BodyArea code
}

// regionMarks says in which areas of which drawing each fine region of a finding (BodyRegions:
// the top of the shoulder, the inner edge of the shoulder blade) is marked, since the drawings
// have coarse areas only. "a:" is the front (anterior) drawing, "p:" the back; "_*" is the
// area on the finding's side.
var regionMarks = map[string]string{
	"vertex": "a:head p:head", "forehead": "a:face", "temple": "a:face", "orbit": "a:face", "cheek": "a:face",
	"jaw": "a:jaw_*", "ear": "a:face p:head", "throat": "a:neck", "neck_anterior": "a:neck",
	"occiput": "p:head", "mastoid": "p:head", "neck_posterior": "p:neck", "neck_angle": "p:neck",
	"upper_trap": "a:shoulder_* p:shoulder_*", "acromion": "a:shoulder_* p:shoulder_*",
	"shoulder_anterior": "a:shoulder_*", "shoulder_lateral": "a:shoulder_* p:shoulder_*", "shoulder_posterior": "p:shoulder_*",
	"suprascapular": "p:upper_back", "scapular": "p:upper_back", "scapula_medial_border": "p:upper_back",
	"interscapular": "p:upper_back", "upper_back": "p:mid_back", "chest": "a:chest", "sternum": "a:chest",
	"abdomen": "a:abdomen", "groin": "a:hip_*", "low_back": "p:low_back", "iliac_crest": "p:low_back",
	"sacrum": "p:low_back", "si_joint": "p:low_back", "buttock": "p:buttock_*", "hip_lateral": "a:hip_* p:buttock_*",
	"upper_arm_anterior": "a:upper_arm_*", "upper_arm_lateral": "a:upper_arm_* p:upper_arm_*",
	"upper_arm_medial": "a:upper_arm_*", "upper_arm_posterior": "p:upper_arm_*",
	"elbow_lateral": "a:elbow_* p:elbow_*", "elbow_medial": "a:elbow_* p:elbow_*",
	"forearm_anterior": "a:forearm_*", "forearm_radial": "a:forearm_* p:forearm_*",
	"forearm_ulnar": "a:forearm_* p:forearm_*", "forearm_posterior": "p:forearm_*",
	"wrist": "a:wrist_hand_* p:wrist_hand_*", "hand_palm": "a:wrist_hand_*", "hand_dorsum": "p:wrist_hand_*",
	"thumb_index":    "a:wrist_hand_* p:wrist_hand_*",
	"thigh_anterior": "a:thigh_front_*", "thigh_lateral": "a:thigh_front_* p:thigh_back_*",
	"thigh_medial": "a:thigh_front_*", "thigh_posterior": "p:thigh_back_*",
	"knee_anterior": "a:knee_*", "knee_lateral": "a:knee_* p:knee_*", "knee_posterior": "p:knee_*",
	"shin": "a:shin_*", "leg_lateral": "a:shin_* p:calf_*", "calf": "p:calf_*",
	"ankle": "a:ankle_foot_* p:ankle_foot_*", "foot_dorsum": "a:ankle_foot_*", "foot_sole": "p:ankle_foot_*",
	"heel": "p:ankle_foot_*",
}

// BodyMarks lists where a finding in a fine region on a side is marked: on a paired area,
// the area of that side, or both for a bilateral or midline finding.
func BodyMarks(region string, side BodySide) []BodyMark {
	var out []BodyMark
	for _, s := range strings.Fields(regionMarks[region]) {
		view := ViewAnterior
		if s[0] == 'p' {
			view = ViewPosterior
		}
		area, paired := strings.CutSuffix(s[2:], "_*")
		switch {
		case !paired:
			out = append(out, BodyMark{view, area})
		case side == SideLeft:
			out = append(out, BodyMark{view, area + "_l"})
		case side == SideRight:
			out = append(out, BodyMark{view, area + "_r"})
		default:
			out = append(out, BodyMark{view, area + "_r"}, BodyMark{view, area + "_l"})
		}
	}
	return out
}
