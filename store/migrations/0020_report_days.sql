-- 0020: what the reports still worked out from a year's bookings each time they were asked, kept
-- by the schema as busy_days and client_first_visit are (docs/performance.md, "Reports"). The
-- appointments table stays the truth; these rows are rewritten from it by the triggers below, in
-- the same transaction as every change, whoever makes it.
--
-- client_visits: each instant a client has a session not cancelled or missed (a booked one
-- counts, as in client_first_visit), with the start of their previous such session (NULL: it is
-- their first). A client seen in a period has exactly one visit in it whose previous one is
-- before the period, so "clients seen" is a count over the period's rows instead of a DISTINCT
-- over its hundred thousand sessions (on the large demo 150 ms a year), and "new" is the count
-- of those with no previous visit. Two sessions of one client at one instant are one visit.
CREATE TABLE client_visits (
  starts_at INTEGER NOT NULL,
  client_id INTEGER NOT NULL,
  prev_at   INTEGER,
  PRIMARY KEY (starts_at, client_id)
) STRICT, WITHOUT ROWID;

INSERT INTO client_visits (starts_at, client_id, prev_at)
SELECT starts_at, client_id, prev_at FROM (
  SELECT starts_at, client_id, lag(starts_at) OVER (PARTITION BY client_id ORDER BY starts_at) AS prev_at
  FROM (SELECT DISTINCT client_id, starts_at FROM appointments WHERE status NOT IN ('cancelled', 'no_show')))
ORDER BY starts_at, client_id;

