package content

// agency is a government body that owns a service, with the word forms the
// templates need: «ответ даст {ag}», «передано {ag_to}», «ответ {ag_from}».
type agency struct {
	name, to, from string
}

var (
	agMVD       = &agency{"МВД России", "в МВД России", "из МВД России"}
	agGIBDD     = &agency{"Госавтоинспекция", "в Госавтоинспекцию", "из Госавтоинспекции"}
	agSFR       = &agency{"Социальный фонд России", "в Социальный фонд России", "из Социального фонда России"}
	agFNS       = &agency{"ФНС России", "в ФНС России", "из ФНС России"}
	agRosreestr = &agency{"Росреестр", "в Росреестр", "из Росреестра"}
	agMed       = &agency{"медицинская организация", "в медицинскую организацию", "из медицинской организации"}
	agEdu       = &agency{"управление образования", "в управление образования", "из управления образования"}
	agZAGS      = &agency{"орган ЗАГС", "в орган ЗАГС", "из органа ЗАГС"}
	agCZN       = &agency{"центр занятости населения", "в центр занятости населения", "из центра занятости населения"}
	agFOMS      = &agency{"территориальный фонд ОМС", "в территориальный фонд ОМС", "из территориального фонда ОМС"}
	agFSSP      = &agency{"ФССП России", "в ФССП России", "из ФССП России"}
	agUC        = &agency{"удостоверяющий центр", "в удостоверяющий центр", "из удостоверяющего центра"}
	agMFC       = &agency{"МФЦ", "в МФЦ", "из МФЦ"}
)

// service is a portal service a citizen applies for.
type service struct {
	name string
	ag   *agency
}

// services are the portal services the requests talk about; the first ones
// are the most popular and are weighted up by servicePick.
var services = []service{
	{"Запись к врачу", agMed},
	{"Замена паспорта РФ", agMVD},
	{"Получение загранпаспорта", agMVD},
	{"Штрафы ГИБДД", agGIBDD},
	{"Выписка из ЕГРН", agRosreestr},
	{"Налоговый вычет", agFNS},
	{"Пособие по уходу за ребёнком", agSFR},
	{"Справка о несудимости", agMVD},
	{"Регистрация транспортного средства", agGIBDD},
	{"Единое пособие на детей", agSFR},
	{"Запись в детский сад", agEdu},
	{"Запись в первый класс", agEdu},
	{"Регистрация по месту жительства", agMVD},
	{"Замена водительского удостоверения", agGIBDD},
	{"Материнский капитал", agSFR},
	{"Назначение пенсии", agSFR},
	{"Выписка из индивидуального лицевого счёта", agSFR},
	{"Регистрация брака", agZAGS},
	{"Регистрация рождения", agZAGS},
	{"Справка о доходах и суммах налога", agFNS},
	{"Регистрация индивидуального предпринимателя", agFNS},
	{"Постановка на учёт в качестве безработного", agCZN},
	{"Замена полиса ОМС", agFOMS},
	{"Сведения о задолженности по исполнительным производствам", agFSSP},
}

// serviceIndex returns the index of the service named name, or -1.
func serviceIndex(name string) int {
	for i := range services {
		if services[i].name == name {
			return i
		}
	}
	return -1
}

// payItem is something a citizen pays through the portal.
type payItem struct {
	key      string
	acc, gen string // «оплатил {pay}», «при оплате {payg}»
	ag       *agency
	uin      string   // prefix of the payment's УИН
	amounts  []string // typical sums; empty means a random sum
}

