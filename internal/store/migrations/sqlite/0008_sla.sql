-- SLA: business calendars (working hours, administrators' overrides of the production calendar), the
-- policies that give tickets their deadlines, and each ticket's deadline state.

CREATE TABLE calendars (
    name       TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    week       TEXT NOT NULL,            -- "mon-fri 09:00-18:00" or "24x7" (sla.ParseWeek)
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE calendar_overrides (
    calendar   TEXT NOT NULL REFERENCES calendars(name),
    day        TEXT NOT NULL,            -- YYYY-MM-DD
    kind       TEXT NOT NULL CHECK (kind IN ('holiday', 'off', 'work', 'short')),
    note       TEXT NOT NULL DEFAULT '',
    author     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (calendar, day)
);

CREATE TABLE sla_policies (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    position       INTEGER NOT NULL,     -- the first matching policy that sets a target gives it
    category       TEXT NOT NULL DEFAULT '',  -- a category code (its descendants too); '' any
    channel        TEXT NOT NULL DEFAULT '',
    priority       TEXT NOT NULL DEFAULT '',
    manual         INTEGER NOT NULL DEFAULT 0, -- never matched; staff choose it for a ticket
    first_response TEXT NOT NULL DEFAULT '',   -- "24h", "90s", "3d"; '' sets nothing
    resolution     TEXT NOT NULL DEFAULT '',
    calendar       TEXT NOT NULL REFERENCES calendars(name),
    updated_at     INTEGER NOT NULL
);

ALTER TABLE tickets ADD COLUMN appeal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_policy TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_paused_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_next_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_flags INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN legal_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_paused_secs INTEGER NOT NULL DEFAULT 0;  -- working time spent waiting, credited to the deadline
CREATE INDEX tickets_sla_next ON tickets(sla_next_at) WHERE sla_next_at IS NOT NULL;
CREATE INDEX tickets_due ON tickets(due_at) WHERE due_at IS NOT NULL;

-- The defaults of PRODUCT.md F15. Targets in hours count the calendar's working hours; in days, the
-- close of the Nth working day after the day of receipt (CONTRACT.md). Administrators change them.
INSERT INTO calendars (name, title, week, created_at, updated_at) VALUES
    ('office', 'Рабочие дни по производственному календарю, 09:00–18:00 МСК', 'mon-fri 09:00-18:00', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000), (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('24x7',   'Круглосуточно, без выходных', '24x7', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000), (CAST(strftime('%s', 'now') AS INTEGER) * 1000000));

INSERT INTO sla_policies (code, name, position, category, channel, priority, manual, first_response, resolution, calendar, updated_at) VALUES
    ('chat',          'Первый ответ в чате',                                 10, '',              'chat',  '', 0, '90s', '',    '24x7',   (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('fraud',         'Сообщения о мошенничестве',                           20, 'fraud',         '',      '', 0, '',    '3d',  'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('recovery',      'Восстановление доступа',                              30, 'access.password', '',    '', 0, '',    '72h', 'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('blocked',       'Разблокировка учётной записи',                        31, 'access.blocked', '',     '', 0, '',    '72h', 'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('personal_data', 'Изменение персональных данных',                       32, 'personal_data', '',      '', 0, '',    '72h', 'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('access',        'Проблемы с доступом',                                 40, 'access',        '',      '', 0, '',    '24h', 'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('registration',  'Регистрация и подтверждение учётной записи',          41, 'registration',  '',      '', 0, '',    '24h', 'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('other_bodies',  'Согласование с другими ведомствами',                  50, 'payments',      '',      '', 0, '',    '5d',  'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('complex',       'Сложный случай (назначает сотрудник)',                60, '',              '',      '', 1, '',    '15d', 'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000)),
    ('default',       'Техническая диагностика и прочие обращения',          90, '',              '',      '', 0, '24h', '48h', 'office', (CAST(strftime('%s', 'now') AS INTEGER) * 1000000));
