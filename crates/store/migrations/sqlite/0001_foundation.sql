-- frontdesk schema, SQLite flavour.
-- Instants are INTEGER microseconds since the Unix epoch (UTC); JSON is TEXT; booleans are 0/1.
-- Composite foreign keys (company_id, x_id) make cross-tenant references impossible (I7).

CREATE TABLE config_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    locale TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    currency TEXT NOT NULL,
    policies TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE branches (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT,
    time_zone TEXT NOT NULL,
    hours TEXT NOT NULL,
    closures TEXT NOT NULL,
    policies TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (company_id, key),
    UNIQUE (company_id, id)
);

-- A number routes to exactly one branch: it is the primary key.
CREATE TABLE phone_numbers (
    number TEXT PRIMARY KEY CHECK (number GLOB '+[1-9]*'),
    company_id INTEGER NOT NULL,
    branch_id INTEGER NOT NULL,
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id)
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    synonyms TEXT NOT NULL,
    category TEXT,
    price_cents INTEGER CHECK (price_cents >= 0),
    buffer_before INTEGER NOT NULL CHECK (buffer_before >= 0),
    buffer_after INTEGER NOT NULL CHECK (buffer_after >= 0),
    minimum_notice INTEGER NOT NULL CHECK (minimum_notice >= 0),
    booking_window_days INTEGER NOT NULL CHECK (booking_window_days > 0),
    slot_interval INTEGER NOT NULL CHECK (slot_interval > 0),
    segments TEXT NOT NULL,
    policies TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (company_id, key),
    UNIQUE (company_id, id)
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    branch_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    hours TEXT,
    absences TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (company_id, key),
    UNIQUE (company_id, id),
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id)
);

CREATE TABLE staff_services (
    company_id INTEGER NOT NULL,
    staff_id INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    PRIMARY KEY (staff_id, service_id),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id),
    FOREIGN KEY (company_id, service_id) REFERENCES services (company_id, id)
);

-- I2: one customer per company and phone number. Anonymous callers have no phone (NULLs are
-- distinct); an empty e-mail is never stored.
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    name TEXT,
    phone TEXT CHECK (phone GLOB '+[1-9]*'),
    email TEXT CHECK (email <> ''),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (company_id, phone),
    UNIQUE (company_id, id)
);

CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    company_id INTEGER REFERENCES companies (id),
    branch_id INTEGER REFERENCES branches (id),
    customer_id INTEGER REFERENCES customers (id),
    status TEXT NOT NULL,
    agent_id TEXT,
    direction TEXT,
    from_number TEXT,
    to_number TEXT,
    started_at INTEGER,
    ended_at INTEGER,
    duration_ms INTEGER,
    disconnection_reason TEXT,
    transcript TEXT,
    recording_url TEXT,
    public_log_url TEXT,
    analysis TEXT,
    cost_cents INTEGER,
    first_seen_at INTEGER NOT NULL,
    last_event_at INTEGER NOT NULL,
    reconcile_attempts INTEGER NOT NULL DEFAULT 0,
    reconcile_not_before INTEGER,
    lease_owner TEXT,
    lease_until INTEGER
);
CREATE INDEX calls_open ON calls (last_event_at) WHERE status IN ('registered', 'ongoing');
CREATE INDEX calls_recent ON calls (first_seen_at);

CREATE TABLE appointments (
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
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id)
);
CREATE INDEX appointments_customer ON appointments (customer_id, starts_at);
CREATE INDEX appointments_company_start ON appointments (company_id, starts_at);
CREATE INDEX appointments_call ON appointments (call_id);

