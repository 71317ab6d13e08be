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
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/wstrigger/wstrigger/protocol"
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

// CredentialsError says what is wrong with a credentials file or list,
// and where. Its text reads
//
//	FILE:LINE:COLUMN: entry N: field "x": what is wrong
//
// with the parts that are unknown left out; without a file name the
// position reads "line LINE:COLUMN". It never contains a token or secret.
type CredentialsError struct {
	File   string // name of the file, when known (see LoadCredentialsFile)
	Line   int    // 1-based line of the file, when known
	Column int    // 1-based column (in characters) on Line, when known
	Entry  int    // 1-based position in the list, 0 when not tied to one
	Field  string // JSON field name, when tied to one
	Reason string
}

func (e *CredentialsError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if e.File == "" {
			b.WriteString("line ")
		} else {
			b.WriteString(":")
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
	}
	if e.Entry > 0 {
		sep()
		b.WriteString("entry " + strconv.Itoa(e.Entry))
	}
	if e.Field != "" {
		sep()
		b.WriteString("field " + strconv.Quote(e.Field))
	}
	sep()
	b.WriteString(e.Reason)
	return b.String()
}

// errEmptyList is the reason of a credentials file holding no account.
const errEmptyList = "no accounts: the list is empty"

// LoadCredentialsFile reads the credentials file name (see
// LoadCredentials); its errors name the file.
func LoadCredentialsFile(name string) ([]Credential, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("mockserver: credentials: %w", err)
	}
	defer f.Close()
	creds, err := LoadCredentials(f)
	if cerr, ok := errors.AsType[*CredentialsError](err); ok {
		cerr.File = name
	} else if err != nil {
		err = fmt.Errorf("%s: %w", name, err)
	}
	return creds, err
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
// An empty list, unknown fields, an empty token or secret, a negative
// maxSessions and a token listed twice are errors: an empty list is not
// "no credentials given", so a server is never left with the demo
// accounts by mistake. Errors are *CredentialsError and name the line
// and column where the offending entry or field starts, the entry and
// the field, but not the file, which the caller knows (or see
// LoadCredentialsFile); they never contain a token or secret.
func LoadCredentials(r io.Reader) ([]Credential, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("mockserver: credentials: %w", err)
	}
	at := func(e *CredentialsError, offset int64) *CredentialsError {
		e.Line, e.Column = protocol.Position(data, offset)
		return e
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, at(&CredentialsError{Reason: "not a JSON array of credential objects"}, skipSpace(data, 0))
	}
	var (
		creds  []Credential
		starts []int64  // offset of each entry
		raws   [][]byte // text of each entry
	)
	for dec.More() {
		start := nextValue(data, dec.InputOffset())
		n := len(creds) + 1
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			e := &CredentialsError{Entry: n, Reason: "not JSON"}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				e.Reason = "not JSON: unexpected end of file"
				return nil, at(e, start)
			}
			// The offsets of a Decoder's syntax errors are not from the
			// start of the input; those of a whole-input scan are, just
			// past the offending byte.
			if serr, ok := errors.AsType[*json.SyntaxError](json.Unmarshal(data, new(any))); ok && serr.Offset > start {
				return nil, at(e, serr.Offset-1)
			}
			return nil, at(e, start)
		}
		var c Credential
		vdec := json.NewDecoder(bytes.NewReader(raw))
		vdec.DisallowUnknownFields()
		if err := vdec.Decode(&c); err != nil {
			e := decodeError(err, n)
			return nil, at(e, start+fieldOffset(raw, e.Field))
		}
		creds = append(creds, c)
		starts = append(starts, start)
		raws = append(raws, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, at(&CredentialsError{Reason: "the array is not closed"}, dec.InputOffset())
	}
	if end := skipSpace(data, dec.InputOffset()); end < int64(len(data)) {
		return nil, at(&CredentialsError{Reason: "data after the array"}, end)
	}
	if len(creds) == 0 {
		return nil, &CredentialsError{Reason: errEmptyList}
	}
	if err := checkCredentials(creds); err != nil {
		if e, ok := errors.AsType[*CredentialsError](err); ok && e.Entry > 0 && e.Entry <= len(creds) {
			at(e, starts[e.Entry-1]+fieldOffset(raws[e.Entry-1], e.Field))
		}
		return nil, err
	}
	return creds, nil
}

