package loadresult

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMissingShards(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		shard string
		want  []Shard
	}{
		{"not split", "", nil},
		{"one shard of one", "0/1", nil},
		{"complete", "0/3,1/3,2/3", nil},
		{"complete in any order", "2/3,0/3,1/3", nil},
		{"one missing", "0/3,2/3", []Shard{{K: 1, N: 3}}},
		{"a single shard of four", "1/4", []Shard{{K: 0, N: 4}, {K: 2, N: 4}, {K: 3, N: 4}}},
		{"unreadable", "x", nil},
		{"mixed splits", "0/2,1/3", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, Config{Shard: tc.shard}.MissingShards())
		})
	}
}
