package handlers

import (
	"testing"

	"allium/clinic"
)

// Exactly one navigation item is current: the section the page is in, not every section
// whose address begins the same way.
func TestNavMarksOneSectionCurrent(t *testing.T) {
	for _, tc := range []struct {
		role clinic.Role
		path string
		want string // the current item's label, "" for none
	}{
		{clinic.RoleOwner, "/admin", "Clinic"},
		{clinic.RoleOwner, "/admin/mail", "Mail"},
		{clinic.RoleOwner, "/admin/mail/12", "Mail"},
		{clinic.RoleOwner, "/desk/clients", "Day"},
		{clinic.RoleClient, "/my", "My bookings"},
		{clinic.RoleClient, "/my/plan", "My plan"},
		{clinic.RoleClient, "/my/appointments/3", "My bookings"},
		{clinic.RoleTherapist, "/therapist", "My day"},
		{clinic.RoleTherapist, "/clients/4/chart", ""},
		{"", "/assessment/d/abc/2", "Free assessment"},
	} {
		var current []string
		for _, l := range navFor(tc.role, tc.path) {
			if l.Current {
				current = append(current, l.Label)
			}
		}
		if (tc.want == "" && len(current) != 0) || (tc.want != "" && (len(current) != 1 || current[0] != tc.want)) {
			t.Errorf("%s at %s: current %q; want %q alone", tc.role, tc.path, current, tc.want)
		}
	}
}
