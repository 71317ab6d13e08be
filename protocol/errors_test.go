package protocol

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseErrorBody(t *testing.T) {
	for _, code := range ErrorCodes {
		b, err := ParseErrorBody(NewErrorBody(code, "the server is shutting down"))
		require.NoError(t, err)
		assert.Equal(t, code, b.Error.Code)
		assert.Equal(t, "the server is shutting down", b.Error.Message)
	}
	_, err := ParseErrorBody([]byte(`{"error":{"message":"no code"}}`))
	assert.Error(t, err)
	_, err = ParseErrorBody([]byte(`<html>502 Bad Gateway</html>`))
	assert.Error(t, err)
}

func TestKnownErrorCode(t *testing.T) {
	t.Parallel()
	for _, c := range ErrorCodes {
		assert.True(t, KnownErrorCode(c), c)
	}
	assert.Len(t, ErrorCodes, 17, "every code of docs/protocol.md section 6")
	assert.True(t, KnownErrorCode("not_found"), "the answer to a path the protocol lacks (section 6)")
	assert.False(t, KnownErrorCode("teapot"))
	assert.False(t, KnownErrorCode(""))
}

func TestScanPushResponse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body   string
		want   PushResponse
		wantOK bool
	}{
		{`{"session":"AbC_-123","seq":7}`, PushResponse{Session: "AbC_-123", Seq: 7}, true},
		{" {\"session\":\"x\",\"seq\":18446744073709551615}\n", PushResponse{Session: "x", Seq: 18446744073709551615}, true},
		{`{"seq":7,"session":"x"}`, PushResponse{}, false},           // another order: the long way
		{`{"session": "x", "seq": 7}`, PushResponse{}, false},        // spaced
		{`{"session":"x\"y","seq":7}`, PushResponse{}, false},        // an escape
		{`{"session":"x","seq":07}`, PushResponse{}, false},          // not JSON
		{`{"session":"x","seq":-1}`, PushResponse{}, false},          // not a seq
		{`{"session":"x","seq":7,"extra":1}`, PushResponse{}, false}, // more fields
		{`{"session":"x","seq":}`, PushResponse{}, false},
		{``, PushResponse{}, false},
	}
	for _, tc := range cases {
		got, ok := ScanPushResponse([]byte(tc.body))
		assert.Equal(t, tc.wantOK, ok, tc.body)
		assert.Equal(t, tc.want, got, tc.body)
		if ok { // the scan agrees with encoding/json
			var long PushResponse
			require.NoError(t, json.Unmarshal([]byte(tc.body), &long))
			assert.Equal(t, long, got)
		}
	}
}
