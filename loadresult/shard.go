package loadresult

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is this process's part of a run split over N processes: it holds
// the subscriptions i with i%N == K and sends 1/N of the push rate, with
// push ids that do not collide with the other shards'.
type Shard struct {
	K int `json:"k"`
	N int `json:"n"`
}

// ParseShard reads "K/N" with 0 <= K < N.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	sk, err1 := strconv.Atoi(k)
	sn, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || sn < 1 || sk < 0 || sk >= sn {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 0 <= K < N, such as 0/4", s)
	}
	return Shard{K: sk, N: sn}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }
