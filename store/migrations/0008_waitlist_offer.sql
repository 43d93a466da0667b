-- 0008: a waitlist offer remembers the time it offered, so when someone books that time the
-- others offered it are told it has gone.

ALTER TABLE waitlist ADD COLUMN offered_start INTEGER;
ALTER TABLE waitlist ADD COLUMN offered_therapist INTEGER;
