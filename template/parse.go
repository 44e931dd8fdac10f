package template

import (
	"strings"
	"unicode/utf8"
)

// Options tune ParseWith. The zero value is the default: any variable path
// is accepted.
type Options struct {
	// Schema, when not nil, lists the variables a template may use; a
	// placeholder naming any other path fails with ErrUnknownVariable when
	// the template is parsed, not when it is sent.
	Schema *Schema
}

// Parse compiles body with the default options. See the package
// documentation for the syntax.
func Parse(body string) (*Template, error) {
	return ParseWith(body, Options{})
}

// MustParse is like Parse but panics on error. It is meant for templates
// written in the host's source code, such as package-level variables.
func MustParse(body string) *Template {
	t, err := Parse(body)
	if err != nil {
		panic(err)
	}
	return t
}

// ParseWith compiles body, rejecting unknown variables when opt.Schema is
// set. A syntax error is a *SyntaxError, an unknown variable an
// *UnknownVariableError listing every one.
func ParseWith(body string, opt Options) (*Template, error) {
	p := parser{src: body}
	t, err := p.parse()
	if err != nil {
		return nil, err
	}
	if opt.Schema != nil {
		var unknown []string
		for _, v := range t.vars {
			if !opt.Schema.Allows(v) {
				unknown = append(unknown, v)
			}
		}
		if unknown != nil {
			return nil, &UnknownVariableError{Paths: unknown}
		}
	}
	return t, nil
}

// parser is a one-pass scanner over a template body. It keeps byte offsets;
// a SyntaxError converts them to line and column only when one is made.
type parser struct {
	src  string
	pos  int
	lit  []string // literal pieces waiting for the next placeholder
	t    Template
	slot map[string]int32
}

func (p *parser) parse() (*Template, error) {
	p.t.src = p.src
	for {
		i := strings.Index(p.src[p.pos:], "{{")
		if i < 0 {
			p.addLiteral(p.src[p.pos:])
			break
		}
		p.addLiteral(p.src[p.pos : p.pos+i])
		p.pos += i
		if err := p.placeholder(); err != nil {
			return nil, err
		}
	}
	p.t.nodes = append(p.t.nodes, node{lit: p.takeLiteral(), slot: -1})
	p.t.index()
	t := p.t
	return &t, nil
}

func (p *parser) addLiteral(s string) {
	if s != "" {
		p.lit = append(p.lit, s)
	}
}

// takeLiteral joins the waiting pieces. A plain template has at most one
// piece, a substring of the source, so parsing copies nothing.
func (p *parser) takeLiteral() string {
	var s string
	switch len(p.lit) {
	case 0:
	case 1:
		s = p.lit[0]
	default:
		s = strings.Join(p.lit, "")
	}
	p.lit = p.lit[:0]
	return s
}

// placeholder reads one "{{ … }}" at p.pos: a variable path with an
// optional default, or a quoted string written out as it is.
func (p *parser) placeholder() error {
	start := p.pos
	p.pos += 2
	p.space()
	if p.pos >= len(p.src) {
		return p.fail(start, "unclosed placeholder, want \"}}\"")
	}
	if strings.HasPrefix(p.src[p.pos:], "}}") {
		return p.fail(start, "empty placeholder")
	}
	if c := p.src[p.pos]; c == '"' || c == '\'' {
		// {{ "{{" }} is how a literal "{{" is written.
		s, err := p.quoted()
		if err != nil {
			return err
		}
		if err := p.close(start); err != nil {
			return err
		}
		p.addLiteral(s)
		return nil
	}
	path, err := p.path()
	if err != nil {
		return err
	}
	n := node{slot: p.slotOf(path)}
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '|' {
		p.pos++
		p.space()
		if !strings.HasPrefix(p.src[p.pos:], "default") {
			return p.fail(p.pos, "unknown filter, want \"default\"")
		}
		p.pos += len("default")
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return p.fail(p.pos, "want \":\" after default")
		}
		p.pos++
		p.space()
		if p.pos >= len(p.src) || (p.src[p.pos] != '"' && p.src[p.pos] != '\'') {
			return p.fail(p.pos, "want a quoted default")
		}
		if n.def, err = p.quoted(); err != nil {
			return err
		}
		n.hasDef = true
	}
	if err := p.close(start); err != nil {
		return err
	}
	n.lit = p.takeLiteral()
	p.t.nodes = append(p.t.nodes, n)
	return nil
}

// close consumes optional white space and the closing "}}".
func (p *parser) close(start int) error {
	p.space()
	if p.pos >= len(p.src) {
		return p.fail(start, "unclosed placeholder, want \"}}\"")
	}
	if !strings.HasPrefix(p.src[p.pos:], "}}") {
		return p.fail(p.pos, "want \"}}\"")
	}
	p.pos += 2
	return nil
}

// path reads segment{"."segment}; a segment is one or more ASCII letters,
// digits or underscores.
func (p *parser) path() (string, error) {
	start := p.pos
	for {
		seg := p.pos
		for p.pos < len(p.src) && isPathByte(p.src[p.pos]) {
			p.pos++
		}
		if p.pos == seg {
			return "", p.fail(p.pos, "invalid variable path")
		}
		if p.pos < len(p.src) && p.src[p.pos] == '.' {
			p.pos++
			continue
		}
		return p.src[start:p.pos], nil
	}
}

// quoted reads a string in double or single quotes. Escapes: \\ \" \' \n
// \t; any other backslash sequence is an error so that no escape is
// guessed.
func (p *parser) quoted() (string, error) {
	start := p.pos
	q := p.src[p.pos]
	p.pos++
	var b strings.Builder
	from := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == q:
			s := p.src[from:p.pos]
			p.pos++
			if b.Len() == 0 {
				return s, nil
			}
			b.WriteString(s)
			return b.String(), nil
		case c == '\\':
			b.WriteString(p.src[from:p.pos])
			if p.pos+1 >= len(p.src) {
				return "", p.fail(start, "unterminated string")
			}
			switch p.src[p.pos+1] {
			case '\\':
				b.WriteByte('\\')
			case '"':
				b.WriteByte('"')
			case '\'':
				b.WriteByte('\'')
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				return "", p.fail(p.pos, "invalid escape, want \\\\ \\\" \\' \\n or \\t")
			}
			p.pos += 2
			from = p.pos
		default:
			p.pos++
		}
	}
	return "", p.fail(start, "unterminated string")
}

func (p *parser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) slotOf(path string) int32 {
	if p.slot == nil {
		p.slot = make(map[string]int32)
	}
	if s, ok := p.slot[path]; ok {
		return s
	}
	s := int32(len(p.t.vars))
	p.slot[path] = s
	p.t.vars = append(p.t.vars, path)
	return s
}

// fail builds a SyntaxError for byte offset at.
func (p *parser) fail(at int, reason string) error {
	line, col := 1, 1
	for _, r := range p.src[:at] {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	text := p.src[at:]
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	if utf8.RuneCountInString(text) > 40 {
		n := 0
		for i := range text {
			if n == 40 {
				text = text[:i]
				break
			}
			n++
		}
	}
	return &SyntaxError{Line: line, Column: col, Text: text, Reason: reason}
}

func isPathByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// validPath reports whether s is a variable path: segments of ASCII letters,
// digits and underscores joined by dots.
func validPath(s string) bool {
	if s == "" {
		return false
	}
	seg := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if seg == 0 {
				return false
			}
			seg = 0
		case isPathByte(c):
			seg++
		default:
			return false
		}
	}
	return seg > 0
}
