-- Response templates (PRODUCT.md F16): ready answers staff insert into a reply and edit. The body's
-- placeholders are filled from the ticket: {name} (the citizen's name), {number}, {due} (the deadline),
-- {agent} (who answers). Administrators edit them; the defaults come in migrations/common/0014_default_templates.sql.
CREATE TABLE response_templates (
    id       INTEGER PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    title    TEXT NOT NULL,
    body     TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
