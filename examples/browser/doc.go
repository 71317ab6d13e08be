// Package browser holds the browser example (index.html: a page that
// joins a wstrigger mock, shows the triggers and pushes data) and its
// end-to-end test, which drives headless Chromium through playwright-core
// (drive.mjs) against the real mock: a page on one loopback origin joins
// and pushes to a mock on another, as docs/protocol.md section 4.1 (CORS)
// lets it, and a mock whose origin allow-list excludes the page refuses
// both. The package has no Go code beyond its test.
//
// The test lives here rather than in mockserver so that the page, its
// driver and the Node and Chromium dependencies stay together, and
// mockserver's tests need neither.
//
//	cd examples/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci
//	apt-get install -y chromium
//	go test -race ./examples/browser/
//
// Without Chromium, node or node_modules the test is skipped, unless
// WSTRIGGER_REQUIRE_BROWSER is set (.ci/run sets it): then it fails.
//
// # Concurrency
//
// There is nothing to share: the test starts its own mocks, page server
// and browser, and waits for them all.
package browser
