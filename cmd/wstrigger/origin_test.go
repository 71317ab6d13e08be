package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestOriginFlags runs the commands that talk to a target with --origin
// (and contract with --forbidden-origin) against a mock that restricts
// origins: an allowed origin passes, a refused one is named, a malformed
// one is a flag error.
func TestOriginFlags(t *testing.T) {
	t.Parallel()
	const page, evil = "http://127.0.0.1:5173", "https://evil.example"
	srv := mocktest.Start(t, &mockserver.Options{AllowedOrigins: []string{page}, Recording: []protocol.RecordingLine{}})
	target := []string{"--target", srv.URL}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"contract from an allowed origin, with a refused one", append([]string{"contract", "--run", "^CORS-", "--origin", page + "/", "--forbidden-origin", evil}, target...),
			exitOK, "PASS  CORS-005", ""},
		{"contract from a refused origin", append([]string{"contract", "--run", "^CORS-001$", "--origin", evil}, target...),
			exitUsage, "", "refuses joins from https://evil.example (403 forbidden_origin): give --origin"},
		{"contract with the same origin allowed and refused", append([]string{"contract", "--origin", page, "--forbidden-origin", page + "/"}, target...),
			exitUsage, "", "an origin cannot be allowed and refused"},
		{"load from an allowed origin", append([]string{"load", "--origin", page, "--subscriptions", "2", "--push-rate", "20", "--duration", "200ms", "--quiet"}, target...),
			exitOK, "", ""},
		{"load from a refused origin", append([]string{"load", "--origin", evil, "--subscriptions", "2", "--duration", "200ms", "--quiet"}, target...),
			exitUsage, "", "refuses joins from https://evil.example"},
		{"record from an allowed origin", append([]string{"record", "--origin", page, "--duration", "100ms", "--out", "-"}, target...),
			exitOK, "", "0 triggers recorded"},
		{"record from a refused origin", append([]string{"record", "--origin", evil, "--duration", "100ms"}, target...),
			exitUsage, "", "forbidden_origin"},
		{"an origin with a path", []string{"contract", "--origin", "https://crm.example.com/app"}, exitUsage, "", "without a path"},
		{"a forbidden origin without a scheme", []string{"contract", "--forbidden-origin", "evil.example"}, exitUsage, "", "want http:// or https://"},
		{"load: an origin with a query", []string{"load", "--origin", "https://crm.example.com?x"}, exitUsage, "", "without a path"},
		{"record: an origin with a user", []string{"record", "--origin", "https://me@crm.example.com", "--target", srv.URL}, exitUsage, "", "user information"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runDemo(t, tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout, tc.stdout)
			assert.Contains(t, stderr, tc.stderr)
			assert.NotContains(t, stdout+stderr, mockserver.DemoSecretKey)
		})
	}
}
