-- How to address a customer ("Herr", "Frau", "Mr.", "Ms.", …): the voice agent says title and surname,
-- never the full name. From the tenant file, the admin API, or the caller's booking.
ALTER TABLE customers ADD COLUMN salutation TEXT;
