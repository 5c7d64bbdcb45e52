-- I7 for calls: a call belongs to the company of its first sighting, and every row that refers to
-- a call belongs to that same company. Each reference to a call becomes a composite foreign key
-- (company_id, call_id) → calls (company_id, id). A reference without a company or without a call
-- (NULL) is not checked by it: calls to unknown numbers have no company.

ALTER TABLE calls ADD CONSTRAINT calls_company_id_key UNIQUE (company_id, id);

-- Rows that an earlier version linked across companies (a call id reused with another tenant's
-- number) are repaired first: the reference to the foreign call is dropped; a trace follows its
-- call, which it is about.
UPDATE appointments a SET call_id = NULL
WHERE call_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = a.call_id AND c.company_id = a.company_id);
UPDATE appointment_changes ch SET call_id = NULL
WHERE call_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = ch.call_id AND c.company_id = ch.company_id);
UPDATE callback_requests r SET call_id = NULL
WHERE call_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = r.call_id AND c.company_id = r.company_id);
UPDATE function_traces t SET company_id = c.company_id
FROM calls c
WHERE c.id = t.call_id AND t.company_id IS NOT NULL AND t.company_id IS DISTINCT FROM c.company_id;

ALTER TABLE appointments
    ADD CONSTRAINT appointments_call_company FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id);
ALTER TABLE appointment_changes
    ADD CONSTRAINT appointment_changes_call_company FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id),
    ADD CONSTRAINT appointment_changes_appointment_company
        FOREIGN KEY (company_id, appointment_id) REFERENCES appointments (company_id, id);
ALTER TABLE callback_requests
    ADD CONSTRAINT callback_requests_call_company FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id);
ALTER TABLE function_traces
    ADD CONSTRAINT function_traces_call_company FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id);

-- The idempotency record of a side effect names its company too, so that it is covered as well.
ALTER TABLE idempotency_keys ADD COLUMN company_id bigint;
UPDATE idempotency_keys k SET company_id = c.company_id FROM calls c WHERE c.id = k.call_id;
ALTER TABLE idempotency_keys
    ADD CONSTRAINT idempotency_keys_call_company FOREIGN KEY (company_id, call_id) REFERENCES calls (company_id, id);
