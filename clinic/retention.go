package clinic

// RetentionFact is what decides how long one client's record is kept: the
// civil dates (in the clinic's zone) of their first and last contact, and
// their date of birth when the clinic has it.
type RetentionFact struct {
	ClientID     int64
	Name         string
	FirstContact Date
	LastContact  Date
	Birth        Date // zero when unknown
}

// KeptUntil is the last day the record must be kept: years after the last
// contact, and for a client first seen before they turned 18, no earlier than
// their 25th birthday. A birthday on 29 February falls on 1 March.
func (f RetentionFact) KeptUntil(years int) Date {
	until := addYears(f.LastContact, years)
	if !f.Birth.IsZero() && f.FirstContact.Before(addYears(f.Birth, MinorAgeUntil)) {
		if adult := addYears(f.Birth, MinorKeptUntilAge); adult.After(until) {
			until = adult
		}
	}
	return until
}

// PastRetention reports whether, on today, the record has been kept as long
// as it must and may be put to the owner for de-identification.
func (f RetentionFact) PastRetention(today Date, years int) bool {
	return today.After(f.KeptUntil(years))
}

func addYears(d Date, n int) Date {
	y, m, day := d.midnightUTC().AddDate(n, 0, 0).Date()
	return Date{y, m, day}
}
