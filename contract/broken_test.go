package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// breakage is a deliberately broken implementation: the mock with one
// behaviour changed, and the word the failing check's reason must hold.
type breakage struct {
	id      string // the check that must fail
	name    string
	build   func(t *testing.T, m *mockserver.Server) http.Handler
	keyword string
}

// setup returns the mock's options and the run's for b, from the
// defaults mock and opts: for a check of withAllowList, a mock that
// restricts origins and a run that names an allowed and a refused one.
func (b breakage) setup(mock *mockserver.Options, opts *contract.Options) (*mockserver.Options, *contract.Options) {
	if !withAllowList[b.id] {
		return mock, opts
	}
	return restrictOrigins(mock), withOrigins(opts)
}

// runWith selects the checks a breakage of a check runs (a regular
// expression); by default the check alone. A SCHEMA check judges what
// the others saw, so it runs beside one, which must not fail: every
// check judges only its own rule. (A push frame with seq 0 breaks
// PUSH-001's rule too: its failure there is its own.)
var runWith = map[string]struct {
	run    string
	others []string // the checks that must not fail
}{
	"SCHEMA-001": {"^(AUTH-001|SCHEMA-001)$", []string{"AUTH-001"}},
	"SCHEMA-002": {"^(PUSH-008|SCHEMA-002)$", []string{"PUSH-008"}},
	"SCHEMA-003": {"^(SESS-001|SCHEMA-003)$", []string{"SESS-001"}},
	"SCHEMA-004": {"^(PAT-001|SCHEMA-004)$", []string{"PAT-001"}},
	"SCHEMA-005": {"^(PUSH-001|SCHEMA-005)$", nil},
	"SCHEMA-006": {"^(PUSH-001|SCHEMA-006)$", []string{"PUSH-001"}},
}

