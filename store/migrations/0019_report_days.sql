-- 0019: what the reports still worked out from a year's bookings each time they were asked, kept
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
