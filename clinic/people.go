package clinic

// Role is what a signed-in person may do. Staff roles sign in with a password; clients
// with a password or an emailed one-time link.
type Role string

const (
	RoleOwner     Role = "owner"
	RoleTherapist Role = "therapist"
	RoleReception Role = "reception"
	RoleClient    Role = "client"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleTherapist, RoleReception, RoleClient:
		return true
	}
	return false
}

// Staff reports whether r works at the clinic (as opposed to being treated there).
func (r Role) Staff() bool { return r.Valid() && r != RoleClient }

// Label is the role's name as people say it.
func (r Role) Label() string {
	switch r {
	case RoleOwner:
		return "Owner"
	case RoleTherapist:
		return "Therapist"
	case RoleReception:
		return "Reception"
	case RoleClient:
		return "Client"
	}
	return string(r)
}