func breakages() []breakage {
	joinOnly := func(fix func(*http.Request)) func(*http.Request) {
		return func(r *http.Request) {
			if isJoin(r) {
				fix(r)
			}
		}
	}
	pushOnly := func(fix func(*http.Request)) func(*http.Request) {
		return func(r *http.Request) {
			if isPush(r) {
				fix(r)
			}
		}
	}
	const want401 = "want 401"
	var closedIDs sync.Map
	var idCounter atomic.Int64
	return append([]breakage{
		{"HS-001", "101 with a wrong Sec-WebSocket-Accept", wrap(badAccept), "Sec-WebSocket-Accept"},
		{"HS-002", "rejections upgrade first and then close", wrap(upgradeThenClose), "101 Switching Protocols"},

		{"AUTH-001", "join without credentials accepted", lenient(joinOnly(fillMissing)), want401},
		{"AUTH-002", "join without access token accepted", lenient(joinOnly(fillMissing)), want401},
		{"AUTH-003", "join without secret key accepted", lenient(joinOnly(fillMissing)), want401},
		{"AUTH-004", "join with any secret key accepted", lenient(joinOnly(acceptAnySecret)), want401},
		{"AUTH-005", "join with any access token accepted", lenient(joinOnly(acceptAnyToken)), want401},
		{"AUTH-006", "join with empty credentials accepted", lenient(joinOnly(fillMissing)), want401},
		{"AUTH-007", "join refuses query credentials", lenient(joinOnly(func(r *http.Request) {
			if r.URL.Query().Has(protocol.QueryAccessToken) {
				r.Header.Del(protocol.HeaderAccessToken)
				setQuery(r, protocol.QueryAccessToken, "")
			}
		})), "want 101"},
		{"AUTH-008", "join with a wrong query secret accepted", lenient(joinOnly(acceptAnySecret)), want401},
		{"AUTH-009", "conflicting credentials resolved in favour of the header", lenient(joinOnly(func(r *http.Request) {
			if r.Header.Get(protocol.HeaderAccessToken) != "" || r.Header.Get(protocol.HeaderSecretKey) != "" {
				q := r.URL.Query()
				q.Del(protocol.QueryAccessToken)
				q.Del(protocol.QuerySecretKey)
				r.URL.RawQuery = q.Encode()
				fillMissing(r)
			}
		})), want401},
		{"AUTH-010", "push without credentials accepted", lenient(pushOnly(fillMissing)), want401},
		{"AUTH-011", "push without access token accepted", lenient(pushOnly(fillMissing)), want401},
		{"AUTH-012", "push without secret key accepted", lenient(pushOnly(fillMissing)), want401},
		{"AUTH-013", "push with any secret key accepted", lenient(pushOnly(acceptAnySecret)), want401},
		{"AUTH-014", "push with any access token accepted", lenient(pushOnly(acceptAnyToken)), want401},
		{"AUTH-015", "push with empty credentials accepted", lenient(pushOnly(fillMissing)), want401},
		{"AUTH-016", "push takes query credentials", lenient(pushOnly(func(r *http.Request) {
			if v := r.URL.Query().Get(protocol.QueryAccessToken); v != "" {
				r.Header.Set(protocol.HeaderAccessToken, v)
				r.Header.Set(protocol.HeaderSecretKey, r.URL.Query().Get(protocol.QuerySecretKey))
			}
		})), want401},
		{"AUTH-017", "401 messages echo the secret key", wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				if b.status == http.StatusUnauthorized {
					b.setError(http.StatusUnauthorized, protocol.CodeUnauthorized, "secret key "+credential(r, protocol.HeaderSecretKey, protocol.QuerySecretKey)+" is wrong")
				}
			})
		}), "echoes"},

		{"JOIN-001", "a missing pattern means {}", lenient(joinOnly(func(r *http.Request) {
			if !r.URL.Query().Has(protocol.QueryPattern) {
				setQuery(r, protocol.QueryPattern, "{}")
			}
		})), "missing_pattern"},
		{"JOIN-002", "invalid patterns reported as missing", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.JoinPath, protocol.CodeInvalidPattern, http.StatusBadRequest, protocol.CodeMissingPattern)
		}), "invalid_pattern"},
		{"JOIN-003", "invalid_pattern messages name nothing", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.JoinPath, protocol.CodeInvalidPattern, http.StatusBadRequest, protocol.CodeInvalidPattern)
		}), "does not name"},
		{"JOIN-004", "405 on the join without Allow", wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				if isJoin(r) {
					b.header.Del("Allow")
				}
			})
		}), "Allow"},
		{"JOIN-005", "a plain GET is 400", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.JoinPath, protocol.CodeUpgradeRequired, http.StatusBadRequest, protocol.CodeInvalidPattern)
		}), "want 426"},
		{"JOIN-006", "forbidden accounts get 401", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.JoinPath, protocol.CodeForbidden, http.StatusUnauthorized, protocol.CodeUnauthorized)
		}), "want 403"},

		{"SESS-001", "the session frame lacks heartbeat", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FrameSession {
				delete(f, "heartbeat")
			}
			return []map[string]any{f}
		})), "heartbeat"},
		{"SESS-001", "a trigger comes before the session frame", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FrameSession {
				return []map[string]any{{"type": "trigger", "seq": 1, "event": map[string]any{"kind": "news-item"}}, f}
			}
			return []map[string]any{f}
		})), "not a session frame"},
		{"SESS-002", "sequential session ids", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FrameSession {
				f["session"] = fmt.Sprintf("sessionid-sequential-%06d", idCounter.Add(1))
			}
			return []map[string]any{f}
		})), "prefix"},
		{"SESS-003", "the session frame's pattern is always {}", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FrameSession {
				f["pattern"] = map[string]any{}
			}
			return []map[string]any{f}
		})), "pattern"},

		// A 500 is declared (for its body's shape) and never right: it
		// fails the check whose request met it (docs/protocol.md §6).
		{"PUSH-001", "every push answers 500 internal_error", wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !isPush(r) || r.Method != http.MethodPost {
					next.ServeHTTP(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write(protocol.NewErrorBody(protocol.CodeInternalError, "an unexpected error"))
			})
		}), "any 500 fails"},
		{"PUSH-001", "the 202 announces the wrong seq", wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				var pr protocol.PushResponse
				if isPush(r) && b.status == http.StatusAccepted && json.Unmarshal(b.buf.Bytes(), &pr) == nil {
					pr.Seq++
					b.buf.Reset()
					_ = json.NewEncoder(&b.buf).Encode(pr)
				}
			})
		}), "the 202 said"},
		{"PUSH-002", "combining characters dropped from pushed strings", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FramePush {
				f["data"] = mapStrings(f["data"], func(s string) string {
					return strings.Map(func(r rune) rune {
						if r >= 0x300 && r <= 0x36f {
							return -1
						}
						return r
					}, s)
				})
			}
			return []map[string]any{f}
		})), "characters changed"},
		{"PUSH-002", "integers beyond 2^24 rounded to a float32", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FramePush {
				f["data"] = mapNumbers(f["data"], func(n json.Number) any {
					v, _ := n.Float64()
					return float32(v)
				})
			}
			return []map[string]any{f}
		})), "holds it exactly"},
		{"PUSH-014", "pushed numbers parsed into doubles", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FramePush {
				f["data"] = mapNumbers(f["data"], func(n json.Number) any {
					v, _ := n.Float64()
					return v
				})
			}
			return []map[string]any{f}
		})), "rounded"},
		{"PUSH-003", "frame 3 of every session is dropped", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["seq"] == json.Number("3") {
				return nil
			}
			return []map[string]any{f}
		})), "gap"},
		{"PUSH-004", "push frames swapped in pairs", tampering(tamper{frame: func(p *proxied, data []byte) [][]byte {
			if !strings.Contains(string(data), `"type":"push"`) {
				return [][]byte{data}
			}
			if p.held == nil {
				p.held = data
				return nil
			}
			out := [][]byte{data, p.held}
			p.held = nil
			return out
		}}), "out of order"},
		{"PUSH-005", "every 10th push frame sent twice", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FramePush && p.n%10 == 0 {
				return []map[string]any{f, f}
			}
			return []map[string]any{f}
		})), "duplicate"},
		{"PUSH-006", "a missing session is 404", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.PushPath, protocol.CodeMissingSession, http.StatusNotFound, protocol.CodeSessionNotFound)
		}), "want 400 missing_session"},
		{"PUSH-007", "a bad body is 413", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.PushPath, protocol.CodeInvalidBody, http.StatusRequestEntityTooLarge, protocol.CodePayloadTooLarge)
		}), "want 400 invalid_body"},
		{"PUSH-015", "invalid UTF-8 taken, made valid", onPushBody(func(b []byte) []byte { return bytes.ToValidUTF8(b, []byte("?")) }), "accepted with 202"},
		{"PUSH-015", "a refused push takes a seq", wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				if isPush(r) && !utf8.Valid(body) { // queue something in its place, then refuse it
					fill := r.Clone(r.Context())
					fill.Body, fill.ContentLength = io.NopCloser(strings.NewReader(`"filler"`)), int64(len(`"filler"`))
					next.ServeHTTP(httptest.NewRecorder(), fill)
				}
				next.ServeHTTP(w, r)
			})
		}), "take no seq"},
		{"PUSH-016", "any depth taken", onPushBody(func(b []byte) []byte {
			if protocol.Nesting(b) > protocol.MaxNesting {
				return []byte(`"flattened"`)
			}
			return b
		}), "accepted with 202"},
		{"PUSH-016", "a limit of 100 levels", wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				if isPush(r) && protocol.Nesting(body) > 100 {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(`{"error":{"code":"invalid_body","message":"too deep"}}`))
					return
				}
				next.ServeHTTP(w, r)
			})
		}), "want 202"},
		{"PUSH-008", "an unknown session is 403", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.PushPath, protocol.CodeSessionNotFound, http.StatusForbidden, protocol.CodeForbidden)
		}), "want 404"},
		{"PUSH-009", "405 on the push without Allow", wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				if isPush(r) {
					b.header.Del("Allow")
				}
			})
		}), "Allow"},
		{"PUSH-010", "a body too large is 400", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.PushPath, protocol.CodePayloadTooLarge, http.StatusBadRequest, protocol.CodeInvalidBody)
		}), "want 413"},
		{"PUSH-011", "a wrong content type is 400", wrap(func(next http.Handler) http.Handler {
			return recode(next, protocol.PushPath, protocol.CodeUnsupportedMediaType, http.StatusBadRequest, protocol.CodeInvalidBody)
		}), "want 415"},
		{"PUSH-012", "pushes to closed sessions accepted", wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				id := r.URL.Query().Get(protocol.QuerySession)
				switch {
				case !isPush(r):
				case b.status == http.StatusAccepted:
					closedIDs.Store(id, true)
				case b.errorCode() == protocol.CodeSessionNotFound:
					if _, ok := closedIDs.Load(id); ok {
						b.status = http.StatusAccepted
						b.buf.Reset()
						_ = json.NewEncoder(&b.buf).Encode(protocol.PushResponse{Session: id, Seq: 99})
					}
				}
			})
		}), "want 404"},
		{"PUSH-013", "another tenant's session is 403", wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				if isPush(r) && r.Header.Get(protocol.HeaderAccessToken) == mockserver.OtherAccessToken && b.errorCode() == protocol.CodeSessionNotFound {
					b.setError(http.StatusForbidden, protocol.CodeForbidden, "not your session")
				}
			})
		}), "want 404"},
		{"PUSH-013", "pushes of another tenant delivered", lenient(pushOnly(func(r *http.Request) {
			if r.Header.Get(protocol.HeaderAccessToken) == mockserver.OtherAccessToken {
				r.Header.Set(protocol.HeaderAccessToken, mockserver.DemoAccessToken)
				r.Header.Set(protocol.HeaderSecretKey, mockserver.DemoSecretKey)
			}
		})), "delivered"},

		{"ISO-001", "push frames copied to every session", func(t *testing.T, m *mockserver.Server) http.Handler {
			var px *proxy
			px = newProxy(t, m, tamper{frame: func(p *proxied, data []byte) [][]byte {
				if strings.Contains(string(data), `"type":"push"`) {
					for _, o := range px.others(p) {
						o.write(data)
					}
				}
				return [][]byte{data}
			}})
			return px
		}, "leaked"},

		{"PAT-001", "triggers replaced by events that match nothing", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FrameTrigger && p.pattern != "{}" {
				f["event"] = map[string]any{"kind": "sales-trigger", "type": "contract-tampered"}
			}
			return []map[string]any{f}
		})), "does not match"},
		{"PAT-002", "sessions with {} get no triggers", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FrameTrigger && p.pattern == "{}" {
				return nil
			}
			return []map[string]any{f}
		})), "never reached"},
		{"PAT-003", "pattern matching blind to case", deviating(caseBlind), "case-sensitive"},

		{"SCHEMA-001", "401 join answers without a message", wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				if isJoin(r) && b.status == http.StatusUnauthorized {
					b.buf.Reset()
					b.buf.WriteString(`{"error":{"code":"unauthorized"}}`)
				}
			})
		}), `"required"`},
		{"SCHEMA-002", "404 push answers with a numeric message", wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				if isPush(r) && b.status == http.StatusNotFound {
					b.buf.Reset()
					b.buf.WriteString(`{"error":{"code":"session_not_found","message":404}}`)
				}
			})
		}), "body/error/message"},
		{"SCHEMA-003", "a heartbeat beyond int32", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FrameSession {
				f["heartbeat"] = int64(1) << 40
			}
			return []map[string]any{f}
		})), "frame/heartbeat"},
		{"SCHEMA-004", "a trigger's uid or id a number", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if ev, ok := f["event"].(map[string]any); ok && f["type"] == protocol.FrameTrigger {
				for _, k := range []string{"uid", "id"} {
					if _, ok := ev[k]; ok {
						ev[k] = 42
					}
				}
			}
			return []map[string]any{f}
		})), `value 42`},
		{"SCHEMA-005", "push frames with seq 0", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FramePush {
				f["seq"] = 0
			}
			return []map[string]any{f}
		})), "frame/seq"},
		{"SCHEMA-006", "a frame of an undeclared type after the session frame", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FrameSession {
				return []map[string]any{f, {"type": "welcome"}}
			}
			return []map[string]any{f}
		})), "welcome"},

		{"LIVE-001", "pings unanswered", tampering(tamper{noPong: true}), "pong"},
		{"LIVE-002", "frames over 4 KiB closed with 1000", tampering(tamper{closeCode: func(c int) int {
			if c == protocol.CloseMessageTooBig {
				return websocket.CloseNormalClosure
			}
			return c
		}}), "want 1009"},
		{"LIVE-004", "an undeclared close code", tampering(tamper{closeCode: func(c int) int {
			if c == protocol.CloseMessageTooBig {
				return 4999
			}
			return c
		}}), "does not declare"},
	}, corsBreakages()...)
}

