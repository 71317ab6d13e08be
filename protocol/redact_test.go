package protocol

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var redactSecrets = []string{testToken, testSecret, testSession, "hunter2"}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range redactSecrets {
		assert.NotContains(t, s, secret)
	}
}

func TestRedactURLString(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"join with query credentials",
			"ws://127.0.0.1:8080/api/v1/websocket?pattern=%7B%7D&accessToken=" + testToken + "&secretKey=" + testSecret,
			"ws://127.0.0.1:8080/api/v1/websocket?pattern=%7B%7D&accessToken=***&secretKey=***"},
		{"push", "http://localhost:8080/api/v1/websocket/session?session=" + testSession,
			"http://localhost:8080/api/v1/websocket/session?session=***"},
		{"parameter twice", "http://h/p?session=" + testSession + "&session=" + testToken, "http://h/p?session=***&session=***"},
		{"name in another case", "http://h/p?ACCESSTOKEN=" + testToken, "http://h/p?ACCESSTOKEN=***"},
		{"escaped name", "http://h/p?access%54oken=" + testToken, "http://h/p?access%54oken=***"},
		{"user password", "http://svc:hunter2@h/p", "http://***@h/p"},
		{"nothing to redact", "http://h/p?pattern=type%3Djob-join", "http://h/p?pattern=type%3Djob-join"},
		{"parameter without value", "http://h/p?session", "http://h/p?session"},
		{"not a URL", "http://h/p?session=" + testSession + "%zz\x7f", "http://h/p?***"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := RedactURLString(c.in)
			assert.Equal(t, c.want, got)
			assertNoSecret(t, got)
		})
	}
}

// TestRedactURLStringHardening covers the leaks of the redaction audit:
// user information in text that does not parse, a user name without a
// password, credential parameters other than the protocol's, and tokens in
// the fragment. Each case names the secret that must not appear and the
// host that must.
// noSecret is a secret no case holds, for the cases with nothing to hide.
const noSecret = "\x00"

func TestRedactURLStringHardening(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		want   string
		secret string
		host   string
	}{
		// Text that does not parse, or parses only as an opaque URL or a path.
		{"bad escape in password", "http://user:pw123%zz@127.0.0.1:1/", "http://***@127.0.0.1:1/", "pw123", "127.0.0.1:1"},
		{"no scheme", "user:pw123@127.0.0.1:1", "***@127.0.0.1:1", "pw123", "127.0.0.1:1"},
		{"no scheme user only", "SECRETTOKEN123@127.0.0.1:1", "***@127.0.0.1:1", "SECRETTOKEN123", "127.0.0.1:1"},
		{"no scheme no port", "SECRETTOKEN123@example.com/p", "***@example.com/p", "SECRETTOKEN123", "example.com"},
		{"unclosed IPv6 host", "http://user:pw123@[::1", "http://***@[::1", "pw123", "[::1"},
		{"bad text with query", "http://user:pw123@[::1/p?token=" + testToken, "http://***@[::1/p?***", "pw123", "[::1"},
		{"bad text with fragment token", "http://user:pw123@[::1/p#access_token=" + testToken, "http://***@[::1/p#***", testToken, "[::1"},
		{"bad text with plain fragment", "http://[::1/p#top", "http://[::1/p#***", noSecret, "[::1"},
		{"bare token as fragment", "http://h/p#SECRETTOKEN123", "http://h/p#***", "SECRETTOKEN123", "h/p"},
		{"@ in bad password", "http://user:pw@123%zz@127.0.0.1:1/", "http://***@127.0.0.1:1/", "pw@123", "127.0.0.1:1"},
		// Text that does not parse: an '@' after a '/' may end a password
		// holding a '/', so it is redacted up to there (the host too).
		{"@ in the path of bad text", "http://127.0.0.1:1/%zz@x", "http://***@x", "127.0.0.1:1/%zz", "x"},
		{"password with a slash in bad text", "http://u:p/w%zz@h/x", "http://***@h/x", "p/w", "h/x"},
		// User information without a password.
		{"user only", "http://SECRETTOKEN123@host/", "http://***@host/", "SECRETTOKEN123", "host"},
		{"user and empty password", "http://SECRETTOKEN123:@host/", "http://***@host/", "SECRETTOKEN123", "host"},
		{"user without host", "http://SECRETTOKEN123@", "http://***@", "SECRETTOKEN123", "http://"},
		{"escaped user", "wss://SECRET%40TOKEN123:pw%2F123@host:443/p", "wss://***@host:443/p", "TOKEN123", "host:443"},
		// Credential parameters in any case.
		{"access_token", "http://host/p?access_token=" + testToken, "http://host/p?access_token=***", testToken, "host"},
		{"token", "http://host/p?Token=" + testToken, "http://host/p?Token=***", testToken, "host"},
		{"api_key", "http://host/p?api_key=" + testToken, "http://host/p?api_key=***", testToken, "host"},
		{"apikey", "http://host/p?APIKEY=" + testToken, "http://host/p?APIKEY=***", testToken, "host"},
		{"key", "http://host/p?key=" + testToken, "http://host/p?key=***", testToken, "host"},
		{"secret", "http://host/p?secret=" + testSecret, "http://host/p?secret=***", testSecret, "host"},
		{"secret_key", "http://host/p?Secret_Key=" + testSecret, "http://host/p?Secret_Key=***", testSecret, "host"},
		{"password", "http://host/p?password=hunter2", "http://host/p?password=***", "hunter2", "host"},
		{"passwd", "http://host/p?passwd=hunter2", "http://host/p?passwd=***", "hunter2", "host"},
		{"pwd", "http://host/p?PWD=hunter2", "http://host/p?PWD=***", "hunter2", "host"},
		{"auth", "http://host/p?auth=" + testToken, "http://host/p?auth=***", testToken, "host"},
		{"authorization", "http://host/p?Authorization=Bearer%20" + testToken, "http://host/p?Authorization=***", testToken, "host"},
		{"signature", "http://host/p?X=1&signature=" + testSecret, "http://host/p?X=1&signature=***", testSecret, "host"},
		{"sig", "http://host/p?sig=" + testSecret + "&sig=" + testToken, "http://host/p?sig=***&sig=***", testSecret, "host"},
		{"escaped name", "http://host/p?api%5Fkey=" + testToken, "http://host/p?api%5Fkey=***", testToken, "host"},
		{"semicolon separator", "http://host/p?a=1;token=" + testToken, "http://host/p?a=1;token=***", testToken, "host"},
		{"others kept in order", "http://host/p?b=2&token=" + testToken + "&a=%31&pattern=x", "http://host/p?b=2&token=***&a=%31&pattern=x", testToken, "host"},
		// Fragments.
		{"fragment token", "https://host/cb#access_token=" + testToken + "&token_type=bearer", "https://host/cb#***", testToken, "host"},
		{"escaped fragment token", "https://host/cb#access_token%3D" + testToken, "https://host/cb#***", testToken, "host"},
		{"any fragment redacted", "https://host/doc#section-2", "https://host/doc#***", "section-2", "host"},
		{"everything", "ws://u:hunter2@host:8080/p?session=" + testSession + "#sig=" + testSecret, "ws://***@host:8080/p?session=***#***", "hunter2", "host:8080"},
		// Opaque URLs.
		{"opaque with query", "user:pw123@host?token=" + testToken, "***@host?token=***", "pw123", "host"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := RedactURLString(c.in)
			assert.Equal(t, c.want, got)
			assert.NotContains(t, got, c.secret)
			assert.Contains(t, got, c.host)
			assertNoSecret(t, got)
			assert.Equal(t, got, RedactURLString(got), "redacting again changes nothing")
		})
	}
}

