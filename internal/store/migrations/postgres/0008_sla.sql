-- SLA, as in migrations/sqlite/0008_sla.sql: business calendars (working hours, administrators' overrides of the production calendar), the
-- policies that give tickets their deadlines, and each ticket's deadline state.

CREATE TABLE calendars (
    name       text PRIMARY KEY,
    title      text NOT NULL,
    week       text NOT NULL,            -- "mon-fri 09:00-18:00" or "24x7" (sla.ParseWeek)
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE calendar_overrides (
    calendar   text NOT NULL REFERENCES calendars(name),
    day        text NOT NULL,            -- YYYY-MM-DD
    kind       text NOT NULL CHECK (kind IN ('holiday', 'off', 'work', 'short')),
    note       text NOT NULL DEFAULT '',
    author     text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (calendar, day)
);

CREATE TABLE sla_policies (
    code           text PRIMARY KEY,
    name           text NOT NULL,
    position       integer NOT NULL,     -- the first matching policy that sets a target gives it
    category       text NOT NULL DEFAULT '',  -- a category code (its descendants too); '' any
    channel        text NOT NULL DEFAULT '',
    priority       text NOT NULL DEFAULT '',
    manual         integer NOT NULL DEFAULT 0, -- never matched; staff choose it for a ticket
    first_response text NOT NULL DEFAULT '',   -- "24h", "90s", "3d"; '' sets nothing
    resolution     text NOT NULL DEFAULT '',
    calendar       text NOT NULL REFERENCES calendars(name),
    updated_at     timestamptz NOT NULL
);

ALTER TABLE tickets ADD COLUMN appeal integer NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_policy text NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_paused_at timestamptz;
ALTER TABLE tickets ADD COLUMN sla_next_at timestamptz;
ALTER TABLE tickets ADD COLUMN sla_flags integer NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN legal_due_at timestamptz;
ALTER TABLE tickets ADD COLUMN sla_extensions integer NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_paused_secs integer NOT NULL DEFAULT 0;  -- working time spent waiting, credited to the deadline
CREATE INDEX tickets_sla_next ON tickets(sla_next_at) WHERE sla_next_at IS NOT NULL;
CREATE INDEX tickets_due ON tickets(due_at) WHERE due_at IS NOT NULL;

-- The defaults of PRODUCT.md F15. Targets in hours count the calendar's working hours; in days, the
-- close of the Nth working day after the day of receipt (CONTRACT.md). Administrators change them.
INSERT INTO calendars (name, title, week, created_at, updated_at) VALUES
    ('office', 'Рабочие дни по производственному календарю, 09:00–18:00 МСК', 'mon-fri 09:00-18:00', now(), now()),
    ('24x7',   'Круглосуточно, без выходных', '24x7', now(), now());

INSERT INTO sla_policies (code, name, position, category, channel, priority, manual, first_response, resolution, calendar, updated_at) VALUES
    ('chat',          'Первый ответ в чате',                                 10, '',              'chat',  '', 0, '90s', '',    '24x7',   now()),
    ('fraud',         'Сообщения о мошенничестве',                           20, 'fraud',         '',      '', 0, '',    '3d',  'office', now()),
    ('recovery',      'Восстановление доступа',                              30, 'access.password', '',    '', 0, '',    '72h', 'office', now()),
    ('blocked',       'Разблокировка учётной записи',                        31, 'access.blocked', '',     '', 0, '',    '72h', 'office', now()),
    ('personal_data', 'Изменение персональных данных',                       32, 'personal_data', '',      '', 0, '',    '72h', 'office', now()),
    ('access',        'Проблемы с доступом',                                 40, 'access',        '',      '', 0, '',    '24h', 'office', now()),
    ('registration',  'Регистрация и подтверждение учётной записи',          41, 'registration',  '',      '', 0, '',    '24h', 'office', now()),
    ('other_bodies',  'Согласование с другими ведомствами',                  50, 'payments',      '',      '', 0, '',    '5d',  'office', now()),
    ('complex',       'Сложный случай (назначает сотрудник)',                60, '',              '',      '', 1, '',    '15d', 'office', now()),
    ('default',       'Техническая диагностика и прочие обращения',          90, '',              '',      '', 0, '24h', '48h', 'office', now());
