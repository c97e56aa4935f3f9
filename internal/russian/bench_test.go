package russian

import (
	"testing"
)

// benchMessage is a realistic citizen's support message of about 600
// characters: a failed sign-in to the portal with an error text and a
// statement number.
const benchMessage = `Здравствуйте! Уже третий день не могу войти в личный кабинет на портале Госуслуг. ` +
	`После ввода логина и пароля появляется сообщение «Ошибка 500. Внутренняя ошибка сервера, попробуйте позже». ` +
	`Пароль восстанавливал через СМС два раза, код приходит, но при входе снова та же ошибка. ` +
	`В другом браузере (Chrome и Firefox) результат тот же, кэш очищал. ` +
	`Мне срочно нужно проверить статус заявления № 26-123456-7 о выдаче справки, срок рассмотрения истекает в пятницу. ` +
	`Прошу разобраться и сообщить, когда вход в учётную запись заработает. Скриншот ошибки прилагаю. ` +
	`С уважением, Иванов Пётр Сергеевич, тел. +7 912 345-67-89, e-mail: p.ivanov@example.ru`

// BenchmarkIndexText measures IndexText on benchMessage: warm, as in steady
// operation where the words of a message are mostly in the stem cache; cold,
// with every word stemmed by Snowball (the worst case, a message of words
// never seen before); and warm on all cores at once.
func BenchmarkIndexText(b *testing.B) {
	b.Run("warm", func(b *testing.B) {
		b.SetBytes(int64(len(benchMessage)))
		b.ReportAllocs()
		for b.Loop() {
			IndexText(benchMessage)
		}
	})
	b.Run("cold", func(b *testing.B) {
		b.SetBytes(int64(len(benchMessage)))
		b.ReportAllocs()
		var scratch, out []byte
		for b.Loop() {
			out = appendIndexText(out[:0], benchMessage, &scratch, false)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetBytes(int64(len(benchMessage)))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				IndexText(benchMessage)
			}
		})
	})
}

func BenchmarkNormalize(b *testing.B) {
	b.SetBytes(int64(len(benchMessage)))
	b.ReportAllocs()
	for b.Loop() {
		Normalize(benchMessage)
	}
}

func BenchmarkQueryTerms(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		QueryTerms("Не могу войти на Госуслуги, ошибка 500 при входе")
	}
}
