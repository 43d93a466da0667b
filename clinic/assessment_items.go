package clinic

// AssessmentQuestionnaireV1 is the version string of the first questionnaire.
const AssessmentQuestionnaireV1 = "v1"

// AssessmentV1 returns the first published questionnaire: nine steps, forty
// short items, about ten minutes on a phone.
//
// The wording is our own. The outlook and stress items borrow the constructs
// of published screening tools (fear of harm, low expectation of recovery,
// worry, low mood, bothersomeness; sense of control and of overload), never
// their sentences, which are under copyright. Item IDs and option values are
// stored and scored: never change one in place; publish a new version.
//
// The safety step asks each red flag as its own yes/no question rather than a
// tick-list: a forced answer to every flag is the one place where speed
// gives way to certainty, so that step has eight short items.
func AssessmentV1() *AssessmentQuestionnaire {
	q := &AssessmentQuestionnaire{
		Version: AssessmentQuestionnaireV1,
		Steps: []AssessmentStep{
			v1SafetyStep(), v1CautionsStep(), v1WhereStep(),
			v1StoryStep(), v1BehaviourStep(), v1TrainingStep(),
			v1StressStep(), v1FunctionStep(), v1OutlookStep(),
		},
	}
	for i := range q.Steps {
		for j := range q.Steps[i].Items {
			q.Steps[i].Items[j].Step = i
		}
	}
	return q
}

func opt(value, label string) AssessmentOption {
	return AssessmentOption{Value: value, Label: label}
}

func noneOpt() AssessmentOption {
	return AssessmentOption{Value: "none", Label: "None of these", Exclusive: true}
}

func choice(id, prompt string, opts ...AssessmentOption) AssessmentItem {
	return AssessmentItem{ID: id, Kind: AssessmentKindSingle, Prompt: prompt, Options: opts, Required: true}
}

func yesNo(id, prompt string) AssessmentItem {
	return choice(id, prompt, opt("yes", "Yes"), opt("no", "No"))
}

func tickList(id, prompt string, opts ...AssessmentOption) AssessmentItem {
	return AssessmentItem{ID: id, Kind: AssessmentKindMulti, Prompt: prompt, Options: opts, Required: true}
}

func scale(id, prompt string, lo, hi int, loLabel, hiLabel string) AssessmentItem {
	return AssessmentItem{ID: id, Kind: AssessmentKindScale, Prompt: prompt, Min: lo, Max: hi,
		MinLabel: loLabel, MaxLabel: hiLabel, Required: true}
}

func withHelp(it AssessmentItem, help string) AssessmentItem {
	it.Help = help
	return it
}

func v1SafetyStep() AssessmentStep {
	return AssessmentStep{
		Key:   "safety",
		Title: "First, a quick safety check",
		Intro: "A few signs need a doctor before any massage. Answer for how you are right now.",
		Items: []AssessmentItem{
			yesNo("safety_chest_pain", "Do you have chest pain, sudden shortness of breath, or are you coughing up blood?"),
			yesNo("safety_leg_clot", "Is one of your calves or thighs swollen, warm, red or throbbing, on one side only?"),
			yesNo("safety_saddle_numbness", "Have you noticed numbness around your bottom or genitals, a new change in bladder or bowel control, or weakness or pins and needles in both legs?"),
			yesNo("safety_neck_dizzy", "Along with neck pain or a headache, have you had dizziness, double vision, slurred speech, trouble swallowing, sudden falls or a numb face?"),
			yesNo("safety_fever", "Do you have a fever, an infection, a cold or the flu, or feel unwell right now?"),
			yesNo("safety_fracture", "After a recent fall or accident, could a bone be broken, can you not put weight on it, or is a joint swelling up fast?"),
			yesNo("safety_cancer", "Have you had cancer and now have weight loss you can't explain, or pain at night that rest doesn't ease? Or are you over 50 with your first ever bout of back pain?"),
			yesNo("safety_dark_urine", "After exercise, do you have severe muscle pain and weakness together with dark, cola-coloured urine?"),
		},
	}
}

