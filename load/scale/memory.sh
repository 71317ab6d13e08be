#!/usr/bin/env bash
# load/scale/memory.sh: what a subscription costs the load driver and a
# session costs the mock, idle and under traffic. See load/scale/README.md.
#
#   load/scale/memory.sh [OUTDIR]          (default: a new temp dir)
#
# Two phases, each run REPEAT times, every process on 127.0.0.1:
#
#   idle    a "wstrigger mock" replaying an empty recording, and a driver
#           holding IDLE_SUBS subscriptions with --push-rate 0 for HOLD
#           seconds. Driver: its own memoryPerSubscriptionBytes (VmRSS at
#           the end of the hold minus VmRSS before the first join, over
#           the sessions held) and its peak (VmHWM) over the sessions.
#           Mock: VmRSS at the end of the hold minus VmRSS before the
#           joins, over its open sessions.
#   active  an independent server, tools/refserver (Node.js), replaying
#           the mock's default recording looped, respaced to EVENTS_PER_S
#           events a second evenly (each event matches about 400 of the
#           2,000 subscriptions' patterns: about 15,000 trigger frames a
#           second at the default 37), and a driver of
#           ACTIVE_SUBS subscriptions pushing PUSH_RATE/s for ACTIVE_S
#           seconds. Driver: its memoryPerSubscriptionBytes, stacks and
#           goroutines, and the trigger frames per second it received.
#
# With BASE=REF (a git ref, such as main) it also builds that revision
# (git archive, into a temp dir) and runs it in the same repeats,
# alternating with this tree's build, so the two are compared under the
# same load of the machine. It prints a table of medians and writes
# OUTDIR/results.jsonl (one line per run) and OUTDIR/summary.txt.
#
# DRIVER_GOGC, if set, is the GOGC of the driver processes alone (the Go
# runtime's default, 100, otherwise), to measure what a smaller heap
# headroom buys and costs (gc_cpu_s: the driver's GC CPU over the run).
#
# Settings (environment): IDLE_SUBS=5000 ACTIVE_SUBS=2000 PUSH_RATE=1000
# EVENTS_PER_S=37 ACTIVE_S=20 HOLD=10 JOIN_RATE=2000 REPEAT=3 BASE= PORT=18900
# PHASES="idle active". Needs go, jq, curl, and node for the active phase
# (run "npm ci" in tools/refserver once). Every process it starts is
# stopped on exit, and every wait is bounded.
set -euo pipefail

IDLE_SUBS=${IDLE_SUBS:-5000}
ACTIVE_SUBS=${ACTIVE_SUBS:-2000}
PUSH_RATE=${PUSH_RATE:-1000}
EVENTS_PER_S=${EVENTS_PER_S:-37}
ACTIVE_S=${ACTIVE_S:-20}
HOLD=${HOLD:-10}
JOIN_RATE=${JOIN_RATE:-2000}
REPEAT=${REPEAT:-3}
BASE=${BASE:-}
PORT=${PORT:-18900}
PHASES=${PHASES:-idle active}
DRIVER_GOGC=${DRIVER_GOGC:-}
TOKEN=demo-access-token
SECRET=demo-secret-key

repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$repo/load/scale/lib.sh" memory "$@" # out, build, live, cleanup, stop_wait, open_sessions, mock_up, wait_for, status_kb


echo "building into $build"
(cd "$repo" && go build -o "$build/head" ./cmd/wstrigger)
builds=(head)
if [ -n "$BASE" ]; then
	mkdir "$build/base-src"
	(cd "$repo" && git archive "$BASE") | tar -x -C "$build/base-src"
	(cd "$build/base-src" && go build -o "$build/base" ./cmd/wstrigger)
	builds=(base head)
fi
: >"$build/empty.jsonl"
jq -c --argjson rate "$EVENTS_PER_S" -s 'to_entries[] | {offsetMs: (.key * 1000 / $rate | floor), event: .value.event}' \
	"$repo/mockserver/recordings/default.jsonl" >"$build/even.jsonl"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# idle BUILD RUN: one idle measurement; prints a JSON line.
idle() {
	local b=$1 run=$2 dir=$out/idle-$1-$2 port=$PORT
	mkdir -p "$dir"
	"$build/$b" mock --addr "127.0.0.1:$port" --quiet --recording "$build/empty.jsonl" --speed 1 \
		--max-sessions 1000000 >"$dir/mock.out" 2>&1 &
	local mock=$!
	live[$mock]=1
	if ! wait_for mock_up $port; then
		echo "mock did not start:" >&2
		cat "$dir/mock.out" >&2
		return 1
	fi
	local mockBase
	mockBase=$(status_kb $mock VmRSS)
	local ramp=$((IDLE_SUBS / JOIN_RATE + 1))
	GOGC=${DRIVER_GOGC:-${GOGC:-}} "$build/$b" load --target "http://127.0.0.1:$port" --access-token "$TOKEN" --secret-key "$SECRET" \
		--subscriptions "$IDLE_SUBS" --connect-rate "$JOIN_RATE" --push-rate 0 --duration "$((ramp * 3 + HOLD))s" \
		--quiet --json "$dir/driver.json" >"$dir/driver.txt" 2>"$dir/driver.err" &
	local drv=$!
	live[$drv]=1
	local mockRSS=0 open=0 hwm=0 v i
	for ((i = 0; i < (ramp * 3 + HOLD + 30) * 2; i++)); do
		if ! kill -0 $drv 2>/dev/null; then break; fi
		v=$(status_kb $drv VmHWM)
		if ((v > hwm)); then hwm=$v; fi
		v=$(open_sessions $port)
		if ((v >= IDLE_SUBS)); then # the last sample of the hold counts
			open=$v
			mockRSS=$(status_kb $mock VmRSS)
		fi
		sleep 0.5
	done
	stop_wait $drv 60
	kill -TERM $mock 2>/dev/null || true
	stop_wait $mock 30
	jq -c --arg b "$b" --argjson run "$run" --argjson hwm "$hwm" --argjson mockRSS "$mockRSS" \
		--argjson mockBase "$mockBase" --argjson open "$open" '{
		phase: "idle", build: $b, run: $run, subscriptions: .driver.memory.subscriptionsHeld,
		driverPerSub: .driver.memoryPerSubscriptionBytes,
		driverPeakPerSub: (if .driver.memory.subscriptionsHeld > 0 then $hwm * 1024 / .driver.memory.subscriptionsHeld else 0 end),
		driverHeap: .driver.memory.goHeapBytes, driverStacks: .driver.memory.goStackBytes,
		goroutines: .driver.memory.goroutines,
		mockPerSession: (if $open > 0 then ($mockRSS - $mockBase) * 1024 / $open else 0 end),
		mockRSS: ($mockRSS * 1024), mockBaseRSS: ($mockBase * 1024), mockSessions: $open}' "$dir/driver.json"
}

