package main

import "allium/clinic"

// demoProfile is one kind of complaint in the demo: what the client answers in the online
// assessment, what the therapist finds, and the plan and goals they agree.
type demoProfile struct {
	answers   clinic.AssessmentAnswers
	complaint string
	impress   string
	class     string
	regions   []string
	channels  []string
	palpation []clinic.PalpationFinding
	layers    []clinic.PlanLayer
	goals     []clinic.Goal
	// said is what the client says at a session, early and late in the course.
	said      [2]string
	focus     string
	treatment clinic.NoteTreatment
}

// demoAnswers is a complete, unremarkable set of answers that a profile changes where it differs.
func demoAnswers(over clinic.AssessmentAnswers) clinic.AssessmentAnswers {
	a := clinic.AssessmentAnswers{
		"caution_list": {"none"}, "where_regions": {"neck"}, "where_main": {"neck"},
		"where_side": {"centre"}, "where_point": {"moves_around"}, "story_duration": {"6_12wk"},
		"story_onset": {"no_idea"}, "story_pattern": {"first_time"}, "story_prior_massage": {"never_had"},
		"behaviour_provoked": {"never"}, "behaviour_eases": {"no"}, "behaviour_headaches": {"never"},
		"behaviour_weakness": {"no"}, "behaviour_pins_needles": {"no"},
		"training_sessions": {"0"}, "training_load_change": {"not_training"}, "training_recent": {"none"},
		"recovery_sleep": {"1"}, "recovery_fatigue": {"1"}, "recovery_soreness": {"1"},
		"stress_worse": {"no"}, "stress_control": {"4"}, "stress_overload": {"0"},
		"sleep_unrefreshing": {"no"}, "stress_signs": {"none"},
		"function_pain_worst": {"5"}, "function_activity": {"walking the dog"},
		"function_activity_score": {"6"}, "function_goals": {"pain_relief"},
		"outlook_beliefs": {"none"}, "outlook_bother": {"moderately"},
	}
	for _, it := range clinic.AssessmentV1().Steps[0].Items {
		a[it.ID] = []string{"no"}
	}
	for k, v := range over {
		a[k] = v
	}
	return a
}

func grade(n int) *int { return &n }

func trp(region string, side clinic.BodySide, muscle string, tender int) clinic.PalpationFinding {
	return clinic.PalpationFinding{Region: region, Side: side, Muscle: muscle, Type: "trigger_point", Tenderness: grade(tender),
		Tone: "hypertonic", Texture: "ropy", TrPStatus: "active",
		Signs: clinic.TriggerPointSigns{SpotTenderness: true, TautBand: true, RecognisedPain: true}}
}

// withCaution is a profile whose client also ticked a caution in the assessment.
func (p demoProfile) withCaution(code string) demoProfile {
	a := clinic.AssessmentAnswers{}
	for k, v := range p.answers {
		a[k] = v
	}
	a["caution_list"] = []string{code}
	p.answers = a
	return p
}

