-- Who last changed a calendar's title and week, and a policy: the administrators' page shows it beside
-- the time (a changed day keeps its own author in calendar_overrides). Empty for what came with Otklik
-- or was changed before this migration.
ALTER TABLE calendars ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE sla_policies ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