-- Each staff-busy segment blocks [blocks_from, blocks_until) (its time plus the service's
-- buffers). I1: no two active blocks of one staff member overlap. The booking transaction checks
-- this itself; the triggers below are the last guard.
CREATE TABLE appointment_segments (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments (id),
    company_id INTEGER NOT NULL,
    staff_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    staff_busy INTEGER NOT NULL,
    blocks_from INTEGER,
    blocks_until INTEGER,
    active INTEGER NOT NULL,
    CHECK (starts_at < ends_at),
    CHECK (NOT staff_busy OR (blocks_from IS NOT NULL AND blocks_until IS NOT NULL AND blocks_from < blocks_until)),
    CHECK (NOT active OR staff_busy),
    UNIQUE (appointment_id, position),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id)
);
CREATE INDEX segments_active_blocks ON appointment_segments (staff_id, blocks_from, blocks_until) WHERE active;
-- Availability reads a company's busy time in a window.
CREATE INDEX segments_company_window ON appointment_segments (company_id, blocks_from) WHERE active;
CREATE INDEX segments_appointment ON appointment_segments (appointment_id);

CREATE TRIGGER segments_no_overlap_on_insert
BEFORE INSERT ON appointment_segments
WHEN NEW.active
BEGIN
    SELECT RAISE(ABORT, 'frontdesk: slot taken')
    WHERE EXISTS (
        SELECT 1 FROM appointment_segments s
        WHERE s.active AND s.staff_id = NEW.staff_id
          AND s.blocks_from < NEW.blocks_until AND NEW.blocks_from < s.blocks_until
    );
END;

CREATE TRIGGER segments_no_overlap_on_update
BEFORE UPDATE OF active, staff_id, blocks_from, blocks_until ON appointment_segments
WHEN NEW.active
BEGIN
    SELECT RAISE(ABORT, 'frontdesk: slot taken')
    WHERE EXISTS (
        SELECT 1 FROM appointment_segments s
        WHERE s.active AND s.staff_id = NEW.staff_id AND s.id <> NEW.id
          AND s.blocks_from < NEW.blocks_until AND NEW.blocks_from < s.blocks_until
    );
END;

-- What happened to an appointment: booked, rescheduled (from → to), cancelled.
CREATE TABLE appointment_changes (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments (id),
    company_id INTEGER NOT NULL REFERENCES companies (id),
    kind TEXT NOT NULL CHECK (kind IN ('booked', 'rescheduled', 'cancelled')),
    old_starts_at INTEGER,
    new_starts_at INTEGER,
    call_id INTEGER REFERENCES calls (id),
    at INTEGER NOT NULL
);
CREATE INDEX appointment_changes_appointment ON appointment_changes (appointment_id);

-- Time blocked in an external calendar (Cal.com bookings not made by frontdesk).
CREATE TABLE busy_blocks (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    staff_id INTEGER NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    external_uid TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (starts_at < ends_at),
    UNIQUE (company_id, source, external_uid),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id)
);
CREATE INDEX busy_blocks_active ON busy_blocks (company_id, starts_at) WHERE active;

CREATE TABLE function_traces (
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
    created_at INTEGER NOT NULL
);
CREATE INDEX function_traces_call ON function_traces (call_id, id);

-- I3: a delivery with a known (provider, dedupe_key) is a duplicate. NULL keys (events that are
-- never deduplicated, and the records of duplicate deliveries) do not collide.
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    event_type TEXT NOT NULL,
    dedupe_key TEXT,
    external_call_id TEXT,
    company_id INTEGER REFERENCES companies (id),
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'processed', 'failed', 'ignored')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    processed_at INTEGER,
    UNIQUE (provider, dedupe_key)
);
CREATE INDEX webhook_events_status ON webhook_events (status, id);
CREATE INDEX webhook_events_call ON webhook_events (external_call_id);

-- I4: the answer of a side-effecting function call, committed with the side effect.
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls (id),
    function TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE callback_requests (
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
    done_at INTEGER
);
CREATE INDEX callback_requests_open ON callback_requests (company_id, status, id);

-- I5: changes to push to an external calendar, written in the transaction of the change.
CREATE TABLE outbox_jobs (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    appointment_id INTEGER NOT NULL REFERENCES appointments (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_jobs_due ON outbox_jobs (run_after) WHERE status IN ('pending', 'running');
CREATE INDEX outbox_jobs_appointment ON outbox_jobs (appointment_id, id);
