-- 0014: what a clinic sets up for itself. A service's kind (a first visit with assessment, a
-- follow-up, a course session, maintenance) and, for course kinds, the spacing a course starts
-- with; therapists' public profiles and health-fund provider numbers; dates the whole clinic is
-- closed; and one-off hours of a therapist for a date, which replace the weekly hours that day.

ALTER TABLE services ADD COLUMN kind TEXT NOT NULL DEFAULT 'follow_up'
  CHECK (kind IN ('first_visit', 'follow_up', 'course', 'maintenance'));
ALTER TABLE services ADD COLUMN course_spacing_days INTEGER NOT NULL DEFAULT 7
  CHECK (course_spacing_days BETWEEN 1 AND 28);

CREATE TABLE therapist_profiles (
  therapist_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  display_name     TEXT NOT NULL DEFAULT '',
  bio              TEXT NOT NULL DEFAULT '',
  provider_numbers TEXT NOT NULL DEFAULT '' -- one "fund: number" a line, for receipts
) STRICT;

-- Civil dates (YYYY-MM-DD) in the clinic's zone: the whole day, whatever its length.
CREATE TABLE closures (
  date   TEXT PRIMARY KEY,
  reason TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

-- shifts: space-separated "HH:MM-HH:MM" in local time; empty means away all that day.
CREATE TABLE date_hours (
  therapist_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  date         TEXT NOT NULL,
  shifts       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (therapist_id, date)
) STRICT, WITHOUT ROWID;

-- Services already booked as courses are course sessions.
UPDATE services SET kind = 'course' WHERE course_sessions > 1;
