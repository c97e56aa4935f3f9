-- PostgreSQL leaves room on tickets' and timers' pages for their updates here (postgres/0017). SQLite
-- rewrites a row in place and has no such setting. Nothing to change.
SELECT 1;
