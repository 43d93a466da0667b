package clinic

import "strings"

// bodyAreas are the clickable areas of the two body chart drawings; a trailing "_*" stands
// for the "_l" and "_r" shapes of a paired area.
var bodyAreas = []string{"head", "face", "jaw_*", "neck", "shoulder_*", "chest", "abdomen", "upper_back", "mid_back",
	"low_back", "upper_arm_*", "elbow_*", "forearm_*", "wrist_hand_*", "hip_*", "buttock_*", "thigh_front_*",
	"thigh_back_*", "knee_*", "shin_*", "calf_*", "ankle_foot_*"}

// bodyAreaSide reports whether code is a body chart area and which side it is on.
func bodyAreaSide(code string) (BodySide, bool) {
	for _, s := range bodyAreas {
		base, paired := strings.CutSuffix(s, "_*")
		switch {
		case !paired && code == s:
			return SideMidline, true
		case paired && code == base+"_l":
			return SideLeft, true
		case paired && code == base+"_r":
			return SideRight, true
		}
	}
	return "", false
}

// BodyAreas lists the body chart's area codes, paired areas as two codes.
func BodyAreas() []string {
	var out []string
	for _, s := range bodyAreas {
		if base, paired := strings.CutSuffix(s, "_*"); paired {
			out = append(out, base+"_r", base+"_l")
		} else {
			out = append(out, s)
		}
	}
	return out
}
