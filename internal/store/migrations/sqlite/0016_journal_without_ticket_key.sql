-- PostgreSQL drops the journal's foreign key to tickets here (postgres/0016). SQLite keeps it: its
-- check is a lookup in the table the same transaction has just written, and dropping it would mean
-- copying the whole journal into a new table. Nothing to change.
SELECT 1;
