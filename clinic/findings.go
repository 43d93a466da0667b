package clinic

import (
	"fmt"
	"strings"
	"time"
)

// ChartTerm is one entry of a charting vocabulary: the stored code and the words shown.
type ChartTerm struct {
	Code  string
	Label string
}

func termKnown(terms []ChartTerm, code string) bool {
	for _, t := range terms {
		if t.Code == code {
			return true
		}
	}
	return false
}

// TermLabel is the label of a code in a vocabulary, or the code itself when it is not listed.
func TermLabel(terms []ChartTerm, code string) string {
	for _, t := range terms {
		if t.Code == code {
			return t.Label
		}
	}
	return code
}

// ComplaintClasses lists the classes a therapist may confirm, in the order a form shows them.
func ComplaintClasses() []ChartTerm {
	return []ChartTerm{{"mechanical", "Mechanical"}, {"systemic", "Systemic (stress and tension)"},
		{"recovery", "Recovery from training"}, {"mixed", "Mixed"}, {"undifferentiated", "No clear pattern"}}
}

// KnownComplaintClass reports whether class is one a therapist may confirm.
func KnownComplaintClass(class string) bool { return termKnown(ComplaintClasses(), class) }

// Findings is what a therapist records after palpation, at the first visit or a reassessment.
// Rows of each kind are kept in the order entered. Findings are append-only: a correction is a
// new record.
type Findings struct {
	ID             int64
	ClientID       int64
	TherapistID    int64
	TherapistName  string
	AppointmentID  int64 // 0 when not tied to one appointment
	Kind           string
	Complaint      string
	Aggravating    string
	Easing         string
	Impression     string
	ConfirmedClass string
	Regions        []string // body chart areas marked as painful (BodyAreas codes)
	Channels       []string // Tui Na channels involved
	Posture        []PostureFinding
	ROM            []ROMFinding
	Tests          []TestFinding
	Palpation      []PalpationFinding
	Points         []PointFinding
	CreatedAt      time.Time
	// SupersedesID is the record this one corrects (0: none). Records are append-only: a
	// correction is a new record, and the old one is shown struck through.
	SupersedesID int64
	// CorrectedBy is the record that corrects this one, with who wrote it and when; nil while
	// it stands.
	CorrectedBy *FindingsCorrection
}

// FindingsCorrection names the record that superseded a findings record.
type FindingsCorrection struct {
	ID            int64
	TherapistName string
	At            time.Time
}

// PostureFinding is one postural observation.
type PostureFinding struct {
	Observation string
	Side        BodySide // "" when it has no side
	Note        string
}

// ROMFinding is one range-of-motion measurement. Degrees is nil when not measured.
type ROMFinding struct {
	Joint    string
	Movement string
	Side     BodySide
	Mode     string
	Degrees  *int
	Grade    string
	Pain     string
	Note     string
}

// TestFinding is one special test. Tests inform referral and treatment, never a diagnosis.
type TestFinding struct {
	Name   string
	Side   BodySide
	Result string
	Note   string
}

// PalpationFinding is one palpated structure. Tenderness is nil when not graded. The trigger
// point signs are kept one by one.
type PalpationFinding struct {
	Region           string
	Side             BodySide
	Muscle           string
	Type             string
	Tenderness       *int
	Tone             string
	Texture          string
	Signs            TriggerPointSigns
	TrPStatus        string
	FascialDirection string
	FascialLayer     string
	Note             string
}

// TriggerPoint reports whether the row records a trigger point (by type or by spot tenderness).
func (p PalpationFinding) TriggerPoint() bool {
	return p.Type == "trigger_point" || p.Signs.SpotTenderness
}

// PointFinding is one Tui Na acupoint, its code in the canonical spelling.
type PointFinding struct {
	Code string
	Side BodySide
	Role string
	Note string
}

