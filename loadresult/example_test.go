package loadresult_test

import (
	"fmt"

	"github.com/wstrigger/wstrigger/loadresult"
)

// Two shards of one run merge into one result, whose SLOs are checked
// as a single driver's would be.
func ExampleMerge() {
	shard := func(k int, accepted, lost uint64) *loadresult.Result {
		return &loadresult.Result{
			SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind,
			Config:   loadresult.Config{Shard: loadresult.Shard{K: k, N: 2}.String()},
			Pushes:   loadresult.Pushes{Sent: accepted, Accepted: accepted},
			Delivery: loadresult.Delivery{Accepted: accepted, Received: accepted - lost, Lost: lost},
		}
	}
	merged, err := loadresult.Merge(shard(0, 600, 0), shard(1, 400, 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	slo, _ := loadresult.ParseSLO("delivered>=99.99%")
	fmt.Println(merged.Config.Shard)
	fmt.Println(merged.Delivery.Invariant)
	fmt.Println(merged.CheckSLOs([]loadresult.SLO{slo}), merged.SLOs[0].Actual)
	// Output:
	// 0/2,1/2
	// accepted 1000 = received 999 + lost 1 + in flight 0: holds
	// false 99.9000%
}
