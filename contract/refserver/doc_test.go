// Package refserver_test holds the contract suite to the Node.js
// reference server of tools/refserver: an independent implementation of
// the protocol, in another language, that must pass every MUST check,
// and deliberately broken variants of it (--break) that the checks must
// catch. The tests skip when node or the server's node_modules are
// missing, and fail instead when WSTRIGGER_REQUIRE_NODE is set (.ci/run).
package refserver_test
