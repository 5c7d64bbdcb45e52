-- Days entered by operators on which a branch is closed or a staff member away, besides the
-- tenant file's. Bookings read them with the busy time, inside their transaction. Days are
-- ISO dates (YYYY-MM-DD), which order as text.

CREATE TABLE branch_closures (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    branch_id INTEGER NOT NULL,
    day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    note TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (branch_id, day),
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id)
);
CREATE INDEX branch_closures_company ON branch_closures (company_id, day);

CREATE TABLE staff_absences (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    staff_id INTEGER NOT NULL,
    starts_on TEXT NOT NULL CHECK (starts_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    ends_on TEXT NOT NULL CHECK (ends_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    note TEXT,
    created_at INTEGER NOT NULL,
    CHECK (starts_on <= ends_on),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id)
);
CREATE INDEX staff_absences_company ON staff_absences (company_id, ends_on);
