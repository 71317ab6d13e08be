package main

import (
	"context"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// The load driver reads a target's counters (load.Observer) only when
// invited: the embedded mock is read in-process, a "wstrigger mock" over
// HTTP when its pre-flight join answered with the mockapi header, and
// any other target is sent nothing but joins and pushes.

// observeEmbedded lets the driver read the embedded mock's counters
// in-process.
func (o *loadOptions) observeEmbedded(srv *mockserver.Server) {
	o.opts.Observer = func(context.Context) (mockapi.Stats, error) { return srv.Stats(), nil }
}

// observeInvited lets the driver read target's counters over HTTP when
// the pre-flight join was invited to (and no Observer is set already).
func (o *loadOptions) observeInvited(target string, invited bool) {
	if o.opts.Observer != nil || !invited {
		return
	}
	u, err := client.ParseTarget(target)
	if err != nil {
		return
	}
	base := u.String()
	o.opts.Observer = func(ctx context.Context) (mockapi.Stats, error) {
		return mockapi.FetchStats(ctx, nil, base)
	}
}
