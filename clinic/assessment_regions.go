package clinic

// AssessmentRegion is one area of the body map. Codes are stable: they are
// stored in answers and scored. Left and right are the person's own.
type AssessmentRegion struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	// Side is "left", "right" or "midline".
	Side string `json:"side"`
	// Quadrant is one of the five body areas used to tell a scattered
	// pattern from a local one: left_upper, right_upper, left_lower,
	// right_lower, axial.
	Quadrant string `json:"quadrant"`
	// View is the chart ("front" or "back") a clickable map draws it on.
	View string `json:"view"`
	// Group heads the fieldset when the map is a plain checklist.
	Group string `json:"group"`
}

// AssessmentRegions returns the body map regions in checklist order. The
// layout follows the widespread-pain region checklists (sided limb segments
// plus the axial areas), with head, knees and feet added because clients
// come with them; the count of regions feeds the scoring.
func AssessmentRegions() []AssessmentRegion {
	mid := func(code, label, view, group string) AssessmentRegion {
		return AssessmentRegion{code, label, "midline", "axial", view, group}
	}
	out := []AssessmentRegion{
		mid("head", "Head or temples", "front", "Head and neck"),
		mid("neck", "Neck", "back", "Head and neck"),
	}
	out = append(out, sidedRegions("jaw", "jaw", "front", "Head and neck", "upper")...)
	out = append(out,
		mid("upper_back", "Upper back", "back", "Back and trunk"),
		mid("low_back", "Lower back", "back", "Back and trunk"),
		mid("chest", "Chest", "front", "Back and trunk"),
		mid("abdomen", "Belly", "front", "Back and trunk"),
	)
	for _, r := range []struct{ code, label, view, group, half string }{
		{"shoulder", "shoulder (and top of the shoulder)", "back", "Arms", "upper"},
		{"upper_arm", "upper arm", "front", "Arms", "upper"},
		{"elbow_forearm", "elbow or forearm", "front", "Arms", "upper"},
		{"wrist_hand", "wrist or hand", "front", "Arms", "upper"},
		{"hip", "hip or buttock", "back", "Legs", "lower"},
		{"thigh", "thigh", "front", "Legs", "lower"},
		{"knee", "knee", "front", "Legs", "lower"},
		{"calf", "calf or shin", "back", "Legs", "lower"},
		{"ankle_foot", "ankle or foot", "front", "Legs", "lower"},
	} {
		out = append(out, sidedRegions(r.code, r.label, r.view, r.group, r.half)...)
	}
	return out
}

func sidedRegions(code, label, view, group, half string) []AssessmentRegion {
	return []AssessmentRegion{
		{code + "_l", "Left " + label, "left", "left_" + half, view, group},
		{code + "_r", "Right " + label, "right", "right_" + half, view, group},
	}
}

// assessmentRegionLinks lists regions that touch, so that "two or three
// areas next to each other" (a local problem) can be told from the same
// count scattered over the body.
func assessmentRegionLinks() [][2]string {
	links := [][2]string{
		{"head", "neck"}, {"neck", "upper_back"}, {"upper_back", "low_back"},
		{"neck", "chest"}, {"chest", "abdomen"},
	}
	for _, s := range []string{"_l", "_r"} {
		links = append(links,
			[2]string{"head", "jaw" + s}, [2]string{"jaw" + s, "neck"},
			[2]string{"neck", "shoulder" + s}, [2]string{"shoulder" + s, "upper_back"},
			[2]string{"shoulder" + s, "chest"}, [2]string{"shoulder" + s, "upper_arm" + s},
			[2]string{"upper_arm" + s, "elbow_forearm" + s}, [2]string{"elbow_forearm" + s, "wrist_hand" + s},
			[2]string{"low_back", "hip" + s}, [2]string{"abdomen", "hip" + s},
			[2]string{"hip" + s, "thigh" + s}, [2]string{"thigh" + s, "knee" + s},
			[2]string{"knee" + s, "calf" + s}, [2]string{"calf" + s, "ankle_foot" + s},
		)
	}
	return links
}

// regionsContiguous reports whether the marked regions form one connected
// patch on the body.
func regionsContiguous(codes []string) bool {
	if len(codes) == 0 {
		return false
	}
	marked := map[string]bool{}
	for _, c := range codes {
		marked[c] = true
	}
	next := map[string][]string{}
	for _, l := range assessmentRegionLinks() {
		if marked[l[0]] && marked[l[1]] {
			next[l[0]] = append(next[l[0]], l[1])
			next[l[1]] = append(next[l[1]], l[0])
		}
	}
	seen := map[string]bool{codes[0]: true}
	queue := []string{codes[0]}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, n := range next[c] {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return len(seen) == len(marked)
}

// regionQuadrants counts the distinct body quadrants the regions fall in.
func regionQuadrants(codes []string) int {
	quad := map[string]string{}
	for _, r := range AssessmentRegions() {
		quad[r.Code] = r.Quadrant
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if q, ok := quad[c]; ok {
			seen[q] = true
		}
	}
	return len(seen)
}

// regionOptions turns the regions into options for a choice item, so the
// body map and the "main area" question validate like any other item.
func regionOptions() []AssessmentOption {
	regions := AssessmentRegions()
	out := make([]AssessmentOption, len(regions))
	for i, r := range regions {
		out[i] = AssessmentOption{Value: r.Code, Label: r.Label}
	}
	return out
}
