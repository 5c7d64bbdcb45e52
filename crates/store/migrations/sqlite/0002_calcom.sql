-- Cal.com connections, one per company. The API key and webhook secret are stored here and never
-- leave the server (not in logs, not in the admin API).
CREATE TABLE calcom_connections (
    company_id INTEGER PRIMARY KEY REFERENCES companies (id),
    base_url TEXT NOT NULL,
    api_key TEXT NOT NULL,
    webhook_secret TEXT NOT NULL,
    event_types TEXT NOT NULL,
    users TEXT NOT NULL,
    last_pulled_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A Cal.com booking mirrors at most one appointment.
CREATE UNIQUE INDEX appointments_calcom_uid ON appointments (company_id, calcom_uid) WHERE calcom_uid IS NOT NULL;
