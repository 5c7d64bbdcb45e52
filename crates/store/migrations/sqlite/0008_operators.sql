-- Operators: the people and scripts of a business (or of the platform) who use the admin API.
-- A principal without a company belongs to the platform; only `platform_admin` may, and must.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    company_id INTEGER REFERENCES companies (id),
    -- Stored lower-cased and trimmed: the login name.
    email TEXT NOT NULL UNIQUE CHECK (email <> '' AND email = lower(trim(email))),
    name TEXT,
    role TEXT NOT NULL CHECK (role IN ('platform_admin', 'owner', 'staff')),
    -- argon2id in PHC string format; never the password.
    password_hash TEXT NOT NULL,
    -- Failed logins in a row, and until when the account refuses logins because of them.
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    disabled_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((role = 'platform_admin') = (company_id IS NULL)),
    UNIQUE (company_id, id)
);

-- Browser sessions: the cookie carries a random secret; only its SHA-256 is stored.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API tokens: `fd_` + a public prefix + a secret; the prefix finds the row, the SHA-256 of the
-- whole token is compared in constant time.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    company_id INTEGER REFERENCES companies (id),
    role TEXT NOT NULL CHECK (role IN ('platform_admin', 'owner', 'staff')),
    name TEXT NOT NULL CHECK (name <> ''),
    prefix TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_by_user_id INTEGER REFERENCES users (id),
    expires_at INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL,
    CHECK ((role = 'platform_admin') = (company_id IS NULL))
);

-- Every change an operator makes: who, what, when, before and after. Function calls and
-- webhooks have their own traces; this is for humans.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    company_id INTEGER REFERENCES companies (id),
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'token', 'admin_token', 'cli')),
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    before TEXT,
    after TEXT,
    overridden TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX audit_log_company ON audit_log (company_id, id);

-- An operator's `Idempotency-Key`: a retried POST gets the first answer.
CREATE TABLE operator_idempotency (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (principal, key)
);

-- Callbacks are assigned to a user of their company and closed with a note.
ALTER TABLE callback_requests ADD COLUMN assigned_user_id INTEGER REFERENCES users (id);
ALTER TABLE callback_requests ADD COLUMN done_note TEXT;
-- SQLite cannot add a composite foreign key to an existing table: these triggers keep the
-- assignee a user of the callback's company, as PostgreSQL's (company_id, assigned_user_id) key does.
CREATE TRIGGER callback_assignee_of_company_on_insert
BEFORE INSERT ON callback_requests
WHEN NEW.assigned_user_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed')
    WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.assigned_user_id AND u.company_id = NEW.company_id);
END;
CREATE TRIGGER callback_assignee_of_company_on_update
BEFORE UPDATE OF assigned_user_id, company_id ON callback_requests
WHEN NEW.assigned_user_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed')
    WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.assigned_user_id AND u.company_id = NEW.company_id);
END;
