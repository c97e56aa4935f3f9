// Package identity parses and validates the identifiers a citizen gives
// Otklik: СНИЛС, ИНН, ОГРН/ОГРНИП, phone numbers and e-mail addresses.
//
// Every Parse function is pure: it takes user input, returns the canonical
// form (the value to store and compare) or an *Error whose Code is a stable
// message key such as "snils.checksum". The checksum rules and test vectors
// come from the project's domain notes, DOMAIN.md §2 and §6.
package identity
