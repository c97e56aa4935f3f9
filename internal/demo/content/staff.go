package content

// StaffMember is a member of the demo support centre.
type StaffMember struct {
	Name  string // ФИО, «Фамилия Имя Отчество»
	Email string
	Role  string // operator, senior, supervisor, admin or auditor
}

// Group is a demo group of staff.
type Group struct {
	Code string
	Name string // in Russian
}

// Reply is a staff reply template for the templates feature. Body is a
// text/template with the fields {{.Name}} (how to address the citizen,
// «Мария Ивановна»), {{.Number}} (the ticket number) and {{.Deadline}}.
type Reply struct {
	Name string
	Body string
}

// staffPerson is a staff member with the parts of the name signatures need.
type staffPerson struct {
	last, first, patr, login, role string
}

// staffList are the demo staff: six operators, then three senior
// specialists, a supervisor, an administrator and an auditor.
var staffList = []staffPerson{
	{"Смирнова", "Анна", "Сергеевна", "a.smirnova", "operator"},
	{"Кузнецов", "Дмитрий", "Олегович", "d.kuznetsov", "operator"},
	{"Волкова", "Екатерина", "Андреевна", "e.volkova", "operator"},
	{"Ахметов", "Руслан", "Маратович", "r.akhmetov", "operator"},
	{"Лебедева", "Ольга", "Николаевна", "o.lebedeva", "operator"},
	{"Ковальчук", "Игорь", "Викторович", "i.kovalchuk", "operator"},
	{"Морозова", "Наталья", "Владимировна", "n.morozova", "senior"},
	{"Соколов", "Алексей", "Игоревич", "a.sokolov", "senior"},
	{"Григорьева", "Марина", "Ильинична", "m.grigoryeva", "senior"},
	{"Павлов", "Сергей", "Николаевич", "s.pavlov", "supervisor"},
	{"Никитин", "Андрей", "Юрьевич", "a.nikitin", "admin"},
	{"Белова", "Татьяна", "Петровна", "t.belova", "auditor"},
}

// Staff returns the demo staff of a support centre with e-mail addresses
// at domain: six operators, three senior specialists, a supervisor, an
// administrator and an auditor. The list is the same on every call.
func Staff(domain string) []StaffMember {
	if domain == "" {
		domain = "localhost"
	}
	out := make([]StaffMember, len(staffList))
	for i, s := range staffList {
		out[i] = StaffMember{
			Name:  s.last + " " + s.first + " " + s.patr,
			Email: s.login + "@" + domain,
			Role:  s.role,
		}
	}
	return out
}

// Groups returns the demo groups: the first and second lines, the expert
// group (third line) and the security group that handles fraud reports.
func Groups() []Group {
	return []Group{
		{"line1", "Первая линия поддержки"},
		{"line2", "Вторая линия поддержки"},
		{"line3", "Экспертная группа (третья линия)"},
		{"security", "Группа информационной безопасности"},
	}
}

// Replies returns polite staff reply templates in the voice of a
// government support service.
func Replies() []Reply {
	const sign = "\n\nС уважением,\nслужба технической поддержки портала госуслуг"
	return []Reply{
		{
			Name: "Обращение зарегистрировано",
			Body: "Здравствуйте, {{.Name}}!\n\nВаше обращение зарегистрировано под номером {{.Number}}. " +
				"Мы рассмотрим его и ответим до {{.Deadline}}. Если у вас появятся дополнительные сведения, " +
				"ответьте на это сообщение, сохранив номер обращения в теме письма." + sign,
		},
		{
			Name: "Запрос уточнений",
			Body: "Здравствуйте, {{.Name}}!\n\nЧтобы продолжить работу по обращению № {{.Number}}, нам нужны " +
				"уточнения: опишите, пожалуйста, на каком шаге возникает ошибка, и приложите снимок экрана. " +
				"Срок рассмотрения приостановлен до получения вашего ответа." + sign,
		},
		{
			Name: "Передано в ведомство",
			Body: "Здравствуйте, {{.Name}}!\n\nРешение вопроса по обращению № {{.Number}} относится к компетенции " +
				"ведомства, поэтому обращение передано в ведомство. Ожидаемый срок ответа — до {{.Deadline}}. " +
				"Мы сообщим вам, как только получим ответ." + sign,
		},
		{
			Name: "Восстановление доступа",
			Body: "Здравствуйте, {{.Name}}!\n\nВосстановить доступ к учётной записи можно по ссылке «Не удаётся " +
				"войти?» на странице входа: код придёт на номер телефона или адрес почты из учётной записи. " +
				"Если они вам недоступны, обратитесь в любой центр обслуживания с паспортом и СНИЛС — " +
				"специалист подтвердит вашу личность и привяжет новый номер. Обращение № {{.Number}}." + sign,
		},
		{
			Name: "Вне компетенции: платежи и возвраты",
			Body: "Здравствуйте, {{.Name}}!\n\nВопросы начислений, зачисления платежей и возврата средств решает " +
				"ведомство — получатель платежа; служба технической поддержки портала не имеет доступа к " +
				"платёжным операциям. Обратитесь, пожалуйста, в это ведомство с квитанцией об оплате. " +
				"Обращение № {{.Number}} закрыто; если у вас остались вопросы о работе портала, ответьте на это письмо." + sign,
		},
		{
			Name: "Сообщение о мошенничестве принято",
			Body: "Здравствуйте, {{.Name}}!\n\nСпасибо за сообщение. Обращение № {{.Number}} передано группе " +
				"информационной безопасности и будет рассмотрено до {{.Deadline}}. Напоминаем: сотрудники " +
				"портала никогда не звонят с просьбой назвать код из СМС. Если вы сообщили код посторонним, " +
				"смените пароль и завершите все сеансы в разделе «Настройки и безопасность»." + sign,
		},
		{
			Name: "Сбой устранён",
			Body: "Здравствуйте, {{.Name}}!\n\nСообщаем, что сбой, о котором вы писали в обращении № {{.Number}}, " +
				"устранён, сервис работает штатно. Приносим извинения за неудобства. Если ошибка повторится, " +
				"ответьте на это письмо и укажите время её появления." + sign,
		},
		{
			Name: "Продление срока",
			Body: "Здравствуйте, {{.Name}}!\n\nРассмотрение обращения № {{.Number}} требует дополнительной " +
				"проверки, поэтому срок ответа продлён до {{.Deadline}}. Приносим извинения за ожидание; " +
				"обращение находится на контроле." + sign,
		},
	}
}
