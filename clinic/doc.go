// Package clinic holds Allium's domain: the types of a remedial massage and
// Tui Na clinic and the pure rules that decide things about them (assessment
// scoring, free-time search, course spacing, reminder timing and the send-time
// check, the appointment lifecycle, plan states).
//
// Nothing here touches SQL, HTTP or the clock: time arrives as a value, so
// every rule can be tested on any date, including the days clocks change.
package clinic