// Findings vocabularies. The stored codes are stable; labels may be reworded.
var (
	findingKinds = []ChartTerm{{"initial", "Initial assessment"}, {"reassessment", "Reassessment"}, {"ad_hoc", "Other visit"}}
	postureTerms = []ChartTerm{
		{"forward_head", "Forward head"}, {"head_tilt", "Lateral head tilt"}, {"head_rotation", "Head rotation"},
		{"elevated_shoulder", "Elevated shoulder"}, {"rounded_shoulders", "Protracted / rounded shoulders"},
		{"scapular_winging", "Scapular winging"}, {"scapular_downward_rotation", "Scapular downward rotation"},
		{"kyphosis_increased", "Increased thoracic kyphosis"}, {"kyphosis_decreased", "Decreased thoracic kyphosis"},
		{"lordosis_increased", "Increased lumbar lordosis"}, {"lordosis_decreased", "Decreased lumbar lordosis"},
		{"scoliosis", "Apparent scoliosis"}, {"pelvic_tilt_anterior", "Anterior pelvic tilt"},
		{"pelvic_tilt_posterior", "Posterior pelvic tilt"}, {"pelvic_tilt_lateral", "Lateral pelvic tilt"},
		{"leg_length", "Apparent leg-length difference"}, {"genu_valgum", "Genu valgum"}, {"genu_varum", "Genu varum"},
		{"foot_pronation", "Foot pronation"}, {"weight_shift", "Weight shift"}, {"guarding", "Guarding / antalgic posture"},
		{"wasting", "Muscle wasting"}, {"hypertrophy", "Muscle hypertrophy"}, {"swelling", "Swelling"},
		{"skin_changes", "Skin changes"}, {"scar", "Scar"},
	}
	jointTerms = []ChartTerm{{"cervical", "Neck"}, {"thoracic", "Thoracic spine"}, {"lumbar", "Lumbar spine"},
		{"shoulder", "Shoulder"}, {"elbow", "Elbow"}, {"wrist", "Wrist"}, {"hip", "Hip"}, {"knee", "Knee"}, {"ankle", "Ankle"}}
	movementTerms = []ChartTerm{{"flexion", "Flexion"}, {"extension", "Extension"}, {"side_flexion", "Side flexion"},
		{"rotation", "Rotation"}, {"abduction", "Abduction"}, {"adduction", "Adduction"},
		{"internal_rotation", "Internal rotation"}, {"external_rotation", "External rotation"},
		{"horizontal_adduction", "Horizontal adduction"}, {"dorsiflexion", "Dorsiflexion"}, {"plantarflexion", "Plantarflexion"}}
	romModes    = []ChartTerm{{"active", "Active"}, {"passive", "Passive"}, {"resisted", "Resisted"}}
	romGrades   = []ChartTerm{{"full", "Full"}, {"75", "About 75%"}, {"50", "About 50%"}, {"25", "About 25%"}, {"minimal", "Minimal"}}
	romPains    = []ChartTerm{{"none", "No pain"}, {"end_range", "Pain at end of range"}, {"through_range", "Pain through range"}, {"painful_arc", "Painful arc"}}
	testResults = []ChartTerm{{"positive", "Positive"}, {"negative", "Negative"}, {"equivocal", "Equivocal"}}
	trpStatuses = []ChartTerm{{"active", "Active (reproduces the complaint)"}, {"latent", "Latent"}}
	fasciaLayer = []ChartTerm{{"superficial", "Superficial"}, {"deep", "Deep"}}
)

// FindingVocab is every vocabulary the findings form offers, for the pages.
type FindingVocab struct {
	Kinds, Posture, Joints, Movements, Modes, Grades, Pains, TestResults, TrPStatuses, FasciaLayers []ChartTerm
	Classes                                                                                         []ChartTerm
}

// FindingVocabulary returns the findings vocabularies.
func FindingVocabulary() FindingVocab {
	return FindingVocab{Kinds: findingKinds, Posture: postureTerms, Joints: jointTerms, Movements: movementTerms,
		Modes: romModes, Grades: romGrades, Pains: romPains, TestResults: testResults, TrPStatuses: trpStatuses,
		FasciaLayers: fasciaLayer, Classes: ComplaintClasses()}
}

// Text limits for findings: long enough for a careful history, short enough to stay a chart.
const (
	FindingTextMax = 4000
	FindingNoteMax = 500
)

// Validate checks findings and returns a message per form field that is wrong, keyed as the
// findings form names its fields ("palp.2.tenderness"); empty means valid. Acupoint codes are
// rewritten to their canonical spelling.
func (f *Findings) Validate() map[string]string {
	errs := map[string]string{}
	if !termKnown(findingKinds, f.Kind) {
		errs["kind"] = "Choose the kind of visit."
	}
	if f.ConfirmedClass != "" && !termKnown(ComplaintClasses(), f.ConfirmedClass) {
		errs["confirmed_class"] = "Choose a class from the list."
	}
	for _, r := range f.Regions {
		if _, ok := bodyAreaSide(r); !ok {
			errs["regions"] = fmt.Sprintf("%q is not an area of the body chart.", r)
		}
	}
	for _, c := range f.Channels {
		if !channelKnown(c) {
			errs["channels"] = fmt.Sprintf("%q is not a channel.", c)
		}
	}
	f.postureProblems(errs)
	f.romProblems(errs)
	f.testProblems(errs)
	for i := range f.Palpation {
		f.Palpation[i].problems(fmt.Sprintf("palp.%d.", i), errs)
	}
	for i := range f.Points {
		f.Points[i].problems(fmt.Sprintf("point.%d.", i), errs)
	}
	return errs
}

