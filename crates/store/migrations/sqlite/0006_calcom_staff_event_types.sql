-- The Cal.com event type per staff member and service ("anna/herrenhaarschnitt" → 2001): Cal.com
-- picks a booking's host by its event type, so this is how a booking lands on the right person.
ALTER TABLE calcom_connections ADD COLUMN staff_event_types TEXT NOT NULL DEFAULT '{}';
