package tlsconf

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Java's \s and "." spelled out for RE2, whose \s lacks \x0B and whose "."
// only stops at \n.
const (
	javaSpace = `[ \t\n\x0B\f\r]`
	javaDot   = `[^\n\r\x{85}\x{2028}\x{2029}]`
)

// rulePattern is SslPrincipalMapper.RULE_PATTERN: DEFAULT, or
// RULE:pattern/replacement/ with an optional L or U, or nothing (an empty
// rule, ignored).
const rulePattern = `(DEFAULT)|RULE:((\\` + javaDot + `|[^\\/])*)/((\\` + javaDot + `|[^\\/])*)/([LU]?)` + javaDot + `*?|(` + javaDot + `*?)`

var (
	// ruleSplitter is SslPrincipalMapper.RULE_SPLITTER: rules are separated
	// by commas, but a comma inside a rule's pattern or replacement is part
	// of the rule.
	ruleSplitter = regexp.MustCompile(javaSpace + `*(` + rulePattern + `)` + javaSpace + `*(,` + javaSpace + `*|$)`)
	// ruleParser is RULE_PARSER anchored, as Matcher.lookingAt anchors it.
	ruleParser = regexp.MustCompile(`^(?:` + rulePattern + `)`)
	// backReference is a "$n" in a replacement (Rule.BACK_REFERENCE_PATTERN).
	backReference = regexp.MustCompile(`\$(\d+)`)
)

// mapper is ssl.principal.mapping.rules parsed as Kafka's
// SslPrincipalMapper parses them: the first rule that applies to a
// distinguished name gives the principal's name.
type mapper []rule

type rule struct {
	isDefault bool
	// pattern is the rule's regular expression, whole matches only the
	// whole name (Java's Matcher.matches), and afterRune matches at the start
	// of its input after one rune of context (see replaceAll).
	pattern, whole, afterRune *regexp.Regexp
	replacement               string
	lower, upper              bool
}

// parseRules parses the rules text (Kafka's default: "DEFAULT").
func parseRules(text string) (mapper, error) {
	var m mapper
	for _, split := range ruleSplitter.FindAllStringSubmatch(javaTrim(text), -1) {
		raw := split[1]
		at := ruleParser.FindStringSubmatchIndex(raw)
		if at == nil || at[1] != len(raw) {
			end := 0
			if at != nil {
				end = at[1]
			}
			return nil, fmt.Errorf("invalid rule %q, unmatched substring %q", raw, raw[end:])
		}
		switch {
		case at[2] >= 0:
			m = append(m, rule{isDefault: true})
		case at[4] >= 0:
			r, err := compileRule(raw[at[4]:at[5]], raw[at[8]:at[9]], raw[at[12]:at[13]])
			if err != nil {
				return nil, fmt.Errorf("rule %q: %w", raw, err)
			}
			m = append(m, r)
		}
	}
	return m, nil
}

func compileRule(pattern, replacement, flag string) (rule, error) {
	r := rule{replacement: replacement, lower: flag == "L", upper: flag == "U"}
	var err error
	if r.pattern, err = regexp.Compile(pattern); err != nil {
		return rule{}, err
	}
	if r.whole, err = regexp.Compile(`^(?:` + pattern + `)$`); err != nil {
		return rule{}, err
	}
	if r.afterRune, err = regexp.Compile(`^(?s:.)(?:` + pattern + `)`); err != nil {
		return rule{}, err
	}
	return r, nil
}

// name maps a distinguished name, or fails when no rule applies (Kafka's
// NoMatchingRule fails the authentication) or a replacement is invalid.
func (m mapper) name(dn string) (string, error) {
	for _, r := range m {
		if r.isDefault {
			return dn, nil
		}
		if !r.whole.MatchString(dn) {
			continue
		}
		name, err := r.replaceAll(dn)
		if err != nil {
			return "", err
		}
		switch {
		case r.lower:
			name = strings.ToLower(name)
		case r.upper:
			name = strings.ToUpper(name)
		}
		return name, nil
	}
	return "", fmt.Errorf("no rule applies to %q", dn)
}

