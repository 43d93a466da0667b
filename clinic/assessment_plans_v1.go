package clinic

import (
	"slices"
	"strconv"
)

// Published with scoring v1 (see assessment_rules_v1.go): do not edit.

// v1Layers words each layer with what it addresses and how sure we are. The
// evidence lines are deliberately modest: no trial shows local complaints do
// better with Western remedial work and recurring ones with Tui Na, so the
// layers are presented as approach fit, not proven differences.
func v1Layers() map[string]AssessmentLayer {
	return map[string]AssessmentLayer{
		"remedial_trp": {Name: "Remedial massage",
			Addresses: "Assessment-led work on the muscles and tissues involved: trigger-point pressure, deep tissue, myofascial release and stretching.",
			Evidence: "Usually the quicker path for a local, specific problem, which is clinical experience rather than trial proof. " +
				"Trigger-point pressure eases tenderness for a while; trials have not shown it lowers pain more than other care."},
		"eastern_systemic": {Name: "Tui Na",
			Addresses: "Chinese medical massage that works the sore area and related points elsewhere, aimed at the recurring pattern as well as the spot.",
			Evidence:  "An established traditional system with emerging evidence: trials in long-standing low back pain are encouraging but small and varied."},
		"relaxation_parasympathetic": {Name: "Relaxation massage",
			Addresses: "Slow, even strokes to ease general tension and help you switch off.",
			Evidence: "In a trial on long-standing low back pain, relaxation massage helped about as much as structural massage. " +
				"Its effect on stress hormones such as cortisol is small."},
		"sports_recovery": {Name: "Sports recovery massage",
			Addresses: "Work timed around your training: after hard sessions and events, and upkeep during a training block.",
			Evidence:  "Pooled trials find massage eases soreness and the feeling of fatigue after exercise, though those studies may overstate the benefit."},
		"rehab_referral": {Name: "Exercise rehab alongside massage",
			Addresses: "A physio or exercise physiologist to rebuild strength and control, with massage as a helper.",
			Evidence:  "Clinical guidelines for back pain recommend hands-on treatment such as massage only as part of a package that includes exercise."},
	}
}

func v1Plans() []AssessmentPlan {
	const m, s, r = ComplaintMechanical, ComplaintSystemic, ComplaintRecovery
	layer := func(key, role string) AssessmentLayerRef { return AssessmentLayerRef{Key: key, Role: role} }
	return []AssessmentPlan{
		{[]ComplaintClass{m}, []AssessmentLayerRef{layer("remedial_trp", "primary"), layer("relaxation_parasympathetic", "optional")},
			AssessmentCourse{"remedial_initial_75", "remedial_followup_60", 4, 7, 4,
				"4 sessions of remedial massage, 7 days apart (the first 75 minutes with assessment, then 60), reviewed at session 4.", ""}},
		{[]ComplaintClass{s}, []AssessmentLayerRef{layer("eastern_systemic", "primary"), layer("relaxation_parasympathetic", "optional")},
			AssessmentCourse{"tuina_60", "tuina_60", 4, 7, 4,
				"4 sessions of 60-minute Tui Na, a week apart, reviewed at session 4.",
				"If it helps, upkeep every 2 to 4 weeks after that, with simple self-care for sleep, breathing and stress."}},
		{[]ComplaintClass{r}, []AssessmentLayerRef{layer("sports_recovery", "primary"), layer("relaxation_parasympathetic", "optional")},
			AssessmentCourse{"sports_maintenance_60", "sports_maintenance_60", 3, 14, 3,
				"3 sessions of 60-minute sports massage, 2 weeks apart through your training block, reviewed at session 3.",
				"Around an event: a 45-minute post-event session within 72 hours after it, and no deep work in the 48 hours before it."}},
		{[]ComplaintClass{m, s}, []AssessmentLayerRef{layer("remedial_trp", "primary"), layer("eastern_systemic", "primary")},
			AssessmentCourse{"remedial_initial_75", "remedial_followup_60", 4, 7, 4,
				"4 sessions a week apart, the first 75 minutes with assessment, reviewed at session 4.",
				"Remedial and Tui Na in the same session, or alternating."}},
		{[]ComplaintClass{m, r}, []AssessmentLayerRef{layer("remedial_trp", "primary"), layer("sports_recovery", "primary")},
			AssessmentCourse{"remedial_initial_75", "sports_maintenance_60", 4, 7, 4,
				"4 sessions a week apart, the first 75 minutes with assessment, reviewed at session 4.",
				"Booked away from hard sessions, with no deep work in the 48 hours before an event."}},
		{[]ComplaintClass{s, r}, []AssessmentLayerRef{layer("eastern_systemic", "primary"), layer("sports_recovery", "primary"),
			layer("relaxation_parasympathetic", "optional")},
			AssessmentCourse{"tuina_60", "tuina_60", 4, 7, 4,
				"4 sessions of 60 minutes a week apart, mixing Tui Na or relaxation with sports work, reviewed at session 4.",
				"Your therapist will also check that training and recovery are in balance."}},
		{[]ComplaintClass{ComplaintUndifferentiated}, []AssessmentLayerRef{layer("remedial_trp", "primary")},
			AssessmentCourse{"remedial_initial_75", "remedial_initial_75", 1, 0, 1,
				"One 75-minute remedial assessment and treatment first; the plan is made from what it shows.", ""}},
	}
}

