-- 0019: prepaid courses. A booked course can be sold as a package: one invoice for its sessions
-- not yet given, less the owner's discount for the course's service. Each session completed
-- afterwards draws one down instead of being invoiced; cancelling the rest credits the value
-- not drawn and either keeps it as the client's credit or refunds it.

-- The owner's discount for a course of this service sold as a package, in whole percent.
ALTER TABLE services ADD COLUMN package_discount_percent INTEGER NOT NULL DEFAULT 0
  CHECK (package_discount_percent BETWEEN 0 AND 50);

-- A package's invoice and the credit note that ends it name the course; so do its payments and
-- their refunds. An invoice of one session names none.
ALTER TABLE invoices ADD COLUMN course_id INTEGER REFERENCES courses(id);
ALTER TABLE payments ADD COLUMN course_id INTEGER REFERENCES courses(id);
CREATE INDEX invoices_course ON invoices(course_id) WHERE course_id IS NOT NULL;
CREATE INDEX payments_course ON payments(course_id) WHERE course_id IS NOT NULL;

-- The append-only triggers again, with the new column among those nobody may change.
DROP TRIGGER invoices_no_update;
CREATE TRIGGER invoices_no_update
BEFORE UPDATE OF id, number, kind, credits_id, appointment_id, therapist_id, therapist_name,
  provider_number, clinic_name, clinic_address, clinic_phone, business_number, gst_registered, currency, item,
  duration_min, service_id, served_at, served_month, amount_cents, gst_cents, reason, issued_by, issued_at, course_id ON invoices
BEGIN
  SELECT RAISE(ABORT, 'an issued invoice cannot be changed; issue a credit note');
END;

DROP TRIGGER payments_no_update;
CREATE TRIGGER payments_no_update
BEFORE UPDATE OF id, appointment_id, therapist_id, method, amount_cents, refund_of, reference, note, idem_key,
  taken_by, taken_at, course_id ON payments
BEGIN
  SELECT RAISE(ABORT, 'a payment cannot be changed; refund it');
END;

-- Revenue is counted by date of service: a package's invoice and its ending credit note are
-- money owed, not sessions given, so they stay out of revenue_months; each session drawn down
-- adds its share in the month it was given (prepaid_sessions_revenue below).
DROP TRIGGER invoices_revenue;
CREATE TRIGGER invoices_revenue AFTER INSERT ON invoices WHEN NEW.course_id IS NULL
BEGIN
  INSERT INTO revenue_months (month, therapist_id, service_id, sessions, amount_cents, gst_cents)
  VALUES (NEW.served_month, coalesce(NEW.therapist_id, 0), coalesce(NEW.service_id, 0),
    NEW.kind = 'invoice' AND NEW.duration_min > 0,
    CASE NEW.kind WHEN 'invoice' THEN NEW.amount_cents ELSE -NEW.amount_cents END,
    CASE NEW.kind WHEN 'invoice' THEN NEW.gst_cents ELSE -NEW.gst_cents END)
  ON CONFLICT (month, therapist_id, service_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    amount_cents = amount_cents + excluded.amount_cents, gst_cents = gst_cents + excluded.gst_cents;
END;

-- A payment by course credit spends credit the balance already holds (a package cancelled as
-- credit, an overpayment): it settles one debt with it and moves no balance, nor is it money
-- taken. Balances are rebuilt for the credit payments recorded before this rule.
DROP TRIGGER payments_balance;
CREATE TRIGGER payments_balance AFTER INSERT ON payments WHEN NEW.method <> 'course_credit'
BEGIN
  INSERT INTO client_balances (client_id, owed_cents) VALUES (NEW.client_id, -NEW.amount_cents)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

DROP TRIGGER payments_balance_refile;
CREATE TRIGGER payments_balance_refile AFTER UPDATE OF client_id ON payments
WHEN OLD.client_id <> NEW.client_id AND NEW.method <> 'course_credit'
BEGIN
  UPDATE client_balances SET owed_cents = owed_cents + OLD.amount_cents WHERE client_id = OLD.client_id;
  INSERT INTO client_balances (client_id, owed_cents) VALUES (NEW.client_id, -NEW.amount_cents)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

UPDATE client_balances SET owed_cents = owed_cents + coalesce((SELECT sum(p.amount_cents) FROM payments p
  WHERE p.client_id = client_balances.client_id AND p.method = 'course_credit'), 0);

-- A course sold as a package: one row, written when it is sold; the ending (the rest cancelled,
-- the value kept as credit or refunded, and why) is filled in once.
CREATE TABLE course_packages (
  course_id        INTEGER PRIMARY KEY REFERENCES courses(id),
  invoice_id       INTEGER NOT NULL UNIQUE REFERENCES invoices(id),
  sessions         INTEGER NOT NULL CHECK (sessions > 0),
  list_cents       INTEGER NOT NULL CHECK (list_cents > 0), -- the sessions' own prices
  discount_percent INTEGER NOT NULL DEFAULT 0,
  amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0), -- the invoice's amount
  sold_by          INTEGER,
  sold_at          INTEGER NOT NULL,
  ended_at         INTEGER,
  ended_by         INTEGER,
  end_choice       TEXT CHECK (end_choice IN ('credit', 'refund')),
  end_reason       TEXT NOT NULL DEFAULT '',
  credit_note_id   INTEGER REFERENCES invoices(id),
  sold_key         TEXT NOT NULL UNIQUE, -- the selling form's one-time key: a double submit sells once
  end_key          TEXT UNIQUE           -- the same for the ending
) STRICT;