func v1CautionsStep() AssessmentStep {
	notes := AssessmentItem{ID: "caution_notes", Kind: AssessmentKindText,
		Prompt: "Anything else your therapist should know?",
		Help:   "For example where an operation, implant or skin problem is, or medicines you take."}
	return AssessmentStep{
		Key:   "cautions",
		Title: "Things your therapist should know",
		Intro: "None of these rules out a massage. They help your therapist choose pressure, position and technique.",
		Items: []AssessmentItem{
			tickList("caution_list", "Do any of these apply to you? Tick all that fit.",
				opt("blood_thinners", "Blood thinners, or a bleeding or clotting disorder"),
				opt("pregnant", "Pregnant"),
				opt("pregnant_high_risk", "Pregnant, and told the pregnancy is high-risk"),
				opt("cancer", "Cancer now, or treated in the last 12 months"),
				opt("surgery_here", "An operation in the last 12 weeks, on or near where it hurts"),
				opt("surgery_elsewhere", "An operation in the last 12 weeks, somewhere else"),
				opt("fracture_here", "A broken bone in the last 12 weeks, on or near where it hurts"),
				opt("fracture_elsewhere", "A broken bone in the last 12 weeks, somewhere else"),
				opt("osteoporosis_steroids", "Osteoporosis, or steroid tablets taken for months"),
				opt("diabetes_sensation", "Diabetes with less feeling in your feet or hands"),
				opt("heart_bp", "A heart condition, or high blood pressure that isn't under control"),
				opt("skin_veins", "A skin infection, open wound, rash or varicose veins"),
				opt("implants", "A pacemaker, port, pump or joint replacement"),
				opt("arthritis_flare", "A flare of arthritis right now (hot, swollen joints)"),
				noneOpt(),
			),
			notes,
		},
	}
}

func v1WhereStep() AssessmentStep {
	regions := AssessmentItem{ID: "where_regions", Kind: AssessmentKindRegions,
		Prompt: "Which areas bother you? Mark every one.", Options: regionOptions(), Required: true,
		Help: "Left and right mean your own left and right."}
	main := choice("where_main", "Which one bothers you most?", regionOptions()...)
	main.WithinItem = "where_regions"
	return AssessmentStep{
		Key:   "where",
		Title: "Where it bothers you",
		Intro: "Mark the areas on the body map, then tell us about the main one.",
		Items: []AssessmentItem{
			regions,
			main,
			choice("where_side", "Is that main spot on one side?",
				opt("left", "On my left"), opt("right", "On my right"),
				opt("both", "On both sides"), opt("centre", "In the middle")),
			choice("where_point", "Could you point to the main spot with one finger?",
				opt("finger", "Yes, with one finger"),
				opt("palm_sized_area", "It's about the size of my palm"),
				opt("whole_region", "It spreads over a whole area"),
				opt("moves_around", "It moves around")),
		},
	}
}

func v1StoryStep() AssessmentStep {
	return AssessmentStep{
		Key:   "story",
		Title: "Its story",
		Intro: "How it started and how it has gone since.",
		Items: []AssessmentItem{
			choice("story_duration", "How long has it been bothering you this time?",
				opt("lt_3d", "Less than 3 days"), opt("3_14d", "3 to 14 days"),
				opt("2_6wk", "2 to 6 weeks"), opt("6_12wk", "6 to 12 weeks"),
				opt("gt_3mo", "More than 3 months")),
			choice("story_onset", "How did it start?",
				opt("specific_movement_or_position", "After a particular movement or position, like lifting, twisting or sleeping awkwardly"),
				opt("unusual_or_intense_exercise", "After exercise that was harder or different from usual"),
				opt("gradual_with_desk_or_repetitive_task", "Gradually, with desk work or a task I repeat a lot"),
				opt("during_stressful_period", "During a stressful time"),
				opt("no_idea", "I don't know")),
			choice("story_pattern", "Has this happened before?",
				opt("first_time", "No, this is the first time"),
				opt("recurs_1_2_per_year", "It comes back once or twice a year"),
				opt("recurs_3plus_per_year_same_spots", "It comes back three or more times a year, in the same places"),
				opt("constant", "It never really goes away")),
			choice("story_prior_massage", "Have you had massage for it before?",
				opt("helped_lasting", "Yes, and it helped for a good while"),
				opt("helped_1_2_days_only", "Yes, but it only helped for a day or two"),
				opt("no_help", "Yes, and it didn't help"),
				opt("never_had", "No")),
		},
	}
}

func v1BehaviourStep() AssessmentStep {
	return AssessmentStep{
		Key:   "behaviour",
		Title: "How it behaves",
		Intro: "What sets it off and what settles it.",
		Items: []AssessmentItem{
			withHelp(choice("behaviour_provoked", "Do particular movements or positions bring it on?",
				opt("never", "No"), opt("sometimes", "Sometimes"), opt("reliably", "Yes, every time")),
				"For example turning your head, bending forward or reaching up."),
			yesNo("behaviour_eases", "Does it ease when you change position or rest?"),
			choice("behaviour_headaches", "Do you get headaches along with the tension?",
				opt("never", "No"), opt("monthly", "About once a month"), opt("weekly_plus", "Once a week or more")),
			yesNo("behaviour_weakness", "Does the area feel weak, give way, or feel unstable?"),
			yesNo("behaviour_pins_needles", "Do you get pins and needles or numbness spreading past your elbow or knee?"),
		},
	}
}