// decodeError describes a failed decode of entry n without quoting the
// input.
func decodeError(err error, n int) *CredentialsError {
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if typeErr.Field == "" {
			return &CredentialsError{Entry: n, Reason: "not a credential object"}
		}
		return &CredentialsError{Entry: n, Field: typeErr.Field, Reason: "wrong type, want " + typeErr.Type.String()}
	}
	if _, ok := errors.AsType[*json.SyntaxError](err); ok {
		return &CredentialsError{Entry: n, Reason: "not JSON"}
	}
	// DisallowUnknownFields: `json: unknown field "x"` names a field, not a value.
	if _, rest, ok := strings.Cut(err.Error(), "unknown field "); ok {
		if name, err := strconv.Unquote(rest); err == nil {
			return &CredentialsError{Entry: n, Field: name, Reason: "is unknown"}
		}
	}
	return &CredentialsError{Entry: n, Reason: strings.TrimPrefix(err.Error(), "json: ")}
}

// checkCredentials rejects what no server could use.
func checkCredentials(creds []Credential) error {
	if len(creds) == 0 {
		return &CredentialsError{Reason: errEmptyList}
	}
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

// skipSpace returns the offset of the first byte at or after offset that
// is not white space.
func skipSpace(data []byte, offset int64) int64 {
	offset = min(max(offset, 0), int64(len(data)))
	for offset < int64(len(data)) && bytes.IndexByte([]byte(" \t\r\n"), data[offset]) >= 0 {
		offset++
	}
	return offset
}

// nextValue returns the offset of the value or key json.Decoder reads
// next, when InputOffset is offset: InputOffset points after the previous
// value, before the comma that separates them.
func nextValue(data []byte, offset int64) int64 {
	offset = skipSpace(data, offset)
	if offset < int64(len(data)) && data[offset] == ',' {
		offset = skipSpace(data, offset+1)
	}
	return offset
}

// fieldOffset returns the offset, in the JSON object raw, of the key that
// encoding/json decodes into field: the last key equal to field, or else
// the last one equal under case folding. It returns 0 (the start of the
// object) when field is empty or not found.
func fieldOffset(raw []byte, field string) int64 {
	if field == "" {
		return 0
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0
	}
	var exact, folded int64 = -1, -1
	for dec.More() {
		start := nextValue(raw, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		switch {
		case key == field:
			exact = start
		case strings.EqualFold(key, field):
			folded = start
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			break
		}
	}
	switch {
	case exact >= 0:
		return exact
	case folded >= 0:
		return folded
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
	errConflict = errors.New("a credential is given more than once (as a header and a query parameter, or repeated) with different values")
	errMissing  = errors.New("access token and secret key are required (X-API-AccessToken and X-API-SecretKey headers)")
)

// joinCredentials takes the credentials of a join from the headers or the
// query (PROTOCOL.md section 2): every value given for one credential,
// as a header or a query parameter, repeated or not, must be the same,
// or the request is errConflict.
func joinCredentials(r *http.Request) (credentials, error) {
	q := r.URL.Query()
	return requestCredentials(r.Header, q[protocol.QueryAccessToken], q[protocol.QuerySecretKey])
}

// pushCredentials takes the credentials of a push, from headers only.
// A header repeated with different values is errConflict, as on a join.
func pushCredentials(r *http.Request) (credentials, error) {
	return requestCredentials(r.Header, nil, nil)
}

// requestCredentials takes the credentials from the headers h and the
// query values given for each.
func requestCredentials(h http.Header, queryToken, querySecret []string) (credentials, error) {
	token, err := onePart(h.Values(protocol.HeaderAccessToken), queryToken)
	if err != nil {
		return credentials{}, err
	}
	secret, err := onePart(h.Values(protocol.HeaderSecretKey), querySecret)
	if err != nil {
		return credentials{}, err
	}
	if token == "" || secret == "" {
		return credentials{}, errMissing
	}
	return credentials{token, secret}, nil
}

// onePart returns the one non-empty value of a credential among all the
// values given for it, "" when there is none, and errConflict when two
// differ. Values are compared in constant time.
func onePart(lists ...[]string) (string, error) {
	var (
		value string
		first [sha256.Size]byte
		found bool
	)
	for _, list := range lists {
		for _, v := range list {
			if v == "" {
				continue
			}
			d := sha256.Sum256([]byte(v))
			if !found {
				value, first, found = v, d, true
				continue
			}
			if subtle.ConstantTimeCompare(d[:], first[:]) != 1 {
				return "", errConflict
			}
		}
	}
	return value, nil
}
