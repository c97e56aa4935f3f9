-- When the SLA engine must next look at a ticket moves into a narrow table of its own, as in
-- migrations/sqlite/0015_sla_timers.sql. On PostgreSQL it matters more: with no index on a column a
-- recomputation of deadlines changes, the update of a ticket is a heap-only (HOT) update that touches
-- none of the ticket's dozen indexes (3–4 times less work a ticket, measured in docs/PERFORMANCE.md).
CREATE TABLE sla_timers (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id),
    next_at   TIMESTAMPTZ NOT NULL
);
INSERT INTO sla_timers (ticket_id, next_at) SELECT id, sla_next_at FROM tickets WHERE sla_next_at IS NOT NULL;
CREATE INDEX sla_timers_next ON sla_timers(next_at);
DROP INDEX tickets_sla_next;
DROP INDEX tickets_due;
ALTER TABLE tickets DROP COLUMN sla_next_at;
