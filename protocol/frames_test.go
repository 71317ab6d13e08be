package protocol

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeFrame(t *testing.T) {
	cases := []struct {
		name    string
		frame   string
		want    Frame
		wantErr string
	}{
		{"session", `{"type":"session","session":"` + testSession + `","pattern":{"org":["IBM"]},"heartbeat":30}`,
			Frame{Type: FrameSession, Session: testSession, Pattern: json.RawMessage(`{"org":["IBM"]}`), Heartbeat: 30}, ""},
		{"trigger", `{"type":"trigger","seq":12,"event":` + newsItemJSON + `}`,
			Frame{Type: FrameTrigger, Seq: 12, Event: json.RawMessage(newsItemJSON)}, ""},
		{"push of null", `{"type":"push","seq":3,"data":null}`, Frame{Type: FramePush, Seq: 3, Data: json.RawMessage(`null`)}, ""},
		{"push keeps bytes", `{"type":"push","seq":4,"data":{"b":1, "a":[1,2]}}`, Frame{Type: FramePush, Seq: 4, Data: json.RawMessage(`{"b":1, "a":[1,2]}`)}, ""},
		{"not JSON", `{"type":`, Frame{}, "not a JSON object"},
		{"trailing data", `{"type":"push","seq":1,"data":1}{}`, Frame{}, "trailing data"},
		{"no type", `{"seq":1}`, Frame{}, "no type"},
		{"unknown type", `{"type":"ping"}`, Frame{}, `unknown type "ping"`},
		{"bad session id", `{"type":"session","session":"short","pattern":{},"heartbeat":30}`, Frame{}, "session id"},
		{"pattern not an object", `{"type":"session","session":"` + testSession + `","pattern":[],"heartbeat":30}`, Frame{}, "pattern"},
		{"no heartbeat", `{"type":"session","session":"` + testSession + `","pattern":{}}`, Frame{}, "heartbeat"},
		{"trigger without seq", `{"type":"trigger","event":{}}`, Frame{}, "seq"},
		{"event not an object", `{"type":"trigger","seq":1,"event":"x"}`, Frame{}, "event"},
		{"push without data", `{"type":"push","seq":1}`, Frame{}, "data is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeFrame([]byte(c.frame))
			if c.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.wantErr)
				var fe *FrameError
				assert.True(t, errors.As(err, &fe))
				assert.NotContains(t, err.Error(), testSession)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

// TestScanFrame: the frames scanFrame decodes itself, and those it
// leaves to encoding/json; either way DecodeFrame's answer is
// encoding/json's.
func TestScanFrame(t *testing.T) {
	cases := []struct {
		name    string
		frame   string
		scanned bool
	}{
		{"trigger", `{"type":"trigger","seq":12,"event":` + newsItemJSON + `}`, true},
		{"session", `{"type":"session","session":"` + testSession + `","pattern":{"org":["IBM"]},"heartbeat":30}`, true},
		{"push with spaces", " {\n\"type\" : \"push\" ,\t\"seq\":4, \"data\" : {\"b\":\"}\\\"]\", \"a\":[1,[2]]} }\r\n", true},
		{"push of a string", `{"type":"push","seq":4,"data":"x,}y"}`, true},
		{"push of a number", `{"type":"push","seq":4,"data":-1.5e3}`, true},
		{"unknown keys ignored", `{"x":{"type":"trigger"},"type":"push","seq":1,"data":true,"y":[]}`, true},
		{"empty object", `{}`, true},
		{"push of null", `{"type":"push","seq":3,"data":null}`, false},
		{"type in other case", `{"Type":"push","seq":1,"data":1}`, false},
		{"escaped key", `{"typ\u0065":"push","seq":1,"data":1}`, false},
		{"non-ASCII key", `{"ſeq":1,"type":"push","data":1}`, false},
		{"escaped type", `{"type":"pus\u0068","seq":1,"data":1}`, false},
		{"duplicate seq", `{"type":"push","seq":1,"seq":2,"data":1}`, false},
		{"negative seq", `{"type":"push","seq":-1,"data":1}`, false},
		{"seq with a fraction", `{"type":"push","seq":1.0,"data":1}`, false},
		{"seq over uint64", `{"type":"push","seq":99999999999999999999,"data":1}`, false},
		{"string seq", `{"type":"push","seq":"1","data":1}`, false},
		{"null type", `{"type":null}`, false},
		{"not JSON", `{"type":`, false},
		{"trailing data", `{"type":"push","seq":1,"data":1}{}`, false},
		{"not an object", `[1]`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := scanFrame([]byte(c.frame))
			assert.Equal(t, c.scanned, ok)
			want, wantErr := decodeFrameJSON([]byte(c.frame))
			got, err := DecodeFrame([]byte(c.frame))
			assert.Equal(t, want, got)
			assert.Equal(t, wantErr, err)
			if ok {
				assert.Equal(t, want, f)
			}
		})
	}
}

// FuzzScanFrame: whatever scanFrame decodes, encoding/json decodes the
// same, without an error of its own.
func FuzzScanFrame(f *testing.F) {
	f.Add([]byte(`{"type":"trigger","seq":12,"event":` + newsItemJSON + `}`))
	f.Add([]byte(`{"type":"session","session":"` + testSession + `","pattern":{"org":["IBM"]},"heartbeat":30}`))
	f.Add([]byte(`{"type":"push","seq":4,"data":{"b":"}\"]", "a":[1,[2]]},"Seq":1}`))
	f.Add([]byte(`{"type":"push","seq":4,"data":"\u00e9"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := scanFrame(data)
		if !ok {
			return
		}
		var want Frame
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("scanned %q, which encoding/json refuses: %v", data, err)
		}
		if !assert.Equal(t, want, got) {
			t.Fatalf("scanned %q differently from encoding/json", data)
		}
	})
}

func TestSessionFrameRejectsBadPattern(t *testing.T) {
	_, err := SessionFrame(testSession, json.RawMessage(`{"org":`), 30)
	assert.Error(t, err)
}
func BenchmarkAppendTriggerFrame(b *testing.B) {
	event := json.RawMessage(salesTriggerJSON)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendTriggerFrame(buf[:0], uint64(i+1), event)
	}
}

// BenchmarkDecodeFrame: DecodeFrame, and encoding/json's decoding, which
// it leaves unusual frames to.
func BenchmarkDecodeFrame(b *testing.B) {
	frame := AppendTriggerFrame(nil, 42, json.RawMessage(salesTriggerJSON))
	for _, bc := range []struct {
		name   string
		decode func([]byte) (Frame, error)
	}{{"DecodeFrame", DecodeFrame}, {"encoding-json", decodeFrameJSON}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.decode(frame); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Realistic values for requests and frames.
const (
	testToken   = "at_7Kq2Vd9LmX4pRt8Wz3Bn"
	testSecret  = "sk_Hc5Yw1Nf8Ge3Tj6Qa0Ls4Dv2"
	testSession = "jlnWtgFpOq4LcnYkiuP1Iqnr"
)

// Events as a server sends them.
const (
	salesTriggerJSON = `{"kind":"sales-trigger","id":"st-41aa","at":1742285645000,"date":"18.03.2025",` +
		`"type":"job-move","typeName":"Job Move","org":"Lindqvist Logistik AB","source":"annual report",` +
		`"loc":{"country":"Sweden","city":"Gothenburg"}}`
	newsItemJSON = `{"kind":"news-item","uid":"ni-20c7","eid":"99120","headline":"Lindqvist Logistik opens a rail hub",` +
		`"url":"https://news.example.com/rail/2025/03/18/hub","date":"18.03.2025","source":"Nordic Freight"}`
)

func TestFrameLens(t *testing.T) {
	t.Parallel()
	for _, seq := range []uint64{1, 9, 10, 99, 100, 12345, 1<<64 - 1} {
		for _, v := range []string{`{}`, `{"org":"IBM","n":[1,2]}`, `"` + strings.Repeat("x", 300) + `"`} {
			assert.Equal(t, len(AppendTriggerFrame(nil, seq, []byte(v))), TriggerFrameLen(seq, []byte(v)), "trigger %d %s", seq, v)
			assert.Equal(t, len(AppendPushFrame(nil, seq, []byte(v))), PushFrameLen(seq, []byte(v)), "push %d %s", seq, v)
		}
	}
}