// brokenTimeout is the time limit of check id against a broken
// implementation. A few checks catch their breakage only by waiting out
// the limit (no pong, a frame never delivered, a push frame never valid),
// so theirs is short; the others end as soon as they see the breakage,
// and keep a limit that a loaded machine meets. Longer under -race.
func brokenTimeout(id string) time.Duration {
	switch id {
	case "LIVE-001", "PUSH-003", "SCHEMA-005":
		return mocktest.Scaled(2 * time.Second)
	}
	return mocktest.Scaled(5 * time.Second)
}

// TestChecksCatchBrokenImplementations runs each MUST check against an
// implementation broken in the way it guards against, and asserts that
// it fails and names the problem.
func TestChecksCatchBrokenImplementations(t *testing.T) {
	t.Parallel()
	for _, b := range append(breakages(), nearMissBreakages()...) {
		t.Run(b.id+"/"+b.name, func(t *testing.T) {
			t.Parallel()
			// Fast replay, so that the oracle sees triggers on narrow
			// patterns within its window.
			run := runWith[b.id].run
			if run == "" {
				run = "^" + regexp.QuoteMeta(b.id) + "$"
			}
			mopts, opts := b.setup(replaying(50), &contract.Options{
				Run: regexp.MustCompile(run), Observe: oracleObserve, Timeout: brokenTimeout(b.id),
			})
			m := mocktest.Start(t, mopts)
			srv := httptest.NewServer(b.build(t, m.Server))
			t.Cleanup(srv.Close)
			rep, err := contract.Run(t.Context(), mockTarget(srv.URL), opts)
			require.NoError(t, err)
			i := slices.IndexFunc(rep.Results, func(r contract.Result) bool { return r.ID == b.id })
			require.GreaterOrEqual(t, i, 0, "%s did not run", b.id)
			res := rep.Results[i]
			for _, other := range rep.Results {
				if slices.Contains(runWith[b.id].others, other.ID) {
					assert.NotEqual(t, contract.StatusFail, other.Status, "%s failed too: %s", other.ID, other.Reason)
				}
			}
			assert.Equal(t, contract.StatusFail, res.Status, "%s passed against %q", b.id, b.name)
			assert.Contains(t, res.Reason, b.keyword)
			if res.Level == contract.LevelMust {
				assert.False(t, rep.Passed())
			}
			t.Logf("%s: %s", b.id, res.Reason)
		})
	}
}

