package content

// Texts shared by all categories. Citizens' texts come first, then staff's.

var (
	// greetEmail open a letter or a web form.
	greetEmail = mustCompileAll([]string{
		"Здравствуйте!", "Здравствуйте.", "Добрый день!", "Добрый день.", "Добрый вечер!", "Доброе утро!",
		"Уважаемая служба поддержки!", "Уважаемые специалисты технической поддержки!",
		"Здравствуйте, уважаемая техподдержка!",
	})

	// greetChat open a chat or messenger message.
	greetChat = mustCompileAll([]string{
		"Здравствуйте!", "Здравствуйте.", "Добрый день.", "Добрый вечер!", "Помогите, пожалуйста!",
		"Здравствуйте, есть кто-нибудь?",
	})

	// closings end a letter.
	closings = mustCompileAll([]string{
		"Заранее спасибо!", "Спасибо.", "Буду <благодарен|благодарна> за помощь.", "Жду ответа.",
		"Прошу ответить как можно скорее.", "Надеюсь на вашу помощь.", "Спасибо за ответ.",
	})

	// neutralExtras are sentences a citizen may add to a request.
	neutralExtras = newExtraPool([]string{
		"Если нужно, могу прислать дополнительные документы.",
		"Вопрос для меня важный, прошу не затягивать.",
		"<Готов|Готова> ответить на уточняющие вопросы.",
	}, []string{
		"Браузер {browser}, {os}.",
		"Кэш и cookies <очищал|очищала>, браузер <перезапускал|перезапускала> — не помогает.",
		"<Пробовал|Пробовала> в другом браузере — то же самое.",
		"Вопрос срочный: {сроки поджимают|документы нужны до конца недели|у меня запись на приём через два дня}.",
		"Антивирус и VPN <отключал|отключала>, не помогло.",
	})

	// irritatedExtras are added by an irritated citizen.
	irritatedExtras = newExtraPool([]string{
		"Это уже {второе|третье} моё обращение по этому вопросу.",
		"Сколько можно ждать?!",
		"Прошу ответить по существу, а не шаблонной отпиской.",
	}, []string{
		"Раньше всё работало нормально, что опять сломалось?",
		"Почему за всё время нельзя было сделать нормально работающий сервис?",
	})

	// politeExtras are added by a patient citizen.
	politeExtras = newExtraPool([]string{
		"Мне {72|73|74|82|83} года, в компьютерах разбираюсь плохо, объясните, пожалуйста, попроще.",
		"Понимаю, что обращений много, но очень прошу помочь.",
		"Буду <признателен|признательна> за любую подсказку.",
		"Извините, если обращаюсь не по адресу.",
	}, nil)

	// writtenExtras make sense in any written request, chat included.
	writtenExtras = newExtraPool([]string{
		"По телефону горячей линии не <дозвонился|дозвонилась>, поэтому пишу сюда.",
	}, []string{
		"Скриншот прикладываю.",
		"Снимок экрана с ошибкой во вложении.",
		"Пишу с телефона {device}, с компьютера тоже не получается.",
	})

	// letterExtras make sense in a letter or a web form, not in a chat.
	letterExtras = newExtraPool([]string{
		"В чате бот отвечает одно и то же, поэтому пишу сюда.",
		"Ответ прошу направить на почту {email}.",
		"Ответ прошу направить в личный кабинет.",
	}, nil)

	// storyExtras give background in a long letter.
	storyExtras = newExtraPool([]string{
		"Пользуюсь порталом давно, раньше всё получалось с первого раза, поэтому сейчас даже не понимаю, что делаю не так.",
		"На работе отпрашиваться, чтобы идти в ведомство лично, у меня возможности нет, поэтому вся надежда на электронную услугу.",
		"Инструкцию в разделе «Помощь» <прочитал|прочитала> полностью, но моего случая там нет.",
		"Очень прошу не отвечать шаблоном, а разобраться именно в моей ситуации: от этого зависит {срок подачи документов|получение выплаты|запланированная поездка}.",
		"<Звонил|Звонила> на горячую линию, оператор посоветовал подождать, но прошло несколько дней, а ситуация не изменилась.",
		"Живу {where}, до ближайшего центра обслуживания добираться больше часа, поэтому прошу решить вопрос дистанционно.",
		"Вопрос не только мой: у {коллег|соседей|знакомых} похожая ситуация, так что, видимо, дело не во мне.",
	}, []string{
		"Если проблема на моей стороне, подскажите, пожалуйста, по шагам, что нужно проверить или настроить, — я всё сделаю.",
		"<Пробовал|Пробовала> в разное время суток, с разных устройств и через разный интернет — результат всегда один и тот же.",
		"Компьютер у меня не новый, но с другими сайтами проблем нет, обновления системы установлены.",
	})

	// snilsExtras name the requester's СНИЛС.
	snilsExtras = mustCompileAll([]string{"Мой СНИЛС: {snils}.", "СНИЛС {snils}.", "Для проверки: СНИЛС {snils}."})

	// phoneIntros introduce a call an operator logged.
	phoneIntros = mustCompileAll([]string{
		"Обращение по телефону горячей линии. Со слов заявителя: ",
		"Звонок на горячую линию. Заявитель сообщает: ",
		"Телефонное обращение. Со слов заявителя: ",
	})

	// phoneOutros end a logged call.
	phoneOutros = mustCompileAll([]string{
		"Заявитель просит перезвонить по номеру {phone}.",
		"Консультация по телефону не помогла, требуется проверка специалиста.",
		"Заявитель просит направить ответ на электронную почту.",
		"Ответ просит направить в личный кабинет.",
	})

	// visitIntros introduce a visit to a service centre.
	visitIntros = mustCompileAll([]string{
		"Личный приём в центре «Мои документы» {where}. Заявитель обратился с вопросом: ",
		"Обращение принято на личном приёме в МФЦ {where}. Со слов заявителя: ",
	})

	// visitOutros end a visit's record.
	visitOutros = mustCompileAll([]string{
		"Личность подтверждена по паспорту.",
		"Личность подтверждена по паспорту, копии документов не снимались.",
	})

	// appFooters end a request from the mobile app.
	appFooters = mustCompileAll([]string{
		"Отправлено из приложения «Госуслуги» ({device}, {mos}).",
		"Отправлено из мобильного приложения, версия {appver}.",
	})

	// nudges are a citizen's follow-ups to an unanswered request.
	nudges = newExtraPool([]string{
		"Жду ответа уже {days}, никакой реакции. Вы вообще читаете обращения?",
		"Вопрос по-прежнему актуален, жду ответа.",
		"Уточнение: живу {where}, если это важно.",
	}, []string{
		"Добавлю: ошибка появляется и сегодня. Прошу ускорить рассмотрение.",
		"Дополняю обращение: снимок экрана с ошибкой во вложении.",
	})

	// genericReplies answer a staff question when the category has no
	// replies of its own.
	genericReplies = mustCompileAll([]string{
		"Ошибка появилась {date} около {time}. Снимок экрана прикладываю. Браузер {browser}.",
		"Да, проблема сохраняется, всё делаю по инструкции. Снимок экрана во вложении.",
	})

	// waitingNudges ask about a forwarded request.
	waitingNudges = mustCompileAll([]string{
		"Сколько ещё ждать ответа ведомства?",
		"Жду уже {days}, а ответа всё нет. Когда будет результат?",
	})

	// thanksTech close a request whose problem was fixed.
	thanksTech = mustCompileAll([]string{
		"Спасибо, всё заработало!", "Получилось, большое спасибо!", "Всё работает, спасибо за помощь.",
	})

	// thanks close any request.
	thanks = mustCompileAll([]string{
		"Благодарю за помощь, вопрос решён.", "Спасибо за подробный ответ!", "Спасибо, всё понятно.",
		"Спасибо. Хотя можно было ответить и побыстрее.", "Большое спасибо за помощь!",
	})
)

