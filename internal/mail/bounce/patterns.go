package bounce

import "strings"

// The phrase tables below are matched against normalised text (see norm): lower case, ё as е, runs
// of white space as one space. A phrase matches anywhere unless a table says otherwise. Keep them
// specific: a citizen's letter that quotes one must not turn into noise on that alone (the rules in
// classify.go always ask for a second signal besides body wording).

// bounceSubjects are subject phrases used by delivery failure notices.
var bounceSubjects = []string{
	"undelivered mail returned to sender", "undeliverable", "undelivered mail", "undelivered message",
	"delivery status notification", "delivery notification", "mail delivery failed",
	"mail delivery failure", "message delivery has failed", "delivery failure", "delivery failed",
	"failed delivery", "failure delivery", "failure notice", "returned mail", "mail system error",
	"delivery report", "nondeliverable", "non-deliverable", "non-delivery", "mail failure",
	"there was an error sending your mail", "message you sent blocked", "could not be delivered",
	"delivery problem", "mail delivery status", "postmaster notify", "could not send message",
	"delayed mail", "delivery delayed", "has been delayed", "delivery status", "returned to sender",
	"loop alert", "are not member", "not a member",
	"undeliverable mail", "not delivered", "returned message",
	// Russian
	"недоставленное сообщение", "не доставлено", "недоставлено", "не удалось доставить",
	"ошибка доставки", "возврат письма", "уведомление о недоставке", "не может быть доставлено",
	"сообщение не доставлено", "письмо не доставлено", "невозможно доставить",
	// German, French, Spanish, Italian, Dutch, Portuguese
	"unzustellbar", "nicht zustellbar", "zustellung fehlgeschlagen", "übermittlungsstatus",
	"non remis", "échec de la remise", "echec de la remise", "non délivré", "non delivre",
	"no se puede entregar", "no entregado", "non recapitabile", "mancato recapito",
	"onbestelbaar", "não entregue", "nao entregue",
	// Japanese
	"配信エラー", "配送エラー", "送信エラー", "配信失敗", "不達", "エラーメール", "返送されました",
}

// delaySubjects mark a notice that delivery is only delayed.
var delaySubjects = []string{
	"(delay)", "delayed", "delay notification", "still being retried", "warning: could not send",
	"delivery status notification: warning", "status notification: warning", "warning: message",
	"delivery has been delayed", "задерж", "verzögert", "retardée", "retardee",
}

// bounceBody are sentences that delivery failure notices use. On their own they prove nothing (a
// citizen may write "не удалось доставить документы"); with an automated sender, a null
// Return-Path, a returned message or a status code they do.
var bounceBody = []string{
	"could not be delivered", "couldn't be delivered", "could not be sent", "was not delivered",
	"not be delivered", "undeliverable", "delivery has failed", "delivery to the following recipient",
	"failed permanently", "permanent error", "permanent fatal error", "did not reach the following",
	"unable to deliver", "delivery failed", "the following address(es) failed",
	"following addresses had", "returned permanent errors", "could not deliver",
	"was rejected", "undelivered mail", "this is the mail system at host",
	"created automatically by mail delivery software", "message was not delivered",
	"automatically generated delivery status notification", "this is the qmail-send program",
	"transcript of session follows", "error occurred while trying to deliver",
	"trouble delivering your message", "the email account that you tried to reach",
	"message wasn't delivered", "message not delivered", "has not been delivered",
	"your mail sent on", "failure reasons", "error transferring", "non-delivery", "nondelivery",
	"delivery failure", "not delivered to", "the following recipients", "has been delayed",
	"delivery is delayed", "delivery attempts will continue", "will continue to be attempted",
	"still trying", "could not be delivered to", "your message to", "message delivery failed",
	"rejected by", "not a member of this mailing list", "duplicated message-id", "error message below",
	"invalid user address", "recipients was rejected", "could not be forwarded",
	"message has been blocked", "returned to the sender", "returned mail",
	"there was a problem delivering", "delivery to the following recipients failed",
	"couldn't be sent", "we're writing to let you know that the group you tried to contact",
	"delivery incomplete", "address not found",
	// Russian
	"не может быть доставлено", "не удалось доставить", "не было доставлено", "не доставлено",
	"недоставлен", "не может быть отправлено", "ошибка доставки", "не удалось отправить",
	"не может быть доставлен",
	// German, French, Spanish, Italian
	"konnte nicht zugestellt werden", "nicht zugestellt", "unzustellbar", "zustellung fehlgeschlagen",
	"n'a pas pu être remis", "n'a pas pu etre remis", "impossible de remettre", "non remis",
	"no se pudo entregar", "no ha podido ser entregado", "non è stato possibile recapitare",
	// Japanese
	"送信できませんでした", "配信できませんでした", "届きませんでした", "配送できませんでした",
	"宛先不明", "配信されませんでした", "送信先のメールボックス",
}

