-- Tickets and their timers leave half of each page free. A recomputation of deadlines rewrites every
-- open ticket, and a page's tickets in one transaction; a new row version that finds no room on its
-- page moves to another, through a lock record and a new entry in each of the ticket's ten indexes.
-- Right after a million tickets were filled, 98.5 % of a recomputation's updates did that; with room,
-- none (heap-only updates), and a pass took half the time (docs/PERFORMANCE.md). A ticket row is about
-- 290 bytes, so a page holds 14 instead of 28: a million tickets take 600 MB instead of 294 MB packed
-- (the fill itself left 556 MB). A timer's update changes its indexed time, so it is never heap-only,
-- but with room it stays on its page instead of writing a second one.
-- The setting applies to pages filled from now on; `VACUUM FULL tickets, sla_timers` applies it to an
-- existing database at once (it locks both tables while it runs: docs/OPERATIONS.md).
ALTER TABLE tickets SET (fillfactor = 50);
ALTER TABLE sla_timers SET (fillfactor = 50);