func TestRedactURLUserinfo(t *testing.T) {
	u := &url.URL{Scheme: "http", User: url.User("SECRETTOKEN123"), Host: "host", Path: "/p"}
	assert.Equal(t, "http://***@host/p", RedactURL(u))
	u.User = url.UserPassword("svc", "hunter2")
	assert.Equal(t, "http://***@host/p", RedactURL(u))
	u.User = url.UserPassword("", "")
	assert.Equal(t, "http://***@host/p", RedactURL(u))
	assert.Equal(t, "http://host/p#***", RedactURL(&url.URL{Scheme: "http", Host: "host", Path: "/p", Fragment: "token=" + testToken}))
}

func TestRedactURLLeavesTheOriginal(t *testing.T) {
	raw := "http://svc:hunter2@h/p?accessToken=" + testToken
	u, err := url.Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, "http://***@h/p?accessToken=***", RedactURL(u))
	assert.Equal(t, raw, u.String())
	assert.Equal(t, "", RedactURL(nil))
}

func TestRedactHeader(t *testing.T) {
	h := http.Header{}
	h.Set(HeaderAccessToken, testToken)
	h.Add(HeaderSecretKey, testSecret)
	h.Add(HeaderSecretKey, testSecret+"2")
	h.Set("Authorization", "Bearer "+testToken)
	h.Set("Cookie", "sid="+testSession)
	h.Set("Content-Type", "application/json")

	got := RedactHeader(h)
	assert.Equal(t, []string{Redacted}, got.Values(HeaderAccessToken))
	assert.Equal(t, []string{Redacted, Redacted}, got.Values(HeaderSecretKey))
	assert.Equal(t, Redacted, got.Get("Authorization"))
	assert.Equal(t, Redacted, got.Get("Cookie"))
	assert.Equal(t, "application/json", got.Get("Content-Type"))
	assertNoSecret(t, fmt.Sprint(got))
	assert.Equal(t, testToken, h.Get(HeaderAccessToken), "the original is kept")

	literal := http.Header{HeaderAccessToken: {testToken}, "x-api-secretkey": {testSecret}}
	got = RedactHeader(literal)
	assert.Equal(t, []string{Redacted}, got[HeaderAccessToken])
	assert.Equal(t, []string{Redacted}, got["x-api-secretkey"])
	assertNoSecret(t, fmt.Sprint(got))
}