// daemonLocalParts are local parts of the addresses MTAs send notices from.
var daemonLocalParts = []string{
	"mailer-daemon", "mailer_daemon", "mailerdaemon", "mail-daemon", "maildaemon", "postmaster",
	"post_master", "poostmaster", "mail.delivery.system", "mail-delivery-system", "mdaemon",
	"ndr", "mail-delivery-subsystem",
}

// daemonNames are display-name phrases of MTAs' notice senders.
var daemonNames = []string{
	"mail delivery", "mailer-daemon", "mailer daemon", "postmaster", "mail deliver system",
	"delivery subsystem", "mail administrator", "ndr administrator", "internet mail delivery",
	"delivery service", "mail system", "system administrator", "почтовая служба", "почтовый сервер",
	"служба доставки", "e-mail interconnect",
}

// automatedLocalParts mark senders that are machines but not necessarily MTAs.
var automatedLocalParts = []string{
	"no-reply", "noreply", "do-not-reply", "donotreply", "do_not_reply", "nobody", "sysadmin",
	"-admin", "-owner", "-request", "owner-", "mailman", "listserv", "majordomo", "-bounces",
	"bounce-", "bounces-", "bounce", "bounces", "bounce+", "bounces+",
}

// autoReplyStrongSubjects start the subject of an automatic answer; on their own they are enough.
var autoReplyStrongSubjects = []string{
	"auto:", "automatic reply", "autoreply", "auto-reply", "auto reply", "auto response",
	"autoresponse", "auto-response", "out of office", "out of the office", "ooo:",
	"automatische antwort", "abwesenheitsnotiz", "réponse automatique", "reponse automatique",
	"respuesta automática", "respuesta automatica", "risposta automatica",
	"automatisch antwoord", "resposta automática", "автоответ", "автоматический ответ",
	"автоматическое уведомление", "自動応答", "自動返信", "不在通知",
}

// autoReplyWeakSubjects might be a person's subject too («Нет на месте контейнера…»): they make an
// auto-reply only together with another hint.
var autoReplyWeakSubjects = []string{
	"нет на месте", "вне офиса", "в отпуске", "отсутствую", "отсутствие", "я в отпуске",
	"vacation", "away from", "away until", "on leave", "abwesend", "absence", "absent",
}

// autoReplyBody are sentences of out-of-office answers, used only as a hint.
var autoReplyBody = []string{
	"out of the office", "out of office", "i am away", "i'm away", "currently away",
	"limited access to email", "will respond to your message", "will be back", "on vacation",
	"upon my return", "automatic reply", "auto-reply", "autoreply", "в отпуске",
	"вернусь", "нахожусь вне офиса", "отсутствую", "автоматический ответ", "автоответ",
	"не имею доступа к почте", "ограниченный доступ к почте", "nicht im büro", "abwesend",
}

// reasonRule maps phrases to a reason. Rules are tried in order; the first phrase found wins.
type reasonRule struct {
	reason  string
	phrases []string
}

