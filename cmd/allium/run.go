package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"allium"
	"allium/assets"
	"allium/backups"
	"allium/clinic"
	"allium/handlers"
	"allium/mail"
	"allium/store"
	"allium/views"
)

const usage = `usage: allium [command] [flags]

commands:
  serve              run the web app (the default)
  demo [--size S]    fill the database with a living demo clinic (S: small or large)
  user add           add a staff member: --role owner|therapist|reception --email E --name N (password on stdin)
  backup PATH        write a consistent, checked copy of the database to PATH
  migrate            bring the database schema up to date and exit
`

// config is the process's settings: flags, falling back to ALLIUM_* environment variables.
type config struct {
	Addr, DB, BaseURL, SMTPURL, MailFrom, SessionKey, TrustedProxies string
	// Checkpoints is "allium" (the store's background checkpointer) or "litestream" (leave them
	// to Litestream, which replicates the database).
	Checkpoints string
	// Replica is the folder Litestream replicates into, watched for the owner's page;
	// ReplicaMaxAge is how long a change may wait for it before the page warns.
	Replica       string
	ReplicaMaxAge time.Duration
	// BackupDir receives a checked backup every night after BackupAt (clinic time); the newest
	// BackupKeep are kept.
	BackupDir  string
	BackupKeep int
	BackupAt   string
}

func (c *config) flags(fs *flag.FlagSet, getenv func(string) string) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("ALLIUM_ADDR", "127.0.0.1:8080"), "listen address")
	fs.StringVar(&c.DB, "db", env("ALLIUM_DB", "allium.db"), "SQLite database file")
	fs.StringVar(&c.BaseURL, "base-url", env("ALLIUM_BASE_URL", ""), "public URL for links in email (default http://ADDR)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("ALLIUM_SMTP_URL", ""), "smtp://user:pass@host:587?tls=starttls (empty: built-in mailbox)")
	fs.StringVar(&c.MailFrom, "mail-from", env("ALLIUM_MAIL_FROM", ""), `sender, e.g. "Clinic <hello@clinic.example>"`)
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("ALLIUM_TRUSTED_PROXIES", ""), "reverse proxy addresses or CIDR ranges whose X-Forwarded-For is believed")
	fs.StringVar(&c.Checkpoints, "checkpoints", env("ALLIUM_CHECKPOINTS", "allium"), `who checkpoints the WAL: "allium", or "litestream" when Litestream replicates the database`)
	fs.StringVar(&c.Replica, "replica", env("ALLIUM_REPLICA", ""), "Litestream's replica folder, watched for the owner's page (empty: none)")
	fs.DurationVar(&c.ReplicaMaxAge, "replica-max-age", 5*time.Minute, "how long a change may wait for the replica before the owner's page warns")
	fs.StringVar(&c.BackupDir, "backup-dir", env("ALLIUM_BACKUP_DIR", ""), "folder for the nightly checked backups (empty: none)")
	fs.IntVar(&c.BackupKeep, "backup-keep", 14, "how many nightly backups to keep")
	fs.StringVar(&c.BackupAt, "backup-at", env("ALLIUM_BACKUP_AT", "02:15"), "the clinic-time hour of the nightly backup, HH:MM")
	c.SessionKey = getenv("ALLIUM_SESSION_KEY")
}

// typedEnv sets the flags that are not strings from their environment variables, through the
// flag's own parser, so a value that does not parse is reported rather than ignored.
func typedEnv(fs *flag.FlagSet, getenv func(string) string) error {
	for name, k := range map[string]string{"replica-max-age": "ALLIUM_REPLICA_MAX_AGE", "backup-keep": "ALLIUM_BACKUP_KEEP"} {
		if v := getenv(k); v != "" {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s=%q: %w", k, v, err)
			}
		}
	}
	return nil
}

