package parse

import "testing"

func TestFoldQuoted(t *testing.T) {
	tests := []struct {
		name, text, visible, quoted string
	}{
		{
			name:    "nothing to fold",
			text:    "Hello,\nplease help.\n",
			visible: "Hello,\nplease help.\n",
		},
		{
			name:    "trailing > block",
			text:    "Thanks!\n\n> old text\n> more\n",
			visible: "Thanks!",
			quoted:  "> old text\n> more\n",
		},
		{
			name:    "On … wrote:",
			text:    "Yes, it works.\n\nOn Mon, Jan 15, 2024 at 10:00 AM Support <support@example.com> wrote:\n> Try again.\n",
			visible: "Yes, it works.",
			quoted:  "On Mon, Jan 15, 2024 at 10:00 AM Support <support@example.com> wrote:\n> Try again.\n",
		},
		{
			name:    "attribution wrapped over two lines",
			text:    "Ok.\n\nOn Mon, Jan 15, 2024 at 10:00 AM Support Team <\nsupport@example.com> wrote:\n\n> Try again.",
			visible: "Ok.",
			quoted:  "On Mon, Jan 15, 2024 at 10:00 AM Support Team <\nsupport@example.com> wrote:\n\n> Try again.",
		},
		{
			name:    "Russian пишет:",
			text:    "Спасибо.\n\n15.01.2024 10:00, Служба поддержки пишет:\n> Попробуйте ещё раз.\n",
			visible: "Спасибо.",
			quoted:  "15.01.2024 10:00, Служба поддержки пишет:\n> Попробуйте ещё раз.\n",
		},
		{
			name:    "Russian написал(а):",
			text:    "Готово.\n\nПонедельник, 15 января 2024, 10:00 +03:00 от Иван <ivan@example.ru>:\nнаписал(а):\nстарый текст",
			visible: "Готово.",
			quoted:  "Понедельник, 15 января 2024, 10:00 +03:00 от Иван <ivan@example.ru>:\nнаписал(а):\nстарый текст",
		},
		{
			name:    "Gmail in Russian",
			text:    "Да.\n\nпн, 15 янв. 2024 г. в 12:34, Ann <ann@example.com>:\n\n> Вопрос?\n",
			visible: "Да.",
			quoted:  "пн, 15 янв. 2024 г. в 12:34, Ann <ann@example.com>:\n\n> Вопрос?\n",
		},
		{
			name:    "Original Message",
			text:    "See below.\n\n-----Original Message-----\nFrom: a@example.com\nSubject: x\n\nold\n",
			visible: "See below.",
			quoted:  "-----Original Message-----\nFrom: a@example.com\nSubject: x\n\nold\n",
		},
		{
			name:    "Исходное сообщение",
			text:    "Ответ.\n-----Исходное сообщение-----\nОт: Служба\nстарое\n",
			visible: "Ответ.",
			quoted:  "-----Исходное сообщение-----\nОт: Служба\nстарое\n",
		},
		{
			name:    "Outlook English header block",
			text:    "Done.\n\nFrom: Support <s@example.com>\nSent: Monday, January 15, 2024 10:00 AM\nTo: Me <me@example.com>\nSubject: RE: x\n\nold\n",
			visible: "Done.",
			quoted:  "From: Support <s@example.com>\nSent: Monday, January 15, 2024 10:00 AM\nTo: Me <me@example.com>\nSubject: RE: x\n\nold\n",
		},
		{
			name:    "Outlook Russian header block with rule",
			text:    "Спасибо.\n\n________________________________\nОт: Поддержка <s@example.com>\nОтправлено: 15 января 2024 г. 10:00\nКому: Я\nТема: RE: x\n\nстарое\n",
			visible: "Спасибо.",
			quoted:  "________________________________\nОт: Поддержка <s@example.com>\nОтправлено: 15 января 2024 г. 10:00\nКому: Я\nТема: RE: x\n\nстарое\n",
		},
		{
			name:    "signature",
			text:    "Please help.\n\n-- \nIvan Petrov\n+7 900 000-00-00\n",
			visible: "Please help.",
			quoted:  "-- \nIvan Petrov\n+7 900 000-00-00\n",
		},
		{
			name:    "signature then history",
			text:    "Ok.\n-- \nIvan\n\nOn Mon, 15 Jan 2024 Support <s@example.com> wrote:\n> x\n",
			visible: "Ok.",
			quoted:  "-- \nIvan\n\nOn Mon, 15 Jan 2024 Support <s@example.com> wrote:\n> x\n",
		},
		{
			name:    "forward is content",
			text:    "Look at this.\n\n---------- Forwarded message ---------\nFrom: Portal <p@example.com>\nDate: Mon, 15 Jan 2024\nSubject: Отказ\nTo: me@example.com\n\nВаше заявление отклонено.\n",
			visible: "Look at this.\n\n---------- Forwarded message ---------\nFrom: Portal <p@example.com>\nDate: Mon, 15 Jan 2024\nSubject: Отказ\nTo: me@example.com\n\nВаше заявление отклонено.\n",
		},
		{
			name:    "Russian forward is content",
			text:    "Смотрите.\n\n-------- Пересылаемое сообщение --------\nОт: Портал <p@example.com>\nДата: 15.01.2024\nТема: Отказ\nКому: я\n\nОтказано.\n",
			visible: "Смотрите.\n\n-------- Пересылаемое сообщение --------\nОт: Портал <p@example.com>\nДата: 15.01.2024\nТема: Отказ\nКому: я\n\nОтказано.\n",
		},
		{
			name:    "interleaved answers stay visible",
			text:    "Hi,\n\nOn Mon, 15 Jan 2024 Support <s@example.com> wrote:\n> Which browser?\nFirefox.\n> Which OS?\nLinux.\n",
			visible: "Hi,\n\nOn Mon, 15 Jan 2024 Support <s@example.com> wrote:\n> Which browser?\nFirefox.\n> Which OS?\nLinux.\n",
		},
		{
			name:    "only quoted text stays visible",
			text:    "> everything is quoted\n> here\n",
			visible: "> everything is quoted\n> here\n",
		},
		{
			name:    "a colleague wrote, without date or quote",
			text:    "My colleague wrote:\nthe form is broken.\n",
			visible: "My colleague wrote:\nthe form is broken.\n",
		},
		{
			name:    "bare -- followed by a long text is not a signature",
			text:    "Part one\n--\n" + "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\n",
			visible: "Part one\n--\n" + "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\n",
		},
		{
			name:    "German Am … schrieb",
			text:    "Danke.\n\nAm 07.05.2012 08:10, schrieb Martin:\n> Hallo\n",
			visible: "Danke.",
			quoted:  "Am 07.05.2012 08:10, schrieb Martin:\n> Hallo\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, q := foldQuoted(tt.text)
			if v != tt.visible {
				t.Errorf("visible: got %q, want %q", v, tt.visible)
			}
			if q != tt.quoted {
				t.Errorf("quoted: got %q, want %q", q, tt.quoted)
			}
		})
	}
}
