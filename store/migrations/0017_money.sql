-- 0017: money. Every amount is INTEGER cents in the clinic's one currency (setting 'currency').
-- An appointment carries its own price, copied from the service when booked; reception may
-- change it (audited) until it is invoiced.
ALTER TABLE appointments ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0);
-- A client may ask not to be emailed receipts; they stay downloadable.
ALTER TABLE clients ADD COLUMN receipts_opt_out INTEGER NOT NULL DEFAULT 0 CHECK (receipts_opt_out IN (0, 1));

-- Invoices and credit notes: one numbered sequence for both, no gaps, no repeats (the number
-- is taken as max + 1 in the write transaction that issues the document, and UNIQUE makes a
-- repeat impossible even for a bug). A document copies everything it prints when issued, so
-- later changes to names, settings or prices never change an issued one, and the triggers
-- below refuse any change or deletion: a mistake is corrected by a credit note.
CREATE TABLE invoices (
  id              INTEGER PRIMARY KEY,
  number          INTEGER NOT NULL UNIQUE CHECK (number > 0),
  kind            TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
  credits_id      INTEGER REFERENCES invoices(id),
  appointment_id  INTEGER REFERENCES appointments(id),
  client_id       INTEGER NOT NULL REFERENCES clients(id),
  therapist_id    INTEGER REFERENCES users(id),
  client_name     TEXT NOT NULL,
  therapist_name  TEXT NOT NULL DEFAULT '',
  provider_number TEXT NOT NULL DEFAULT '', -- the therapist's health-fund provider numbers, "; " between
  clinic_name     TEXT NOT NULL,
  clinic_address  TEXT NOT NULL DEFAULT '',
  clinic_phone    TEXT NOT NULL DEFAULT '',
  business_number TEXT NOT NULL DEFAULT '',
  gst_registered  INTEGER NOT NULL CHECK (gst_registered IN (0, 1)),
  currency        TEXT NOT NULL,
  item            TEXT NOT NULL,
  duration_min    INTEGER NOT NULL DEFAULT 0,
  service_id      INTEGER REFERENCES services(id),
  served_at       INTEGER NOT NULL,
  served_month    INTEGER NOT NULL CHECK (served_month BETWEEN 190001 AND 999912), -- yyyymm in the clinic's zone
  amount_cents    INTEGER NOT NULL CHECK (amount_cents > 0),
  gst_cents       INTEGER NOT NULL DEFAULT 0 CHECK (gst_cents >= 0),
  reason          TEXT NOT NULL DEFAULT '',
  issued_by       INTEGER,
  issued_at       INTEGER NOT NULL,
  CHECK ((kind = 'invoice') = (credits_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX invoices_appointment ON invoices(appointment_id) WHERE kind = 'invoice';
CREATE INDEX invoices_client ON invoices(client_id);
CREATE INDEX invoices_credits ON invoices(credits_id) WHERE credits_id IS NOT NULL;


-- Every column but client_id and client_name: merging two records of one person re-files the
-- documents under the record kept (the name printed on them stays as issued), and the
-- retention policy, years after the tax office's five, replaces the name with the
-- de-identified record's (the next trigger allows no other name).
CREATE TRIGGER invoices_no_update
BEFORE UPDATE OF id, number, kind, credits_id, appointment_id, therapist_id, therapist_name,
  provider_number, clinic_name, clinic_address, clinic_phone, business_number, gst_registered, currency, item,
  duration_min, service_id, served_at, served_month, amount_cents, gst_cents, reason, issued_by, issued_at ON invoices
BEGIN
  SELECT RAISE(ABORT, 'an issued invoice cannot be changed; issue a credit note');
END;

CREATE TRIGGER invoices_name_deidentified_only BEFORE UPDATE OF client_name ON invoices
WHEN NEW.client_name <> 'Former client ' || NEW.client_id
BEGIN
  SELECT RAISE(ABORT, 'an issued invoice cannot be changed; issue a credit note');
END;

CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN
  SELECT RAISE(ABORT, 'an issued invoice cannot be deleted; issue a credit note');
END;

-- Payments: money received (positive) or paid back (negative, a refund naming the payment it
-- returns). Like invoices they are never changed; a wrong one is refunded. idem_key is the
-- one-time key of the form that recorded it, so a double submit records one payment.
-- reference is the card terminal's or a future gateway's reference for the payment.
CREATE TABLE payments (
  id             INTEGER PRIMARY KEY,
  client_id      INTEGER NOT NULL REFERENCES clients(id),
  appointment_id INTEGER REFERENCES appointments(id),
  therapist_id   INTEGER REFERENCES users(id),
  method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer', 'course_credit')),
  amount_cents   INTEGER NOT NULL CHECK (amount_cents <> 0),
  refund_of      INTEGER REFERENCES payments(id),
  reference      TEXT NOT NULL DEFAULT '',
  note           TEXT NOT NULL DEFAULT '',
  idem_key       TEXT NOT NULL UNIQUE,
  taken_by       INTEGER,
  taken_at       INTEGER NOT NULL,
  CHECK ((amount_cents < 0) = (refund_of IS NOT NULL))
) STRICT;
CREATE INDEX payments_taken ON payments(taken_at, method, therapist_id, amount_cents);
CREATE INDEX payments_client ON payments(client_id);
CREATE INDEX payments_appointment ON payments(appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX payments_refund ON payments(refund_of) WHERE refund_of IS NOT NULL;

CREATE TRIGGER payments_no_update
BEFORE UPDATE OF id, appointment_id, therapist_id, method, amount_cents, refund_of, reference, note, idem_key,
  taken_by, taken_at ON payments
BEGIN
  SELECT RAISE(ABORT, 'a payment cannot be changed; refund it');
END;

CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
  SELECT RAISE(ABORT, 'a payment cannot be deleted; refund it');
END;

-- What each client owes (positive) or holds in credit (negative): invoices less credit notes
-- less payments, kept by the triggers below in the transaction of every document and payment,
-- so the owed list and a balance read one row instead of summing a client's whole history
-- (or, for the list, everyone's). The documents and payments stay the truth; a test compares.
CREATE TABLE client_balances (
  client_id  INTEGER PRIMARY KEY REFERENCES clients(id),
  owed_cents INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX client_balances_owing ON client_balances(owed_cents) WHERE owed_cents > 0;

CREATE TRIGGER invoices_balance AFTER INSERT ON invoices
BEGIN
  INSERT INTO client_balances (client_id, owed_cents)
  VALUES (NEW.client_id, CASE NEW.kind WHEN 'invoice' THEN NEW.amount_cents ELSE -NEW.amount_cents END)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

CREATE TRIGGER payments_balance AFTER INSERT ON payments
BEGIN
  INSERT INTO client_balances (client_id, owed_cents) VALUES (NEW.client_id, -NEW.amount_cents)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

-- A merge re-files documents and payments: the amounts move with them.
CREATE TRIGGER invoices_balance_refile AFTER UPDATE OF client_id ON invoices
WHEN OLD.client_id <> NEW.client_id
BEGIN
  UPDATE client_balances SET owed_cents = owed_cents
    - CASE OLD.kind WHEN 'invoice' THEN OLD.amount_cents ELSE -OLD.amount_cents END WHERE client_id = OLD.client_id;
  INSERT INTO client_balances (client_id, owed_cents)
  VALUES (NEW.client_id, CASE NEW.kind WHEN 'invoice' THEN NEW.amount_cents ELSE -NEW.amount_cents END)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

CREATE TRIGGER payments_balance_refile AFTER UPDATE OF client_id ON payments
WHEN OLD.client_id <> NEW.client_id
BEGIN
  UPDATE client_balances SET owed_cents = owed_cents + OLD.amount_cents WHERE client_id = OLD.client_id;
  INSERT INTO client_balances (client_id, owed_cents) VALUES (NEW.client_id, -NEW.amount_cents)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

-- Revenue by month of service, therapist and service: invoices less credit notes, kept by the
-- trigger below in the transaction of every document. The owner's month and year read a few
-- hundred rows instead of every invoice of the period (100,000 a year on the large demo).
-- Fees are invoices with no duration: they add to revenue but are not sessions.
CREATE TABLE revenue_months (
  month        INTEGER NOT NULL,
  therapist_id INTEGER NOT NULL,
  service_id   INTEGER NOT NULL,
  sessions     INTEGER NOT NULL DEFAULT 0,
  amount_cents INTEGER NOT NULL DEFAULT 0,
  gst_cents    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (month, therapist_id, service_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER invoices_revenue AFTER INSERT ON invoices
BEGIN
  INSERT INTO revenue_months (month, therapist_id, service_id, sessions, amount_cents, gst_cents)
  VALUES (NEW.served_month, coalesce(NEW.therapist_id, 0), coalesce(NEW.service_id, 0),
    NEW.kind = 'invoice' AND NEW.duration_min > 0,
    CASE NEW.kind WHEN 'invoice' THEN NEW.amount_cents ELSE -NEW.amount_cents END,
    CASE NEW.kind WHEN 'invoice' THEN NEW.gst_cents ELSE -NEW.gst_cents END)
  ON CONFLICT (month, therapist_id, service_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    amount_cents = amount_cents + excluded.amount_cents, gst_cents = gst_cents + excluded.gst_cents;
END;