func TestSensitiveHeader(t *testing.T) {
	cases := []struct {
		name string
		want bool
	}{
		{HeaderAccessToken, true}, {HeaderSecretKey, true}, {"authorization", true}, {"Proxy-Authorization", true},
		{"Cookie", true}, {"Set-Cookie", true}, {"X-Api-Version", true}, {"X-Gateway-Key", true},
		{"X-Auth-Request", true}, {"x-session-token", true}, {"X-Client-Secret", true}, {"X-Signature", true},
		{"Sec-WebSocket-Key", false}, {"Content-Type", false}, {"X-Env", false}, {"Origin", false}, {"User-Agent", false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, SensitiveHeader(tc.name), tc.name)
	}
	h := http.Header{"X-Gateway-Key": {"gw-" + testSecret}, "X-Env": {"staging"}, "Authorization": {"Bearer " + testToken}}
	assert.ElementsMatch(t, []string{"gw-" + testSecret, "Bearer " + testToken, testToken}, HeaderSecrets(h))
	got := RedactHeader(h)
	assert.Equal(t, Redacted, got.Get("X-Gateway-Key"))
	assert.Equal(t, "staging", got.Get("X-Env"))
}

func TestRedactError(t *testing.T) {
	target := "http://127.0.0.1:8080/api/v1/websocket/session?session=" + testSession
	top := &url.Error{Op: "Post", URL: target, Err: io.ErrUnexpectedEOF}
	cases := []struct {
		name string
		err  error
	}{
		{"url.Error at the top", top},
		{"wrapped url.Error", fmt.Errorf("push to %s: %w", "session", top)},
		{"url.Error inside url.Error", &url.Error{Op: "Get", URL: target, Err: &url.Error{Op: "Get", URL: target, Err: io.EOF}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := RedactError(c.err)
			assertNoSecret(t, got.Error())
			assert.Contains(t, got.Error(), "session=***")
			var ue *url.Error
			assert.True(t, errors.As(got, &ue), "errors.As still finds the *url.Error")
		})
	}
	t.Run("other errors unchanged", func(t *testing.T) {
		err := errors.New("dial tcp 127.0.0.1:8080: connection refused")
		assert.Same(t, err, RedactError(err))
		assert.Nil(t, RedactError(nil))
	})
	t.Run("errors.Is reaches the cause", func(t *testing.T) {
		assert.ErrorIs(t, RedactError(fmt.Errorf("push: %w", top)), io.ErrUnexpectedEOF)
		assert.ErrorIs(t, RedactError(top), io.ErrUnexpectedEOF)
	})
}

// FuzzRedactURLString checks that, for any user name, password, query
// value and fragment, the redacted text never holds the password, the user
// name, or the value of a credential parameter, always holds the host, and
// is stable.
func FuzzRedactURLString(f *testing.F) {
	f.Add("user", "pw123", uint8(0), testToken, false)
	f.Add("SECRETTOKEN123", "", uint8(3), "v", true)
	f.Add("user", "pw123%zz", uint8(5), "a&b", false)
	f.Add("u@x", "p:w/q?r#s", uint8(7), "%zz", true)
	f.Add("", "hunter2", uint8(20), "x;y=z", false)
	f.Fuzz(func(t *testing.T, user, password string, param uint8, value string, inFragment bool) {
		const host = "127.0.0.1:8080"
		name := sensitiveQuery[int(param)%len(sensitiveQuery)]
		userinfo := rawOrEscaped(user, "/?#@:[]")
		if password != "" {
			userinfo += ":" + rawOrEscaped(password, "/?#@[]")
		}
		in := "ws://" + userinfo + "@" + host + "/api/v1/websocket?pattern=%7B%7D&" + name + "=" + rawOrEscaped(value, "&;#")
		if inFragment {
			in = "ws://" + userinfo + "@" + host + "/cb#" + name + "=" + rawOrEscaped(value, "#")
		}
		got := RedactURLString(in)
		assert.Contains(t, got, host)
		assert.Equal(t, got, RedactURLString(got), "redacting again changes nothing")
		for _, secret := range []string{user, password, value} {
			if len(secret) < 4 || strings.Contains(in[:len("ws://")], secret) ||
				strings.Contains("@"+host+"/api/v1/websocket?pattern=%7B%7D&"+name+"=/cb#"+Redacted, secret) {
				continue // too short to tell from the rest of the text
			}
			assert.NotContains(t, got, secret, "input %q", in)
			assert.NotContains(t, got, url.QueryEscape(secret), "input %q", in)
		}
	})
}

// rawOrEscaped returns s as it is, or escaped when it holds a byte of
// special, which would change the structure of the URL around it.
func rawOrEscaped(s, special string) string {
	if strings.ContainsAny(s, special) {
		return url.QueryEscape(s)
	}
	return s
}
