-- When the SLA engine must next look at a ticket (a reminder or a breach) moves out of tickets into a
-- narrow table of its own: a timer is rewritten at every reminder and every recomputation of
-- deadlines, and in tickets each rewrite also moved the ticket row and its timer index. A ticket with
-- nothing left to watch has no row. tickets_due indexed a column no query could use it for (the
-- overdue view asks for either deadline, and reads the open tickets' index): dropped.
CREATE TABLE sla_timers (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    next_at   INTEGER NOT NULL
);
INSERT INTO sla_timers (ticket_id, next_at) SELECT id, sla_next_at FROM tickets WHERE sla_next_at IS NOT NULL;
CREATE INDEX sla_timers_next ON sla_timers(next_at);
DROP INDEX tickets_sla_next;
DROP INDEX tickets_due;
ALTER TABLE tickets DROP COLUMN sla_next_at;
