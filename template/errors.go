package template

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of the package. Check them with errors.Is; the typed errors
// below carry the facts and match them.
var (
	// ErrMissingVariable is returned by the Render methods when a variable
	// without a default has no value or an empty one: nothing is sent
	// half-filled. The error is a *MissingVariableError.
	ErrMissingVariable = errors.New("template: missing variable")

	// ErrSyntax is returned by Parse for a malformed placeholder. The error is
	// a *SyntaxError.
	ErrSyntax = errors.New("template: syntax error")

	// ErrUnknownVariable is returned by ParseWith when a placeholder names a
	// variable outside the schema. The error is an *UnknownVariableError.
	ErrUnknownVariable = errors.New("template: unknown variable")
)

// MissingVariableError lists every variable that had no value and no
// default, so an agent can fill them all at once.
type MissingVariableError struct {
	// Paths are the missing variables in order of first appearance.
	Paths []string
}

// Error reports the missing paths.
func (e *MissingVariableError) Error() string {
	return "template: missing variables " + strings.Join(e.Paths, ", ")
}

// Is reports whether target is ErrMissingVariable.
func (e *MissingVariableError) Is(target error) bool { return target == ErrMissingVariable }

// SyntaxError locates a malformed placeholder in a template body.
type SyntaxError struct {
	// Line and Column are 1-based; Column counts characters (code points).
	Line, Column int
	// Text is the offending text, starting at the position, at most a line
	// and 40 characters long.
	Text string
	// Reason says what was expected.
	Reason string
}

// Error reports the position, the reason and the offending text.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("template: syntax error at line %d, column %d: %s: %q", e.Line, e.Column, e.Reason, e.Text)
}

// Is reports whether target is ErrSyntax.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

// UnknownVariableError lists the placeholders whose paths the schema given
// to ParseWith does not allow.
type UnknownVariableError struct {
	// Paths are the unknown variables in order of first appearance.
	Paths []string
}

// Error reports the unknown paths.
func (e *UnknownVariableError) Error() string {
	return "template: unknown variables " + strings.Join(e.Paths, ", ")
}

// Is reports whether target is ErrUnknownVariable.
func (e *UnknownVariableError) Is(target error) bool { return target == ErrUnknownVariable }
