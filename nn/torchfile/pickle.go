package torchfile

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// The opcodes this machine runs (pickletools' names); any other byte in
// opcode position is an error.
const (
	opMark           = '('
	opStop           = '.'
	opPop            = '0'
	opPopMark        = '1'
	opBinFloat       = 'G'
	opBinInt         = 'J'
	opBinInt1        = 'K'
	opBinInt2        = 'M'
	opNone           = 'N'
	opBinPersID      = 'Q'
	opReduce         = 'R'
	opBinString      = 'T'
	opShortBinString = 'U'
	opBinUnicode     = 'X'
	opAppend         = 'a'
	opBuild          = 'b'
	opGlobal         = 'c'
	opAppends        = 'e'
	opBinGet         = 'h'
	opLongBinGet     = 'j'
	opBinPut         = 'q'
	opLongBinPut     = 'r'
	opSetItem        = 's'
	opTuple          = 't'
	opSetItems       = 'u'
	opEmptyDict      = '}'
	opEmptyList      = ']'
	opEmptyTuple     = ')'
	opBinBytes       = 'B'
	opShortBinBytes  = 'C'
	opProto          = 0x80
	opTuple1         = 0x85
	opTuple2         = 0x86
	opTuple3         = 0x87
	opNewTrue        = 0x88
	opNewFalse       = 0x89
	opLong1          = 0x8a
	opShortBinUni    = 0x8c
	opBinUnicode8    = 0x8d
	opBinBytes8      = 0x8e
	opMemoize        = 0x94
	opFrame          = 0x95
	opStackGlobal    = 0x93
)

// maxLong1 is the longest LONG1 integer read, in bytes: the legacy magic
// number takes 10; state dicts hold nothing longer.
const maxLong1 = 16

// machine is the pickle virtual machine over one pickle stream.
type machine struct {
	name  string // labels errors (the file, and the part of it)
	data  []byte // the stream, possibly followed by other data
	pos   int    // next byte to read
	stack []any
	marks []int // stack heights at each MARK
	memo  map[uint32]any
	// persid resolves a BINPERSID's id (a storage, in torch files).
	persid func(id any) (any, error)
}

// unpickle runs the pickle at data[0:] to its STOP and returns the object
// and the number of bytes it took.
func unpickle(data []byte, name string, persid func(any) (any, error)) (any, int, error) {
	m := &machine{name: name, data: data, memo: map[uint32]any{}, persid: persid}
	v, err := m.run()
	return v, m.pos, err
}

// errAt is an error naming the stream and the offset of the current opcode.
func (m *machine) errAt(at int, format string, args ...any) error {
	return fmt.Errorf("torchfile: %s: pickle byte %d: %s", m.name, at, fmt.Sprintf(format, args...))
}

// take returns the next n bytes, or false if the stream has fewer left.
func (m *machine) take(n uint64) ([]byte, bool) {
	if n > uint64(len(m.data)-m.pos) {
		return nil, false
	}
	b := m.data[m.pos : m.pos+int(n)]
	m.pos += int(n)
	return b, true
}

func (m *machine) push(v any) { m.stack = append(m.stack, v) }

