-- 0009: the free-time search and the overlap triggers need only a booking's therapist or room,
-- start, busy_until and status. With the last two in the index they are answered from the
-- index alone, without a lookup of the table row for every booking in the window.

DROP INDEX appointments_therapist;
CREATE INDEX appointments_therapist ON appointments(therapist_id, starts_at, busy_until, status);
DROP INDEX appointments_room;
CREATE INDEX appointments_room ON appointments(room_id, starts_at, busy_until, status) WHERE room_id IS NOT NULL;

-- Every booking page lists the services with the therapists who offer each; without an index
-- on the service, that read every therapist's every service once per service.
CREATE INDEX therapist_services_service ON therapist_services(service_id, therapist_id);