func (f *Findings) postureProblems(errs map[string]string) {
	for i, p := range f.Posture {
		if !termKnown(postureTerms, p.Observation) {
			errs[fmt.Sprintf("posture.%d.observation", i)] = "Choose an observation from the list."
		}
		if p.Side != "" && !sideKnown(p.Side) {
			errs[fmt.Sprintf("posture.%d.side", i)] = "Choose a side from the list."
		}
	}
}

func (f *Findings) romProblems(errs map[string]string) {
	for i, r := range f.ROM {
		k := fmt.Sprintf("rom.%d.", i)
		switch {
		case !termKnown(jointTerms, r.Joint):
			errs[k+"joint"] = "Choose a joint or region."
		case !termKnown(movementTerms, r.Movement):
			errs[k+"movement"] = "Choose a movement."
		case r.Side != "" && !sideKnown(r.Side):
			errs[k+"side"] = "Choose a side from the list."
		case !termKnown(romModes, r.Mode):
			errs[k+"mode"] = "Choose active, passive or resisted."
		case r.Degrees != nil && (*r.Degrees < 0 || *r.Degrees > 360):
			errs[k+"degrees"] = "Degrees run from 0 to 360."
		case r.Grade != "" && !termKnown(romGrades, r.Grade):
			errs[k+"grade"] = "Choose a range from the list."
		case r.Degrees == nil && r.Grade == "":
			errs[k+"grade"] = "Give the degrees or choose a range."
		case !termKnown(romPains, r.Pain):
			errs[k+"pain"] = "Choose how painful the movement was."
		}
	}
}

func (f *Findings) testProblems(errs map[string]string) {
	for i, t := range f.Tests {
		k := fmt.Sprintf("test.%d.", i)
		switch {
		case strings.TrimSpace(t.Name) == "":
			errs[k+"name"] = "Name the test."
		case t.Side != "" && !sideKnown(t.Side):
			errs[k+"side"] = "Choose a side from the list."
		case !termKnown(testResults, t.Result):
			errs[k+"result"] = "Choose positive, negative or equivocal."
		}
	}
}

func (p *PalpationFinding) problems(k string, errs map[string]string) {
	var types []string
	for _, t := range FindingTypes() {
		types = append(types, string(t))
	}
	switch {
	case !regionKnown(p.Region):
		errs[k+"region"] = "Choose a region from the list."
	case !sideKnown(p.Side):
		errs[k+"side"] = "Choose a side."
	case p.Muscle != "" && !muscleKnown(p.Muscle):
		errs[k+"muscle"] = "Choose a muscle from the list."
	case !chartHas(types, p.Type):
		errs[k+"type"] = "Choose what was found."
	case p.Tenderness != nil && !TendernessGrade(*p.Tenderness).Valid():
		errs[k+"tenderness"] = "Tenderness is graded 0 to IV."
	case p.Tone != "" && !chartHas(codesOf(Tones()), p.Tone):
		errs[k+"tone"] = "Choose a tone from the list."
	case p.Texture != "" && !chartHas(codesOf(TissueTextures()), p.Texture):
		errs[k+"texture"] = "Choose a texture from the list."
	case p.TrPStatus != "" && !termKnown(trpStatuses, p.TrPStatus):
		errs[k+"trp_status"] = "Choose active or latent."
	case p.FascialLayer != "" && !termKnown(fasciaLayer, p.FascialLayer):
		errs[k+"fascial_layer"] = "Choose superficial or deep."
	}
}

func (p *PointFinding) problems(k string, errs map[string]string) {
	code, ok := NormalizeAcupoint(p.Code)
	switch {
	case !ok:
		errs[k+"code"] = fmt.Sprintf("%q is not an acupoint code. Use a channel and number such as GB21 or LI4, an extra point such as EX-HN3, or ASHI.", p.Code)
	case p.Side != "" && !sideKnown(p.Side):
		errs[k+"side"] = "Choose a side from the list."
	case p.Role != "" && !chartHas(codesOf(PointRoles()), p.Role):
		errs[k+"role"] = "Choose the point's role from the list."
	default:
		p.Code = code
	}
}

func sideKnown(s BodySide) bool { return chartHas(codesOf(BodySides()), string(s)) }

func regionKnown(code string) bool { _, ok := RegionByCode(code); return ok }

func muscleKnown(key string) bool { _, ok := MuscleByKey(key); return ok }

func channelKnown(code string) bool {
	for _, c := range Channels() {
		if c.Code == code {
			return true
		}
	}
	return false
}

func chartHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func codesOf[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = string(x)
	}
	return out
}
