package mockserver

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/wstrigger/wstrigger/spec"
)

// Credential is one access token and secret key the mock accepts.
//
// In a credentials file (see LoadCredentials) it is the JSON object
//
//	{"accessToken":"...","secretKey":"...","forbidden":false,"maxSessions":0,"name":"..."}
//
// where only accessToken and secretKey are required.
type Credential struct {
	AccessToken string `json:"accessToken"`
	SecretKey   string `json:"secretKey"`
	// Forbidden marks valid credentials whose account may not use
	// websockets: joins get 403 forbidden.
	Forbidden bool `json:"forbidden,omitempty"`
	// MaxSessions overrides Options.MaxSessions for this token when > 0.
	MaxSessions int `json:"maxSessions,omitempty"`
	// Name labels the account in log lines, which never show the token.
	// Empty means "account-N", N its 1-based position in the list.
	Name string `json:"name,omitempty"`
}

// LogValue keeps the token and secret out of log lines.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", c.Name), slog.Bool("forbidden", c.Forbidden))
}

// The default credentials, used when Options.Credentials is nil.
const (
	DemoAccessToken      = "demo-access-token"
	DemoSecretKey        = "demo-secret-key"
	OtherAccessToken     = "other-access-token"
	OtherSecretKey       = "other-secret-key"
	ForbiddenAccessToken = "forbidden-access-token"
	ForbiddenSecretKey   = "forbidden-secret-key"
)

// DefaultCredentials returns the credentials a mock accepts when none are
// configured: a demo account, a second tenant ("other"), and an account
// whose credentials are valid but which may not use websockets
// ("forbidden", joins get 403).
func DefaultCredentials() []Credential {
	return []Credential{
		{AccessToken: DemoAccessToken, SecretKey: DemoSecretKey, Name: "demo"},
		{AccessToken: OtherAccessToken, SecretKey: OtherSecretKey, Name: "other"},
		{AccessToken: ForbiddenAccessToken, SecretKey: ForbiddenSecretKey, Forbidden: true, Name: "forbidden"},
	}
}

// CredentialsError says which entry of a credentials file is wrong.
type CredentialsError struct {
	Entry  int    // 1-based position in the list, 0 when not tied to one
	Line   int    // line of the file, when known
	Field  string // JSON field name, when tied to one
	Reason string
}

func (e *CredentialsError) Error() string {
	s := "mockserver: credentials"
	if e.Line > 0 {
		s += " line " + strconv.Itoa(e.Line)
	}
	if e.Entry > 0 {
		s += " entry " + strconv.Itoa(e.Entry)
	}
	if e.Field != "" {
		s += " field " + strconv.Quote(e.Field)
	}
	return s + ": " + e.Reason
}

// LoadCredentials reads a credentials file: a JSON array of Credential
// objects,
//
//	[
//	  {"accessToken": "team-a-token", "secretKey": "team-a-secret", "name": "team-a"},
//	  {"accessToken": "limited-token", "secretKey": "limited-secret", "maxSessions": 10},
//	  {"accessToken": "blocked-token", "secretKey": "blocked-secret", "forbidden": true}
//	]
//
// Unknown fields, an empty token or secret, a negative maxSessions and a
// token listed twice are errors. Errors are *CredentialsError and name the
// line, entry and field; they never contain a token or secret.
func LoadCredentials(r io.Reader) ([]Credential, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("mockserver: credentials: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, &CredentialsError{Line: 1, Reason: "not a JSON array of credential objects"}
	}
	var creds []Credential
	for dec.More() {
		start := dec.InputOffset()
		var c Credential
		if err := dec.Decode(&c); err != nil {
			return nil, decodeError(err, len(creds)+1, lineAt(data, start))
		}
		creds = append(creds, c)
	}
	if _, err := dec.Token(); err != nil {
		return nil, &CredentialsError{Line: lineAt(data, dec.InputOffset()), Reason: "the array is not closed"}
	}
	if err := checkCredentials(creds); err != nil {
		var cerr *CredentialsError
		if errors.As(err, &cerr) && cerr.Entry > 0 {
			cerr.Line = entryLine(data, cerr.Entry)
		}
		return nil, err
	}
	return creds, nil
}

// decodeError describes a failed decode without quoting the input.
func decodeError(err error, entry, line int) error {
	var (
		typeErr  *json.UnmarshalTypeError
		syntaxEr *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return &CredentialsError{Entry: entry, Line: line, Reason: "not a credential object"}
	case errors.As(err, &typeErr):
		return &CredentialsError{Entry: entry, Line: line, Field: typeErr.Field, Reason: "wrong type, want " + typeErr.Type.String()}
	case errors.As(err, &syntaxEr):
		return &CredentialsError{Entry: entry, Line: line, Reason: "not JSON"}
	}
	// DisallowUnknownFields: `json: unknown field "x"` names a field, not a value.
	return &CredentialsError{Entry: entry, Line: line, Reason: err.Error()}
}

