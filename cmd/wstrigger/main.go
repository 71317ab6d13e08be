// Command wstrigger is the contract-test and load-test harness for the
// websocket trigger API: run `wstrigger help` for its subcommands.
package main

import (
	"os"
)

func main() {
	words := &lastWords{}
	ctx, stop := notifyInterrupt(os.Stderr, words.exitWith(os.Exit))
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, lastWords: words})
	stop()
	os.Exit(code)
}
