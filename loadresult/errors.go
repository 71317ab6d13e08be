package loadresult

// MaxExamples is how many examples each error class keeps.
const MaxExamples = 3

// Error kinds.
const (
	KindDial       = "dial"       // no TCP connection
	KindHandshake  = "handshake"  // the join was answered with an HTTP status
	KindClose      = "close"      // the server closed a session
	KindPushStatus = "pushStatus" // a push was answered with an error status
	KindTimeout    = "timeout"    // a join or push got no answer in time
	KindTransport  = "transport"  // a push request failed on the way
	KindProtocol   = "protocol"   // the server broke the protocol
)

// ErrorClass counts one kind of error, such as "handshake 429
// too_many_connections" or "close 4008", with a few redacted examples.
type ErrorClass struct {
	Kind     string   `json:"kind"`
	Key      string   `json:"key"`
	Count    uint64   `json:"count"`
	Examples []string `json:"examples"`
}
