package protocol

// Credentials are an access token and secret key (docs/protocol.md section 2).
// Printing them with fmt shows "***": they never reach a log line by
// accident.
type Credentials struct {
	AccessToken string
	SecretKey   string
}

// String hides both values.
func (Credentials) String() string { return "{AccessToken:*** SecretKey:***}" }

// GoString hides both values from %#v.
func (c Credentials) GoString() string { return "protocol.Credentials" + c.String() }

// Redactor returns a Redactor that knows both values and the given
// further secrets.
func (c Credentials) Redactor(more ...string) *Redactor {
	return NewRedactor(append([]string{c.AccessToken, c.SecretKey}, more...)...)
}
