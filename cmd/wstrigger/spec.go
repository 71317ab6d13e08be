package main

import (
	"context"
	"fmt"

	"github.com/wstrigger/wstrigger/spec"
)

func runSpec(_ context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "spec", "spec openapi|asyncapi",
		"Prints the OpenAPI (HTTP endpoints) or AsyncAPI (websocket frames) document embedded in this binary,\nthe documents the contract suite checks against.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	var doc []byte
	switch pos[0] {
	case "openapi":
		doc = spec.OpenAPIYAML()
	case "asyncapi":
		doc = spec.AsyncAPIYAML()
	default:
		fmt.Fprintf(e.stderr, "wstrigger spec: unknown document %q: want openapi or asyncapi\n", pos[0])
		return exitUsage
	}
	if _, err := e.stdout.Write(doc); err != nil {
		fmt.Fprintf(e.stderr, "wstrigger spec: %v\n", err)
		return exitFail
	}
	return exitOK
}
