package saslserver

import (
	"fmt"
	"unicode/utf8"
)

// jaasTokenizer splits a sasl.jaas.config value into tokens as the
// java.io.StreamTokenizer that Kafka's JaasConfig sets up does: its default
// syntax (letters, the Latin-1 letters 0xA0-0xFF and every character above
// 0xFF start words; digits, '.' and '-' continue them, and start numbers;
// characters up to ' ' are white space; double and single quotes quote; '/'
// starts a comment to the end of the line) plus "//" and "/* */" comments
// and '-', '_' and '$' as word characters.
type jaasTokenizer struct {
	text string
	pos  int
}

// jaasTokenKind is a StreamTokenizer ttype, with quoted strings of both
// quote characters as one kind.
type jaasTokenKind int

const (
	jaasEOF jaasTokenKind = iota
	jaasWord
	jaasQuoted
	jaasNumber
	jaasChar // an ordinary character, such as '=' or ';'
)

// jaasToken is one token; hasText is StreamTokenizer's sval != null, which
// JaasConfig requires of module names, flags, option names and values.
type jaasToken struct {
	kind jaasTokenKind
	text string // the word or the quoted string's value
	char rune   // the ordinary character
}

func (t jaasToken) hasText() bool { return t.kind == jaasWord || t.kind == jaasQuoted }

// describe names a token without text (a number or an ordinary
// character) for errors.
func (t jaasToken) describe() string {
	if t.kind == jaasNumber {
		return "an unquoted number"
	}
	return fmt.Sprintf("'%c'", t.char)
}

// Character classes of StreamTokenizer.
const (
	ctWhite = 1 << iota
	ctDigit
	ctAlpha
	ctQuote
)

func jaasCharClass(c rune) int {
	switch {
	case c <= ' ':
		return ctWhite
	case c >= '0' && c <= '9', c == '.':
		return ctDigit
	case c == '-': // a number character made a word character too
		return ctDigit | ctAlpha
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= 0xA0, c == '_', c == '$':
		return ctAlpha
	case c == '"', c == '\'':
		return ctQuote
	}
	return 0
}

// peek returns the next character and its width, or -1 at the end.
func (t *jaasTokenizer) peek() (rune, int) {
	if t.pos >= len(t.text) {
		return -1, 0
	}
	return utf8.DecodeRuneInString(t.text[t.pos:])
}

func (t *jaasTokenizer) read() rune {
	c, n := t.peek()
	t.pos += n
	return c
}

// next is StreamTokenizer.nextToken. Unlike Java, which ends a quoted string
// silently at a line break or the end of the text, it fails there: the rest
// of the config would otherwise be read as the string's value.
func (t *jaasTokenizer) next() (jaasToken, error) {
	for {
		start := t.pos
		c := t.read()
		if c < 0 {
			return jaasToken{kind: jaasEOF}, nil
		}
		class := jaasCharClass(c)
		switch {
		case class&ctWhite != 0:
			continue
		case class&ctDigit != 0:
			if tok, ok := t.number(c); ok {
				return tok, nil
			}
			return jaasToken{kind: jaasChar, char: '-'}, nil
		case class&ctAlpha != 0:
			for {
				d, n := t.peek()
				if d < 0 || jaasCharClass(d)&(ctAlpha|ctDigit) == 0 {
					break
				}
				t.pos += n
			}
			return jaasToken{kind: jaasWord, text: t.text[start:t.pos]}, nil
		case class&ctQuote != 0:
			return t.quoted(c, start)
		case c == '/':
			t.comment()
			continue
		}
		return jaasToken{kind: jaasChar, char: c}, nil
	}
}

// number reads a number token as StreamTokenizer does: digits with at most
// one '.', after an optional '-'. A '-' not followed by a digit or '.' is an
// ordinary character; ok is false then.
func (t *jaasTokenizer) number(c rune) (jaasToken, bool) {
	if c == '-' {
		if d, _ := t.peek(); d != '.' && (d < '0' || d > '9') {
			return jaasToken{}, false
		}
	}
	seenDot := c == '.'
	for {
		d, _ := t.peek()
		if d == '.' && !seenDot {
			seenDot = true
		} else if d < '0' || d > '9' {
			return jaasToken{kind: jaasNumber}, true
		}
		t.pos++
	}
}

// comment skips a comment whose '/' has been read: "/* ... */", or to the
// end of the line for "//" and for a lone '/' (StreamTokenizer's default
// comment character). An unterminated "/*" runs to the end of the text, as
// in Java.
func (t *jaasTokenizer) comment() {
	if d, _ := t.peek(); d == '*' {
		t.pos++
		for prev := rune(0); ; {
			c := t.read()
			if c < 0 || (c == '/' && prev == '*') {
				return
			}
			prev = c
		}
	}
	for {
		c, n := t.peek()
		if c < 0 || c == '\n' || c == '\r' {
			return
		}
		t.pos += n
	}
}

// quoted reads a string quoted by quote, with StreamTokenizer's escapes:
// \a \b \f \n \r \t \v, octal \0 to \377, and a backslash before any other
// character meaning that character.
func (t *jaasTokenizer) quoted(quote rune, start int) (jaasToken, error) {
	var value []rune
	for {
		c := t.read()
		switch {
		case c == quote:
			return jaasToken{kind: jaasQuoted, text: string(value)}, nil
		case c < 0 || c == '\n' || c == '\r':
			return jaasToken{}, fmt.Errorf("unterminated quoted string (opened by %c at offset %d) in JAAS config", quote, start)
		case c == '\\':
			e := t.read()
			switch {
			case e < 0:
				return jaasToken{}, fmt.Errorf("unterminated quoted string (opened by %c at offset %d) in JAAS config", quote, start)
			case e >= '0' && e <= '7':
				value = append(value, t.octal(e))
			default:
				value = append(value, jaasEscape(e))
			}
		default:
			value = append(value, c)
		}
	}
}

// octal reads the rest of an octal escape whose first digit is first: up to
// three digits, the third only if the first is at most '3'.
func (t *jaasTokenizer) octal(first rune) rune {
	v := first - '0'
	for digits := 1; digits < 3; digits++ {
		d, _ := t.peek()
		if d < '0' || d > '7' || (digits == 2 && first > '3') {
			break
		}
		v = v<<3 + d - '0'
		t.pos++
	}
	return v
}

// jaasEscape is the character a backslash followed by e stands for.
func jaasEscape(e rune) rune {
	switch e {
	case 'a':
		return 0x7
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'v':
		return '\v'
	}
	return e
}
