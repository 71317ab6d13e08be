package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/protocol"
)

// newTestJoiners are the joiners of shard of a run of subs
// subscriptions over patterns, with no client: nothing joins.
func newTestJoiners(t *testing.T, subs int, patterns []string, shard Shard) *joiners {
	t.Helper()
	o, err := (&Options{Subscriptions: subs, Patterns: patterns, Shard: shard}).withDefaults()
	require.NoError(t, err)
	var l live
	b := newBooks()
	return newJoiners(&o, nil, &l, b.led.rec, &b.led, newErrorLog(protocol.Credentials{}))
}

func TestJoinersHoldTheirShard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		subs     int
		shard    Shard
		patterns []string // each subscription's, in order
	}{
		{name: "one process", subs: 4, shard: Shard{K: 0, N: 1}, patterns: []string{"a", "b", "c", "a"}},
		{name: "shard 1 of 2", subs: 5, shard: Shard{K: 1, N: 2}, patterns: []string{"b", "a"}},
		{name: "no subscription", subs: 1, shard: Shard{K: 1, N: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j := newTestJoiners(t, tt.subs, []string{"a", "b", "c"}, tt.shard)
			var got []string
			for _, s := range j.subs {
				got = append(got, s.pattern)
			}
			assert.Equal(t, tt.patterns, got)
			for range j.subs {
				j.firstTried()
			}
			select {
			case <-j.firstDone:
			default:
				t.Fatal("firstDone not closed once every subscription tried")
			}
		})
	}
}

func TestJoinersOpenSubAndFigures(t *testing.T) {
	t.Parallel()
	j := newTestJoiners(t, 3, []string{"a"}, Shard{K: 0, N: 1})
	s, c := j.openSub(0)
	assert.Nil(t, s, "nothing open")
	assert.Nil(t, c)

	// subscription 2 is open with one push accepted and not received;
	// subscription 0 had a session that ended with two such pushes
	open := &conn{j: j, s: j.subs[2]}
	open.accepted.Store(1)
	j.subs[2].cur.Store(open)
	j.subs[2].conns = []*conn{open}
	j.subs[2].joined = true
	gone := &conn{j: j, s: j.subs[0]}
	gone.accepted.Store(2)
	gone.ended.Store(true)
	j.subs[0].conns = []*conn{gone}
	j.subs[0].joined = true
	j.subs[0].rc.stats = subStats{Triggers: 4, Misrouted: 2}
	j.live.late.Store(1) // the ledger's count of late frames

	s, c = j.openSub(0)
	assert.Same(t, j.subs[2], s, "the next open one, wrapping around")
	assert.Same(t, open, c)
	assert.Equal(t, int64(1), j.outstanding())

	del := loadresult.Delivery{Lost: 5}
	f := j.figures(&del)
	assert.Equal(t, 2, f.Joined)
	assert.Equal(t, 1, f.NeverJoined)
	assert.Equal(t, 1, f.OpenAtEnd)
	assert.Equal(t, uint64(2), f.Sessions)
	assert.Equal(t, []uint64{4, 0, 0}, f.TriggersPerSubscription)
	assert.Equal(t, loadresult.Delivery{Lost: 5, LostAcrossReconnect: 2, Late: 1, Misrouted: 2}, del)
}