// pop removes the top of the stack (above the last mark).
func (m *machine) pop() (any, bool) {
	floor := 0
	if len(m.marks) > 0 {
		floor = m.marks[len(m.marks)-1]
	}
	if len(m.stack) <= floor {
		return nil, false
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return v, true
}

// popMark removes and returns the items above the last mark, and the mark.
func (m *machine) popMark() ([]any, bool) {
	if len(m.marks) == 0 {
		return nil, false
	}
	k := m.marks[len(m.marks)-1]
	m.marks = m.marks[:len(m.marks)-1]
	items := append([]any(nil), m.stack[k:]...)
	m.stack = m.stack[:k]
	return items, true
}

// run executes opcodes until STOP.
func (m *machine) run() (any, error) {
	for {
		at := m.pos
		b, ok := m.take(1)
		if !ok {
			return nil, m.errAt(at, "the pickle ends without a STOP opcode (truncated file?)")
		}
		op := b[0]
		if op == opStop {
			v, ok := m.pop()
			if !ok || len(m.stack) != 0 || len(m.marks) != 0 {
				return nil, m.errAt(at, "STOP with %d items and %d marks on the stack, want 1 and 0", len(m.stack), len(m.marks))
			}
			return v, nil
		}
		if err := m.step(op, at); err != nil {
			return nil, err
		}
	}
}

// step executes one opcode (its byte already read, at offset at).
func (m *machine) step(op byte, at int) error {
	short := func(what string) error {
		return m.errAt(at, "%s runs past the end of the data (truncated file?)", what)
	}
	underflow := func() error { return m.errAt(at, "opcode 0x%02x on an empty stack", op) }
	switch op {
	case opProto:
		b, ok := m.take(1)
		if !ok {
			return short("PROTO")
		}
		if b[0] < 2 || b[0] > 5 {
			return m.errAt(at, "pickle protocol %d; torch files use 2 to 5", b[0])
		}
	case opFrame:
		if _, ok := m.take(8); !ok { // the frame length is a hint: the data follows in line
			return short("FRAME")
		}
	case opMark:
		m.marks = append(m.marks, len(m.stack))
	case opPop:
		if _, ok := m.pop(); !ok {
			return underflow()
		}
	case opPopMark:
		if _, ok := m.popMark(); !ok {
			return m.errAt(at, "POP_MARK without a MARK")
		}
	case opNone:
		m.push(nil)
	case opNewTrue:
		m.push(true)
	case opNewFalse:
		m.push(false)
	case opBinInt:
		b, ok := m.take(4)
		if !ok {
			return short("BININT")
		}
		m.push(int64(int32(binary.LittleEndian.Uint32(b))))
	case opBinInt1:
		b, ok := m.take(1)
		if !ok {
			return short("BININT1")
		}
		m.push(int64(b[0]))
	case opBinInt2:
		b, ok := m.take(2)
		if !ok {
			return short("BININT2")
		}
		m.push(int64(binary.LittleEndian.Uint16(b)))
	case opLong1:
		n, ok := m.take(1)
		if !ok {
			return short("LONG1")
		}
		if n[0] > maxLong1 {
			return m.errAt(at, "LONG1 of %d bytes (at most %d are read)", n[0], maxLong1)
		}
		b, ok := m.take(uint64(n[0]))
		if !ok {
			return short("LONG1")
		}
		m.push(decodeLong(b))
	case opBinFloat:
		b, ok := m.take(8)
		if !ok {
			return short("BINFLOAT")
		}
		m.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case opShortBinUni, opBinUnicode, opBinUnicode8, opShortBinString, opBinString:
		b, err := m.counted(op, at)
		if err != nil {
			return err
		}
		if (op == opShortBinUni || op == opBinUnicode || op == opBinUnicode8) && !utf8.Valid(b) {
			return m.errAt(at, "string is not valid UTF-8")
		}
		m.push(string(b))
	case opShortBinBytes, opBinBytes, opBinBytes8:
		b, err := m.counted(op, at)
		if err != nil {
			return err
		}
		m.push(append([]byte(nil), b...))
	case opEmptyTuple:
		m.push(Tuple{})
	case opTuple1, opTuple2, opTuple3:
		n := int(op-opTuple1) + 1
		t := make(Tuple, n)
		for i := n - 1; i >= 0; i-- {
			v, ok := m.pop()
			if !ok {
				return underflow()
			}
			t[i] = v
		}
		m.push(t)
	case opTuple:
		items, ok := m.popMark()
		if !ok {
			return m.errAt(at, "TUPLE without a MARK")
		}
		m.push(Tuple(items))
	case opEmptyList:
		m.push(&List{})
	case opAppend, opAppends:
		var items []any
		var ok bool
		if op == opAppend {
			v, ok := m.pop()
			if !ok {
				return underflow()
			}
			items = []any{v}
		} else if items, ok = m.popMark(); !ok {
			return m.errAt(at, "APPENDS without a MARK")
		}
		top, ok := m.pop()
		if !ok {
			return underflow()
		}
		l, isList := top.(*List)
		if !isList {
			return m.errAt(at, "APPEND to a %s, not a list", typeName(top))
		}
		l.Items = append(l.Items, items...)
		m.push(l)
	case opEmptyDict:
		m.push(NewDict())
	case opSetItem, opSetItems:
		var items []any
		var ok bool
		if op == opSetItem {
			v, ok1 := m.pop()
			k, ok2 := m.pop()
			if !ok1 || !ok2 {
				return underflow()
			}
			items = []any{k, v}
		} else if items, ok = m.popMark(); !ok {
			return m.errAt(at, "SETITEMS without a MARK")
		}
		if len(items)%2 != 0 {
			return m.errAt(at, "SETITEMS with an odd number (%d) of items", len(items))
		}
		top, ok := m.pop()
		if !ok {
			return underflow()
		}
		d, isDict := top.(*Dict)
		if !isDict {
			return m.errAt(at, "SETITEM on a %s, not a dict", typeName(top))
		}
		for i := 0; i < len(items); i += 2 {
			if err := d.Set(items[i], items[i+1]); err != nil {
				return m.errAt(at, "%v", err)
			}
		}
		m.push(d)
	case opBinPut, opLongBinPut, opMemoize:
		idx := uint32(len(m.memo))
		if op != opMemoize {
			n := uint64(1)
			if op == opLongBinPut {
				n = 4
			}
			b, ok := m.take(n)
			if !ok {
				return short("PUT")
			}
			idx = uint32(b[0])
			if op == opLongBinPut {
				idx = binary.LittleEndian.Uint32(b)
			}
		}
		if len(m.stack) == 0 {
			return underflow()
		}
		m.memo[idx] = m.stack[len(m.stack)-1]
	case opBinGet, opLongBinGet:
		n := uint64(1)
		if op == opLongBinGet {
			n = 4
		}
		b, ok := m.take(n)
		if !ok {
			return short("GET")
		}
		idx := uint32(b[0])
		if op == opLongBinGet {
			idx = binary.LittleEndian.Uint32(b)
		}
		v, ok := m.memo[idx]
		if !ok {
			return m.errAt(at, "GET of memo entry %d, which was never stored", idx)
		}
		m.push(v)
	case opGlobal:
		mod, ok1 := m.line()
		name, ok2 := m.line()
		if !ok1 || !ok2 {
			return short("GLOBAL")
		}
		c, err := global(mod, name)
		if err != nil {
			return m.errAt(at, "%v", err)
		}
		m.push(c)
	case opStackGlobal:
		name, ok1 := m.pop()
		mod, ok2 := m.pop()
		if !ok1 || !ok2 {
			return underflow()
		}
		ms, ok1 := mod.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return m.errAt(at, "STACK_GLOBAL of a %s and a %s, want two strings", typeName(mod), typeName(name))
		}
		c, err := global(ms, ns)
		if err != nil {
			return m.errAt(at, "%v", err)
		}
		m.push(c)
	case opReduce:
		args, ok1 := m.pop()
		fn, ok2 := m.pop()
		if !ok1 || !ok2 {
			return underflow()
		}
		c, isClass := fn.(Class)
		t, isTuple := args.(Tuple)
		if !isClass || !isTuple {
			return m.errAt(at, "REDUCE of a %s with a %s, want a class and a tuple", typeName(fn), typeName(args))
		}
		v, err := reduce(c, t)
		if err != nil {
			return m.errAt(at, "%v", err)
		}
		m.push(v)
	case opBuild:
		state, ok1 := m.pop()
		obj, ok2 := m.pop()
		if !ok1 || !ok2 {
			return underflow()
		}
		// Only an OrderedDict's attributes are ever set: a state dict's
		// _metadata (module versions), which nothing here needs.
		if _, isDict := obj.(*Dict); !isDict {
			return m.errAt(at, "BUILD on a %s (only an OrderedDict's attributes are accepted)", typeName(obj))
		}
		if _, isDict := state.(*Dict); !isDict && state != nil {
			return m.errAt(at, "BUILD of an OrderedDict with a %s state, want a dict", typeName(state))
		}
		m.push(obj)
	case opBinPersID:
		id, ok := m.pop()
		if !ok {
			return underflow()
		}
		if m.persid == nil {
			return m.errAt(at, "a persistent id where none is expected")
		}
		v, err := m.persid(id)
		if err != nil {
			return m.errAt(at, "persistent id: %v", err)
		}
		m.push(v)
	default:
		return m.errAt(at, "opcode 0x%02x (%q) is not one a state dict needs; refusing to interpret it", op, rune(op))
	}
	return nil
}

