-- 0012: an outbox row keeps the id of the request that queued it, so the worker's lines about
-- sending it (a failure, a retry) can be matched to that request's lines. Empty for mail the
-- server queues on its own (nudges, day lists).

ALTER TABLE outbox ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
