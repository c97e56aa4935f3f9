-- The default support lines and the default category tree (CONTRACT.md vocabularies, PRODUCT.md F13),
-- the same on every engine.
-- Administrators may rename, add and re-route; these codes are the contract's.

INSERT INTO groups (code, name) VALUES
    ('line1',    'Первая линия поддержки'),
    ('line2',    'Вторая линия поддержки'),
    ('line3',    'Экспертная группа (третья линия)'),
    ('security', 'Группа информационной безопасности');

INSERT INTO categories (code, name, parent_id, group_id, position) VALUES
    ('access',        'Вход, пароль, блокировка, второй фактор', NULL, (SELECT id FROM groups WHERE code = 'line1'), 10),
    ('registration',  'Регистрация и подтверждение учётной записи', NULL, (SELECT id FROM groups WHERE code = 'line1'), 20),
    ('forms',         'Заполнение форм и заявлений', NULL, (SELECT id FROM groups WHERE code = 'line1'), 30),
    ('documents',     'Загрузка документов и файлов', NULL, (SELECT id FROM groups WHERE code = 'line1'), 40),
    ('signature',     'Электронная подпись', NULL, (SELECT id FROM groups WHERE code = 'line1'), 50),
    ('status',        'Статус заявления или обращения', NULL, (SELECT id FROM groups WHERE code = 'line1'), 60),
    ('availability',  'Сбои и недоступность сервисов', NULL, (SELECT id FROM groups WHERE code = 'line1'), 70),
    ('mobile',        'Мобильное приложение', NULL, (SELECT id FROM groups WHERE code = 'line1'), 80),
    ('personal_data', 'Изменение персональных данных', NULL, (SELECT id FROM groups WHERE code = 'line1'), 90),
    ('payments',      'Платежи, начисления, возвраты (вне компетенции поддержки)', NULL, (SELECT id FROM groups WHERE code = 'line1'), 100),
    ('fraud',         'Мошенничество и нарушения', NULL, (SELECT id FROM groups WHERE code = 'security'), 110),
    ('other',         'Другое', NULL, (SELECT id FROM groups WHERE code = 'line1'), 120);

INSERT INTO categories (code, name, parent_id, group_id, position) VALUES
    ('access.password', 'Восстановление пароля', (SELECT id FROM categories WHERE code = 'access'), NULL, 11),
    ('access.blocked',  'Блокировка учётной записи', (SELECT id FROM categories WHERE code = 'access'), NULL, 12),
    ('access.mfa',      'Второй фактор и коды подтверждения', (SELECT id FROM categories WHERE code = 'access'), NULL, 13),
    ('signature.cert',  'Сертификат и средства электронной подписи', (SELECT id FROM categories WHERE code = 'signature'), NULL, 51),
    ('availability.outage', 'Массовый сбой сервиса', (SELECT id FROM categories WHERE code = 'availability'), (SELECT id FROM groups WHERE code = 'line2'), 71);
