package template

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// WhatsApp template limits, from Meta's template guidelines.
const (
	// MaxWhatsAppBody is the longest template body, in characters (code
	// points).
	MaxWhatsAppBody = 1024
	// maxParamSpaces is the longest run of spaces Meta accepts in a
	// parameter value; tabs and new lines are refused outright.
	maxParamSpaces = 4
)

// whatsAppName is Meta's rule for template names, and for named parameters.
var whatsAppName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// WhatsApp errors. Check them with errors.Is.
var (
	// ErrTemplateNotApproved is returned when a template that is not
	// Approved would be sent: only an approved template may be. The error
	// is a *NotApprovedError.
	ErrTemplateNotApproved = errors.New("template: whatsapp template not approved")
	// ErrInvalidTemplate is returned by Validate for a template breaking
	// Meta's rules. The error is a *ValidationError.
	ErrInvalidTemplate = errors.New("template: invalid whatsapp template")
	// ErrInvalidParameter is returned when the parameters given to a
	// render do not fit the template. The error is a *ParameterError.
	ErrInvalidParameter = errors.New("template: invalid whatsapp parameter")
)

// WhatsApp is a WhatsApp business template: the only message a business
// may send outside the 24-hour customer-service window. It is a plain value; every method checks it afresh.
type WhatsApp struct {
	// Name matches ^[a-z][a-z0-9_]*$.
	Name string
	// Language is the template's language; it must be expressible as a
	// Meta code ([LanguageCode]).
	Language language.Tag
	// Category is marketing, utility or authentication.
	Category Category
	// Status is Meta's review status; only Approved may be sent.
	Status Status
	// Body is the text with {{1}}…{{n}} or {{name}} parameters.
	Body string
}

// Rule names one of Meta's template rules, as broken in a Violation.
type Rule string

// The rules Validate checks.
const (
	RuleName               Rule = "name"                // ^[a-z][a-z0-9_]*$
	RuleLanguage           Rule = "language"            // a Meta language code
	RuleCategory           Rule = "category"            // marketing, utility or authentication
	RuleStatus             Rule = "status"              // one of Meta's statuses
	RuleBody               Rule = "body"                // 1 to 1 024 characters
	RuleParameterSyntax    Rule = "parameter syntax"    // {{1}} or {{lower_snake}}, closed
	RuleParameterStyle     Rule = "parameter style"     // positional or named, not both
	RuleParameterSequence  Rule = "parameter sequence"  // positional numbers 1..n without gaps
	RuleParameterAtEdge    Rule = "parameter at edge"   // not first or last in the body
	RuleAdjacentParameters Rule = "adjacent parameters" // some text between two parameters
)

// rules lists every Rule, in the order Validate checks them.
var rules = [...]Rule{
	RuleName, RuleLanguage, RuleCategory, RuleStatus, RuleBody, RuleParameterSyntax,
	RuleParameterStyle, RuleParameterSequence, RuleParameterAtEdge, RuleAdjacentParameters,
}

// ErrUnknownRule is returned for text that names none of the Rule
// constants. Check it with errors.Is.
var ErrUnknownRule = errors.New("template: unknown whatsapp template rule")

// String returns the rule's name, such as "parameter style".
func (r Rule) String() string { return string(r) }

// ParseRule returns the rule named s ("name", "parameter style", …),
// ignoring ASCII case. Other text fails with an error matching
// [ErrUnknownRule].
func ParseRule(s string) (Rule, error) {
	for _, r := range rules {
		if sameASCIIFold(string(r), s) {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownRule, s)
}

// MarshalText encodes the rule as its name; text that is not one of the
// constants is an error matching [ErrUnknownRule].
func (r Rule) MarshalText() ([]byte, error) {
	if !slices.Contains(rules[:], r) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownRule, string(r))
	}
	return []byte(r), nil
}

// UnmarshalText decodes a rule as [ParseRule] reads it. On error r is
// unchanged.
func (r *Rule) UnmarshalText(b []byte) error {
	v, err := ParseRule(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Violation is one broken rule.
type Violation struct {
	// Rule is the rule broken, one of the Rule constants.
	Rule Rule
	// Detail says where and how, in words.
	Detail string
}

// ValidationError lists every rule a template breaks, so its author can fix
// them in one go.
type ValidationError struct {
	// Name is the template's name as given.
	Name string
	// Violations are the broken rules, in the order Validate checks them;
	// never empty.
	Violations []Violation
}

// Error lists the violations.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "template: invalid whatsapp template %q:", e.Name)
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %s: %s", v.Rule, v.Detail)
	}
	return b.String()
}

// Is reports whether target is ErrInvalidTemplate.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidTemplate }

// Broke reports whether the error includes a violation of rule r.
func (e *ValidationError) Broke(r Rule) bool {
	for _, v := range e.Violations {
		if v.Rule == r {
			return true
		}
	}
	return false
}

// NotApprovedError reports a send of a template Meta has not approved.
type NotApprovedError struct {
	// Name is the template's name.
	Name string
	// Status is its status at the send: anything but approved.
	Status Status
}

// Error names the template and its status.
func (e *NotApprovedError) Error() string {
	return fmt.Sprintf("template: whatsapp template %q is %s, not approved", e.Name, e.Status)
}

// Is reports whether target is ErrTemplateNotApproved.
func (e *NotApprovedError) Is(target error) bool { return target == ErrTemplateNotApproved }

