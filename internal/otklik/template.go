package otklik

// ResponseTemplate is a ready answer staff insert into a reply (PRODUCT.md F16). Its body's
// placeholders — {name}, {number}, {due}, {agent} — are filled from the ticket being answered.
type ResponseTemplate struct {
	ID       int64
	Code     string
	Title    string
	Body     string
	Position int
}
