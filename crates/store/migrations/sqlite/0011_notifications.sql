-- Notifications (confirmations, move and cancellation notices, reminders, callback alerts): a
-- second outbox, written in the transaction of the change that causes it (I5). A reminder is due
-- by the business clock (`due_at`); retries back off by the real clock (`run_after`).

ALTER TABLE branches ADD COLUMN email TEXT CHECK (email <> '');
-- `[company.notifications]` of the tenant file: sender, reminder_hours, sms.
ALTER TABLE companies ADD COLUMN notifications TEXT NOT NULL DEFAULT '{}';
-- Set by the one-click unsubscribe link in a reminder: no more reminders for this customer.
ALTER TABLE customers ADD COLUMN reminders_opted_out_at INTEGER;

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    kind TEXT NOT NULL CHECK (kind IN ('confirmation', 'moved', 'cancelled', 'reminder', 'callback_alert')),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL CHECK (recipient <> ''),
    appointment_id INTEGER REFERENCES appointments (id),
    customer_id INTEGER REFERENCES customers (id),
    callback_id INTEGER REFERENCES callback_requests (id),
    -- The iCalendar SEQUENCE of the appointment when this was written.
    sequence INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    -- Fixed when written, so that a resend after a crash carries the same Message-ID.
    message_id TEXT NOT NULL UNIQUE,
    -- The secret of the one-click unsubscribe link (reminders only).
    token TEXT UNIQUE,
    -- What the message says, as it was when written (times, names, the callback's details).
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'sent', 'failed', 'skipped', 'withdrawn')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    run_after INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    sent_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX notifications_due ON notifications (due_at) WHERE status IN ('pending', 'running');
CREATE INDEX notifications_company ON notifications (company_id, id);
-- At most one live reminder per appointment: a move replaces it, a cancellation withdraws it.
CREATE UNIQUE INDEX notifications_one_reminder ON notifications (appointment_id)
    WHERE kind = 'reminder' AND status IN ('pending', 'running');
CREATE INDEX notifications_customer ON notifications (customer_id) WHERE status IN ('pending', 'running');