var (
	profileNeck = demoProfile{
		answers: demoAnswers(clinic.AssessmentAnswers{
			"where_regions": {"neck", "shoulder_r"}, "where_main": {"neck"}, "where_side": {"right"},
			"where_point": {"finger"}, "story_duration": {"3_14d"}, "story_onset": {"gradual_with_desk_or_repetitive_task"},
			"behaviour_provoked": {"reliably"}, "behaviour_eases": {"yes"}, "function_activity": {"reversing the car"},
			"function_activity_score": {"3"}, "function_pain_worst": {"7"}}),
		complaint: "Right-sided neck pain for two weeks, worse by late afternoon at the desk; can't turn to reverse the car.",
		impress:   "Active trigger points in right upper trapezius and levator scapulae reproducing the neck pain.",
		class:     "mechanical", regions: []string{"neck", "shoulder_r"}, channels: []string{"GB", "SI"},
		palpation: []clinic.PalpationFinding{trp("upper_trap", clinic.SideRight, "trap_upper", 3), trp("neck_angle", clinic.SideRight, "levator_scap", 2)},
		layers:    []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint},
		goals: []clinic.Goal{
			{Description: "Sit through a working day without neck pain", Measure: clinic.MeasurePain, Baseline: 7, Target: 2},
			{Description: "Turn my head to reverse the car", Measure: clinic.MeasurePSFS, Activity: "Reversing the car", Baseline: 3, Target: 8},
		},
		said:      [2]string{"Neck stiff after long days at the desk.", "Only a twinge late in the day now; reversing is easy."},
		focus:     "Upper trapezius and levator scapulae; check the new monitor height.",
		treatment: clinic.NoteTreatment{Technique: "trp_pressure_release", Region: "upper_trap", Side: clinic.SideRight, Muscle: "trap_upper", Minutes: grade(15), Pressure: "moderate"},
	}
	profileTension = demoProfile{
		answers: demoAnswers(clinic.AssessmentAnswers{
			"where_regions": {"shoulder_l", "shoulder_r", "jaw_r", "head", "low_back"}, "where_main": {"shoulder_r"},
			"where_side": {"both"}, "where_point": {"palm_sized_area"}, "story_duration": {"gt_3mo"},
			"story_pattern": {"recurs_3plus_per_year_same_spots"}, "behaviour_provoked": {"sometimes"},
			"behaviour_headaches": {"weekly_plus"}, "stress_worse": {"clearly"}, "stress_control": {"0"},
			"stress_overload": {"3"}, "sleep_unrefreshing": {"most_days"}, "stress_signs": {"tension_same_place", "jaw_clenching"},
			"recovery_sleep": {"6"}, "recovery_fatigue": {"5"}, "function_activity": {"sleeping through the night"},
			"function_activity_score": {"4"}}),
		complaint: "Tension across both shoulders and the jaw for months, weekly headaches, worse in busy school terms.",
		impress:   "Widespread hypertonicity with tender points along the Gallbladder channel; sleep poor.",
		class:     "systemic", regions: []string{"shoulder_l", "shoulder_r", "jaw_r", "head"}, channels: []string{"GB", "LR"},
		palpation: []clinic.PalpationFinding{trp("upper_trap", clinic.SideLeft, "trap_upper", 2), trp("occiput", clinic.SideRight, "suboccipitals", 2)},
		layers:    []clinic.PlanLayer{clinic.PlanLayerTuiNa, clinic.PlanLayerRelaxation},
		goals: []clinic.Goal{
			{Description: "Fewer tension headaches", Measure: clinic.MeasurePain, Baseline: 6, Target: 2},
			{Description: "Sleep through the night", Measure: clinic.MeasurePSFS, Activity: "Sleeping through the night", Baseline: 4, Target: 8},
		},
		said:      [2]string{"Headaches most days this week; marking season.", "One mild headache since last time; sleeping better."},
		focus:     "GB20, GB21 and the jaw; breathing before sleep.",
		treatment: clinic.NoteTreatment{Technique: "tuina_gun", Region: "upper_trap", Side: clinic.SideLeft, Minutes: grade(20), Pressure: "light"},
	}
	profileRunner = demoProfile{
		answers: demoAnswers(clinic.AssessmentAnswers{
			"where_regions": {"calf_l", "calf_r"}, "where_main": {"calf_l"}, "where_side": {"both"},
			"where_point": {"whole_region"}, "story_duration": {"lt_3d"}, "story_onset": {"unusual_or_intense_exercise"},
			"training_sessions": {"3_4"}, "training_load_change": {"up_ge30_or_new"},
			"training_recent": {"hard_session_72h", "started_after_session", "sore_both_sides", "event_7d"},
			"recovery_sleep":  {"4"}, "recovery_fatigue": {"6"}, "recovery_soreness": {"6"},
			"function_activity": {"running 10 km"}, "function_activity_score": {"4"}, "function_goals": {"recover_training", "performance"}}),
		complaint: "Both calves tight and sore since the first hill session of the block; half marathon in three weeks.",
		impress:   "Diffuse tone in both gastrocnemius and soleus after a jump in load; no focal signs.",
		class:     "recovery", regions: []string{"calf_l", "calf_r"},
		palpation: []clinic.PalpationFinding{trp("calf", clinic.SideLeft, "gastroc", 2), trp("calf", clinic.SideLeft, "soleus", 1)},
		layers:    []clinic.PlanLayer{clinic.PlanLayerSportsRecovery},
		goals: []clinic.Goal{
			{Description: "Calves settle within a day of hard sessions", Measure: clinic.MeasurePain, Baseline: 5, Target: 1},
			{Description: "Run 10 km without calf tightness", Measure: clinic.MeasurePSFS, Activity: "Running 10 km", Baseline: 4, Target: 9},
		},
		said:      [2]string{"Hill repeats on Tuesday, calves tight since.", "Long run felt easy; calves fine the next day."},
		focus:     "Gastrocnemius and soleus; ease back the hill volume.",
		treatment: clinic.NoteTreatment{Technique: "effleurage", Region: "calf", Side: clinic.SideLeft, Muscle: "gastroc", Minutes: grade(20), Pressure: "firm"},
	}
	profileMixed = demoProfile{
		answers: demoAnswers(clinic.AssessmentAnswers{
			"where_regions": {"shoulder_l"}, "where_main": {"shoulder_l"}, "where_point": {"finger"},
			"behaviour_provoked": {"reliably"}, "where_side": {"left"}, "story_onset": {"unusual_or_intense_exercise"},
			"training_sessions": {"5_plus"}, "training_load_change": {"up_ge30_or_new"}, "training_recent": {"hard_session_72h"},
			"function_activity": {"overhead press"}, "function_activity_score": {"4"}}),
		complaint: "Left shoulder sore at the front after a new overhead programme; sharp at the top of a press.",
		impress:   "Trigger point in left infraspinatus referring to the front of the shoulder; training load up sharply.",
		class:     "mixed", regions: []string{"shoulder_l"},
		palpation: []clinic.PalpationFinding{trp("scapular", clinic.SideLeft, "infraspinatus", 3)},
		layers:    []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint, clinic.PlanLayerSportsRecovery},
		goals: []clinic.Goal{
			{Description: "Press overhead without pain", Measure: clinic.MeasurePSFS, Activity: "Overhead press", Baseline: 4, Target: 8},
		},
		said:      [2]string{"Shoulder caught twice in training.", "Pressed a full set without the catch."},
		focus:     "Infraspinatus; keep the load steady for two weeks.",
		treatment: clinic.NoteTreatment{Technique: "trp_pressure_release", Region: "scapular", Side: clinic.SideLeft, Muscle: "infraspinatus", Minutes: grade(15), Pressure: "moderate"},
	}
	profileLowBack = demoProfile{
		answers: demoAnswers(clinic.AssessmentAnswers{
			"where_regions": {"low_back"}, "where_main": {"low_back"}, "function_activity": {"gardening"},
			"function_activity_score": {"5"}}),
		complaint: "Low back ache on and off for two months, no clear pattern; stiff after gardening.",
		impress:   "The assessment could not name a class; on palpation an active trigger point in the right quadratus lumborum reproduces the ache.",
		class:     "mechanical", regions: []string{"low_back"},
		palpation: []clinic.PalpationFinding{trp("low_back", clinic.SideRight, "ql", 2)},
		layers:    []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint, clinic.PlanLayerRelaxation},
		goals: []clinic.Goal{
			{Description: "Garden for an hour without back ache", Measure: clinic.MeasurePSFS, Activity: "Gardening", Baseline: 5, Target: 8},
		},
		said:      [2]string{"Back stiff after a weekend in the garden.", "Weeded the whole bed on Sunday, only a little stiff."},
		focus:     "Quadratus lumborum and glutes; hip hinge practice.",
		treatment: clinic.NoteTreatment{Technique: "myofascial_release", Region: "low_back", Side: clinic.SideRight, Muscle: "ql", Minutes: grade(15), Pressure: "moderate"},
	}
	profileShoulderWeak = demoProfile{
		answers: demoAnswers(clinic.AssessmentAnswers{
			"where_regions": {"shoulder_l"}, "where_main": {"shoulder_l"}, "where_side": {"left"},
			"where_point": {"whole_region"}, "story_duration": {"gt_3mo"}, "story_onset": {"gradual_with_desk_or_repetitive_task"},
			"behaviour_provoked": {"reliably"}, "behaviour_eases": {"yes"}, "behaviour_weakness": {"yes"},
			"training_sessions": {"3_4"}, "training_load_change": {"same"}, "stress_control": {"3"}, "stress_overload": {"1"},
			"function_activity": {"lifting my child overhead"}, "function_activity_score": {"3"}}),
		complaint: "Left shoulder ache for four months with weakness lifting overhead.",
		impress:   "Painful arc and weakness in abduction; massage eases the ache but the weakness needs rehab.",
		class:     "mechanical", regions: []string{"shoulder_l"},
		palpation: []clinic.PalpationFinding{trp("suprascapular", clinic.SideLeft, "supraspinatus", 3)},
		layers:    []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint, clinic.PlanLayerRehabReferral},
		goals: []clinic.Goal{
			{Description: "Lift my child overhead", Measure: clinic.MeasurePSFS, Activity: "Lifting my child overhead", Baseline: 3, Target: 8},
		},
		said:      [2]string{"Ache easier after last time; still weak lifting.", "Ache gone, but the arm still gives way overhead."},
		focus:     "Supraspinatus; referral for strength work.",
		treatment: clinic.NoteTreatment{Technique: "trp_pressure_release", Region: "suprascapular", Side: clinic.SideLeft, Muscle: "supraspinatus", Minutes: grade(15), Pressure: "moderate"},
	}
	// answersUrgent stop at the safety gate: a calf that may hold a clot.
	answersUrgent = demoAnswers(clinic.AssessmentAnswers{"safety_leg_clot": {"yes"}, "where_regions": {"calf_r"}, "where_main": {"calf_r"}})
)
