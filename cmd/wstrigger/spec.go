package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/wstrigger/wstrigger/docs"
	"github.com/wstrigger/wstrigger/spec"
)

func runSpec(_ context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "spec", "spec openapi|asyncapi|protocol [SECTION...]",
		"Prints the OpenAPI (HTTP endpoints) or AsyncAPI (websocket frames) document embedded in this binary,\n"+
			"the documents the contract suite checks against, or the protocol reference ("+docs.ProtocolPath+"),\n"+
			"whose sections the checks cite: `wstrigger spec protocol 3.1` prints §3.1 alone.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) == 0 {
		fs.Usage()
		return exitUsage
	}
	var doc []byte
	switch pos[0] {
	case "openapi":
		doc = spec.OpenAPIYAML()
	case "asyncapi":
		doc = spec.AsyncAPIYAML()
	case "protocol":
		doc, err = protocolSections(pos[1:])
		if err != nil {
			fmt.Fprintf(e.stderr, "wstrigger spec: %v\n", err)
			return exitUsage
		}
	default:
		fmt.Fprintf(e.stderr, "wstrigger spec: unknown document %q: want openapi, asyncapi or protocol\n", pos[0])
		return exitUsage
	}
	if pos[0] != "protocol" && len(pos) > 1 {
		fmt.Fprintf(e.stderr, "wstrigger spec: unexpected argument %q: only the protocol has sections\n", pos[1])
		return exitUsage
	}
	if _, err := e.stdout.Write(doc); err != nil {
		fmt.Fprintf(e.stderr, "wstrigger spec: %v\n", err)
		return exitFail
	}
	return exitOK
}

// protocolSections returns the protocol reference, or the sections
// numbered ("3.1" or "§3.1") in their order, each as it reads there.
func protocolSections(numbers []string) ([]byte, error) {
	if len(numbers) == 0 {
		return docs.Protocol(), nil
	}
	var b strings.Builder
	for i, n := range numbers {
		s, ok := docs.Lookup(strings.TrimPrefix(n, "§"))
		if !ok {
			var have []string
			for _, s := range docs.Sections() {
				have = append(have, s.Number)
			}
			return nil, fmt.Errorf("no section %q in %s: it has %s", n, docs.ProtocolPath, strings.Join(have, ", "))
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s.Markdown())
	}
	return []byte(b.String()), nil
}
