-- Requester look-ups by phone and СНИЛС take the oldest match (ORDER BY id LIMIT 1). The partial
-- indexes of 0001 cannot serve a prepared statement's generic plan (the parameter might be NULL), so
-- PostgreSQL scanned requesters in ID order instead, slower with every requester. These indexes serve
-- the look-up and its order directly.
DROP INDEX requesters_phone;
DROP INDEX requesters_snils;
CREATE INDEX requesters_phone ON requesters(phone, id);
CREATE INDEX requesters_snils ON requesters(snils, id);
