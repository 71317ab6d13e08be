package protocol

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

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
