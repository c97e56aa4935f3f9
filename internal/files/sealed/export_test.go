package sealed

// NewWriterSize exposes newWriter to the tests, which use small chunks to make many of them.
var NewWriterSize = newWriter

// HeaderSize and TagSize expose the layout to the tests.
const (
	HeaderSize = headerSize
	TagSize    = tagSize
)
