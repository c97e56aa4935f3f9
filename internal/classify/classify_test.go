package classify_test

import (
	"testing"

	"github.com/otklik/otklik/internal/classify"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		subject, body      string
		category, priority string
	}{
		{"Не могу войти в личный кабинет", "Ввожу пароль, пишет неверный логин или пароль", "access", "normal"},
		{"Учётная запись заблокирована", "После трёх попыток входа заблокировали", "access", "normal"},
		{"Не приходит СМС для подтверждения учётной записи", "Регистрация не завершается", "registration", "normal"},
		{"Не загружается файл", "Пытаюсь прикрепить скан в формате PDF, файл не загружается", "documents", "normal"},
		{"Ошибка при подписании", "Плагин КриптоПро не видит сертификат электронной подписи", "signature", "normal"},
		{"Сбой на портале", "Сервис недоступен, ошибка 502", "availability", "urgent"},
		{"Недоступность сервиса записи к врачу", "Страница не открывается", "availability", "urgent"},
		{"Отказ в приёме заявления", "Заявление не отправляется, кнопка не работает", "forms", "urgent"},
		{"Мне звонили мошенники", "Представились службой поддержки и просили код из СМС", "fraud", "high"},
		{"Списали деньги дважды", "Оплатил госпошлину картой, платёж прошёл два раза, прошу возврат", "payments", "normal"},
		{"Приложение вылетает", "На Android приложение закрывается при запуске", "mobile", "normal"},
		{"Какой статус моего заявления?", "Подал заявление неделю назад, статус не меняется", "status", "normal"},
		{"Смена фамилии", "Вышла замуж, нужно изменить фамилию и паспортные данные в профиле", "personal_data", "normal"},
		{"Вопрос", "Добрый день", "other", "normal"},
	}
	for _, tt := range tests {
		got := classify.Classify(tt.subject, tt.body)
		if got.Category != tt.category || got.Priority != tt.priority {
			t.Errorf("%q: got %s/%s, want %s/%s", tt.subject, got.Category, got.Priority, tt.category, tt.priority)
		}
	}
}