func v1Cautions() map[string]AssessmentCaution {
	const mod, local, clear = "modify", "local_avoid", "clearance_required"
	return map[string]AssessmentCaution{
		"blood_thinners": {Label: "Blood thinners or a bleeding disorder", Action: mod,
			Note: "Moderate pressure at most; no ischaemic compression, cupping or gua sha; check for bruising."},
		"pregnant": {Label: "Pregnant", Action: mod,
			Note: "Side-lying or supported positions (not flat on the back from about 20 weeks); no deep abdominal work; no strong pressure on LI4, SP6, GB21, BL60 or BL67."},
		"pregnant_high_risk": {Label: "High-risk pregnancy", Action: clear,
			Note: "Written clearance from the midwife or obstetrician first; then as for pregnancy."},
		"cancer": {Label: "Cancer now or in the last 12 months", Action: clear,
			Note: "Clearance before deep or intense pressure; avoid tumour sites, radiotherapy fields, ports and affected lymph nodes."},
		"surgery_here": {Label: "Operation near the complaint in the last 12 weeks", Action: local,
			Note: "Avoid the site until the surgeon clears it."},
		"surgery_elsewhere": {Label: "Operation elsewhere in the last 12 weeks", Action: local,
			Note: "Avoid the site until the surgeon clears it."},
		"fracture_here": {Label: "Broken bone near the complaint in the last 12 weeks", Action: local,
			Note: "Avoid the site, and joint mobilisation near it, until cleared."},
		"fracture_elsewhere": {Label: "Broken bone elsewhere in the last 12 weeks", Action: local,
			Note: "Avoid the site, and joint mobilisation near it, until cleared."},
		"osteoporosis_steroids": {Label: "Osteoporosis or long-term steroids", Action: mod,
			Note: "Moderate pressure at most; no joint manipulation; gentle Tui Na only."},
		"diabetes_sensation": {Label: "Diabetes with reduced feeling", Action: mod,
			Note: "Lighter pressure where feeling is reduced; check the skin; avoid fresh injection sites."},
		"heart_bp": {Label: "Heart condition or uncontrolled blood pressure", Action: clear,
			Note: "Medical clearance before treatment."},
		"skin_veins": {Label: "Skin problem or varicose veins", Action: local,
			Note: "Work around the area; no deep pressure over varicose veins; defer if an infection is widespread or contagious."},
		"implants": {Label: "Implanted device or joint replacement", Action: mod,
			Note: "No direct pressure over a device; no end-range movement of a replaced joint."},
		"arthritis_flare": {Label: "Arthritis flare", Action: local,
			Note: "No deep or friction work over inflamed joints during the flare."},
	}
}

func v1Summaries() map[ComplaintClass]string {
	return map[ComplaintClass]string{
		ComplaintMechanical: "This looks mostly mechanical: a local problem that particular movements or positions set off.",
		ComplaintSystemic:   "This looks mostly systemic: a recurring pattern that stress, sleep and tension feed into, often in more than one place.",
		ComplaintRecovery:   "This looks mostly like recovery from training: soreness and tiredness from the load you've been carrying.",
		ComplaintUndifferentiated: "Your answers don't point clearly one way, which is common. " +
			"A first remedial assessment, where your therapist checks how it moves, is the best next step.",
	}
}

