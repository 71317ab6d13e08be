package protocol

import (
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
	assert.Len(t, ErrorCodes, 15, "every code of PROTOCOL.md section 6")
	assert.False(t, KnownErrorCode("not_found"), "the mock's answer to a path the protocol lacks")
	assert.False(t, KnownErrorCode(""))
}
