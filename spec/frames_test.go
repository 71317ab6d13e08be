package spec

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

const (
	salesTriggerJSON = `{"kind":"sales-trigger","id":"st-9c41e07b2d","at":1742285645000,"date":"18.03.2025",` +
		`"type":"job-join","typeName":"Job Join","org":"Keller & Roth Maschinenbau GmbH","source":"company press release",` +
		`"loc":{"country":"Germany","state":"Baden-Württemberg","city":"Stuttgart","region":"Europe"},` +
		`"employee":{"name":"Katrin Vogel","first_name":"Katrin","last_name":"Vogel","title":"Chief Information Officer"}}`
	newsItemJSON = `{"kind":"news-item","uid":"ni-7d2f90c4a1e3","eid":"5518204",` +
		`"headline":"Nordhavn Shipping orders six methanol-ready feeder vessels",` +
		`"url":"https://news.example.com/maritime/2025/03/18/nordhavn-orders-six-feeders","date":"18.03.2025","source":"Maritime Gazette"}`
)

func TestValidateFrameAccepts(t *testing.T) {
	s := mustDefault(t)
	cases := []struct {
		name  string
		frame string
	}{
		{"session", `{"type":"session","session":"` + testSession + `","pattern":{"type":["job-join","job-leave"],"org":["IBM"]},"heartbeat":30}`},
		{"session with empty pattern and 64-char id", `{"type":"session","session":"` + strings.Repeat("aB3_-", 12) + `abcd","pattern":{},"heartbeat":1}`},
		{"sales trigger", `{"type":"trigger","seq":1,"event":` + salesTriggerJSON + `}`},
		{"article mention without employee", `{"type":"trigger","seq":2,"event":{"kind":"sales-trigger","id":"st-a07c3e91d5","at":1742291232000,"date":"18.03.2025","type":"310","typeName":"Article Mentions","org":"Aurelia Health Systems","source":"Lyon Économie","loc":{"country":"France"}}}`},
		{"news item", `{"type":"trigger","seq":3,"event":` + newsItemJSON + `}`},
		{"event with an added field", `{"type":"trigger","seq":4,"event":` + strings.TrimSuffix(newsItemJSON, "}") + `,"sentiment":"positive"}}`},
		{"push of an object", `{"type":"push","seq":5,"data":{"ticket":"CRM-48213","owner":"Jonas Weber"}}`},
		{"push of null", `{"type":"push","seq":6,"data":null}`},
		{"push of a number", `{"type":"push","seq":7,"data":42}`},
		{"push of an array", `{"type":"push","seq":8,"data":["Keller & Roth",true]}`},
		{"push of an array holding null and nested arrays", `{"type":"push","seq":9,"data":[1,null,[null,{"a":null}],"x"]}`},
		// as deep as a push may be: the schema once took time doubling
		// with each level (a recursive anyOf), and never ended here
		{"push nested 128 deep", `{"type":"push","seq":10,"data":` + strings.Repeat("[", protocol.MaxNesting) + `null` + strings.Repeat("]", protocol.MaxNesting) + `}`},
		{"push nested 128 deep in objects", `{"type":"push","seq":11,"data":` + strings.Repeat(`{"a":[`, protocol.MaxNesting/2) + `1` + strings.Repeat("]}", protocol.MaxNesting/2) + `}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.NoError(t, s.ValidateFrame([]byte(c.frame)))
		})
	}
}

func TestValidateFrameRejects(t *testing.T) {
	s := mustDefault(t)
	cases := []struct {
		name  string
		frame string
		want  error
		where string
	}{
		{"unknown type", `{"type":"heartbeat","seq":1}`, ErrUndeclared, "frame/type"},
		{"no type", `{"seq":1,"data":{}}`, ErrSchema, "frame"},
		{"numeric type", `{"type":3,"seq":1}`, ErrSchema, "frame/type"},
		{"not JSON", `{"type":"push",`, ErrMalformed, "frame"},
		{"trailing data", `{"type":"push","seq":1,"data":1} {}`, ErrMalformed, "frame"},
		{"array", `[{"type":"push"}]`, ErrMalformed, "frame"},
		{"invalid UTF-8", "{\"type\":\"push\",\"seq\":1,\"data\":\"\xff\"}", ErrMalformed, "frame"},
		{"session id too short", `{"type":"session","session":"abc123","pattern":{},"heartbeat":30}`, ErrSchema, "frame/session"},
		{"session id with a dot", `{"type":"session","session":"` + testSession[:20] + `.xy","pattern":{},"heartbeat":30}`, ErrSchema, "frame/session"},
		{"session id too long", `{"type":"session","session":"` + strings.Repeat("a", 65) + `","pattern":{},"heartbeat":30}`, ErrSchema, "frame/session"},
		{"pattern as a string", `{"type":"session","session":"` + testSession + `","pattern":"type=job-join","heartbeat":30}`, ErrSchema, "frame/pattern"},
		{"no heartbeat", `{"type":"session","session":"` + testSession + `","pattern":{}}`, ErrSchema, "frame/heartbeat"},
		{"zero heartbeat", `{"type":"session","session":"` + testSession + `","pattern":{},"heartbeat":0}`, ErrSchema, "frame/heartbeat"},
		{"trigger without seq", `{"type":"trigger","event":` + newsItemJSON + `}`, ErrSchema, "frame/seq"},
		{"seq zero", `{"type":"trigger","seq":0,"event":` + newsItemJSON + `}`, ErrSchema, "frame/seq"},
		{"fractional seq", `{"type":"push","seq":1.5,"data":1}`, ErrSchema, "frame/seq"},
		{"seq as a string", `{"type":"push","seq":"1","data":1}`, ErrSchema, "frame/seq"},
		{"trigger without event", `{"type":"trigger","seq":1}`, ErrSchema, "frame/event"},
		{"event without kind", `{"type":"trigger","seq":1,"event":{"uid":"ni-1","headline":"x"}}`, ErrSchema, "frame/event"},
		{"event of unknown kind", `{"type":"trigger","seq":1,"event":{"kind":"press-release"}}`, ErrSchema, "frame/event"},
		{"news item without headline", `{"type":"trigger","seq":1,"event":` + strings.Replace(newsItemJSON, `"headline"`, `"title"`, 1) + `}`, ErrSchema, "frame/event/headline"},
		{"sales trigger with an ISO date", `{"type":"trigger","seq":1,"event":` + strings.Replace(salesTriggerJSON, `"18.03.2025"`, `"2025-03-18"`, 1) + `}`, ErrSchema, "frame/event/date"},
		{"sales trigger of unknown type", `{"type":"trigger","seq":1,"event":` + strings.Replace(salesTriggerJSON, `"job-join"`, `"job-hop"`, 1) + `}`, ErrSchema, "frame/event/type"},
		{"numeric trigger type", `{"type":"trigger","seq":1,"event":` + strings.Replace(salesTriggerJSON, `"job-join"`, `310`, 1) + `}`, ErrSchema, "frame/event/type"},
		{"employee without name", `{"type":"trigger","seq":1,"event":` + strings.Replace(salesTriggerJSON, `"name":"Katrin Vogel",`, ``, 1) + `}`, ErrSchema, "frame/event/employee/name"},
		{"push without data", `{"type":"push","seq":9}`, ErrSchema, "frame/data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.ValidateFrame([]byte(c.frame))
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			var wheres []string
			for _, is := range verr.Issues {
				wheres = append(wheres, is.Where)
			}
			assert.Contains(t, wheres, c.where, "issues: %v", verr.Issues)
		})
	}
}

// TestIssueRuleAndValue: a schema issue names the keyword it breaks and
// the offending value, with secrets redacted.
func TestIssueRuleAndValue(t *testing.T) {
	s := mustDefault(t)
	cases := []struct {
		name, frame, where, rule, value string
	}{
		{"uid of the wrong type", `{"type":"trigger","seq":1,"event":` + strings.Replace(newsItemJSON, `"uid":"`, `"uid":7,"x":"`, 1) + `}`, "frame/event/uid", "type", "7"},
		{"session id of a wrong shape", `{"type":"session","session":"short.id","pattern":{},"heartbeat":30}`, "frame/session", "pattern", `"***"`},
		{"missing seq", `{"type":"push","data":1}`, "frame/seq", "required", ""},
		{"null heartbeat", `{"type":"session","session":"` + testSession + `","pattern":{},"heartbeat":null}`, "frame/heartbeat", "nullable", "null"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var verr *ValidationError
			require.ErrorAs(t, s.ValidateFrame([]byte(c.frame)), &verr)
			var found bool
			for _, is := range verr.Issues {
				if is.Where == c.where {
					found = true
					assert.Equal(t, c.rule, is.Rule, "issue %v", is)
					assert.Equal(t, c.value, is.Value, "issue %v", is)
				}
			}
			assert.True(t, found, "no issue at %s in %v", c.where, verr.Issues)
		})
	}
}
func TestFrameEncodersRoundTrip(t *testing.T) {
	s := mustDefault(t)
	session, err := protocol.SessionFrame(testSession, json.RawMessage(`{"type":["job-join","job-leave"],"org":["IBM"]}`), 30)
	require.NoError(t, err)
	cases := []struct {
		name  string
		frame []byte
		want  protocol.Frame
	}{
		{"session", session, protocol.Frame{Type: protocol.FrameSession, Session: testSession, Pattern: json.RawMessage(`{"type":["job-join","job-leave"],"org":["IBM"]}`), Heartbeat: 30}},
		{"trigger", protocol.AppendTriggerFrame(nil, 1, json.RawMessage(salesTriggerJSON)), protocol.Frame{Type: protocol.FrameTrigger, Seq: 1, Event: json.RawMessage(salesTriggerJSON)}},
		{"trigger appended to a buffer", protocol.AppendTriggerFrame(make([]byte, 0, 512), 1<<40, json.RawMessage(newsItemJSON)), protocol.Frame{Type: protocol.FrameTrigger, Seq: 1 << 40, Event: json.RawMessage(newsItemJSON)}},
		{"push", protocol.AppendPushFrame(nil, 7, json.RawMessage(`{"ticket":"CRM-48213"}`)), protocol.Frame{Type: protocol.FramePush, Seq: 7, Data: json.RawMessage(`{"ticket":"CRM-48213"}`)}},
		{"push of a string", protocol.AppendPushFrame(nil, 8, json.RawMessage(`"moved to Thursday"`)), protocol.Frame{Type: protocol.FramePush, Seq: 8, Data: json.RawMessage(`"moved to Thursday"`)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := protocol.DecodeFrame(c.frame)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			assert.NoError(t, s.ValidateFrame(c.frame))
		})
	}
}