// specificReasons are tried on a recipient's diagnostic text before its status code is looked at:
// they are precise enough to overrule a code (servers send 550 5.1.1 for a full mailbox too).
var specificReasons = []reasonRule{
	{"mailboxfull", []string{
		"mailbox full", "mailbox is full", "mailbox is full", "mailbox size limit", "over quota",
		"overquota", "quota exceeded", "exceeded storage allocation", "exceeds allowed size",
		"exceeded the local limit", "user's mailbox is full", "inbox is full", "mailfolder is full",
		"exceeds quota", "exceed quota", "over the allowed quota", "quota exceed", "disk quota",
		"mailbox has exceeded", "mailbox exceeds", "mail quota", "storage quota",
		"not enough storage space", "is over its storage limit", "out of storage space",
		"recipient's mailbox is full", "mailbox would exceed", "insufficient storage",
		"user is over quota", "account is full", "has exceeded its quota", "quota limit",
		"maildir over quota", "would exceed mailbox quota", "their mailbox is full",
		"переполнен", "ящик полон", "превышен", "квот",
		"メールボックスが一杯", "メールボックスがいっぱい", "容量オーバー", "容量超過",
	}},
	{"mesgtoobig", []string{
		"message too big", "message too large", "message is too large", "message size exceeds",
		"message exceeds the maximum size", "exceeds size limit", "size limit exceeded",
		"message length exceeds", "message is larger than", "message size limit",
		"message file too big", "too large for", "exceeds the maximum allowed size", "mesg too big",
		"maximum message size", "слишком большое", "слишком велико", "размер письма",
	}},
	{"toomanyconn", []string{"too many connections", "connection limit", "too many concurrent",
		"too many simultaneous", "connection rate", "frequency limited"}},
	{"exceedlimit", []string{
		"exceeds administrative limit", "message header size exceeds", "exceeded the limit",
		"limit exceeded", "too many recipients", "recipient limit",
	}},
	{"systemfull", []string{
		"insufficient system storage", "insufficient system resources", "system storage",
		"disk full", "out of disk space", "insufficient disk space", "mail system full", "file system full", "no space left",
	}},
	{"suspend", []string{
		"account disabled", "account has been disabled", "account is disabled", "mailbox disabled",
		"mailbox is disabled", "has been suspended", "is suspended", "account suspended",
		"account is inactive", "account inactive", "inactive account", "mailbox is inactive",
		"disabled or discontinued", "discontinued", "temporarily disabled", "has been disabled",
		"account is not active", "mailbox is not active", "account expired", "mailbox unavailable due to inactivity",
		"is not accepting messages at this time", "recipient is suspended", "account has been locked",
		"account frozen", "suspended account", "user suspended", "mailbox currently suspended",
		"mailbox is frozen", "account is blocked", "account is disabled", "tried to reach is disabled",
		"заблокирован", "отключен", "приостановлен", "неактивен",
	}},
	{"hasmoved", []string{"has moved", "user has moved", "address has moved", "no longer with", "is no longer at"}},
	{"norelaying", []string{
		"relay access denied", "relaying denied", "relay not permitted", "not permitted to relay",
		"unable to relay", "relaying not allowed", "we do not relay", "no relaying", "relay denied",
		"not allowed to relay", "relaying prohibited", "relay prohibited", "relaying is not allowed",
		"not a gateway", "we don't relay", "relay not allowed", "cannot relay",
	}},
	{"failedstarttls", []string{"starttls", "tls required", "requires tls", "must issue a starttls", "tls is required"}},
	{"requireptr", []string{
		"reverse dns", "no ptr", "ptr record", "rdns", "reverse lookup", "reverse hostname",
		"cannot find your hostname", "can't find your hostname", "client host name", "no reverse",
		"does not have a reverse", "unresolvable", "reverse address", "mismatches client ip",
	}},
	{"authfailure", []string{
		"spf", "dkim", "dmarc", "sender policy framework", "domain authentication",
		"not pass authentication", "unauthenticated email", "authentication failed",
		"sender authentication", "authentication check", "email authentication",
	}},
	{"virusdetected", []string{"virus", "malware", "infected", "trojan", "worm detected"}},
	{"badreputation", []string{"reputation"}},
	{"notcompliantrfc", []string{"rfc 5322", "rfc5322", "rfc 2822", "rfc2822", "not compliant", "multiple from", "duplicate header"}},
	{"spamdetected", []string{"blacklisted url", "url in message"}},
	{"blocked", []string{
		"blacklist", "black list", "blocklist", "block list", "denylist", " rbl", "spamhaus",
		"spamcop", "sorbs", "barracudacentral", "dnsbl", "my name was rejected", "client host blocked",
		"ip blocked", "blocked ip", "source bloquee",
	}},
	{"expired", []string{"queue too long", "not going to try again", "aborted after", "retry timeout exceeded",
		"delivery time expired", "message expired", "could not be delivered for", "cannot send message for"}},
	{"spamdetected", []string{
		"spam", "junk mail", "bulk email filter", "bulk mail filter", "unsolicited",
		"content filter", "message content rejected", "considered as uce", " uce ",
		"high probability", "suspicious content", "looks like spam", "scored as",
		"спам",
	}},
	{"hostunknown", []string{
		"host unknown", "unknown host", "host not found", "domain not found", "no such domain",
		"name or service not known", "domain does not exist", "unrouteable mail domain",
		"dns lookup failure", "domain is not reachable", "domain not reachable", "unrouteable address",
		"host or domain name not found", "nxdomain", "could not be resolved",
		"unknown domain", "domain is not found", "invalid domain", "domain name not found",
		"no route to domain", "host name lookup failure", "hostname lookup failure",
		"unable to route", "domain unknown", "bad domain", "domain does not accept",
		"домен не существует", "домен не найден",
	}},
	// The sender, not the recipient, was refused.
	{"rejected", []string{
		"sender address rejected", "domain of sender address", "sender rejected", "sender verify failed",
		"sender verification failed", "sender domain", "[mail_from]", "after mail from", "invalid sender",
		"bad sender", "envelope sender", "sender is not allowed", "sender address is",
		"group you tried to contact", "グループ", "sender was rejected", "not a member",
	}},
	{"filtered", []string{"recipient preferences", "domain filter", "refused by the recipient"}},
	{"mailererror", []string{"procmail", "command output", "mailer error", "exited with", "pipe to |", "unknown mailer"}},
	// Statements that a directory has no such recipient: proof on their own.
	{"userunknown", []string{
		"recipient name is not recognized", "not listed in", "recipnotfound", "recipientnotfound",
		"account that you tried to reach does not exist", "no valid recipients", "no such mailbox",
		"no such recipient", "no such account", "no such address", "invalid recipient",
		"unknown recipient", "recipient not found", "recipient unknown", "recipient invalid",
		"account does not exist", "mailbox does not exist", "address does not exist",
		"recipient does not exist", "recipient address does not exist", "mailbox not found",
		"is not a valid mailbox", "invalid mailbox", "no mailbox here",
		"unknown mailbox", "mailbox unknown", "addressee unknown", "bad destination mailbox",
		"unknown or illegal alias", "no such person", "not a valid recipient", "address unknown",
		"unknown address", "unknown email address", "invalid final delivery userid",
		"user name of email address not valid", "inactive email address",
		"recipient rejected", "recipient address rejected: access denied", "unknown local part", "mail.local: unknown user",
		"no account by that name", "is not a known user", "not a registered user",
		"нет такого пользователя", "пользователь не найден", "пользователь не существует",
		"адрес не существует", "несуществующ", "нет такого ящика", "почтовый ящик не существует",
		"宛先不明",
	}},
	// "User unknown" and the like: a filtering gateway says so after DATA too, so these count only
	// with an RCPT-stage context or a x.1.x status (see refineUserUnknown).
	{userUnknownWeak, []string{
		"user unknown", "unknown user", "no such user", "user not found", "user does not exist",
		"user doesn't exist", "user not exist", "invalid user", "user invalid", "no such local user",
		"user is unknown", "invalid address", "bad address", "no mailbox", "not a valid user",
		"does not exist", "doesn't exist", "no user", "doesn't have a", "mailbox unavailable", "не существует", "не найден",
	}},
	{"notaccept", []string{
		"does not accept mail", "not accepting mail", "null mx", "does not receive mail",
		"accepts no mail", "domain does not receive", "mail is not accepted", "no smtp service",
		"no mx record", "type=mx: malformed",
	}},
	{"speeding", []string{"rate limit", "sending rate", "too many messages", "rate of", "too fast", "ratelimit", "throttl"}},
}