var payItems = []payItem{
	{"gp_passport", "госпошлину за замену паспорта", "госпошлины за замену паспорта", agMVD, "188", []string{"1 500 ₽"}},
	{"gp_zagran", "госпошлину за загранпаспорт", "госпошлины за загранпаспорт", agMVD, "188", []string{"6 000 ₽", "3 000 ₽"}},
	{"gp_auto", "госпошлину за регистрацию автомобиля", "госпошлины за регистрацию автомобиля", agGIBDD, "188", []string{"2 850 ₽", "1 000 ₽", "500 ₽"}},
	{"fine", "штраф ГИБДД", "штрафа ГИБДД", agGIBDD, "188", []string{"250 ₽", "500 ₽", "750 ₽", "1 000 ₽", "1 500 ₽", "2 500 ₽", "5 000 ₽"}},
	{"tax_property", "налог на имущество", "налога на имущество", agFNS, "182", nil},
	{"tax_transport", "транспортный налог", "транспортного налога", agFNS, "182", nil},
	{"egrn", "выписку из ЕГРН", "выписки из ЕГРН", agRosreestr, "321", []string{"350 ₽", "610 ₽", "1 100 ₽"}},
	{"fssp", "задолженность по исполнительному производству", "задолженности по исполнительному производству", agFSSP, "322", nil},
	{"gp_marriage", "госпошлину за регистрацию брака", "госпошлины за регистрацию брака", agZAGS, "100", []string{"700 ₽"}},
}

// payIndex returns the index of the payment with key, or -1.
func payIndex(key string) int {
	for i := range payItems {
		if payItems[i].key == key {
			return i
		}
	}
	return -1
}

// device is a phone or tablet with the system it runs and its app store;
// an empty store means Google Play or RuStore.
type device struct {
	model, os, store string
}

var devices = []device{
	{"iPhone 11", "iOS 17.6", "App Store"},
	{"iPhone 12", "iOS 18.1", "App Store"},
	{"iPhone 13 mini", "iOS 17.5", "App Store"},
	{"iPhone 14 Pro", "iOS 18.2", "App Store"},
	{"iPhone 15", "iOS 18.3", "App Store"},
	{"iPhone SE 2020", "iOS 16.7", "App Store"},
	{"iPhone XR", "iOS 17.7", "App Store"},
	{"iPad 9", "iPadOS 17.6", "App Store"},
	{"Samsung Galaxy A52", "Android 14", ""},
	{"Samsung Galaxy A34", "Android 14", ""},
	{"Samsung Galaxy A15", "Android 14", ""},
	{"Samsung Galaxy S21", "Android 14", ""},
	{"Samsung Galaxy S23", "Android 15", ""},
	{"Samsung Galaxy Tab A8", "Android 13", ""},
	{"Xiaomi Redmi Note 12", "Android 13", ""},
	{"Xiaomi Redmi Note 10 Pro", "Android 13", ""},
	{"Xiaomi Redmi 9A", "Android 10", ""},
	{"Xiaomi 13T", "Android 14", ""},
	{"POCO X5 Pro", "Android 14", ""},
	{"Honor X8", "Android 12", ""},
	{"Honor 90", "Android 13", ""},
	{"Huawei P40 lite", "EMUI 12", "AppGallery"},
	{"Huawei nova 9", "HarmonyOS 2", "AppGallery"},
	{"realme C55", "Android 13", ""},
	{"TECNO Spark 10", "Android 13", ""},
	{"Infinix Hot 30", "Android 13", ""},
	{"Google Pixel 7", "Android 15", ""},
	{"Vivo Y36", "Android 13", ""},
	{"OnePlus 9", "Android 14", ""},
}

var browsers = []string{
	"Google Chrome 131", "Google Chrome 130", "Google Chrome 126", "Google Chrome 109",
	"Yandex Browser 24.12", "Yandex Browser 24.10", "Yandex Browser 25.2",
	"Firefox 133", "Firefox 128 ESR", "Microsoft Edge 131", "Opera 114", "Safari 17", "Safari 18",
	"Chromium-Gost 131",
}

var desktopOS = []string{
	"Windows 10", "Windows 10", "Windows 11", "Windows 11", "Windows 7", "macOS Sonoma", "macOS Ventura",
	"Ubuntu 22.04", "Astra Linux 1.7", "РЕД ОС 7.3", "ALT Linux 10",
}

