package protocol

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseOrigin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "https://crm.example.com", want: "https://crm.example.com"},
		{in: "http://127.0.0.1:5173/", want: "http://127.0.0.1:5173"},
		{in: "HTTPS://CRM.Example.com:8443", want: "https://crm.example.com:8443"},
		{in: "http://[::1]:3000", want: "http://[::1]:3000"},
		{in: "crm.example.com", err: "want http:// or https://"},
		{in: "ftp://crm.example.com", err: "want http:// or https://"},
		{in: "https://", err: "no host"},
		{in: "https://:8080", err: "no host"},
		{in: "https://user@crm.example.com", err: "user information"},
		{in: "https://crm.example.com/app", err: "without a path"},
		{in: "https://crm.example.com?x=1", err: "without a path"},
		{in: "https://crm.example.com#top", err: "without a path"},
		{in: "https://crm.example.com/%zz", err: `origin "https://crm.example.com/%zz": invalid URL escape`},
		{in: "", err: "want http:// or https://"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseOrigin(tc.in)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
