package clinic

// Scoring version v1, published. Do not edit: results stored under "v1" must
// re-derive unchanged. Change weights in a new version and add it to
// AssessmentScoringVersions.
//
// The weights are expert-set, not fitted: they follow the clinic's domain
// model (mechanical raw maximum 54, systemic 70, recovery 70) and are to be
// re-fitted against the class therapists confirm at first visits.

// AssessmentScoringV1Version is the version string stored with v1 results.
const AssessmentScoringV1Version = "v1"

// AssessmentScoringV1 returns the v1 tables, built fresh on each call so no
// caller can change them for another.
func AssessmentScoringV1() *AssessmentScoring {
	return &AssessmentScoring{
		Version:              AssessmentScoringV1Version,
		QuestionnaireVersion: AssessmentQuestionnaireV1,
		Max:                  AssessmentScores{Mechanical: 54, Systemic: 70, Recovery: 70},
		Rules:                v1Rules(),
		Safety:               v1SafetyRules(),
		Gate:                 v1Gate(),
		Flags:                v1FlagRules(),
		FlagAdvice:           v1FlagAdvice(),
		Thresholds: AssessmentThresholds{
			UndifferentiatedBelow: 30, MixedMin: 40, MixedGapBelow: 15,
			HighGap: 25, HighAnsweredPercent: 90, MediumGap: 15,
		},
		Layers:          v1Layers(),
		Plans:           v1Plans(),
		RehabCourseNote: "Alongside a physio or exercise physiologist, with massage as a helper to the exercise.",
		Cautions:        v1Cautions(),
		Summaries:       v1Summaries(),
		MixedSummary:    "This looks like a mix of two patterns: %s, and %s.",
		ClassPhrases: map[ComplaintClass]string{
			ComplaintMechanical: "a local problem that movement sets off",
			ComplaintSystemic:   "a recurring pattern that stress and sleep feed into",
			ComplaintRecovery:   "soreness and tiredness from training",
		},
		ClassNouns: map[ComplaintClass]string{
			ComplaintMechanical: "a local, movement-related problem",
			ComplaintSystemic:   "a stress-linked, recurring pattern",
			ComplaintRecovery:   "training recovery",
		},
		ExtraHints: map[ComplaintClass]string{
			ComplaintUndifferentiated: "A first remedial assessment, where your therapist checks how it moves, usually makes the picture clear.",
			ComplaintMixed:            "Your first session will show which of the two patterns matters more, and the plan will lean that way.",
		},
		Disclaimer:   "This is a guide to choosing an approach, not a diagnosis. Your therapist will check it with you at your first visit.",
		AdditiveKeys: []string{"where_regions", "caution_list", "training_recent", "stress_signs", "function_goals", "outlook_beliefs"},
		NoHintKeys:   []string{"hooper.sum", "stress_control", "stress_overload", "story_duration"},
		derive:       v1Derive,
	}
}

func rule(key, answer string, c ComplaintClass, points int, reason string) AssessmentRule {
	return AssessmentRule{Key: key, Answer: answer, Class: c, Points: points, Reason: reason}
}

