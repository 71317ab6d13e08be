package pattern

import "strconv"

// Error is the error returned by [Parse] for an invalid pattern. Use
// errors.As to get at the offending field:
//
//	var perr *pattern.Error
//	if errors.As(err, &perr) {
//		fmt.Println(perr.Field, perr.Reason)
//	}
type Error struct {
	// Field is the dotted path of the offending field, or "" when the
	// problem is not tied to one field (size, syntax at the top level).
	Field string
	// Reason says what is wrong, in lower case without a trailing period.
	Reason string
}

// Error implements the error interface. The text has the form
//
//	pattern: field "employee.title": unknown operator "regex"
//
// or, without a field, "pattern: <reason>".
func (e *Error) Error() string {
	if e.Field == "" {
		return "pattern: " + e.Reason
	}
	return "pattern: field " + strconv.Quote(e.Field) + ": " + e.Reason
}

// newError builds an *Error for the dotted field path.
func newError(field, reason string) *Error {
	return &Error{Field: field, Reason: reason}
}
