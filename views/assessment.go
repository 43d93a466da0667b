package views

import (
	"html/template"

	"allium/clinic"
)

// AssessmentIntro is the page that explains the free assessment before it starts.
type AssessmentIntro struct {
	Page  Page
	Steps int
}

// AssessmentStepPage is one screen of the assessment.
type AssessmentStepPage struct {
	Page     Page
	Action   string // where the form posts
	Number   int    // 1-based
	Total    int
	Progress []AssessmentProgress
	Step     clinic.AssessmentStep
	Fields   []AssessmentField
	BackHref string
	Last     bool
}

// AssessmentProgress is one entry of the step list; Href is set for steps already saved.
type AssessmentProgress struct {
	Title   string
	Href    string
	Done    bool
	Current bool
}

// AssessmentField is one question with its saved or posted answer filled in.
type AssessmentField struct {
	ID       string // also the fieldset's anchor
	Name     string // the form field name
	Kind     string // radio, checkbox, select, scale, regions or text
	Prompt   string
	Help     string
	Required bool
	Choices  []AssessmentChoice
	Value    string // text answers
	MinLabel string
	MaxLabel string
	Err      string
	Groups   []AssessmentRegionGroup // the body map's checklist
	Front    template.HTML           // the inlined body charts; trusted embedded files
	Back     template.HTML
}

// AssessmentChoice is one option with whether it is chosen.
type AssessmentChoice struct {
	Value   string
	Label   string
	Checked bool
}

// AssessmentRegionGroup heads part of the body map checklist.
type AssessmentRegionGroup struct {
	Title   string
	Choices []AssessmentChoice
}

// AssessmentResultPage shows a stored result. When SafetyOnly is set the page shows nothing
// but what to do now: no class, no plan and no booking link.
type AssessmentResultPage struct {
	Page       Page
	Result     clinic.AssessmentResult
	SafetyOnly bool
	ClassName  string
	Reasons    []clinic.AssessmentContribution
	BookHref   string // empty when booking online is blocked or there is no course
}