// TestBreakagesCoverMustChecks keeps the catalogue and the table of
// broken implementations in step.
func TestBreakagesCoverMustChecks(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, b := range append(breakages(), nearMissBreakages()...) {
		covered[b.id] = true
	}
	var ids []string
	for _, c := range contract.Checks() {
		ids = append(ids, c.ID)
		if c.Level == contract.LevelMust {
			assert.True(t, covered[c.ID], "MUST check %s has no broken implementation that makes it fail", c.ID)
		}
	}
	for id := range covered {
		assert.True(t, slices.Contains(ids, id), "broken implementation for unknown check %s", id)
	}
}

// TestReencodingServerPasses guards against false FAILs: a server that
// parses pushed JSON into doubles and writes it again its own way
// (sorted members, spaces after separators, non-ASCII escaped) keeps
// every MUST rule of docs/protocol.md §3.1, and breaks only the SHOULD of
// PUSH-014.
func TestReencodingServerPasses(t *testing.T) {
	t.Parallel()
	m := mocktest.Start(t, replaying(10))
	srv := httptest.NewServer(tampering(tamper{frame: func(p *proxied, data []byte) [][]byte {
		var f map[string]any
		d := json.NewDecoder(strings.NewReader(string(data)))
		d.UseNumber()
		if d.Decode(&f) != nil || f["type"] != protocol.FramePush {
			return [][]byte{data}
		}
		f["data"] = mapNumbers(f["data"], func(n json.Number) any {
			v, _ := n.Float64()
			return v
		})
		out, _ := json.MarshalIndent(f, "", " ")
		return [][]byte{[]byte(asciiEscaped(string(out)))}
	}})(t, m.Server))
	t.Cleanup(srv.Close)
	rep, err := contract.Run(t.Context(), mockTarget(srv.URL), &contract.Options{
		Run: regexp.MustCompile(`^(PUSH|ISO)-`), Observe: time.Second,
	})
	require.NoError(t, err)
	for _, res := range rep.Results {
		if res.ID == "PUSH-014" {
			assert.Equal(t, contract.StatusFail, res.Status, "PUSH-014 passed against a server that rounds to doubles")
			assert.Equal(t, contract.LevelShould, res.Level)
			continue
		}
		assert.Equal(t, contract.StatusPass, res.Status, "%s: %s", res.ID, res.Reason)
	}
	assert.True(t, rep.Passed())
}

// asciiEscaped writes every non-ASCII character of a JSON text as \u
// escapes.
func asciiEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