var (
	// acks tell the citizen that work has started; the last one suits only
	// a technical problem.
	acks = mustCompileAll([]string{
		"Благодарим за обращение. Мы проверяем {check} и ответим до {deadline}. Если появятся дополнительные сведения, просто ответьте на это сообщение.",
		"Ваше обращение зарегистрировано и передано специалисту. Мы проверяем {check}; срок ответа — до {deadline}.",
		"Благодарим за обращение и приносим извинения за неудобства. Специалисты уже проверяют {check}; о результате мы сообщим до {deadline}.",
		"Спасибо за подробное описание. Для технической диагностики обращение передано специалистам второй линии, они проверяют {check}. Ответим не позднее {deadline}.",
	})

	// forwards tell the citizen that the request went to an agency; each
	// says «передано».
	forwards = mustCompileAll([]string{
		"Решение вашего вопроса относится к компетенции ведомства, поэтому обращение передано {ag_to}. Срок ответа — до {deadline}. Ответ поступит в это обращение, и мы сразу вас уведомим.",
		"Для решения вопроса требуется проверка сведений в ведомственной системе. Обращение передано {ag_to}; о результате сообщим не позднее {deadline}.",
		"Мы проверили ваше обращение: на стороне портала ошибок нет. Для дальнейшего рассмотрения обращение передано {ag_to}, ожидаемый срок ответа — до {deadline}.",
	})

	// forwardReminders answer a citizen who asks about a forwarded request.
	forwardReminders = mustCompileAll([]string{
		"Обращение передано {ag_to} и находится у нас на контроле; ответ ведомства ожидается до {deadline}. Как только он поступит, мы сразу сообщим.",
		"Ответ ведомства пока не поступил. Обращение передано {ag_to}, срок ответа — до {deadline}; мы направили напоминание.",
	})

	// agencyAnswered introduce an answer that came back from an agency.
	agencyAnswered = mustCompileAll([]string{"Получен ответ {ag_from}. ", "Ведомство рассмотрело обращение. "})

	// genericQuestions ask for details in any category.
	genericQuestions = mustCompileAll([]string{
		"Чтобы мы могли продолжить проверку, уточните, пожалуйста, когда ошибка появилась впервые и повторяется ли она сейчас?",
		"Подскажите, пожалуйста, воспроизводится ли проблема сейчас? Если да, приложите снимок экрана — это поможет найти запрос в журналах.",
	})

	// questionLeads may precede a follow-up question.
	questionLeads = mustCompileAll([]string{"Спасибо за уточнение. ", "Благодарим за ответ. ", "Спасибо. "})

	// genericNotes are internal notes for any request.
	genericNotes = mustCompileAll([]string{
		"Заявитель пишет повторно, прошу взять на контроль.",
		"Персональные данные в переписке не запрашивать, достаточно последних цифр СНИЛС.",
		"Ответ согласован со старшим специалистом.",
	})

	// techNotes are internal notes about a technical problem.
	techNotes = mustCompileAll([]string{
		"По журналам: запросы заявителя доходят, ответ сервиса — «{err}». Эскалация на вторую линию.",
		"На тестовом стенде не воспроизводится, нужны подробности от заявителя.",
		"Передано на вторую линию для диагностики, заявителю отправлено подтверждение.",
	})

	// staffClosings close a resolved request.
	staffClosings = mustCompileAll([]string{
		"Рады, что вопрос решён. Обращение закрыто; если проблема повторится, напишите нам, и мы продолжим работу.",
		"Обращение закрыто. Будем признательны, если вы оцените качество ответа в разделе «Мои обращения».",
	})

	// autoClosings close a request the citizen never answered.
	autoClosings = mustCompileAll([]string{
		"Мы не получили от вас ответа в течение 14 дней, поэтому обращение закрыто. Если вопрос остаётся актуальным, ответьте на это сообщение, и мы продолжим работу.",
		"Поскольку уточнения не поступили, обращение закрыто. Вы можете в любой момент ответить на это сообщение — обращение будет открыто снова.",
	})
)

// extraPool holds extra sentences: the first part suits any request, the
// whole list only a technical problem (a browser, a cache, a screenshot of
// an error).
type extraPool struct {
	any, all []tmpl
}

// newExtraPool compiles a pool from sentences for any request and
// sentences for technical problems.
func newExtraPool(common, tech []string) extraPool {
	all := mustCompileAll(append(append([]string{}, common...), tech...))
	return extraPool{any: all[:len(common)], all: all}
}

// list returns the sentences that suit a request.
func (p extraPool) list(tech bool) []tmpl {
	if tech {
		return p.all
	}
	return p.any
}
