-- Response templates (PRODUCT.md F16): ready answers staff insert into a reply and edit. The body's
-- placeholders are filled from the ticket: {name} (the citizen's name), {number}, {due} (the deadline),
-- {agent} (who answers). Administrators edit them; these are the defaults.
CREATE TABLE response_templates (
    id       BIGSERIAL PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    title    TEXT NOT NULL,
    body     TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);

INSERT INTO response_templates (code, title, body, position) VALUES
('greeting', 'Приветствие и регистрация',
 'Здравствуйте, {name}!

Ваше обращение зарегистрировано под номером {number}. Мы ответим не позднее {due}.

С уважением,
{agent}
Служба технической поддержки', 1),
('need_details', 'Запрос уточнений',
 'Здравствуйте, {name}!

Чтобы помочь Вам по обращению № {number}, нам нужны уточнения: опишите, пожалуйста, на каком шаге возникает ошибка, и приложите снимок экрана с текстом ошибки.

Пока мы ждём ответа, срок рассмотрения приостановлен.

С уважением,
{agent}
Служба технической поддержки', 2),
('password_reset', 'Восстановление доступа',
 'Здравствуйте, {name}!

Чтобы восстановить доступ к учётной записи, нажмите «Восстановить» на странице входа и следуйте подсказкам. Если код подтверждения не приходит, проверьте, что номер телефона в профиле указан верно, и повторите запрос через 5 минут.

Если это не поможет, ответьте на это письмо — обращение № {number} останется открытым.

С уважением,
{agent}
Служба технической поддержки', 3),
('resolved', 'Решено',
 'Здравствуйте, {name}!

Вопрос по обращению № {number} решён. Если проблема повторится, ответьте на это письмо — мы продолжим работу по тому же обращению.

С уважением,
{agent}
Служба технической поддержки', 4);
