-- PostgreSQL's journal index on (ticket_id, seq) gives way to a deduplicated one on ticket_id
-- (postgres/0018). SQLite's B-tree stores every key in full, so its unique index stays. Nothing to
-- change.
SELECT 1;
