package store

import "allium/clinic"

// The appointment statuses as SQL literals, spelled from clinic's constants so a query cannot
// drift from the rules. They are concatenated into the statement text, not bound: the planner
// then sees the value, which it needs to use an index whose WHERE names a status, and every
// statement stays one constant string.
const (
	sqlBooked    = "'" + string(clinic.ApptBooked) + "'"
	sqlCheckedIn = "'" + string(clinic.ApptCheckedIn) + "'"
	sqlCompleted = "'" + string(clinic.ApptCompleted) + "'"
	sqlCancelled = "'" + string(clinic.ApptCancelled) + "'"
	sqlNoShow    = "'" + string(clinic.ApptNoShow) + "'"
)

// apptRole is the role an actor asks clinic's appointment rules with: the server's own work
// (the demo, tests' setup) has the owner's rights.
func apptRole(by Actor) clinic.Role {
	if by.Role == System.Role {
		return clinic.RoleOwner
	}
	return by.Role
}
