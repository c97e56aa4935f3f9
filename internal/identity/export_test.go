package identity

// RussianMobileForTest exposes the fast path to the external tests.
var RussianMobileForTest = russianMobile