-- A change at one instant of one client touches two visits: the one at that instant (there may
-- be none left, or a new one) and the client's next one, whose previous visit may have been it.
-- Both are rewritten from the client index. An update does so at the old instant and the new;
-- SQLite triggers cannot share a procedure, so the rewrite is spelled out for each side.
CREATE TRIGGER client_visits_insert AFTER INSERT ON appointments
WHEN NEW.status NOT IN ('cancelled', 'no_show')
BEGIN
  INSERT OR REPLACE INTO client_visits (starts_at, client_id, prev_at)
  SELECT NEW.starts_at, NEW.client_id, (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at < NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  UPDATE client_visits SET prev_at = NEW.starts_at
  WHERE client_id = NEW.client_id AND starts_at = (SELECT min(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at > NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
END;

CREATE TRIGGER client_visits_delete AFTER DELETE ON appointments
WHEN OLD.status NOT IN ('cancelled', 'no_show')
BEGIN
  DELETE FROM client_visits WHERE starts_at = OLD.starts_at AND client_id = OLD.client_id;
  INSERT INTO client_visits (starts_at, client_id, prev_at)
  SELECT OLD.starts_at, OLD.client_id, (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at < OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE EXISTS (SELECT 1 FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at = OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  UPDATE client_visits SET prev_at = (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at < client_visits.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE client_id = OLD.client_id AND starts_at = (SELECT min(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at > OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
END;

-- A check-in or completion changes no visit; a move, a change of client (a merge), or a session
-- cancelled, missed or restored does.
CREATE TRIGGER client_visits_update AFTER UPDATE OF client_id, starts_at, status ON appointments
WHEN OLD.client_id <> NEW.client_id OR OLD.starts_at <> NEW.starts_at
  OR (OLD.status IN ('cancelled', 'no_show')) <> (NEW.status IN ('cancelled', 'no_show'))
BEGIN
  DELETE FROM client_visits WHERE starts_at = OLD.starts_at AND client_id = OLD.client_id;
  INSERT INTO client_visits (starts_at, client_id, prev_at)
  SELECT OLD.starts_at, OLD.client_id, (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at < OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE EXISTS (SELECT 1 FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at = OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  UPDATE client_visits SET prev_at = (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at < client_visits.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE client_id = OLD.client_id AND starts_at = (SELECT min(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at > OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  DELETE FROM client_visits WHERE starts_at = NEW.starts_at AND client_id = NEW.client_id;
  INSERT INTO client_visits (starts_at, client_id, prev_at)
  SELECT NEW.starts_at, NEW.client_id, (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at < NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE EXISTS (SELECT 1 FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at = NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  UPDATE client_visits SET prev_at = (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at < client_visits.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE client_id = NEW.client_id AND starts_at = (SELECT min(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at > NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
END;

-- report_days: each therapist's sessions of each of the clinic's days, by room (0: none), as the
-- no-show and utilisation reports count them: the sessions due (not cancelled, or cancelled
-- late), the no-shows, the late cancellations, and the seconds booked (sessions not cancelled).
-- A year is about 16,500 rows here against 100,000 sessions. The day is the clinic's: the start
-- plus the clinic zone's UTC offset at that instant, over 86400, exact across clock changes.
--
-- report_zone holds that zone's offsets: each span's first instant after it (until; the last
-- span's is the largest integer) and its offset. The store writes it from the zone setting when
-- it opens and when the setting changes, and rebuilds report_days then (docs/performance.md,
-- "Reports"); the triggers below read it. Until the store has written it a day is UTC's.
CREATE TABLE report_zone (
  until      INTEGER PRIMARY KEY,
  utc_offset INTEGER NOT NULL,
  zone       TEXT NOT NULL
) STRICT;

CREATE TABLE report_days (
  day          INTEGER NOT NULL,
  therapist_id INTEGER NOT NULL,
  room_id      INTEGER NOT NULL,
  sessions     INTEGER NOT NULL,
  no_shows     INTEGER NOT NULL,
  late_cancels INTEGER NOT NULL,
  booked_secs  INTEGER NOT NULL,
  PRIMARY KEY (day, therapist_id, room_id)
) STRICT, WITHOUT ROWID;

-- Every count is a sum over sessions, so a change subtracts what the booking counted before and
-- adds what it counts now; a row left counting nothing goes.
CREATE TRIGGER report_days_insert AFTER INSERT ON appointments
WHEN NEW.status <> 'cancelled' OR NEW.late_cancel = 1
BEGIN
  INSERT INTO report_days (day, therapist_id, room_id, sessions, no_shows, late_cancels, booked_secs)
  SELECT (NEW.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > NEW.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400, NEW.therapist_id, coalesce(NEW.room_id, 0),
    1, NEW.status = 'no_show', NEW.status = 'cancelled',
    CASE WHEN NEW.status <> 'cancelled' THEN NEW.ends_at - NEW.starts_at ELSE 0 END
  ON CONFLICT (day, therapist_id, room_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    no_shows = no_shows + excluded.no_shows, late_cancels = late_cancels + excluded.late_cancels,
    booked_secs = booked_secs + excluded.booked_secs;
END;

CREATE TRIGGER report_days_delete AFTER DELETE ON appointments
WHEN OLD.status <> 'cancelled' OR OLD.late_cancel = 1
BEGIN
  UPDATE report_days SET sessions = sessions - 1, no_shows = no_shows - (OLD.status = 'no_show'),
    late_cancels = late_cancels - (OLD.status = 'cancelled'),
    booked_secs = booked_secs - CASE WHEN OLD.status <> 'cancelled' THEN OLD.ends_at - OLD.starts_at ELSE 0 END
  WHERE day = (OLD.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > OLD.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400
    AND therapist_id = OLD.therapist_id AND room_id = coalesce(OLD.room_id, 0);
  DELETE FROM report_days WHERE sessions = 0
    AND day = (OLD.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > OLD.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400
    AND therapist_id = OLD.therapist_id AND room_id = coalesce(OLD.room_id, 0);
END;

CREATE TRIGGER report_days_update
AFTER UPDATE OF therapist_id, room_id, starts_at, ends_at, status, late_cancel ON appointments
BEGIN
  UPDATE report_days SET sessions = sessions - 1, no_shows = no_shows - (OLD.status = 'no_show'),
    late_cancels = late_cancels - (OLD.status = 'cancelled'),
    booked_secs = booked_secs - CASE WHEN OLD.status <> 'cancelled' THEN OLD.ends_at - OLD.starts_at ELSE 0 END
  WHERE (OLD.status <> 'cancelled' OR OLD.late_cancel = 1)
    AND day = (OLD.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > OLD.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400
    AND therapist_id = OLD.therapist_id AND room_id = coalesce(OLD.room_id, 0);
  DELETE FROM report_days WHERE sessions = 0
    AND day = (OLD.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > OLD.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400
    AND therapist_id = OLD.therapist_id AND room_id = coalesce(OLD.room_id, 0);
  INSERT INTO report_days (day, therapist_id, room_id, sessions, no_shows, late_cancels, booked_secs)
  SELECT (NEW.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > NEW.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400, NEW.therapist_id, coalesce(NEW.room_id, 0),
    1, NEW.status = 'no_show', NEW.status = 'cancelled',
    CASE WHEN NEW.status <> 'cancelled' THEN NEW.ends_at - NEW.starts_at ELSE 0 END
  WHERE NEW.status <> 'cancelled' OR NEW.late_cancel = 1
  ON CONFLICT (day, therapist_id, room_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    no_shows = no_shows + excluded.no_shows, late_cancels = late_cancels + excluded.late_cancels,
    booked_secs = booked_secs + excluded.booked_secs;
END;

-- course_next: for each course with a session not cancelled, the start of its client's first
-- booking not cancelled after the course's last such session (NULL: none), so "booked again
-- within the spacing" is a comparison instead of a search of the client's bookings for each of
-- the 9,000 courses that end in a year (50 ms). Any other change to a client's bookings, or a
-- course given to another client (a merge), rewrites the client's courses' rows from the
-- bookings: a client has a course or two, each a few sessions.
CREATE TABLE course_next (
  course_id INTEGER PRIMARY KEY REFERENCES courses(id),
  next_at   INTEGER
) STRICT;

INSERT INTO course_next (course_id, next_at)
SELECT e.course_id, (SELECT min(b.starts_at) FROM appointments b
  WHERE b.client_id = c.client_id AND b.status <> 'cancelled' AND b.starts_at > e.last_at)
FROM course_ends e JOIN courses c ON c.id = e.course_id;

-- A new booking can only bring the next booking after a course of the client's earlier, and
-- make its own course's last session later; a bulk load of a million bookings pays that and
-- no more. The client's other courses' last sessions are read from course_ends, which this
-- booking does not change.
CREATE TRIGGER course_next_insert AFTER INSERT ON appointments
WHEN NEW.status <> 'cancelled'
BEGIN
  UPDATE course_next SET next_at = NEW.starts_at
  WHERE course_id IN (SELECT c.id FROM courses c JOIN course_ends e ON e.course_id = c.id
      WHERE c.client_id = NEW.client_id AND e.last_at < NEW.starts_at AND c.id IS NOT NEW.course_id)
    AND (next_at IS NULL OR next_at > NEW.starts_at);
  INSERT OR REPLACE INTO course_next (course_id, next_at)
  SELECT NEW.course_id, (SELECT min(b.starts_at) FROM appointments b
    WHERE b.client_id = NEW.client_id AND b.status <> 'cancelled' AND b.starts_at > x.last_at)
  FROM (SELECT max(a.starts_at) AS last_at FROM appointments a WHERE a.course_id = NEW.course_id AND a.status <> 'cancelled') x
  WHERE NEW.course_id IS NOT NULL;
END;

CREATE TRIGGER course_next_delete AFTER DELETE ON appointments
WHEN OLD.status <> 'cancelled'
BEGIN
  DELETE FROM course_next WHERE course_id IN (SELECT id FROM courses WHERE client_id = OLD.client_id);
  INSERT INTO course_next (course_id, next_at)
  SELECT x.id, (SELECT min(b.starts_at) FROM appointments b
    WHERE b.client_id = OLD.client_id AND b.status <> 'cancelled' AND b.starts_at > x.last_at)
  FROM (SELECT c.id, (SELECT max(a.starts_at) FROM appointments a WHERE a.course_id = c.id AND a.status <> 'cancelled') AS last_at
    FROM courses c WHERE c.client_id = OLD.client_id) x
  WHERE x.last_at IS NOT NULL;
END;

CREATE TRIGGER course_next_update AFTER UPDATE OF client_id, course_id, starts_at, status ON appointments
WHEN OLD.client_id <> NEW.client_id OR OLD.course_id IS NOT NEW.course_id OR OLD.starts_at <> NEW.starts_at
  OR (OLD.status = 'cancelled') <> (NEW.status = 'cancelled')
BEGIN
  DELETE FROM course_next WHERE course_id IN (SELECT id FROM courses WHERE client_id IN (OLD.client_id, NEW.client_id));
  INSERT INTO course_next (course_id, next_at)
  SELECT x.id, (SELECT min(b.starts_at) FROM appointments b
    WHERE b.client_id = x.client_id AND b.status <> 'cancelled' AND b.starts_at > x.last_at)
  FROM (SELECT c.id, c.client_id, (SELECT max(a.starts_at) FROM appointments a WHERE a.course_id = c.id AND a.status <> 'cancelled') AS last_at
    FROM courses c WHERE c.client_id IN (OLD.client_id, NEW.client_id)) x
  WHERE x.last_at IS NOT NULL;
END;

CREATE TRIGGER course_next_course_client AFTER UPDATE OF client_id ON courses
BEGIN
  DELETE FROM course_next WHERE course_id = NEW.id;
  INSERT INTO course_next (course_id, next_at)
  SELECT NEW.id, (SELECT min(b.starts_at) FROM appointments b
    WHERE b.client_id = NEW.client_id AND b.status <> 'cancelled' AND b.starts_at > x.last_at)
  FROM (SELECT max(a.starts_at) AS last_at FROM appointments a WHERE a.course_id = NEW.id AND a.status <> 'cancelled') x
  WHERE x.last_at IS NOT NULL;
END;

-- assessment_bookings: for each submitted assessment of a known client, when the client made
-- their first booking at or after it (made and starting then or later; NULL: none), so the
-- conversion table's "booked within 30 days" is a comparison instead of a search of the
-- client's bookings for each of the 4,900 assessments submitted in a year: for a client who did
-- not book in time that read every later booking from the table (100 ms a year on the large
-- demo). A new booking can only bring the first one earlier; any other change to a client's
-- bookings rewrites the rows of the client's assessments, and a change to an assessment its own.
CREATE TABLE assessment_bookings (
  assessment_id INTEGER PRIMARY KEY,
  made_at       INTEGER
) STRICT;

INSERT INTO assessment_bookings (assessment_id, made_at)
SELECT a.id, (SELECT min(b.created_at) FROM appointments b
  WHERE b.client_id = a.client_id AND b.starts_at >= a.updated_at AND b.created_at >= a.updated_at)
FROM assessments a WHERE a.status = 'submitted' AND a.client_id IS NOT NULL;

CREATE TRIGGER assessment_bookings_appt_insert AFTER INSERT ON appointments
BEGIN
  UPDATE assessment_bookings SET made_at = NEW.created_at
  WHERE assessment_id IN (SELECT a.id FROM assessments a WHERE a.client_id = NEW.client_id AND a.status = 'submitted'
      AND a.updated_at <= NEW.created_at AND a.updated_at <= NEW.starts_at)
    AND (made_at IS NULL OR made_at > NEW.created_at);
END;

CREATE TRIGGER assessment_bookings_appt_delete AFTER DELETE ON appointments
BEGIN
  DELETE FROM assessment_bookings WHERE assessment_id IN (SELECT id FROM assessments WHERE client_id = OLD.client_id);
  INSERT INTO assessment_bookings (assessment_id, made_at)
  SELECT a.id, (SELECT min(b.created_at) FROM appointments b
    WHERE b.client_id = a.client_id AND b.starts_at >= a.updated_at AND b.created_at >= a.updated_at)
  FROM assessments a WHERE a.client_id = OLD.client_id AND a.status = 'submitted';
END;

CREATE TRIGGER assessment_bookings_appt_update AFTER UPDATE OF client_id, starts_at, created_at ON appointments
WHEN OLD.client_id <> NEW.client_id OR OLD.starts_at <> NEW.starts_at OR OLD.created_at <> NEW.created_at
BEGIN
  DELETE FROM assessment_bookings WHERE assessment_id IN (SELECT id FROM assessments
    WHERE client_id IN (OLD.client_id, NEW.client_id));
  INSERT INTO assessment_bookings (assessment_id, made_at)
  SELECT a.id, (SELECT min(b.created_at) FROM appointments b
    WHERE b.client_id = a.client_id AND b.starts_at >= a.updated_at AND b.created_at >= a.updated_at)
  FROM assessments a WHERE a.client_id IN (OLD.client_id, NEW.client_id) AND a.status = 'submitted';
END;

CREATE TRIGGER assessment_bookings_insert AFTER INSERT ON assessments
WHEN NEW.status = 'submitted' AND NEW.client_id IS NOT NULL
BEGIN
  INSERT INTO assessment_bookings (assessment_id, made_at)
  SELECT NEW.id, (SELECT min(b.created_at) FROM appointments b
    WHERE b.client_id = NEW.client_id AND b.starts_at >= NEW.updated_at AND b.created_at >= NEW.updated_at);
END;

CREATE TRIGGER assessment_bookings_update AFTER UPDATE OF client_id, status, updated_at ON assessments
BEGIN
  DELETE FROM assessment_bookings WHERE assessment_id = OLD.id;
  INSERT INTO assessment_bookings (assessment_id, made_at)
  SELECT NEW.id, (SELECT min(b.created_at) FROM appointments b
    WHERE b.client_id = NEW.client_id AND b.starts_at >= NEW.updated_at AND b.created_at >= NEW.updated_at)
  WHERE NEW.status = 'submitted' AND NEW.client_id IS NOT NULL;
END;

CREATE TRIGGER assessment_bookings_delete AFTER DELETE ON assessments
BEGIN
  DELETE FROM assessment_bookings WHERE assessment_id = OLD.id;
END;
