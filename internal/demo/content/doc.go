// Package content generates realistic Russian citizen-support requests for
// Otklik's demo data and for filling a benchmark database.
//
// A Generator is deterministic: the same seed always yields the same
// sequence of requests, people and conversations, on every platform and Go
// release, because it uses its own small random number generator rather
// than math/rand. Texts are assembled from hand-written templates with
// slots (a service, a statement number, an error text, a browser or phone
// model), random alternatives and grammatical gender forms that agree with
// the requester, so a million requests stay varied and read naturally.
//
// Template syntax, used only inside this package:
//
//	{name}          a slot, filled once per request (see slots.go)
//	{a|b|c}         one of the alternatives, chosen at random
//	<male|female>   the form that agrees with the requester's gender
//	{!svc:A|B}      pins the request's service (or {!pay:key}) before use
//
// Alternatives may nest and may contain slots.
package content
