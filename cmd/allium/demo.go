package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"text/tabwriter"
	"time"

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
	st, err := openDemo(ctx, c, time.Now(), size == "small")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := seedDemo(ctx, st, c.BaseURL, time.Now()); err != nil {
		return err
	}
	if size == "large" {
		if err := seedLarge(ctx, st, stdout); err != nil {
			return err
		}
	}
	if err := st.DemoMoney(ctx, store.System); err != nil {
		return err
	}
	if err := st.DemoPrepaid(ctx, store.System, demoClients[0].email); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo clinic ready in %s. Sign in at %s/signin with password %q:\n", c.DB, c.BaseURL, demoPassword)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, p := range demoStaff {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.role.Label(), p.email, p.name)
	}
	fmt.Fprintf(tw, "  %s\t%s\t%s\n", "Client", demoClients[0].email, demoClients[0].name)
	return tw.Flush()
}

// demoZone is the demo clinic's time zone; its days decide when the demo is stale.
const demoZone = "Australia/Sydney"

// openDemo opens the demo database. The demo is a story told relative to the day it is built
// (six months of history, three ahead), so a demo built on an earlier day is thrown away and
// built again rather than shifted: findings, signed notes and their readings are append-only
// even here, and a rebuild through the store's write paths keeps every rule true. A database
// that holds a clinic other than the demo is refused. With rebuild false (the large demo,
// which takes minutes to build) an existing demo is kept whatever its day.
func openDemo(ctx context.Context, c *config, now time.Time, rebuild bool) (*store.Store, error) {
	st, err := openStore(ctx, c)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(demoZone)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	built, err := st.DemoBuiltOn(ctx)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	unmarked := false // a demo from before the day was recorded: it cannot be kept
	if built == "" {
		if _, err := st.UserByEmail(ctx, demoStaff[0].email); err == nil {
			unmarked = true
		} else if has, err := st.HasOwner(ctx); err != nil || has {
			return nil, errors.Join(err, st.Close(), fmt.Errorf("demo: %s holds a clinic that is not the demo; give another --db", c.DB))
		}
	}
	stale := unmarked || built != "" && built != clinic.DateOf(now, loc).String()
	if !stale || !rebuild && !unmarked {
		return st, nil
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-views", "-views-wal", "-views-shm"} {
		if err := os.Remove(c.DB + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("demo: rebuilding: %w", err)
		}
	}
	return openStore(ctx, c)
}

// seedDemo fills a fresh database with the demo clinic as it stands at `now`. A database that
// already holds today's demo is left as it is.
func seedDemo(ctx context.Context, st *store.Store, baseURL string, now time.Time) error {
	if built, err := st.DemoBuiltOn(ctx); err != nil || built != "" {
		return err
	}
	if err := st.SkipSync(ctx); err != nil {
		return err
	}
	real := st.Now
	defer func() { st.Now = real }()
	st.Now = func() time.Time { return now.AddDate(0, -7, 0) }
	set := clinic.DefaultSettings()
	set.Name, set.TimeZone = "Allium Remedial & Tui Na", demoZone
	set.Address, set.Phone, set.Email = "12 Wattle Lane, Newtown NSW 2042", "02 9555 0142", "hello@demo.allium.test"
	set.BusinessNumber = "53 004 085 616" // the format of an ABN; the demo's is made up
	if err := st.SaveSettings(ctx, store.System, set); err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	for _, p := range append(demoStaff[:len(demoStaff):len(demoStaff)], demoClients...) {
		if err := ensureUser(ctx, st, p); err != nil {
			return err
		}
	}
	services, err := seedCalendar(ctx, st, loc)
	if err != nil {
		return err
	}
	if err := seedProviderNumbers(ctx, st); err != nil {
		return err
	}
	if err := seedHistory(ctx, st, baseURL, loc, services, now); err != nil {
		return err
	}
	st.Now = func() time.Time { return now }
	return st.MarkDemoBuilt(ctx, store.System, clinic.DateOf(now, loc).String())
}

// seedProviderNumbers gives each demo therapist a made-up health-fund provider number, which
// their receipts print.
func seedProviderNumbers(ctx context.Context, st *store.Store) error {
	for i, p := range demoStaff {
		if p.role != clinic.RoleTherapist {
			continue
		}
		u, err := st.UserByEmail(ctx, p.email)
		if err != nil {
			return err
		}
		prof, err := st.TherapistProfileOf(ctx, store.System, u.ID)
		if err != nil {
			return err
		}
		prof.ProviderNumbers = fmt.Sprintf("HICAPS %07dA", 4021100+i*37)
		if err := st.SaveTherapistProfile(ctx, store.System, prof); err != nil {
			return err
		}
	}
	return nil
}

// ensureUser adds a demo person. Staff and Alex Chen get the demo password; the other clients
// sign in as clients mostly do, with a link by email (it lands in the demo's mailbox), which
// also spares the build forty slow password hashes.
func ensureUser(ctx context.Context, st *store.Store, p demoPerson) error {
	pw := demoPassword
	if p.role == clinic.RoleClient && p.email != demoClients[0].email {
		pw = ""
	}
	_, err := st.CreateUser(ctx, store.System, store.NewUser{Role: p.role, Email: p.email, Name: p.name, Password: pw})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// demoClients are about sixty people with a believable spread of complaints.
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
	{clinic.RoleClient, "oscar.nilsson@example.com", "Oscar Nilsson"},
	{clinic.RoleClient, "priya.menon@example.com", "Priya Menon"},
	{clinic.RoleClient, "rhys.morgan@example.com", "Rhys Morgan"},
	{clinic.RoleClient, "sofia.alvarez@example.com", "Sofia Alvarez"},
	{clinic.RoleClient, "tane.walker@example.com", "Tāne Walker"},
	{clinic.RoleClient, "ursula.becker@example.com", "Ursula Becker"},
	{clinic.RoleClient, "vikram.shah@example.com", "Vikram Shah"},
	{clinic.RoleClient, "wen.li@example.com", "Wen Li"},
	{clinic.RoleClient, "ximena.ortiz@example.com", "Ximena Ortiz"},
	{clinic.RoleClient, "yara.haddad@example.com", "Yara Haddad"},
	{clinic.RoleClient, "zac.obrien@example.com", "Zac O'Brien"},
	{clinic.RoleClient, "amira.saleh@example.com", "Amira Saleh"},
	{clinic.RoleClient, "ben.fletcher@example.com", "Ben Fletcher"},
	{clinic.RoleClient, "chloe.dubois@example.com", "Chloé Dubois"},
	{clinic.RoleClient, "dev.kapoor@example.com", "Dev Kapoor"},
	{clinic.RoleClient, "emma.jansen@example.com", "Emma Jansen"},
	{clinic.RoleClient, "finn.gallagher@example.com", "Finn Gallagher"},
	{clinic.RoleClient, "grace.oyelaran@example.com", "Grace Oyelaran"},
	{clinic.RoleClient, "hiro.tanaka@example.com", "Hiro Tanaka"},
	{clinic.RoleClient, "ines.moreau@example.com", "Inès Moreau"},
}
