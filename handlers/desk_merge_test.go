package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"allium/store"
)

func TestReceptionMergesTwoRecordsOfOnePerson(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	ctx := context.Background()
	keep := ta.clientID(t, bc.Client)
	dup, err := ta.Store.AddClient(ctx, store.System, store.ClientDetails{Name: bc.Client.Name, Phone: "0400 555 666"})
	if err != nil {
		t.Fatal(err)
	}
	appt := ta.book(t, dup.ID, bc.Course, bc.Therapist.ID, bc.local(2026, 3, 12, 10, 0)).Appointments[0]
	tc := ta.client(t)
	tc.signIn(bc.Reception.Email, testPassword)
	page := fmt.Sprintf("/desk/clients/%d", keep)
	if !strings.Contains(tc.get(page).text(), "The same person twice?") {
		t.Fatal("the client page does not offer the likely duplicate")
	}
	tc.postForm(page+"/merge", page, url.Values{"duplicate": {fmt.Sprint(dup.ID)}}).wantRedirect(page)
	got := ta.appointment(t, appt.ID)
	if got.ClientID != keep {
		t.Errorf("the duplicate's appointment is filed under %d; want the kept record %d", got.ClientID, keep)
	}
	if r := tc.get(fmt.Sprintf("/desk/clients/%d", dup.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("the retired record answers %d; want 404", r.StatusCode)
	}
	r := tc.postForm(page, page, url.Values{"name": {"Alex Chen"}, "email": {"not an email"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("email") == "" {
		t.Errorf("a malformed email has no message beside the field")
	}
	tc.postForm(page, page, url.Values{"name": {"Alex Chen"}, "phone": {"0400 555 666"}, "cautions": {"Pregnant, 20 weeks"}}).wantRedirect(page)
	if !strings.Contains(tc.get(page).text(), "Pregnant, 20 weeks") {
		t.Error("saved cautions are not shown")
	}
}
