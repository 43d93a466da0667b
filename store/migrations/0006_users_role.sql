-- 0006: finding staff among a hundred thousand client accounts. The therapist list, the owner
-- check behind every sign-in page and /healthz, and the desk read users by role; without an
-- index each of them scanned every account.

CREATE INDEX users_role ON users(role, name);
