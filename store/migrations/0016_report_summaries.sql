-- 0016: what the clients report would otherwise work out from every booking each time it is
-- asked, kept by the schema as busy_days is. On the large demo clinic a year's report looked up
-- the first session of each of 37,000 clients seen and regrouped the sessions of 9,000 courses:
-- 300 ms a year against a budget of 100 (docs/performance.md, "Reports"). The appointments table
-- stays the truth; these rows are rewritten from it by the triggers below, in the same
-- transaction as every change, whoever makes it.
--
-- client_first_visit: the start of each client's first session not cancelled or missed (a
-- booked future one counts: it is the first visit once it is held). A client with none has no row.
CREATE TABLE client_first_visit (
  client_id INTEGER PRIMARY KEY REFERENCES clients(id),
  first_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX client_first_visit_at ON client_first_visit(first_at);

-- course_ends: each course's last session not cancelled (its start) and how many of its
-- sessions the client came to (checked in or completed). A course whose sessions are all
-- cancelled has no row.
CREATE TABLE course_ends (
  course_id INTEGER PRIMARY KEY REFERENCES courses(id),
  last_at   INTEGER NOT NULL,
  attended  INTEGER NOT NULL
) STRICT;
CREATE INDEX course_ends_last ON course_ends(last_at);

INSERT INTO client_first_visit (client_id, first_at)
SELECT client_id, min(starts_at) FROM appointments
WHERE status NOT IN ('cancelled', 'no_show') GROUP BY client_id;

INSERT INTO course_ends (course_id, last_at, attended)
SELECT course_id, max(starts_at), sum(status IN ('checked_in', 'completed')) FROM appointments
WHERE course_id IS NOT NULL AND status <> 'cancelled' GROUP BY course_id;

-- A new booking can only move a first visit earlier or a course's end later, so an insert
-- folds itself in (a bulk load of a million bookings pays one upsert each). A delete or a
-- change rewrites the row of each client and course it touched from the bookings: a client's
-- first session is the head of the client index; a course has at most a few sessions.
CREATE TRIGGER report_summaries_insert AFTER INSERT ON appointments
BEGIN
  INSERT INTO client_first_visit (client_id, first_at)
  SELECT NEW.client_id, NEW.starts_at WHERE NEW.status NOT IN ('cancelled', 'no_show')
  ON CONFLICT (client_id) DO UPDATE SET first_at = min(first_at, excluded.first_at);
  INSERT INTO course_ends (course_id, last_at, attended)
  SELECT NEW.course_id, NEW.starts_at, NEW.status IN ('checked_in', 'completed')
  WHERE NEW.course_id IS NOT NULL AND NEW.status <> 'cancelled'
  ON CONFLICT (course_id) DO UPDATE SET last_at = max(last_at, excluded.last_at), attended = attended + excluded.attended;
END;

CREATE TRIGGER report_summaries_delete AFTER DELETE ON appointments
BEGIN
  DELETE FROM client_first_visit WHERE client_id = OLD.client_id;
  INSERT INTO client_first_visit (client_id, first_at)
  SELECT client_id, starts_at FROM appointments
  WHERE client_id = OLD.client_id AND status NOT IN ('cancelled', 'no_show') ORDER BY starts_at LIMIT 1;
  DELETE FROM course_ends WHERE course_id = OLD.course_id;
  INSERT INTO course_ends (course_id, last_at, attended)
  SELECT course_id, max(starts_at), sum(status IN ('checked_in', 'completed')) FROM appointments
  WHERE course_id = OLD.course_id AND status <> 'cancelled' GROUP BY course_id;
END;

-- A check-in or completion changes no first visit; only a move, a change of client, or a
-- session cancelled, missed or restored does.
CREATE TRIGGER report_summaries_update_client AFTER UPDATE OF client_id, starts_at, status ON appointments
WHEN OLD.client_id <> NEW.client_id OR OLD.starts_at <> NEW.starts_at
  OR (OLD.status IN ('cancelled', 'no_show')) <> (NEW.status IN ('cancelled', 'no_show'))
BEGIN
  DELETE FROM client_first_visit WHERE client_id IN (OLD.client_id, NEW.client_id);
  INSERT INTO client_first_visit (client_id, first_at)
  SELECT client_id, starts_at FROM appointments
  WHERE client_id = OLD.client_id AND status NOT IN ('cancelled', 'no_show') ORDER BY starts_at LIMIT 1;
  INSERT INTO client_first_visit (client_id, first_at)
  SELECT client_id, starts_at FROM appointments
  WHERE client_id = NEW.client_id AND NEW.client_id <> OLD.client_id AND status NOT IN ('cancelled', 'no_show')
  ORDER BY starts_at LIMIT 1;
END;

CREATE TRIGGER report_summaries_update_course AFTER UPDATE OF course_id, starts_at, status ON appointments
WHEN OLD.course_id IS NOT NULL OR NEW.course_id IS NOT NULL
BEGIN
  DELETE FROM course_ends WHERE course_id IN (OLD.course_id, NEW.course_id);
  INSERT INTO course_ends (course_id, last_at, attended)
  SELECT course_id, max(starts_at), sum(status IN ('checked_in', 'completed')) FROM appointments
  WHERE course_id = OLD.course_id AND status <> 'cancelled' GROUP BY course_id;
  INSERT INTO course_ends (course_id, last_at, attended)
  SELECT course_id, max(starts_at), sum(status IN ('checked_in', 'completed')) FROM appointments
  WHERE course_id = NEW.course_id AND NEW.course_id IS NOT OLD.course_id AND status <> 'cancelled' GROUP BY course_id;
END;

-- The outcome report reads the period's reassessments and the clients report the period's
-- submitted assessments; with tens of thousands of each, a scan of the table costs more than
-- the month's budget.
CREATE INDEX reassessments_created ON reassessments(created_at);
CREATE INDEX assessments_submitted ON assessments(updated_at) WHERE status = 'submitted';
