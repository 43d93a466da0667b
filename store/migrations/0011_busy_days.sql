-- 0011: each therapist's and each room's bookings of a day, kept by the schema as two JSON
-- arrays (the starts and, in the same order, the busy_until of the bookings not cancelled that
-- start that day). The free-time search reads a therapist's 60 days as 60 short rows here
-- instead of stepping through every booking in the index; on the large demo clinic a cold
-- 60-day search read about 5,300 bookings of the therapist and the eight rooms
-- (docs/performance.md, "Booking"). The appointments table stays the truth: bookings are
-- checked against its rows, and these rows are rewritten from them by the triggers below,
-- in the same transaction as every change, whoever makes it.
--
-- room: 0 for a therapist's day, 1 for a room's. day: Unix days (UTC), starts_at / 86400,
-- the days the search's cache keeps. A day with no bookings left holds two empty arrays.
CREATE TABLE busy_days (
  room     INTEGER NOT NULL,
  owner_id INTEGER NOT NULL,
  day      INTEGER NOT NULL,
  starts   TEXT NOT NULL,
  ends     TEXT NOT NULL,
  PRIMARY KEY (room, owner_id, day)
) WITHOUT ROWID;

INSERT INTO busy_days (room, owner_id, day, starts, ends)
SELECT 0, therapist_id, starts_at / 86400, json_group_array(starts_at), json_group_array(busy_until)
FROM appointments WHERE status <> 'cancelled' GROUP BY therapist_id, starts_at / 86400;

INSERT INTO busy_days (room, owner_id, day, starts, ends)
SELECT 1, room_id, starts_at / 86400, json_group_array(starts_at), json_group_array(busy_until)
FROM appointments WHERE status <> 'cancelled' AND room_id IS NOT NULL GROUP BY room_id, starts_at / 86400;

-- Each trigger rewrites the days a change touches from the index, one bounded range per day.
-- An update rewrites the old day only when the booking left it (another therapist, room or day).
-- SQLite triggers cannot share a procedure, so the one rewrite is spelled out for each side.
CREATE TRIGGER busy_days_insert AFTER INSERT ON appointments
BEGIN
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 0, NEW.therapist_id, NEW.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.therapist_id = NEW.therapist_id AND a.status <> 'cancelled'
    AND a.starts_at >= NEW.starts_at / 86400 * 86400 AND a.starts_at < NEW.starts_at / 86400 * 86400 + 86400;
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 1, NEW.room_id, NEW.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.room_id = NEW.room_id AND a.status <> 'cancelled'
    AND a.starts_at >= NEW.starts_at / 86400 * 86400 AND a.starts_at < NEW.starts_at / 86400 * 86400 + 86400
  HAVING NEW.room_id IS NOT NULL;
END;

CREATE TRIGGER busy_days_delete AFTER DELETE ON appointments
BEGIN
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 0, OLD.therapist_id, OLD.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.therapist_id = OLD.therapist_id AND a.status <> 'cancelled'
    AND a.starts_at >= OLD.starts_at / 86400 * 86400 AND a.starts_at < OLD.starts_at / 86400 * 86400 + 86400;
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 1, OLD.room_id, OLD.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.room_id = OLD.room_id AND a.status <> 'cancelled'
    AND a.starts_at >= OLD.starts_at / 86400 * 86400 AND a.starts_at < OLD.starts_at / 86400 * 86400 + 86400
  HAVING OLD.room_id IS NOT NULL;
END;

CREATE TRIGGER busy_days_update
AFTER UPDATE OF therapist_id, room_id, starts_at, busy_until, status ON appointments
BEGIN
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 0, OLD.therapist_id, OLD.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.therapist_id = OLD.therapist_id AND a.status <> 'cancelled'
    AND a.starts_at >= OLD.starts_at / 86400 * 86400 AND a.starts_at < OLD.starts_at / 86400 * 86400 + 86400
  HAVING OLD.therapist_id <> NEW.therapist_id OR OLD.starts_at / 86400 <> NEW.starts_at / 86400;
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 1, OLD.room_id, OLD.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.room_id = OLD.room_id AND a.status <> 'cancelled'
    AND a.starts_at >= OLD.starts_at / 86400 * 86400 AND a.starts_at < OLD.starts_at / 86400 * 86400 + 86400
  HAVING OLD.room_id IS NOT NULL
    AND (NEW.room_id IS NULL OR OLD.room_id <> NEW.room_id OR OLD.starts_at / 86400 <> NEW.starts_at / 86400);
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 0, NEW.therapist_id, NEW.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.therapist_id = NEW.therapist_id AND a.status <> 'cancelled'
    AND a.starts_at >= NEW.starts_at / 86400 * 86400 AND a.starts_at < NEW.starts_at / 86400 * 86400 + 86400;
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 1, NEW.room_id, NEW.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.room_id = NEW.room_id AND a.status <> 'cancelled'
    AND a.starts_at >= NEW.starts_at / 86400 * 86400 AND a.starts_at < NEW.starts_at / 86400 * 86400 + 86400
  HAVING NEW.room_id IS NOT NULL;
END;