// checkCredentials rejects what no server could use.
func checkCredentials(creds []Credential) error {
	seen := make(map[string]int, len(creds))
	for i, c := range creds {
		n := i + 1
		switch {
		case c.AccessToken == "":
			return &CredentialsError{Entry: n, Field: "accessToken", Reason: "is empty"}
		case c.SecretKey == "":
			return &CredentialsError{Entry: n, Field: "secretKey", Reason: "is empty"}
		case c.MaxSessions < 0:
			return &CredentialsError{Entry: n, Field: "maxSessions", Reason: "is negative"}
		}
		if first, dup := seen[c.AccessToken]; dup {
			return &CredentialsError{Entry: n, Field: "accessToken", Reason: fmt.Sprintf("same as entry %d", first)}
		}
		seen[c.AccessToken] = n
	}
	return nil
}

func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	// InputOffset points after the separator that ends the previous
	// value; skip to the next non-space byte.
	for offset < int64(len(data)) && bytes.IndexByte([]byte(" \t\r\n,"), data[offset]) >= 0 {
		offset++
	}
	return 1 + bytes.Count(data[:offset], []byte{'\n'})
}

// entryLine finds the line on which the n-th element of the top-level
// array starts.
func entryLine(data []byte, n int) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return 0
	}
	for i := 1; dec.More(); i++ {
		start := dec.InputOffset()
		if i == n {
			return lineAt(data, start)
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return 0
		}
	}
	return 0
}

// account is the server's view of one credential. Tokens and secrets
// are kept as SHA-256 digests, compared in constant time.
type account struct {
	name        string
	secret      [sha256.Size]byte
	forbidden   bool
	maxSessions int
	open        atomic.Int64 // open sessions
}

// accounts maps token digests to accounts.
type accounts map[[sha256.Size]byte]*account

// dummySecret is compared against when the token is unknown, so that
// an unknown token costs the same as a wrong secret.
var dummySecret = sha256.Sum256([]byte("mockserver: no such token"))

func newAccounts(creds []Credential, maxSessions int) accounts {
	m := make(accounts, len(creds))
	for i, c := range creds {
		name := c.Name
		if name == "" {
			name = "account-" + strconv.Itoa(i+1)
		}
		limit := maxSessions
		if c.MaxSessions > 0 {
			limit = c.MaxSessions
		}
		m[sha256.Sum256([]byte(c.AccessToken))] = &account{
			name: name, secret: sha256.Sum256([]byte(c.SecretKey)),
			forbidden: c.Forbidden, maxSessions: limit,
		}
	}
	return m
}

// check returns the account of token and secret, or nil when either is
// wrong. The secret is compared in constant time.
func (as accounts) check(token, secret string) *account {
	acct := as[sha256.Sum256([]byte(token))]
	want := dummySecret
	if acct != nil {
		want = acct.secret
	}
	got := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 || acct == nil {
		return nil
	}
	return acct
}

// credentials are the token and secret of a request.
type credentials struct{ token, secret string }

// errConflict and errMissing are the reasons a request carries no
// usable credentials; their text goes into 401 bodies.
var (
	errConflict = errors.New("credentials given as headers and as query parameters differ")
	errMissing  = errors.New("access token and secret key are required (X-API-AccessToken and X-API-SecretKey headers)")
)

// joinCredentials takes the credentials of a join from the headers or the
// query; both present and different is errConflict.
func joinCredentials(r *http.Request) (credentials, error) {
	q := r.URL.Query()
	token, err := onePart(r.Header.Get(spec.HeaderAccessToken), q.Get(spec.QueryAccessToken))
	if err != nil {
		return credentials{}, err
	}
	secret, err := onePart(r.Header.Get(spec.HeaderSecretKey), q.Get(spec.QuerySecretKey))
	if err != nil {
		return credentials{}, err
	}
	if token == "" || secret == "" {
		return credentials{}, errMissing
	}
	return credentials{token, secret}, nil
}

func onePart(header, query string) (string, error) {
	switch {
	case header == "":
		return query, nil
	case query == "":
		return header, nil
	}
	h, q := sha256.Sum256([]byte(header)), sha256.Sum256([]byte(query))
	if subtle.ConstantTimeCompare(h[:], q[:]) != 1 {
		return "", errConflict
	}
	return header, nil
}

// pushCredentials takes the credentials of a push, from headers only.
func pushCredentials(r *http.Request) (credentials, error) {
	c := credentials{r.Header.Get(spec.HeaderAccessToken), r.Header.Get(spec.HeaderSecretKey)}
	if c.token == "" || c.secret == "" {
		return credentials{}, errMissing
	}
	return c, nil
}