CREATE TRIGGER course_packages_no_update
BEFORE UPDATE OF course_id, invoice_id, sessions, list_cents, discount_percent, amount_cents, sold_by, sold_at, sold_key
ON course_packages
BEGIN
  SELECT RAISE(ABORT, 'a sold package cannot be changed; cancel the rest of the course');
END;

CREATE TRIGGER course_packages_end_once BEFORE UPDATE ON course_packages WHEN OLD.ended_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'the rest of this package is already cancelled');
END;

CREATE TRIGGER course_packages_no_delete BEFORE DELETE ON course_packages
BEGIN
  SELECT RAISE(ABORT, 'a sold package cannot be deleted; cancel the rest of the course');
END;

-- A session of a package drawn down by its completion: the per-session document a health fund
-- claims on (the date of service, therapist and provider number, item and the session's share
-- of the package's price), copied when drawn and never changed, like an invoice. One per
-- appointment, so a completion undone and recorded again draws nothing more; seq is which of
-- the package's sessions it is, and carries that share (the last one the cents left over).
CREATE TABLE prepaid_sessions (
  appointment_id  INTEGER PRIMARY KEY REFERENCES appointments(id),
  course_id       INTEGER NOT NULL REFERENCES course_packages(course_id),
  seq             INTEGER NOT NULL CHECK (seq > 0),
  therapist_id    INTEGER NOT NULL REFERENCES users(id),
  therapist_name  TEXT NOT NULL,
  provider_number TEXT NOT NULL DEFAULT '',
  service_id      INTEGER NOT NULL REFERENCES services(id),
  item            TEXT NOT NULL,
  duration_min    INTEGER NOT NULL,
  served_at       INTEGER NOT NULL,
  served_month    INTEGER NOT NULL CHECK (served_month BETWEEN 190001 AND 999912),
  amount_cents    INTEGER NOT NULL CHECK (amount_cents >= 0),
  gst_cents       INTEGER NOT NULL DEFAULT 0 CHECK (gst_cents >= 0),
  drawn_by        INTEGER,
  drawn_at        INTEGER NOT NULL,
  UNIQUE (course_id, seq)
) STRICT;

CREATE TRIGGER prepaid_sessions_no_update BEFORE UPDATE ON prepaid_sessions
BEGIN
  SELECT RAISE(ABORT, 'a drawn session cannot be changed');
END;

CREATE TRIGGER prepaid_sessions_no_delete BEFORE DELETE ON prepaid_sessions
BEGIN
  SELECT RAISE(ABORT, 'a drawn session cannot be deleted');
END;

CREATE TRIGGER prepaid_sessions_revenue AFTER INSERT ON prepaid_sessions
BEGIN
  INSERT INTO revenue_months (month, therapist_id, service_id, sessions, amount_cents, gst_cents)
  VALUES (NEW.served_month, NEW.therapist_id, NEW.service_id, NEW.duration_min > 0, NEW.amount_cents, NEW.gst_cents)
  ON CONFLICT (month, therapist_id, service_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    amount_cents = amount_cents + excluded.amount_cents, gst_cents = gst_cents + excluded.gst_cents;
END;
