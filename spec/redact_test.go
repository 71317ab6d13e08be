package spec

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
		{"user password", "http://svc:hunter2@h/p", "http://svc:***@h/p"},
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

func TestRedactURLLeavesTheOriginal(t *testing.T) {
	raw := "http://svc:hunter2@h/p?accessToken=" + testToken
	u, err := url.Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, "http://svc:***@h/p?accessToken=***", RedactURL(u))
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