// v1Derive computes the facts the v1 rules use beyond plain answers.
func v1Derive(a AssessmentAnswers) map[string][]string {
	f := map[string][]string{}
	set := func(key, value string) {
		if value != "" {
			f[key] = []string{value}
		}
	}
	regions := knownRegions(a.Values("where_regions"))
	set("where_regions.local", v1RegionLocal(regions))
	set("where_regions.spread", v1RegionSpread(regions))
	set("hooper.sum", v1HooperBand(a))
	set("psfs.band", v1PSFSBand(a))
	set("outlook.psych", v1Psych(a))
	return f
}

func knownRegions(codes []string) []string {
	var out []string
	for _, r := range AssessmentRegions() {
		if slices.Contains(codes, r.Code) {
			out = append(out, r.Code)
		}
	}
	return out
}

// v1RegionLocal is the mechanical side of the region count: one area, or
// two or three that touch.
func v1RegionLocal(regions []string) string {
	switch {
	case len(regions) == 1:
		return "one"
	case len(regions) <= 3 && len(regions) > 1 && regionsContiguous(regions):
		return "two_three_adjacent"
	}
	return ""
}

// v1RegionSpread is the systemic side: seven or more areas, four to six, or
// fewer scattered over at least three of the five body quadrants.
func v1RegionSpread(regions []string) string {
	switch n := len(regions); {
	case n >= 7:
		return "seven_plus"
	case n >= 4:
		return "four_six"
	case regionQuadrants(regions) >= 3:
		return "three_quadrants"
	}
	return ""
}

// v1HooperBand sums four 1-7 wellness ratings (sleep, tiredness, stress,
// soreness; 4-28) into bands. Stress is not asked a third time: it is the
// two stress items (0-8) rescaled to 1-7. The sum counts only for people who
// train; without training the same sleep and stress answers already count
// towards the systemic score, and counting them twice would make a stressed
// non-athlete look like an over-trained one.
func v1HooperBand(a AssessmentAnswers) string {
	if v := a.Values("training_sessions"); len(v) == 0 || v[0] == "0" {
		return ""
	}
	sum := 0
	for _, id := range []string{"recovery_sleep", "recovery_fatigue", "recovery_soreness"} {
		n, ok := intAnswer(a, id, 1, 7)
		if !ok {
			return ""
		}
		sum += n
	}
	control, ok1 := intAnswer(a, "stress_control", 0, 4)
	overload, ok2 := intAnswer(a, "stress_overload", 0, 4)
	if !ok1 || !ok2 {
		return ""
	}
	sum += 1 + ((4-control+overload)*6+4)/8
	switch {
	case sum >= 19:
		return "19_28"
	case sum >= 15:
		return "15_18"
	case sum >= 11:
		return "11_14"
	}
	return "4_10"
}

// v1PSFSBand bands the 0-10 rating of the activity the person named.
func v1PSFSBand(a AssessmentAnswers) string {
	n, ok := intAnswer(a, "function_activity_score", 0, 10)
	switch {
	case !ok:
		return ""
	case n <= 4:
		return "0_4"
	case n == 5:
		return "5"
	}
	return "6_10"
}

// v1Psych counts the outlook answers that predict a problem lingering, 0-5:
// each belief ticked, plus one if it troubles the person a lot. It raises a
// flag only and never moves the class scores.
func v1Psych(a AssessmentAnswers) string {
	beliefs, bother := a.Values("outlook_beliefs"), a.Values("outlook_bother")
	if len(beliefs) == 0 && len(bother) == 0 {
		return ""
	}
	n := 0
	for _, v := range []string{"activity_harm", "wont_improve", "anxious", "low_mood"} {
		if slices.Contains(beliefs, v) {
			n++
		}
	}
	if len(bother) > 0 && (bother[0] == "very_much" || bother[0] == "extremely") {
		n++
	}
	return strconv.Itoa(n)
}

func intAnswer(a AssessmentAnswers, id string, lo, hi int) (int, bool) {
	v := a.Values(id)
	if len(v) != 1 {
		return 0, false
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}