// backupAt is BackupAt as a time after midnight.
func (c *config) backupAt() (time.Duration, error) {
	t, err := time.Parse("15:04", c.BackupAt)
	if err != nil {
		return 0, fmt.Errorf("--backup-at %q: want a time such as 02:15", c.BackupAt)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout)
	case "demo":
		return demo(ctx, args, getenv, stdout)
	case "user":
		return userCmd(ctx, args, getenv, stdin, stdout)
	case "backup":
		return backup(ctx, args, getenv, stdout)
	case "migrate":
		return migrate(ctx, args, getenv, stdout)
	case "help", "-h", "--help":
		_, err := io.WriteString(stdout, usage)
		return err
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

func parse(name string, args []string, getenv func(string) string, extra func(*flag.FlagSet)) (*config, *flag.FlagSet, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c.flags(fs, getenv)
	if extra != nil {
		extra(fs)
	}
	if err := typedEnv(fs, getenv); err != nil {
		return nil, nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return &c, fs, nil
}

func openStore(ctx context.Context, c *config) (*store.Store, error) {
	var opt store.Options
	switch c.Checkpoints {
	case "allium":
	case "litestream":
		opt.LitestreamCheckpoints = true
	default:
		return nil, fmt.Errorf(`--checkpoints %q: want "allium" or "litestream"`, c.Checkpoints)
	}
	return store.OpenWith(ctx, c.DB, allium.Schema, opt)
}

// holdDB takes the database's lock for cmd (store.Lock): the server holds it while it runs, and
// every other command that writes holds it while it works, so a command never changes the
// database under a running server, whose booking pages would not see the change.
func holdDB(c *config, cmd string) (*store.Lock, error) {
	lk, err := store.LockDB(c.DB, cmd)
	if errors.Is(err, store.ErrServed) {
		if cmd == "serve" {
			return nil, fmt.Errorf("%w; only one server may run on a database", err)
		}
		return nil, fmt.Errorf("%w; `allium %s` writes to the database, and the server would not see what it writes: stop the server first, or make the change in the app", err, cmd)
	}
	return lk, err
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	c, _, err := parse("migrate", args, getenv, nil)
	if err != nil {
		return err
	}
	lk, err := holdDB(c, "migrate")
	if err != nil {
		return err
	}
	defer lk.Release()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "%s is at schema version %d\n", c.DB, store.SchemaVersion())
	return nil
}

func backup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	c, fs, err := parse("backup", args, getenv, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: allium backup PATH")
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (integrity check ok)\n", c.DB, fs.Arg(0))
	return nil
}

func userCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: allium user add --role owner|therapist|reception --email E --name N (password on stdin)")
	}
	var role, email, name string
	c, _, err := parse("user add", args[1:], getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "owner, therapist or reception")
		fs.StringVar(&email, "email", "", "email address")
		fs.StringVar(&name, "name", "", "full name")
	})
	if err != nil {
		return err
	}
	if !clinic.Role(role).Staff() || email == "" || name == "" {
		return errors.New("--role (owner, therapist or reception), --email and --name are required")
	}
	pw, err := io.ReadAll(io.LimitReader(stdin, 1024))
	if err != nil {
		return err
	}
	password := strings.TrimRight(string(pw), "\r\n")
	if len([]rune(password)) < 10 {
		return errors.New("the password (on standard input) must be at least 10 characters")
	}
	lk, err := holdDB(c, "user add")
	if err != nil {
		return err
	}
	defer lk.Release()
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, store.System, store.NewUser{Role: clinic.Role(role), Email: email, Name: name, Password: password})
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%s already has an account", email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s <%s> as %s\n", u.Name, u.Email, u.Role.Label())
	return nil
}

// serve runs the web app and the outbox worker until ctx ends, then finishes the requests in
// flight, stops the worker and closes the database, in that order.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	c, _, err := parse("serve", args, getenv, nil)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	tuneGC(getenv)
	lk, err := holdDB(c, "serve")
	if err != nil {
		return err
	}
	defer lk.Release() // after the database is closed: deferred calls run last first
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	srv, worker, err := build(ctx, c, st, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	log.Info("allium is ready", "url", "http://"+ln.Addr().String(), "db", c.DB, "mail", mailMode(c))
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { worker.Run(workCtx) })
	wg.Go(func() { housekeeping(workCtx, st, log) })
	if c.Replica != "" {
		wg.Go(func() { watchReplica(workCtx, copiesWatch(c, st), log) })
	}
	if c.BackupDir != "" {
		at, _ := c.backupAt() // checked in build
		n := &backups.Nightly{Store: st, Dir: c.BackupDir, Keep: c.BackupKeep, At: at, Log: log, Now: time.Now,
			Zone: func(ctx context.Context) (*time.Location, error) {
				set, err := st.Settings(ctx)
				if err != nil {
					return nil, err
				}
				return set.Location()
			}}
		wg.Go(func() { n.Run(workCtx) })
	}
	wg.Go(func() {
		began := time.Now()
		if err := st.WarmCalendar(workCtx); err != nil {
			log.Warn("free-time search: calendar not read ahead", "err", err)
			return
		}
		log.Info("free-time search: calendar read ahead", "took", time.Since(began).Round(time.Millisecond))
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
		shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = srv.Shutdown(shutCtx)
		cancel()
	}
	stopWork()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// tuneGC lets the heap grow to nine times what is live before collecting (Go's default is
// twice), under a soft ceiling. A page makes most of its garbage in rendering and the live heap
// is small (about 8 MB), so collections were a fifth of a busy page's CPU (docs/performance.md);
// the ceiling keeps the process well inside the memory a small clinic server has. GOGC and
// GOMEMLIMIT, when set, win as they always do in Go.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(800)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcMemoryLimit)
	}
}