// places are towns in the prepositional case, with the preposition.
var places = []string{
	"в Москве", "в Москве", "в Санкт-Петербурге", "в Новосибирске", "в Екатеринбурге", "в Казани",
	"в Нижнем Новгороде", "в Челябинске", "в Самаре", "в Омске", "в Ростове-на-Дону", "в Уфе",
	"в Красноярске", "в Воронеже", "в Перми", "в Волгограде", "в Краснодаре", "в Саратове", "в Тюмени",
	"в Ижевске", "в Барнауле", "в Иркутске", "в Хабаровске", "во Владивостоке", "в Ярославле", "в Томске",
	"в Оренбурге", "в Кемерове", "в Рязани", "в Твери", "в Калининграде", "в Мурманске", "в Архангельске",
	"в Сыктывкаре", "в Петрозаводске", "в Чебоксарах", "в Якутске", "в Подольске", "в Химках",
	"в Балашихе", "в Сургуте", "в Пскове", "в Великом Новгороде", "в Махачкале", "в Грозном",
}

// doctors are specialists in the dative case: «записаться к {doctor}».
var doctors = []string{
	"терапевту", "участковому терапевту", "педиатру", "стоматологу", "офтальмологу", "хирургу",
	"неврологу", "оториноларингологу", "кардиологу", "эндокринологу", "гинекологу", "дерматологу",
}

// documentsAcc are documents in the accusative case: «загрузить {doc}».
var documentsAcc = []string{
	"скан паспорта", "фотографию", "свидетельство о рождении ребёнка", "справку с места работы",
	"диплом", "скан СНИЛС", "медицинскую справку", "согласие на обработку персональных данных",
	"копию трудовой книжки", "справку о доходах", "свидетельство о браке", "договор купли-продажи",
}

var monthsGen = []string{
	"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря",
}

var durations = []string{
	"два дня", "три дня", "три дня", "четыре дня", "пять дней", "неделю", "неделю",
	"полторы недели", "две недели", "больше недели", "месяц",
}

var certs = []string{
	"Рутокен ЭЦП 3.0", "Рутокен ЭЦП 2.0", "Рутокен Lite", "JaCarta-2 ГОСТ", "JaCarta LT", "ESMART Token ГОСТ",
}

var banks = []string{
	"Сбербанк", "ВТБ", "Т-Банк", "Альфа-Банк", "Газпромбанк", "Почта Банк", "Совкомбанк",
	"Россельхозбанк", "Райффайзенбанк", "МТС Банк", "Озон Банк",
}

// callerWho are the roles fraudsters claim, in the instrumental case:
// «представились {caller_who}».
var callerWho = []string{
	"сотрудником портала Госуслуг", "специалистом службы поддержки Госуслуг",
	"сотрудником службы безопасности банка", "специалистом Социального фонда",
	"сотрудником оператора связи", "сотрудником поликлиники", "следователем МВД",
	"сотрудником Центрального банка", "курьером службы доставки", "сотрудником налоговой инспекции",
}

// pretexts are what fraudsters offer, as an infinitive phrase.
var pretexts = []string{
	"продлить договор с оператором связи", "записаться на диспансеризацию", "получить заказное письмо",
	"сделать перерасчёт пенсии", "отменить подозрительную заявку на кредит",
	"перевести учётную запись на новый номер", "получить компенсацию за некачественные услуги",
	"проверить безопасность учётной записи", "заменить полис ОМС на новый",
}

// phishing sites use the reserved .example top-level domain so that demo
// data never names a real site.
var phishing = []string{
	"gosuslugi-proverka.example", "gos-uslugi24.example", "esia-login.example",
	"gosuslugi.online-check.example", "lk-gosuslugi.example", "gosuslugl.example",
}

var cityCodes = []string{"495", "499", "800", "812", "343", "383", "846", "863", "903", "925", "958", "977", "999"}

// providers are internet providers.
var providers = []string{"Ростелеком", "МТС", "Билайн", "Дом.ру", "ТТК", "МегаФон", "Эр-Телеком", "Tele2"}

// vinMakers are world manufacturer identifiers that start a VIN.
var vinMakers = []string{"XTA", "XTA", "Z94", "XW8", "X4X", "Z8T", "XWE", "WVW", "JTM", "KMH", "LVV", "X7L"}

const vinChars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

// cadRegions are the first part of cadastral numbers.
var cadRegions = []string{"77", "50", "78", "47", "66", "16", "54", "23", "61", "63", "52", "02", "74"}
