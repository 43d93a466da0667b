package clinic

import "time"

// AgreementRow is one cell of the owner's agreement table: how often the class the scoring
// computed met the class the therapist confirmed after examining the person.
type AgreementRow struct {
	Computed  string
	Confirmed string
	Count     int
}

// AssessmentAlert is a submitted assessment whose answers call for medical care first.
type AssessmentAlert struct {
	ID         int64
	ClientID   int64
	ClientName string
	Outcome    string
	At         time.Time
}