// replaceAll is Java's dn.replaceAll(pattern, replacement) after Kafka's
// escapeLiteralBackReferences. Java's Matcher also finds an empty match
// right where the previous match ended (".*" replaces "abc" twice), which
// Go's regexp skips; afterRune finds it, with the rune before as context for
// \b and the like.
func (r rule) replaceAll(dn string) (string, error) {
	replacement, err := escapeLiteralBackReferences(r.replacement, r.pattern.NumSubexp())
	if err != nil {
		return "", err
	}
	var b strings.Builder
	last := 0
	for _, m := range r.pattern.FindAllStringSubmatchIndex(dn, -1) {
		b.WriteString(dn[last:m[0]])
		if err := appendReplacement(&b, replacement, dn, m, r.pattern); err != nil {
			return "", err
		}
		last = m[1]
		if m[1] == m[0] {
			continue
		}
		_, w := utf8.DecodeLastRuneInString(dn[:m[1]])
		at := r.afterRune.FindStringSubmatchIndex(dn[m[1]-w:])
		if at == nil || at[1] != w {
			continue
		}
		for i := range at {
			if at[i] >= 0 {
				at[i] += m[1] - w
			}
		}
		if err := appendReplacement(&b, replacement, dn, at, r.pattern); err != nil {
			return "", err
		}
	}
	b.WriteString(dn[last:])
	return b.String(), nil
}

// escapeLiteralBackReferences is Kafka's Rule.escapeLiteralBackReferences:
// a "$n" naming a group the pattern does not have (after dropping trailing
// digits, as Java's own parsing does) becomes a literal "$n". Like Kafka's,
// it inserts at positions of the unchanged text.
func escapeLiteralBackReferences(unescaped string, groups int) (string, error) {
	if groups == 0 {
		return unescaped, nil
	}
	value := unescaped
	for _, m := range backReference.FindAllStringSubmatchIndex(unescaped, -1) {
		digits := unescaped[m[2]:m[3]]
		if strings.HasPrefix(digits, "0") {
			continue
		}
		n, err := strconv.ParseInt(digits, 10, 32)
		if err != nil {
			return "", fmt.Errorf("group reference $%s: %w", digits, err)
		}
		for n > int64(groups) && n >= 10 {
			n /= 10
		}
		if n > int64(groups) {
			value = value[:m[2]-1] + `\` + value[m[2]-1:]
		}
	}
	return value, nil
}

// appendReplacement expands a replacement for one match as Java's
// Matcher.appendExpandedReplacement does: "\x" is x, "$n" group n with as
// many digits as make an existing group, "${name}" a named group; m is the
// match's submatch index in text.
func appendReplacement(b *strings.Builder, replacement, text string, m []int, re *regexp.Regexp) error {
	groups := re.NumSubexp()
	for i := 0; i < len(replacement); {
		switch replacement[i] {
		case '\\':
			i++
			if i == len(replacement) {
				return errors.New("replacement: character to be escaped is missing")
			}
			_, w := utf8.DecodeRuneInString(replacement[i:])
			b.WriteString(replacement[i : i+w])
			i += w
		case '$':
			i++
			ref, next, err := groupReference(replacement, i, groups, re)
			if err != nil {
				return fmt.Errorf("replacement: %w", err)
			}
			i = next
			if m[2*ref] >= 0 {
				b.WriteString(text[m[2*ref]:m[2*ref+1]])
			}
		default:
			b.WriteByte(replacement[i])
			i++
		}
	}
	return nil
}

// groupReference parses the group reference after a "$" at replacement[i:],
// returning the group's number and where the reference ends.
func groupReference(replacement string, i, groups int, re *regexp.Regexp) (ref, next int, err error) {
	if i == len(replacement) {
		return 0, 0, errors.New("illegal group reference: group index is missing")
	}
	if replacement[i] == '{' {
		j := i + 1
		for j < len(replacement) && isASCIIAlphanumeric(replacement[j]) {
			j++
		}
		name := replacement[i+1 : j]
		switch {
		case name == "":
			return 0, 0, errors.New("named capturing group has 0 length name")
		case j == len(replacement) || replacement[j] != '}':
			return 0, 0, errors.New("named capturing group is missing trailing '}'")
		case name[0] >= '0' && name[0] <= '9':
			return 0, 0, fmt.Errorf("capturing group name {%s} starts with digit character", name)
		}
		if ref = re.SubexpIndex(name); ref < 0 {
			return 0, 0, fmt.Errorf("no group with name {%s}", name)
		}
		return ref, j + 1, nil
	}
	if replacement[i] < '0' || replacement[i] > '9' {
		return 0, 0, errors.New("illegal group reference")
	}
	ref, next = int(replacement[i]-'0'), i+1
	for next < len(replacement) && replacement[next] >= '0' && replacement[next] <= '9' {
		n := ref*10 + int(replacement[next]-'0')
		if n > groups {
			break
		}
		ref, next = n, next+1
	}
	if ref > groups {
		return 0, 0, fmt.Errorf("no group %d", ref)
	}
	return ref, next, nil
}

func isASCIIAlphanumeric(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