// genericReasons are vaguer words, tried after the status code.
var genericReasons = []reasonRule{
	{"blocked", []string{
		"listed at", "listed in", "your ip", "client host", "ip address", "ip blocked", "banned",
		"blocked", "connection refused by", "access denied", "not allowed to send", "refused to talk",
	}},
	{"securityerror", []string{
		"authentication required", "must authenticate", "not authenticated", "unauthenticated",
		"authentication is required", "insecure", "secure connection", "smtp authentication",
	}},
	{"policyviolation", []string{"policy", "violat", "prohibited", "not permitted", "not allowed"}},
	{"syntaxerror", []string{"syntax error", "malformed", "command unrecognized", "unrecognized command", "bad command"}},
	{"contenterror", []string{"content error", "invalid mime", "illegal character", "bad header", "header error", "media error"}},
	{"filtered", []string{
		"filter", "refused", "refuses", "not accept", "does not want", "sender not allowed",
		"denied", "rejected", "not authorized", "restricted", "blocked by",
		"отклонен", "отвергнут",
	}},
	{"expired", []string{
		"message expired", "delivery time expired", "retry timeout exceeded", "retry time exceeded",
		"could not be delivered for", "was not delivered for", "cannot send message for",
		"giving up", "delivery expired", "delivery has been delayed", "message has been delayed",
		"too many retries", "retry time not reached", "timeout exceeded", "has not been delivered",
		"expired", "in the queue for", "queue time", "delayed", "delay", "still trying",
		"will continue to be attempted", "will continue to try", "has not yet been delivered",
	}},
	{"networkerror", []string{
		"connection timed out", "timed out", "connection refused", "not reachable", "network is unreachable",
		"no route to host", "connection reset", "could not connect", "couldn't connect",
		"unable to connect", "lost connection", "routing loop", "too many hops", "mail loop",
		"loop detected", "host is unreachable", "network error", "temporary lookup failure",
		"dns error", "dns failure", "connection dropped", "failed to connect", "conversation with",
	}},
	{"mailererror", []string{"command failed", "pipe to"}},
	{"systemerror", []string{
		"system error", "internal error", "server error", "configuration error", "i/o error",
		"temporary failure", "temporary error", "local error", "service unavailable",
		"system not accepting", "too many hops", "loop alert", "duplicated message-id", "currently unavailable",
	}},
}

