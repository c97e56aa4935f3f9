-- The same indexes as PostgreSQL's 0004 (see there). SQLite could already use the partial ones; they
-- are made alike so that both engines keep one schema.
DROP INDEX requesters_phone;
DROP INDEX requesters_snils;
CREATE INDEX requesters_phone ON requesters(phone, id);
CREATE INDEX requesters_snils ON requesters(snils, id);
