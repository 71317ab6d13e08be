package protocol

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseErrorBody(t *testing.T) {
	for _, code := range []ErrorCode{
		CodeMissingPattern, CodeInvalidPattern, CodeUnauthorized, CodeForbidden,
		CodeForbiddenOrigin, CodeMethodNotAllowed, CodeUpgradeRequired, CodeTooManyConnections,
		CodeUnavailable, CodeMissingSession, CodeInvalidBody, CodeSessionNotFound,
		CodePayloadTooLarge, CodeUnsupportedMediaType, CodeSessionQueueFull,
	} {
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