// statusReasons maps enhanced status codes (class.subject.detail with the class replaced by "x")
// to a reason, for diagnostics whose words say nothing better.
var statusReasons = map[string]string{
	"x.1.0": "userunknown", "x.1.1": "userunknown", "x.1.2": "hostunknown", "x.1.3": "userunknown",
	"x.1.4": "filtered", "x.1.5": "userunknown", "x.1.6": "hasmoved", "x.1.7": "rejected",
	"x.1.8": "rejected", "x.1.9": "systemerror", "x.1.10": "notaccept",
	"x.2.0": "filtered", "x.2.1": "filtered", "x.2.2": "mailboxfull", "x.2.3": "exceedlimit",
	"x.2.4": "systemerror",
	"x.3.0": "systemerror", "x.3.1": "systemfull", "x.3.2": "notaccept", "x.3.3": "systemerror",
	"x.3.4": "mesgtoobig", "x.3.5": "systemerror",
	"x.4.0": "networkerror", "x.4.1": "networkerror", "x.4.2": "networkerror", "x.4.3": "systemerror",
	"x.4.4": "hostunknown", "x.4.5": "systemfull", "x.4.6": "networkerror", "x.4.7": "expired",
	"x.5.0": "syntaxerror", "x.5.1": "syntaxerror", "x.5.2": "syntaxerror", "x.5.3": "exceedlimit",
	"x.5.4": "syntaxerror", "x.5.5": "syntaxerror",
	"x.6.0": "contenterror", "x.6.1": "contenterror", "x.6.2": "contenterror", "x.6.3": "contenterror",
	"x.6.4": "contenterror", "x.6.5": "contenterror", "x.6.6": "contenterror", "x.6.7": "contenterror",
	"x.6.8": "contenterror", "x.6.9": "contenterror", "x.6.10": "contenterror",
	"x.7.0": "securityerror", "x.7.1": "securityerror", "x.7.2": "filtered", "x.7.3": "securityerror",
	"x.7.4": "securityerror", "x.7.5": "securityerror", "x.7.6": "securityerror",
	"x.7.7": "securityerror", "x.7.8": "securityerror", "x.7.9": "policyviolation",
	"x.7.10": "securityerror", "x.7.11": "securityerror", "x.7.12": "securityerror",
	"x.7.13": "suspend", "x.7.14": "securityerror", "x.7.15": "securityerror",
	"x.7.16": "securityerror", "x.7.17": "hasmoved", "x.7.18": "hasmoved", "x.7.19": "hasmoved",
	"x.7.20": "authfailure", "x.7.21": "authfailure", "x.7.22": "authfailure",
	"x.7.23": "authfailure", "x.7.24": "authfailure", "x.7.25": "requireptr",
	"x.7.26": "authfailure", "x.7.27": "notaccept", "x.7.28": "spamdetected", "x.7.29": "authfailure",
	"x.7.30": "securityerror",
}

// userUnknownWeak is the interim reason of a weak "user unknown" phrase.
const userUnknownWeak = "userunknown?"

// rcptContext and dataContext tell at which SMTP stage a server refused a recipient.
var (
	rcptContext = []string{"rcpt to", "rcpt command", "rcpt_to", "smtp:rcpt", "after rcpt",
		"recipient address rejected", "most progress was rcpt"}
	dataContext = []string{"end of data", "data command", "smtp command data", ">>> data",
		"after data", "(data)", "after end of data"}
)

// decisiveStatus are status codes whose meaning no wording overrules.
var decisiveStatus = map[string]string{
	"x.2.3": "exceedlimit", "x.3.4": "mesgtoobig", "x.7.25": "requireptr", "x.7.26": "authfailure",
}

// hardReasons are the reasons that say the address itself is dead.
var hardReasons = map[string]bool{"userunknown": true, "hostunknown": true, "hasmoved": true, "notaccept": true}

// containsAny returns the first of phrases found in s, or "".
func containsAny(s string, phrases []string) string {
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return p
		}
	}
	return ""
}

// hasPrefixAny returns the first of phrases that s starts with, or "".
func hasPrefixAny(s string, phrases []string) string {
	for _, p := range phrases {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	return ""
}
