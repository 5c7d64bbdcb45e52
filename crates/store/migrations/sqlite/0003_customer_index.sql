-- A caller's appointments are looked up by company and customer on every call (who is calling,
-- their upcoming appointments, their cancellations this month). With the customer alone first,
-- SQLite's planner preferred the company's start-time index and read every appointment of the
-- company; leading with both equality columns makes the lookup a range read of this customer's.
DROP INDEX appointments_customer;
CREATE INDEX appointments_company_customer ON appointments (company_id, customer_id, starts_at);
