-- 0005: reminders. A therapist's private calendar feed is found by the SHA-256 of its secret
-- token (the link itself is shown once), and a therapist may ask for tomorrow's list by email.

CREATE TABLE ical_feeds (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  token_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE staff_mail_prefs (
  user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  day_list INTEGER NOT NULL DEFAULT 0 CHECK (day_list IN (0, 1))
) STRICT;