// gcMemoryLimit is the soft ceiling of tuneGC: the Go heap's share of the 150 MB the
// performance budget allows the whole process (SQLite's page caches are outside it).
const gcMemoryLimit = 96 << 20

func mailMode(c *config) string {
	if c.SMTPURL == "" {
		return "built-in mailbox (/admin/mail)"
	}
	return "smtp"
}

// build wires the app: views, assets, the session key, handlers and the mail worker.
func build(ctx context.Context, c *config, st *store.Store, log *slog.Logger) (*http.Server, *mail.Worker, error) {
	as, err := assets.New()
	if err != nil {
		return nil, nil, err
	}
	vs, err := views.New(as.URL)
	if err != nil {
		return nil, nil, err
	}
	key := []byte(c.SessionKey)
	if len(key) == 0 {
		if key, err = st.AppKey(ctx, "session", 64); err != nil {
			return nil, nil, err
		}
	} else if len(key) < 32 {
		return nil, nil, errors.New("ALLIUM_SESSION_KEY must be at least 32 characters")
	}
	proxies, err := handlers.ParseTrustedProxies(c.TrustedProxies)
	if err != nil {
		return nil, nil, err
	}
	if _, err := c.backupAt(); err != nil {
		return nil, nil, err
	}
	if c.BackupKeep < 1 {
		return nil, nil, fmt.Errorf("--backup-keep %d: keep at least one", c.BackupKeep)
	}
	e, _, err := handlers.New(ctx, handlers.Config{Store: st, Views: vs, Assets: as, Log: log, BaseURL: c.BaseURL,
		SessionKey: key, TrustedProxies: proxies, Copies: copiesWatch(c, st).Status})
	if err != nil {
		return nil, nil, err
	}
	var tr mail.Transport = mail.Mailbox{Store: st}
	if c.SMTPURL != "" {
		if tr, err = mail.ParseSMTPURL(c.SMTPURL); err != nil {
			return nil, nil, err
		}
	}
	from := c.MailFrom
	if from == "" {
		from = "no-reply@" + hostOf(c.BaseURL) // the worker puts the clinic's current name before it
	}
	w := &mail.Worker{Store: st, Views: vs, Transport: tr, From: from, BaseURL: c.BaseURL, Log: log, Wanted: st.StillWanted}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	return srv, w, nil
}

// copiesWatch reads the backup folder and Litestream's replica for the owner's page.
func copiesWatch(c *config, st *store.Store) backups.Watch {
	return backups.Watch{BackupDir: c.BackupDir, ReplicaDir: c.Replica, MaxAge: c.ReplicaMaxAge, LastCommit: st.LastCommit}
}

// watchReplica logs when the replica falls behind and when it catches up again, once each, so
// a monitor reading the log learns of it as the owner's page shows it.
func watchReplica(ctx context.Context, w backups.Watch, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	behind := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s := w.Status(time.Now())
		switch {
		case s.ReplicaBehind && !behind:
			log.Warn("replica behind: changes have not reached Litestream's replica", "replica", s.ReplicaDir,
				"last_written", s.ReplicaAt, "max_age", s.MaxAge, "problem", s.ReplicaError)
		case !s.ReplicaBehind && behind:
			log.Info("replica caught up", "replica", s.ReplicaDir, "last_written", s.ReplicaAt)
		}
		behind = s.ReplicaBehind
	}
}

func hostOf(baseURL string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	if !strings.Contains(h, ".") || net.ParseIP(h) != nil {
		return "allium.localhost" // a bare host or an IP address is not a mail domain
	}
	return h
}

// housekeeping prunes what has expired (sessions, anonymous assessments) hourly, and once a day
// lists the records past their retention period for the owner to review. The list is all the
// job does: nothing is removed without the owner's approval.
func housekeeping(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	var retentionRan time.Time
	for {
		if err := st.PruneExpired(ctx); err != nil && ctx.Err() == nil {
			log.Error("prune expired", "err", err)
		}
		if time.Since(retentionRan) >= 24*time.Hour {
			n, err := st.ListRetentionDue(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("retention job", "err", err)
			case err == nil:
				retentionRan = time.Now()
				log.Info("retention job", "listed", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
