-- Every reference to a call is a composite foreign key (company_id, call_id) → calls (company_id,
-- id) since 0004. Recording a call rewrites its row (company_id included), and SQLite then looks
-- for the rows that refer to it in every child table: without an index on call_id, a full scan
-- of appointment changes, idempotency keys and callback requests per recorded call, which made
-- the group commit slower with every booking. (appointments and function_traces have theirs.)
CREATE INDEX appointment_changes_call ON appointment_changes (call_id);
CREATE INDEX idempotency_keys_call ON idempotency_keys (call_id);
CREATE INDEX callback_requests_call ON callback_requests (call_id);
