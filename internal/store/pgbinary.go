package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// pgParams builds a statement's parameters in PostgreSQL's binary format, all in one buffer that is
// kept from one statement to the next. pgx builds each array element by element through its type
// map, with an allocation or more an element, in a buffer it lets go after the statement: for a
// recomputation's batch of 1,000 tickets 1.6–1.9 ms and 930 kB, here 0.09–0.11 ms and one allocation
// (BenchmarkRecomputedParams; docs/PERFORMANCE.md).
//
// Element types, as PostgreSQL sends them (src/backend/utils/adt: int8send, int4send, textsend,
// byteasend, timestamptz_send; arrays as array_send, one dimension, lower bound 1).
type pgParams struct {
	buf   []byte
	ends  []int    // where each parameter ends in buf
	types []uint32 // each parameter's type, as its encoding says (the statement's are checked against it)
	// the array being built: where it starts, its type, whether it has a NULL element
	array     int
	arrayType uint32
	nulls     bool
}

// pgEpoch is PostgreSQL's zero time: timestamps travel as microseconds since it.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

func (p *pgParams) reset() {
	p.buf, p.ends, p.types = p.buf[:0], p.ends[:0], p.types[:0]
}

// values returns the parameters in order, as pgconn takes them (none is NULL). They point into the
// buffer, valid until the next reset.
func (p *pgParams) values() [][]byte {
	out := make([][]byte, len(p.ends))
	start := 0
	for i, end := range p.ends {
		out[i] = p.buf[start:end:end]
		start = end
	}
	return out
}

func (p *pgParams) end(oid uint32) {
	p.ends, p.types = append(p.ends, len(p.buf)), append(p.types, oid)
}

func (p *pgParams) int8(v int64) {
	p.buf = binary.BigEndian.AppendUint64(p.buf, uint64(v))
	p.end(pgtype.Int8OID)
}

func (p *pgParams) text(v string) {
	p.buf = append(p.buf, v...)
	p.end(pgtype.TextOID)
}

func (p *pgParams) timestamptz(v time.Time) {
	p.buf = appendTimestamptz(p.buf, v)
	p.end(pgtype.TimestamptzOID)
}

// arrayTypes are the array types of the element types the encoder writes.
var arrayTypes = map[uint32]uint32{pgtype.Int8OID: pgtype.Int8ArrayOID, pgtype.Int4OID: pgtype.Int4ArrayOID,
	pgtype.TextOID: pgtype.TextArrayOID, pgtype.ByteaOID: pgtype.ByteaArrayOID, pgtype.TimestamptzOID: pgtype.TimestamptzArrayOID}

// beginArray begins a one-dimensional array of n elements of type elem, to be followed by exactly n
// elem* calls and endArray.
func (p *pgParams) beginArray(elem uint32, n int) {
	arrayType, ok := arrayTypes[elem]
	if !ok {
		panic(fmt.Sprintf("store: no array of type %d", elem)) // a programming error: the encoder writes five types
	}
	p.array, p.arrayType, p.nulls = len(p.buf), arrayType, false
	p.buf = binary.BigEndian.AppendUint32(p.buf, 1) // dimensions
	p.buf = binary.BigEndian.AppendUint32(p.buf, 0) // has NULLs: set by endArray
	p.buf = binary.BigEndian.AppendUint32(p.buf, elem)
	p.buf = binary.BigEndian.AppendUint32(p.buf, uint32(n))
	p.buf = binary.BigEndian.AppendUint32(p.buf, 1) // lower bound
}

func (p *pgParams) endArray() {
	if p.nulls {
		binary.BigEndian.PutUint32(p.buf[p.array+4:], 1)
	}
	p.end(p.arrayType)
}

func (p *pgParams) elemNull() {
	p.buf = binary.BigEndian.AppendUint32(p.buf, math.MaxUint32) // length -1
	p.nulls = true
}

func (p *pgParams) elemInt8(v int64) {
	p.buf = binary.BigEndian.AppendUint32(p.buf, 8)
	p.buf = binary.BigEndian.AppendUint64(p.buf, uint64(v))
}

func (p *pgParams) elemInt4(v int32) {
	p.buf = binary.BigEndian.AppendUint32(p.buf, 4)
	p.buf = binary.BigEndian.AppendUint32(p.buf, uint32(v))
}

func (p *pgParams) elemText(v string) {
	p.buf = binary.BigEndian.AppendUint32(p.buf, uint32(len(v)))
	p.buf = append(p.buf, v...)
}

// elemBytea appends v; nil is NULL (an empty one is not).
func (p *pgParams) elemBytea(v []byte) {
	if v == nil {
		p.elemNull()
		return
	}
	p.buf = binary.BigEndian.AppendUint32(p.buf, uint32(len(v)))
	p.buf = append(p.buf, v...)
}

// elemTimestamptz appends *v; nil is NULL.
func (p *pgParams) elemTimestamptz(v *time.Time) {
	if v == nil {
		p.elemNull()
		return
	}
	p.buf = binary.BigEndian.AppendUint32(p.buf, 8)
	p.buf = appendTimestamptz(p.buf, *v)
}

// appendTimestamptz appends t as microseconds since 2000-01-01 UTC (a finer part is dropped, toward
// the earlier microsecond).
func appendTimestamptz(buf []byte, t time.Time) []byte {
	us := (t.Unix()-pgEpoch)*1_000_000 + int64(t.Nanosecond())/1000
	return binary.BigEndian.AppendUint64(buf, uint64(us))
}
