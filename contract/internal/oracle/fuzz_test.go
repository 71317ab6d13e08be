package oracle

import (
	"bytes"
	"testing"
)

// FuzzGenerate learns from any events and checks that every generated
// case parses under spec/pattern, fits 4 KiB and depth 8, says in Conds
// what its text says, and that compound cases can be shrunk; and that
// Compare of a faithful delivery finds nothing.
func FuzzGenerate(f *testing.F) {
	for _, ev := range edgeEvents(f) {
		f.Add(uint64(1), []byte(Key(ev)))
	}
	var all bytes.Buffer
	for _, ev := range recordingEvents(f, 30) {
		all.WriteString(Key(ev) + "\n")
	}
	f.Add(uint64(2), all.Bytes())
	for _, s := range []string{
		`{"s":"  spaced  ","p":"50%;|=","k":"K","ß":"ſ","u":"İı","n":-0.0,"e":1e308,"big":123456789012345678901}`,
		`{"a":[[1,2],[3]],"b":[{"c":[{"d":null}]}],"c":{},"d":[],"e":[{},{"x":1}]}`,
		`{"w":"a*b\\c","x":"\u0000\u001f","y":"{json","z":"[x","q":"\"quoted\""}`,
		`{"t":true,"f":false,"tt":"true","n":"310","m":310,"nn":"1e5","neg":"-7"}`,
	} {
		f.Add(uint64(3), []byte(s+"\n"+s))
	}
	f.Fuzz(func(t *testing.T, seed uint64, data []byte) {
		var events []map[string]any
		for _, line := range bytes.Split(data, []byte("\n")) {
			if ev, err := Decode(line); err == nil {
				events = append(events, ev)
			}
		}
		max := 1 + int(seed%300)
		cases := Generate(Learn(events), &Options{Seed: seed, Max: max})
		checkCases(t, cases, max)
		var judged []Event
		for _, ev := range events {
			judged = append(judged, Event{Key: Key(ev), Value: ev})
		}
		obs := Observed{Events: judged, Delivered: faithfulDeliveries(cases, judged), Settled: allSettled(len(cases))}
		if j := Compare(cases, obs); len(j.Disagreements) > 0 {
			t.Fatalf("a faithful delivery disagrees: %+v", j.Disagreements[0])
		}
	})
}