func v1Rules() []AssessmentRule {
	const m, s, r = ComplaintMechanical, ComplaintSystemic, ComplaintRecovery
	return []AssessmentRule{
		rule("behaviour_provoked", "reliably", m, 12, "particular movements or positions bring it on every time"),
		rule("behaviour_provoked", "sometimes", m, 6, "particular movements or positions sometimes bring it on"),
		rule("where_point", "finger", m, 10, "you can point to the main spot with one finger"),
		rule("where_point", "palm_sized_area", m, 6, "the main spot is about the size of your palm"),
		rule("where_point", "whole_region", m, 2, "it covers one whole area"),
		rule("story_onset", "specific_movement_or_position", m, 10, "it started after a particular movement or position"),
		rule("story_onset", "gradual_with_desk_or_repetitive_task", m, 6, "it came on gradually with desk work or a repeated task"),
		rule("where_regions.local", "one", m, 8, "it is in one area only"),
		rule("where_regions.local", "two_three_adjacent", m, 4, "it is in two or three areas next to each other"),
		rule("behaviour_eases", "yes", m, 6, "it eases when you change position or rest"),
		rule("where_side", "left", m, 4, "it is on one side"),
		rule("where_side", "right", m, 4, "it is on one side"),
		rule("story_duration", "3_14d", m, 4, "it started 3 to 14 days ago"),
		rule("story_duration", "2_6wk", m, 4, "it started 2 to 6 weeks ago"),
		rule("story_duration", "lt_3d", m, 2, "it started in the last few days"),

		rule("story_pattern", "recurs_3plus_per_year_same_spots", s, 12, "it comes back three or more times a year in the same places"),
		rule("story_pattern", "recurs_1_2_per_year", s, 6, "it comes back once or twice a year"),
		rule("story_pattern", "constant", s, 4, "it never really goes away"),
		rule("stress_worse", "clearly", s, 10, "it is clearly worse in stressful times"),
		rule("stress_worse", "sometimes", s, 5, "it is sometimes worse in stressful times"),
		rule("where_regions.spread", "seven_plus", s, 10, "it is in seven or more areas"),
		rule("where_regions.spread", "four_six", s, 8, "it is in four to six areas"),
		rule("where_regions.spread", "three_quadrants", s, 8, "it is spread over different parts of your body"),
		rule("stress_signs", "tension_same_place", s, 8, "stress makes the tension land in the same place"),
		rule("story_duration", "gt_3mo", s, 6, "it has been there for more than 3 months"),
		rule("story_duration", "6_12wk", s, 3, "it has been there for 6 to 12 weeks"),
		rule("story_onset", "during_stressful_period", s, 6, "it started during a stressful time"),
		rule("story_onset", "no_idea", s, 3, "it started without a clear cause"),
		// Two stress items, 0-4 each, one point per point (control reversed).
		rule("stress_control", "0", s, 4, "you can never keep up with what work and home ask of you"),
		rule("stress_control", "1", s, 3, "you can rarely keep up with what work and home ask of you"),
		rule("stress_control", "2", s, 2, "you can only sometimes keep up with what work and home ask of you"),
		rule("stress_control", "3", s, 1, "you can't always keep up with what work and home ask of you"),
		rule("stress_overload", "4", s, 4, "too much lands on you at once very often"),
		rule("stress_overload", "3", s, 3, "too much often lands on you at once"),
		rule("stress_overload", "2", s, 2, "too much sometimes lands on you at once"),
		rule("stress_overload", "1", s, 1, "too much now and then lands on you at once"),
		rule("sleep_unrefreshing", "most_days", s, 4, "you wake unrefreshed most days"),
		rule("sleep_unrefreshing", "sometimes", s, 2, "you sometimes wake unrefreshed"),
		rule("behaviour_headaches", "weekly_plus", s, 4, "you get headaches with the tension weekly or more"),
		rule("behaviour_headaches", "monthly", s, 2, "you get headaches with the tension about monthly"),
		rule("stress_signs", "jaw_clenching", s, 2, "you clench your jaw or grind your teeth"),

		rule("training_recent", "hard_session_72h", r, 12, "you did a hard, new or unusual session in the last 3 days"),
		rule("training_recent", "started_after_session", r, 10, "it started 12 to 48 hours after a training session"),
		rule("training_recent", "sore_both_sides", r, 10, "the soreness is on both sides, in the muscles you trained"),
		rule("training_load_change", "up_ge30_or_new", r, 10, "your training went up by a third or more, or you started a new programme"),
		rule("training_load_change", "up_lt30", r, 4, "your training went up a little"),
		rule("story_onset", "unusual_or_intense_exercise", r, 8, "it started after harder or different exercise than usual"),
		rule("hooper.sum", "19_28", r, 8, "your sleep, tiredness, stress and soreness ratings add up to a heavy load"),
		rule("hooper.sum", "15_18", r, 6, "your sleep, tiredness, stress and soreness ratings add up to a real load"),
		rule("hooper.sum", "11_14", r, 3, "your sleep, tiredness, stress and soreness ratings are a little strained"),
		rule("training_sessions", "5_plus", r, 6, "you train five or more times a week"),
		rule("training_sessions", "3_4", r, 4, "you train three or four times a week"),
		rule("training_recent", "event_7d", r, 6, "you have an event within a week, or just did one"),
	}
}

func v1SafetyRules() []AssessmentSafetyRule {
	const call = "Call 000 now, or go to the nearest emergency department. "
	return []AssessmentSafetyRule{
		{"safety_chest_pain", "yes", SafetyEmergency, "chest pain, sudden breathlessness or coughing blood",
			call + "Chest pain, sudden breathlessness or coughing up blood need care straight away."},
		{"safety_saddle_numbness", "yes", SafetyEmergency, "numbness in the saddle area, bladder or bowel change, or symptoms in both legs",
			call + "Numbness around the bottom or genitals, new bladder or bowel changes, or weakness in both legs need checking straight away."},
		{"safety_neck_dizzy", "yes", SafetyEmergency, "dizziness, double vision, slurred speech, swallowing trouble, falls or a numb face with neck pain or headache",
			call + "These signs with neck pain or a headache need care straight away. Please don't have your neck massaged."},
		{"safety_leg_clot", "yes", SafetyUrgentMedical, "a swollen, warm, red or throbbing calf or thigh on one side",
			"See a doctor today, or go to an emergency department if you can't. A swollen, painful calf or thigh on one side needs checking for a blood clot, and must not be massaged until then."},
		{"safety_dark_urine", "yes", SafetyUrgentMedical, "severe muscle pain and weakness with dark urine after exercise",
			"See a doctor today, or go to an emergency department if you can't. Severe muscle pain and weakness with dark urine after exercise needs a blood test, and massage could make it worse."},
		{"safety_fracture", "yes", SafetyReferBeforeTreatment, "a possible broken bone, not bearing weight, or a fast-swelling joint after a fall or accident",
			"Please see a doctor before any massage: a possible broken bone or a fast-swelling joint needs checking first, often with an X-ray. Once you've been seen, we'll gladly plan your treatment."},
		{"safety_cancer", "yes", SafetyReferBeforeTreatment, "a history of cancer with weight loss or night pain, or a first bout of back pain over 50",
			"Please see your GP before your first massage. These signs need a doctor's check first; once you've been seen, we'll gladly plan your treatment."},
		{"safety_fever", "yes", SafetyDefer, "a fever, infection or feeling unwell",
			"Please wait until you feel well again before having a massage. If you have already booked, let us know and we'll move it."},
	}
}

