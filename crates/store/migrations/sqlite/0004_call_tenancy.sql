-- no-transaction
-- I7 for calls: a call belongs to the company of its first sighting, and every row that refers to
-- a call belongs to that same company. Each reference to a call becomes a composite foreign key
-- (company_id, call_id) → calls (company_id, id). A reference without a company or without a call
-- (NULL) is not checked by it: calls to unknown numbers have no company.
--
-- SQLite cannot add a constraint to a table: the tables are rebuilt (SQLite's documented
-- procedure, https://www.sqlite.org/lang_altertable.html#otheralter). Foreign keys are switched
-- off for the rebuild, which needs this migration to run outside sqlx's transaction; it opens its
-- own, and checks every foreign key before it commits.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE UNIQUE INDEX calls_company_id ON calls (company_id, id);

-- Rows that an earlier version linked across companies (a call id reused with another tenant's
-- number) are repaired first: the reference to the foreign call is dropped; a trace follows its
-- call, which it is about.
UPDATE appointments SET call_id = NULL
WHERE call_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = appointments.call_id AND c.company_id = appointments.company_id);
UPDATE appointment_changes SET call_id = NULL
WHERE call_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM calls c
                  WHERE c.id = appointment_changes.call_id AND c.company_id = appointment_changes.company_id);
UPDATE callback_requests SET call_id = NULL
WHERE call_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM calls c
                  WHERE c.id = callback_requests.call_id AND c.company_id = callback_requests.company_id);
UPDATE function_traces SET company_id = (SELECT c.company_id FROM calls c WHERE c.id = function_traces.call_id)
WHERE company_id IS NOT NULL
  AND company_id IS NOT (SELECT c.company_id FROM calls c WHERE c.id = function_traces.call_id);

CREATE TABLE appointments_new (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    branch_id INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    staff_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'completed', 'no_show')),
    source TEXT NOT NULL CHECK (source IN ('phone', 'admin', 'calcom')),
    call_id INTEGER REFERENCES calls (id),
    reschedule_count INTEGER NOT NULL DEFAULT 0,
    notes TEXT,
    cancelled_at INTEGER,
    cancel_reason TEXT,
    cancellation_fee_cents INTEGER,
    calcom_uid TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (starts_at < ends_at),
    UNIQUE (company_id, id),
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id),
    FOREIGN KEY (company_id, service_id) REFERENCES services (company_id, id),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id),
    FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id)
);
INSERT INTO appointments_new SELECT id, company_id, branch_id, service_id, staff_id, customer_id, starts_at, ends_at,
    status, source, call_id, reschedule_count, notes, cancelled_at, cancel_reason, cancellation_fee_cents, calcom_uid,
    created_at, updated_at FROM appointments;
DROP TABLE appointments;
ALTER TABLE appointments_new RENAME TO appointments;
CREATE INDEX appointments_company_start ON appointments (company_id, starts_at);
CREATE INDEX appointments_call ON appointments (call_id);
CREATE UNIQUE INDEX appointments_calcom_uid ON appointments (company_id, calcom_uid) WHERE calcom_uid IS NOT NULL;
CREATE INDEX appointments_company_customer ON appointments (company_id, customer_id, starts_at);

CREATE TABLE appointment_changes_new (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments (id),
    company_id INTEGER NOT NULL REFERENCES companies (id),
    kind TEXT NOT NULL CHECK (kind IN ('booked', 'rescheduled', 'cancelled')),
    old_starts_at INTEGER,
    new_starts_at INTEGER,
    call_id INTEGER REFERENCES calls (id),
    at INTEGER NOT NULL,
    FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id),
    FOREIGN KEY (company_id, appointment_id) REFERENCES appointments (company_id, id)
);
INSERT INTO appointment_changes_new SELECT id, appointment_id, company_id, kind, old_starts_at, new_starts_at, call_id, at
    FROM appointment_changes;
DROP TABLE appointment_changes;
ALTER TABLE appointment_changes_new RENAME TO appointment_changes;
CREATE INDEX appointment_changes_appointment ON appointment_changes (appointment_id);

CREATE TABLE function_traces_new (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls (id),
    company_id INTEGER REFERENCES companies (id),
    name_sent TEXT NOT NULL,
    function TEXT,
    arguments TEXT NOT NULL,
    response TEXT NOT NULL,
    status TEXT NOT NULL,
    success INTEGER NOT NULL,
    replayed INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id)
);
INSERT INTO function_traces_new SELECT id, call_id, company_id, name_sent, function, arguments, response, status,
    success, replayed, duration_us, created_at FROM function_traces;
DROP TABLE function_traces;
ALTER TABLE function_traces_new RENAME TO function_traces;
CREATE INDEX function_traces_call ON function_traces (call_id, id);

-- The idempotency record of a side effect names its company too, so that it is covered as well.
CREATE TABLE idempotency_keys_new (
    key TEXT PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls (id),
    company_id INTEGER,
    function TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id)
);
INSERT INTO idempotency_keys_new SELECT k.key, k.call_id, c.company_id, k.function, k.response, k.created_at
    FROM idempotency_keys k JOIN calls c ON c.id = k.call_id;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_new RENAME TO idempotency_keys;

CREATE TABLE callback_requests_new (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    branch_id INTEGER REFERENCES branches (id),
    call_id INTEGER REFERENCES calls (id),
    customer_id INTEGER REFERENCES customers (id),
    name TEXT,
    phone TEXT,
    reason TEXT,
    preferred_time TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id)
);
INSERT INTO callback_requests_new SELECT id, company_id, branch_id, call_id, customer_id, name, phone, reason,
    preferred_time, status, created_at, done_at FROM callback_requests;
DROP TABLE callback_requests;
ALTER TABLE callback_requests_new RENAME TO callback_requests;
CREATE INDEX callback_requests_open ON callback_requests (company_id, status, id);

-- Nothing may be left dangling: the CHECK fails the migration before it commits if any foreign
-- key is violated.
CREATE TEMP TABLE frontdesk_fk_violations (n INTEGER CHECK (n = 0));
INSERT INTO frontdesk_fk_violations SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE frontdesk_fk_violations;

COMMIT;
PRAGMA foreign_keys = ON;