func v1TrainingStep() AssessmentStep {
	return AssessmentStep{
		Key:   "training",
		Title: "Training and recovery",
		Intro: "If you don't train or play sport, choose the “none” answers and rate how you've felt.",
		Items: []AssessmentItem{
			choice("training_sessions", "How many training or sport sessions do you do in a usual week?",
				opt("0", "None"), opt("1_2", "1 or 2"), opt("3_4", "3 or 4"), opt("5_plus", "5 or more")),
			choice("training_load_change", "How has your training changed over the last 2 to 4 weeks?",
				opt("not_training", "I don't train"), opt("down", "I'm doing less"),
				opt("same", "About the same"), opt("up_lt30", "A bit more (less than a third more)"),
				opt("up_ge30_or_new", "A lot more (a third more or over), or a new programme")),
			tickList("training_recent", "Do any of these fit? Tick all that apply.",
				opt("hard_session_72h", "I did a hard, new or unusual session in the last 3 days"),
				opt("started_after_session", "It started 12 to 48 hours after a training session"),
				opt("sore_both_sides", "The sore muscles are on both sides, in the ones I trained"),
				opt("event_7d", "I have an event or race within 7 days, or just did one"),
				noneOpt()),
			scale("recovery_sleep", "Over the last few days, how has your sleep been?", 1, 7, "Very good", "Very bad"),
			scale("recovery_fatigue", "Over the last few days, how tired have you felt?", 1, 7, "Fresh", "Exhausted"),
			scale("recovery_soreness", "Over the last few days, how sore have your muscles felt?", 1, 7, "Not sore", "Very sore"),
		},
	}
}

func v1StressStep() AssessmentStep {
	often := func(id, prompt string) AssessmentItem {
		return choice(id, prompt, opt("0", "Never"), opt("1", "Rarely"), opt("2", "Sometimes"),
			opt("3", "Often"), opt("4", "Very often"))
	}
	return AssessmentStep{
		Key:   "stress",
		Title: "Stress and sleep",
		Intro: "Stress and sleep change how the body holds tension. This helps us choose an approach; it is not a test.",
		Items: []AssessmentItem{
			choice("stress_worse", "Is it worse during stressful times?",
				opt("no", "No"), opt("sometimes", "Sometimes"), opt("clearly", "Yes, clearly")),
			often("stress_control", "Over the past few weeks, how often could you keep up with what work and home ask of you?"),
			often("stress_overload", "Over the past few weeks, how often has too much landed on you at once?"),
			choice("sleep_unrefreshing", "Training aside, do you wake up feeling unrefreshed?",
				opt("no", "No"), opt("sometimes", "Sometimes"), opt("most_days", "Most days")),
			tickList("stress_signs", "Do any of these fit? Tick all that apply.",
				opt("tension_same_place", "When I'm stressed, the tension lands in the same place"),
				opt("jaw_clenching", "I clench my jaw or grind my teeth"),
				opt("tired_4_weeks", "I've been tired most days for over 4 weeks, and training doesn't explain it"),
				noneOpt()),
		},
	}
}

func v1FunctionStep() AssessmentStep {
	activity := AssessmentItem{ID: "function_activity", Kind: AssessmentKindText, Required: true,
		Prompt: "Name one thing it stops you doing, or makes hard.",
		Help:   "For example carrying shopping, sleeping on your side or running hills."}
	return AssessmentStep{
		Key:   "function",
		Title: "What it stops you doing",
		Intro: "This sets the goal we measure progress against.",
		Items: []AssessmentItem{
			scale("function_pain_worst", "At its worst in the last week, how bad was it?", 0, 10, "No pain", "As bad as it could be"),
			activity,
			scale("function_activity_score", "How well can you do that now?", 0, 10, "Not at all", "As well as before"),
			tickList("function_goals", "What would you like from treatment? Tick all that apply.",
				opt("pain_relief", "Less pain"), opt("move_better", "Move more freely"),
				opt("recover_training", "Recover from training"), opt("relax_stress", "Relax and unwind"),
				opt("prevent_recurrence", "Stop it coming back"), opt("performance", "Perform better in my sport")),
		},
	}
}

func v1OutlookStep() AssessmentStep {
	return AssessmentStep{
		Key:   "outlook",
		Title: "How you feel about it",
		Intro: "Honest answers help us plan. There are no wrong ones.",
		Items: []AssessmentItem{
			tickList("outlook_beliefs", "Which of these fit how you feel at the moment? Tick any that do.",
				opt("activity_harm", "I'm afraid that moving or exercising will do more damage"),
				opt("wont_improve", "I expect I'll be stuck with this"),
				opt("anxious", "I've been feeling anxious or on edge lately"),
				opt("low_mood", "I've been feeling flat or low lately"),
				noneOpt()),
			choice("outlook_bother", "All things considered, how much is it troubling you these days?",
				opt("not_at_all", "Not at all"), opt("slightly", "A little"), opt("moderately", "Moderately"),
				opt("very_much", "A lot"), opt("extremely", "Extremely")),
		},
	}
}
