package spec

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wstrigger/wstrigger/protocol"
)

func frameSeeds(f *testing.F) {
	s, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	for _, typ := range s.MessageTypes() {
		for _, ex := range s.frames[typ].examples {
			f.Add(ex.payload)
		}
	}
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"type":"push"}`, `{"type":"push","seq":1,"data":null}`,
		`{"type":"session","session":"` + testSession + `","pattern":{},"heartbeat":30}`,
		`{"type":"trigger","seq":18446744073709551615,"event":{}}`, `{"type":"trigger","seq":-1}`,
		`{"type":"push","seq":1,"data":1}{}`, "{\"type\":\"push\",\"data\":\"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
}

// FuzzValidateFrame checks that ValidateFrame never panics and that its
// errors never repeat a session id.
func FuzzValidateFrame(f *testing.F) {
	frameSeeds(f)
	s, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := s.ValidateFrame(data)
		var v struct {
			Session string `json:"session"`
		}
		if err != nil && json.Unmarshal(data, &v) == nil && protocol.SessionIDPattern.MatchString(v.Session) {
			if strings.Contains(err.Error(), v.Session) {
				t.Fatalf("error repeats the session id: %v", err)
			}
		}
	})
}

// FuzzDecodeFrame checks that protocol.DecodeFrame never panics and that what it
// accepts has a known type and survives encoding again.
func FuzzDecodeFrame(f *testing.F) {
	frameSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := protocol.DecodeFrame(data)
		if err != nil {
			return
		}
		switch fr.Type {
		case protocol.FrameTrigger:
			if _, err := protocol.DecodeFrame(protocol.AppendTriggerFrame(nil, fr.Seq, fr.Event)); err != nil {
				t.Fatalf("re-encoded trigger frame: %v", err)
			}
		case protocol.FramePush:
			if _, err := protocol.DecodeFrame(protocol.AppendPushFrame(nil, fr.Seq, fr.Data)); err != nil {
				t.Fatalf("re-encoded push frame: %v", err)
			}
		case protocol.FrameSession:
		default:
			t.Fatalf("accepted unknown type %q", fr.Type)
		}
	})
}