// counted reads the payload of a length-prefixed string or bytes opcode,
// checking the length against the bytes left before taking them.
func (m *machine) counted(op byte, at int) ([]byte, error) {
	var width uint64
	switch op {
	case opShortBinUni, opShortBinString, opShortBinBytes:
		width = 1
	case opBinUnicode, opBinString, opBinBytes:
		width = 4
	default:
		width = 8
	}
	lb, ok := m.take(width)
	if !ok {
		return nil, m.errAt(at, "string length runs past the end of the data")
	}
	var n uint64
	switch width {
	case 1:
		n = uint64(lb[0])
	case 4:
		n = uint64(binary.LittleEndian.Uint32(lb))
		if op == opBinString && int32(n) < 0 {
			return nil, m.errAt(at, "negative string length %d", int32(n))
		}
	default:
		n = binary.LittleEndian.Uint64(lb)
	}
	b, ok := m.take(n)
	if !ok {
		return nil, m.errAt(at, "string of %d bytes runs past the end of the data (%d left)", n, len(m.data)-m.pos)
	}
	return b, nil
}

// line reads a GLOBAL operand: printable ASCII up to a newline.
func (m *machine) line() (string, bool) {
	for i := m.pos; i < len(m.data) && i-m.pos < 256; i++ {
		c := m.data[i]
		if c == '\n' {
			s := string(m.data[m.pos:i])
			m.pos = i + 1
			return s, true
		}
		if c < 0x20 || c > 0x7e {
			return "", false
		}
	}
	return "", false
}

// decodeLong reads a little-endian two's-complement integer (LONG1).
func decodeLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var u uint64
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		shift := 64 - 8*uint(len(b))
		return int64(u<<shift) >> shift // sign-extend
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	v := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), 8*uint(len(b))))
	}
	return v
}
