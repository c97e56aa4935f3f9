-- Open tickets by ID: the SLA engine's recomputation and the overdue view read only these, however many
-- resolved and closed tickets the years leave behind.
CREATE INDEX tickets_open ON tickets(id) WHERE status NOT IN ('resolved', 'closed');