func v1Gate() map[SafetyOutcome]AssessmentGatePolicy {
	return map[SafetyOutcome]AssessmentGatePolicy{
		SafetyClear: {ClassShownToClient: true, PlanSuggested: true},
		SafetyDefer: {Headline: "Let's wait until you're well", ClassShownToClient: true, PlanSuggested: true},
		SafetyReferBeforeTreatment: {Headline: "Please see a doctor before your first massage",
			BlocksBooking: true, PlanSuggested: true},
		SafetyUrgentMedical: {Headline: "Please see a doctor today", BlocksBooking: true, AlertsClinic: true},
		SafetyEmergency:     {Headline: "Please get help now", BlocksBooking: true, AlertsClinic: true},
	}
}

func when(key string, in ...string) AssessmentCondition {
	return AssessmentCondition{Key: key, In: in}
}

func v1FlagRules() []AssessmentFlagRule {
	longer := []string{"2_6wk", "6_12wk", "gt_3mo"}
	return []AssessmentFlagRule{
		{AssessmentFlagRehabReferral, []AssessmentCondition{when("behaviour_weakness", "yes")},
			"you notice weakness, giving way or instability"},
		{AssessmentFlagRehabReferral, []AssessmentCondition{when("behaviour_pins_needles", "yes")},
			"you have pins and needles or numbness spreading past your elbow or knee"},
		{AssessmentFlagRehabReferral, []AssessmentCondition{when("story_duration", "gt_3mo"), when("psfs.band", "0_4")},
			"it has lasted more than 3 months and still holds you back a lot"},
		{AssessmentFlagRehabReferral, []AssessmentCondition{when("story_prior_massage", "helped_1_2_days_only"), when("psfs.band", "0_4", "5")},
			"massage has helped for only a day or two while it still holds you back"},
		{AssessmentFlagRehabReferral, []AssessmentCondition{when("caution_list", "surgery_here", "fracture_here")},
			"you had an operation or a broken bone near the area in the last 12 weeks"},
		{AssessmentFlagNeuroSymptoms, []AssessmentCondition{when("behaviour_pins_needles", "yes")},
			"you have pins and needles or numbness spreading past your elbow or knee"},
		{AssessmentFlagWidespreadPain, []AssessmentCondition{when("where_regions.spread", "seven_plus"), when("sleep_unrefreshing", "most_days")},
			"it is in seven or more areas and you wake unrefreshed most days"},
		{AssessmentFlagWidespreadPain, []AssessmentCondition{when("where_regions.spread", "seven_plus"), when("stress_signs", "tired_4_weeks")},
			"it is in seven or more areas and you have been tired for over 4 weeks"},
		{AssessmentFlagPersistenceRisk, []AssessmentCondition{when("outlook.psych", "4", "5")},
			"several answers say it weighs on you a lot"},
		// Recovery that is one half of a mix counts too: the override exists
		// to catch fatigue that outlasts training soreness, whatever else.
		{AssessmentFlagRecoveryNotResolving, []AssessmentCondition{when("result.class", string(ComplaintRecovery)),
			when("story_duration", longer...), when("hooper.sum", "19_28")},
			"it has lasted over 2 weeks and your sleep, tiredness, stress and soreness ratings are still very strained"},
	}
}

func v1FlagAdvice() map[AssessmentFlag]string {
	return map[AssessmentFlag]string{
		AssessmentFlagRehabReferral: "We suggest a physio or exercise physiologist alongside massage: this needs strengthening and graded exercise, with massage as a helper.",
		AssessmentFlagNeuroSymptoms: "Pins and needles or numbness spreading down an arm or leg can come from a nerve. Your therapist will check it and may suggest your GP or a physio.",
		AssessmentFlagWidespreadPain: "Pain in many areas with poor sleep or lasting tiredness is worth talking over with your GP. " +
			"Massage can still help you feel better alongside that.",
		AssessmentFlagPersistenceRisk: "Pain that weighs on you tends to linger. Your therapist will focus on understanding it and moving with confidence, " +
			"and may suggest your GP or a physio who works that way too.",
		AssessmentFlagRecoveryNotResolving: "Training soreness usually settles within a week. Tiredness and poor sleep that last longer are worth checking with a GP or sports doctor.",
	}
}
