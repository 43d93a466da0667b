-- 0010: the client index carries the columns of a client's session list (the chart's timeline,
-- the courses a plan may link), so the list is read from the index alone instead of fetching
-- each appointment's row, scattered over years of bookings. Same leading columns, so every
-- query that used the index still does.

DROP INDEX appointments_client;
CREATE INDEX appointments_client ON appointments(client_id, starts_at, status, course_id, course_index, therapist_id, service_id);