// ParameterError reports a parameter a render cannot use: one the template
// does not have, the wrong number of positional values, or a value Meta
// refuses (new lines, tabs, more than four spaces in a row).
type ParameterError struct {
	// Template is the template's name.
	Template string
	// Parameter is the offending parameter's name or number; empty for a
	// count mismatch.
	Parameter string
	// Reason says what is wrong, in words.
	Reason string
}

// Error describes the parameter and what is wrong.
func (e *ParameterError) Error() string {
	if e.Parameter == "" {
		return fmt.Sprintf("template: whatsapp template %q: %s", e.Template, e.Reason)
	}
	return fmt.Sprintf("template: whatsapp template %q parameter %q: %s", e.Template, e.Parameter, e.Reason)
}

// Is reports whether target is ErrInvalidParameter.
func (e *ParameterError) Is(target error) bool { return target == ErrInvalidParameter }

// Positional reports whether the body uses {{1}}…{{n}} parameters; false
// for named ones or none. It assumes a valid body.
func (w WhatsApp) Positional() bool {
	body, _ := compileWhatsApp(w.Body)
	return body.positional
}

// Parameters returns the body's parameters in order of first appearance:
// "1", "2"… or names. It fails like Validate on an invalid template.
func (w WhatsApp) Parameters() ([]string, error) {
	body, err := w.check()
	if err != nil {
		return nil, err
	}
	return body.t.Variables(), nil
}

// Validate checks Meta's template rules (one [Rule] each; see the package
// documentation) and returns a *ValidationError (ErrInvalidTemplate)
// listing each one broken, or nil.
func (w WhatsApp) Validate() error {
	_, err := w.check()
	return err
}

func (w WhatsApp) check() (waBody, error) {
	var vs []Violation
	add := func(r Rule, format string, args ...any) {
		vs = append(vs, Violation{Rule: r, Detail: fmt.Sprintf(format, args...)})
	}
	if !whatsAppName.MatchString(w.Name) {
		add(RuleName, "%q does not match ^[a-z][a-z0-9_]*$", w.Name)
	}
	if code, err := LanguageCode(w.Language); err != nil {
		add(RuleLanguage, "%s has no Meta language code", w.Language)
	} else if _, err := ParseLanguageCode(code); err != nil {
		add(RuleLanguage, "%s has no Meta language code", w.Language)
	}
	if w.Category < Marketing || w.Category > Authentication {
		add(RuleCategory, "%s is not marketing, utility or authentication", w.Category)
	}
	if w.Status < Approved || w.Status > LimitExceeded {
		add(RuleStatus, "%s is not a Meta template status", w.Status)
	}
	switch n := utf8.RuneCountInString(w.Body); {
	case strings.TrimSpace(w.Body) == "":
		add(RuleBody, "empty")
	case n > MaxWhatsAppBody:
		add(RuleBody, "%d characters, at most %d", n, MaxWhatsAppBody)
	}
	body, bvs := compileWhatsApp(w.Body)
	vs = append(vs, bvs...)
	if vs != nil {
		return waBody{}, &ValidationError{Name: w.Name, Violations: vs}
	}
	return body, nil
}

// Render fills an approved template's parameters by name ("1", "2" for a
// positional template; "order_id" for a named one), for the text a host
// shows and stores. It fails with ErrTemplateNotApproved unless Status is
// Approved, with ErrInvalidTemplate for an invalid template, with
// ErrMissingVariable when a parameter has no value, and with
// ErrInvalidParameter for a name the template lacks or a value Meta
// refuses.
func (w WhatsApp) Render(params map[string]string) (string, error) {
	if w.Status != Approved {
		return "", &NotApprovedError{Name: w.Name, Status: w.Status}
	}
	return w.Preview(params)
}

// RenderPositional is Render for a positional template with the values in
// order: values[0] fills {{1}}. The count must equal the template's.
func (w WhatsApp) RenderPositional(values ...string) (string, error) {
	if w.Status != Approved {
		return "", &NotApprovedError{Name: w.Name, Status: w.Status}
	}
	body, err := w.check()
	if err != nil {
		return "", err
	}
	if n := len(body.t.vars); !body.positional && n > 0 {
		return "", &ParameterError{Template: w.Name, Reason: "named parameters need Render with names"}
	} else if len(values) != n {
		return "", &ParameterError{Template: w.Name, Reason: fmt.Sprintf("want %d parameters, got %d", n, len(values))}
	}
	params := make(map[string]string, len(values))
	for i, v := range values {
		params[strconv.Itoa(i+1)] = v
	}
	return w.fill(body, params)
}

// Preview is Render without the approval check, for showing a pending
// template to its author.
func (w WhatsApp) Preview(params map[string]string) (string, error) {
	body, err := w.check()
	if err != nil {
		return "", err
	}
	return w.fill(body, params)
}

func (w WhatsApp) fill(body waBody, params map[string]string) (string, error) {
	for _, name := range sortedKeys(params) {
		if !body.has(name) {
			return "", &ParameterError{Template: w.Name, Parameter: name, Reason: "not in the template"}
		}
		if reason := badValue(params[name]); reason != "" {
			return "", &ParameterError{Template: w.Name, Parameter: name, Reason: reason}
		}
	}
	return body.t.Render(params)
}

// badValue applies Meta's rule for parameter text: no new lines, no tabs,
// no more than four consecutive spaces.
func badValue(v string) string {
	if strings.ContainsAny(v, "\n\r") {
		return "contains a new line"
	}
	if strings.ContainsRune(v, '\t') {
		return "contains a tab"
	}
	if strings.Contains(v, strings.Repeat(" ", maxParamSpaces+1)) {
		return "has more than four spaces in a row"
	}
	return ""
}