# active BUILD RUN: one measurement under traffic; prints a JSON line.
active() {
	local b=$1 run=$2 dir=$out/active-$1-$2
	mkdir -p "$dir"
	node "$repo/tools/refserver/server.mjs" --addr "127.0.0.1:$((PORT + 1))" --recording "$build/even.jsonl" --loop \
		--queue 100000 >"$dir/refserver.out" 2>"$dir/refserver.err" &
	local ref=$!
	live[$ref]=1
	if ! wait_for grep -qs listening "$dir/refserver.out" "$dir/refserver.err"; then
		echo "refserver did not start:" >&2
		cat "$dir/refserver.err" >&2
		return 1
	fi
	GOGC=${DRIVER_GOGC:-${GOGC:-}} "$build/$b" load --target "http://127.0.0.1:$((PORT + 1))" --access-token "$TOKEN" --secret-key "$SECRET" \
		--subscriptions "$ACTIVE_SUBS" --connect-rate "$JOIN_RATE" --push-rate "$PUSH_RATE" --duration "${ACTIVE_S}s" \
		--quiet --json "$dir/driver.json" >"$dir/driver.txt" 2>"$dir/driver.err" &
	local drv=$!
	live[$drv]=1
	stop_wait $drv $((ACTIVE_S + 120))
	kill -TERM $ref 2>/dev/null || true
	stop_wait $ref 15
	jq -c --arg b "$b" --argjson run "$run" --argjson secs "$ACTIVE_S" '{
		phase: "active", build: $b, run: $run, subscriptions: .driver.memory.subscriptionsHeld,
		driverPerSub: .driver.memoryPerSubscriptionBytes,
		driverHeap: .driver.memory.goHeapBytes, driverStacks: .driver.memory.goStackBytes,
		goroutines: .driver.memory.goroutines,
		stackPerGoroutine: (if .driver.memory.goroutines > 0 then .driver.memory.goStackBytes / .driver.memory.goroutines else 0 end),
		seconds: (.subscriptions.joinSeconds + .meta.cutoffSeconds),
		triggersPerSecond: (.subscriptions.triggersReceived / (.subscriptions.joinSeconds + .meta.cutoffSeconds)),
		pushP99Us: .latency.pushEndToEnd.p99Us, late: .delivery.late,
		cpuPercentMax: .driver.maxCpuPercent, gcCpuSeconds: .driver.gcCpuSeconds,
		pushesAccepted: .pushes.accepted, lost: .delivery.lost}' "$dir/driver.json"
}

: >"$out/results.jsonl"
for ((r = 1; r <= REPEAT; r++)); do
	for phase in $PHASES; do
		for b in "${builds[@]}"; do
			line=$($phase "$b" "$r")
			echo "$line" | tee -a "$out/results.jsonl"
		done
	done
done

{
	echo "memory.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): $(nproc) CPUs, $(go env GOVERSION), $REPEAT runs, medians${BASE:+ (base: $BASE)}${DRIVER_GOGC:+, driver GOGC=$DRIVER_GOGC}"
	jq -rs '
		def med: sort | if length == 0 then 0 else .[(length - 1) / 2 | floor] end;
		def kb: . / 1024 | . * 10 | round / 10;
		(["phase", "build", "subs", "driver_KB/sub", "driver_peak_KB/sub", "heap_KB/sub", "stacks_KB/sub", "stack_KB/goroutine", "mock_KB/session", "triggers/s", "push_p99_ms", "gc_cpu_s"] | @tsv),
		(group_by(.phase + .build)[] | . as $g | $g[0] as $f | ($f.subscriptions // 1) as $n |
			[$f.phase, $f.build, $n,
			 (map(.driverPerSub) | med | kb),
			 (if $f.phase == "idle" then (map(.driverPeakPerSub) | med | kb) else "-" end),
			 (map(.driverHeap / .subscriptions) | med | kb),
			 (map(.driverStacks / .subscriptions) | med | kb),
			 (map(.driverStacks / .goroutines) | med | kb),
			 (if $f.phase == "idle" then (map(.mockPerSession) | med | kb) else "-" end),
			 (if $f.phase == "active" then (map(.triggersPerSecond) | med | round) else "-" end),
			 (if $f.phase == "active" then (map(.pushP99Us) | med | . / 1000) else "-" end),
			 (if $f.phase == "active" then (map(.gcCpuSeconds) | med | . * 100 | round / 100) else "-" end)] | @tsv)
	' "$out/results.jsonl" | column -t -s $'\t'
} | tee "$out/summary.txt"
echo "results: $out/results.jsonl, $out/summary.txt"
