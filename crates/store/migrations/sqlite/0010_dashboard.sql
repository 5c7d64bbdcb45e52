-- The dashboard: each user's interface language, and one row per company and day with the
-- figures the health charts show. The rows are kept by a worker from the calls, traces and
-- deliveries of that day, so the charts stay fast and outlive the retention of raw traces.

ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('de', 'en'));

CREATE TABLE daily_summaries (
    company_id INTEGER NOT NULL REFERENCES companies (id),
    -- The company's local date (YYYY-MM-DD).
    day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    calls INTEGER NOT NULL CHECK (calls >= 0),
    -- Calls that booked at least one appointment.
    calls_booked INTEGER NOT NULL CHECK (calls_booked >= 0),
    function_calls INTEGER NOT NULL CHECK (function_calls >= 0),
    -- Function-call latency percentiles in microseconds; NULL on a day without function calls.
    function_p50_us INTEGER,
    function_p99_us INTEGER,
    webhook_failures INTEGER NOT NULL CHECK (webhook_failures >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (company_id, day)
);

-- The dashboard's lists of calls: one customer's, newest first; and a company's calls the
-- reconciler is waiting on (few among many), newest first.
CREATE INDEX calls_customer ON calls (customer_id, id);
CREATE INDEX calls_open_company ON calls (company_id, id) WHERE status IN ('registered', 'ongoing');
