package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"allium/clinic"
	"allium/store"
)

// demoPassword is the password of every demo account; the demo prints it with the sign-ins.
const demoPassword = "allium-demo-2026"

type demoPerson struct {
	role  clinic.Role
	email string
	name  string
}

var demoStaff = []demoPerson{
	{clinic.RoleOwner, "owner@demo.allium.test", "Mei Lin"},
	{clinic.RoleTherapist, "sam@demo.allium.test", "Sam Okafor"},
	{clinic.RoleTherapist, "priya@demo.allium.test", "Priya Raman"},
	{clinic.RoleTherapist, "tom@demo.allium.test", "Tom Walsh"},
	{clinic.RoleReception, "desk@demo.allium.test", "Jo Baker"},
}

func demo(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var size string
	c, _, err := parse("demo", args, getenv, func(fs *flag.FlagSet) { fs.StringVar(&size, "size", "small", "small or large") })
	if err != nil {
		return err
	}
	if size != "small" && size != "large" {
		return fmt.Errorf("demo: --size is small or large, not %q", size)
	}
	lk, err := holdDB(c, "demo")
	if err != nil {
		return err
	}
	defer lk.Release()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := seedDemo(ctx, st, size); err != nil {
		return err
	}
	if size == "large" {
		if err := seedLarge(ctx, st, stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Demo clinic ready in %s. Sign in at %s/signin with password %q:\n", c.DB, c.BaseURL, demoPassword)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, p := range demoStaff {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.role.Label(), p.email, p.name)
	}
	fmt.Fprintf(tw, "  %s\t%s\t%s\n", "Client", demoClients[0].email, demoClients[0].name)
	return tw.Flush()
}

// seedDemo fills the database once: running it again finds everything in place and adds nothing.
func seedDemo(ctx context.Context, st *store.Store, size string) error {
	set := clinic.DefaultSettings()
	set.Name, set.TimeZone = "Allium Remedial & Tui Na", "Australia/Sydney"
	set.Address, set.Phone, set.Email = "12 Wattle Lane, Newtown NSW 2042", "02 9555 0142", "hello@demo.allium.test"
	if err := st.SaveSettings(ctx, store.System, set); err != nil {
		return err
	}
	for _, p := range demoStaff {
		if err := ensureUser(ctx, st, p); err != nil {
			return err
		}
	}
	for _, p := range demoClients {
		if err := ensureUser(ctx, st, p); err != nil {
			return err
		}
	}
	return seedCalendar(ctx, st)
}

func ensureUser(ctx context.Context, st *store.Store, p demoPerson) error {
	_, err := st.CreateUser(ctx, store.System, store.NewUser{Role: p.role, Email: p.email, Name: p.name, Password: demoPassword})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// demoClients are about forty people with a believable spread of complaints.
var demoClients = []demoPerson{
	{clinic.RoleClient, "alex.chen@example.com", "Alex Chen"},
	{clinic.RoleClient, "bree.thompson@example.com", "Bree Thompson"},
	{clinic.RoleClient, "carlos.mendes@example.com", "Carlos Mendes"},
	{clinic.RoleClient, "dana.kowalski@example.com", "Dana Kowalski"},
	{clinic.RoleClient, "ethan.nguyen@example.com", "Ethan Nguyen"},
	{clinic.RoleClient, "fatima.hassan@example.com", "Fatima Hassan"},
	{clinic.RoleClient, "george.papadopoulos@example.com", "George Papadopoulos"},
	{clinic.RoleClient, "hana.sato@example.com", "Hana Sato"},
	{clinic.RoleClient, "isla.macdonald@example.com", "Isla MacDonald"},
	{clinic.RoleClient, "jack.robinson@example.com", "Jack Robinson"},
	{clinic.RoleClient, "kirra.williams@example.com", "Kirra Williams"},
	{clinic.RoleClient, "liam.obrien@example.com", "Liam O'Brien"},
	{clinic.RoleClient, "maya.patel@example.com", "Maya Patel"},
	{clinic.RoleClient, "noah.schmidt@example.com", "Noah Schmidt"},
	{clinic.RoleClient, "olivia.rossi@example.com", "Olivia Rossi"},
	{clinic.RoleClient, "patrick.kelly@example.com", "Patrick Kelly"},
	{clinic.RoleClient, "quinn.harper@example.com", "Quinn Harper"},
	{clinic.RoleClient, "ruby.fraser@example.com", "Ruby Fraser"},
	{clinic.RoleClient, "sione.taufa@example.com", "Sione Taufa"},
	{clinic.RoleClient, "tara.singh@example.com", "Tara Singh"},
	{clinic.RoleClient, "umar.farooq@example.com", "Umar Farooq"},
	{clinic.RoleClient, "violet.green@example.com", "Violet Green"},
	{clinic.RoleClient, "will.jenkins@example.com", "Will Jenkins"},
	{clinic.RoleClient, "xin.yi.wong@example.com", "Xin Yi Wong"},
	{clinic.RoleClient, "yusuf.demir@example.com", "Yusuf Demir"},
	{clinic.RoleClient, "zoe.campbell@example.com", "Zoe Campbell"},
	{clinic.RoleClient, "aaron.brooks@example.com", "Aaron Brooks"},
	{clinic.RoleClient, "bella.martin@example.com", "Bella Martin"},
	{clinic.RoleClient, "connor.hughes@example.com", "Connor Hughes"},
	{clinic.RoleClient, "daisy.evans@example.com", "Daisy Evans"},
	{clinic.RoleClient, "eli.cohen@example.com", "Eli Cohen"},
	{clinic.RoleClient, "freya.lindqvist@example.com", "Freya Lindqvist"},
	{clinic.RoleClient, "gus.taylor@example.com", "Gus Taylor"},
	{clinic.RoleClient, "holly.ward@example.com", "Holly Ward"},
	{clinic.RoleClient, "ivan.petrov@example.com", "Ivan Petrov"},
	{clinic.RoleClient, "jess.murphy@example.com", "Jess Murphy"},
	{clinic.RoleClient, "kai.anderson@example.com", "Kai Anderson"},
	{clinic.RoleClient, "lena.fischer@example.com", "Lena Fischer"},
	{clinic.RoleClient, "marcus.lee@example.com", "Marcus Lee"},
	{clinic.RoleClient, "nina.costa@example.com", "Nina Costa"},
}
