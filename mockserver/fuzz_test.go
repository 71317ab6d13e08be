package mockserver

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzLoadCredentials checks that LoadCredentials never panics, that
// what it accepts a server can use, and that no error repeats a token.
func FuzzLoadCredentials(f *testing.F) {
	for _, seed := range []string{
		`[]`, `[{"accessToken":"a","secretKey":"b"}]`, `[{"accessToken":"a","secretKey":"b","maxSessions":-1}]`,
		`[{"accessToken":"tok-secret","secretKey":"b"},{"accessToken":"tok-secret","secretKey":"c"}]`,
		`[{"accessToken":1}]`, `{"x":1}`, `[`, `[{}]`, "[\n\"tok-secret\"\n]",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		creds, err := LoadCredentials(strings.NewReader(in))
		if err != nil {
			if strings.Contains(in, "tok-secret") && strings.Contains(err.Error(), "tok-secret") {
				t.Fatalf("error repeats a token: %v", err)
			}
			return
		}
		if err := checkCredentials(creds); err != nil {
			t.Fatalf("accepted credentials fail the check: %v", err)
		}
		_ = newAccounts(creds, DefaultMaxSessions)
	})
}

// FuzzFaultsJSON checks that the faults' JSON form never panics and that
// what it accepts is written back to an equal value.
func FuzzFaultsJSON(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"latency":"5ms","jitter":"1ms"}`, `{"stall":{"start":"2025-03-18T10:00:00Z","duration":"2s"}}`,
		`{"rejectJoins":{"share":0.5,"status":503},"closeAfterFrames":3,"closeCode":4000,"closeReset":true}`,
		`{"latency":"-1h"}`, `{"nope":1}`, `[]`, `null`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var fl Faults
		if err := json.Unmarshal([]byte(in), &fl); err != nil {
			return
		}
		out, err := json.Marshal(fl)
		if err != nil {
			t.Fatalf("marshal %+v: %v", fl, err)
		}
		var back Faults
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("read back %s: %v", out, err)
		}
		if !back.Stall.Start.Equal(fl.Stall.Start) {
			t.Fatalf("stall start %v, want %v", back.Stall.Start, fl.Stall.Start)
		}
		back.Stall.Start = fl.Stall.Start
		if back != fl {
			t.Fatalf("round trip: got %+v, want %+v", back, fl)
		}
	})
}

// FuzzClientFrameScan checks that following a client's bytes never
// panics and does not depend on how the reads split them: fed whole or
// in two parts at any point, the same breach (or none) is found.
func FuzzClientFrameScan(f *testing.F) {
	mask := "\x01\x02\x03\x04"
	for _, seed := range []string{
		"\x81\x85" + mask + "hello", "\x88\x81" + mask + "x", "\x88\x82" + mask + "\x03\xe8",
		"\x81\xff\x80\x00\x00\x00\x00\x00\x00\x01" + mask, "\x82\xfe\x01\x2c" + mask, "", "\x81",
	} {
		f.Add([]byte(seed), uint(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint) {
		var whole, split clientFrames
		whole.scan(in)
		at := int(cut % uint(len(in)+1))
		split.scan(in[:at])
		split.scan(in[at:])
		if whole.bad != split.bad {
			t.Fatalf("whole: %q, split at %d: %q", whole.bad, at, split.bad)
		}
	})
}
