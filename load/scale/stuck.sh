#!/usr/bin/env bash
# load/scale/stuck.sh: what clients that stop reading cost a mock's other
# sessions, and whether they get their 4008 (issue 15, item 7).
#
#   load/scale/stuck.sh [OUTDIR]          (default: a new temp dir)
#
# Each run starts a "wstrigger mock" (empty recording, --queue-size QUEUE)
# and load/scale/stuck against it: GOOD sessions that read every frame,
# STUCK sessions over raw TCP that never read after the handshake, all
# subscribed to every trigger, and RATE triggers a second of SIZE bytes
# injected for DURATION seconds. It records the well-behaved sessions'
# trigger latency (p50, p99, max), the kernel's peak TCP memory
# (/proc/net/sockstat, the whole machine's), and how the stuck sessions
# ended as their clients see when they read again: a close frame, by
# code, or a bare EOF. Each build runs with 0 and with STUCK stuck
# sessions, the head build once per size in SEND_BUFFERS (--send-buffer;
# empty: the default).
#
# With BASE=REF (a git ref, such as main) it also builds that revision
# and runs it in the same repeats, alternating with this tree's build.
# It prints a table and writes OUTDIR/results.jsonl.
#
# Settings (environment): STUCK=5000 GOOD=100 RATE=20 SIZE=1024
# DURATION=60 QUEUE=256 SEND_BUFFERS= STUCK_RCVBUF=0 REPEAT=1 BASE=
# PORT=27960. STUCK_RCVBUF is the stuck clients' SO_RCVBUF (0: the
# kernel's): on one machine their receive buffers count in the TCP
# memory too, and a small one leaves mostly the mock's send buffers.
# Every process it starts is stopped on exit, and every wait is bounded.
set -euo pipefail

STUCK=${STUCK:-5000}
GOOD=${GOOD:-100}
RATE=${RATE:-20}
SIZE=${SIZE:-1024}
DURATION=${DURATION:-60}
QUEUE=${QUEUE:-256}
SEND_BUFFERS=${SEND_BUFFERS:-}
STUCK_RCVBUF=${STUCK_RCVBUF:-0}
REPEAT=${REPEAT:-1}
BASE=${BASE:-}
PORT=${PORT:-27960}

repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$repo/load/scale/lib.sh" stuck "$@" # out, build, live, cleanup, stop_wait, open_sessions, mock_up, wait_for

echo "building into $build"
(cd "$repo" && go build -o "$build/head" ./cmd/wstrigger && go build -o "$build/stuck" ./load/scale/stuck)
builds=(head)
if [ -n "$BASE" ]; then
	mkdir "$build/base-src"
	(cd "$repo" && git archive "$BASE") | tar -x -C "$build/base-src"
	(cd "$build/base-src" && go build -o "$build/base" ./cmd/wstrigger)
	builds=(base head)
fi
: >"$build/empty.jsonl"
ulimit -n "$(ulimit -Hn)"

# tcp_mem: the kernel's TCP memory, in pages.
tcp_mem() { awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) }' /proc/net/sockstat; }

# one BUILD RUN STUCK SENDBUF: one measurement; appends a JSON line.
one() {
	local b=$1 run=$2 stuck=$3 sb=$4 dir=$out/$1-$2-$3-${4:-default}
	mkdir -p "$dir"
	local flags=(--addr "127.0.0.1:$PORT" --quiet --recording "$build/empty.jsonl" --max-sessions 1000000 --queue-size "$QUEUE")
	if [ -n "$sb" ]; then flags+=(--send-buffer "$sb"); fi
	if mock_up "$PORT"; then
		echo "port $PORT is taken: set PORT" >&2
		return 1
	fi
	"$build/$b" mock "${flags[@]}" >"$dir/mock.out" 2>&1 &
	local mock=$!
	live[$mock]=1
	if ! wait_for mock_up "$PORT"; then
		echo "mock did not start:" >&2
		cat "$dir/mock.out" >&2
		return 1
	fi
	"$build/stuck" -addr "127.0.0.1:$PORT" -good "$GOOD" -stuck "$stuck" -rate "$RATE" -size "$SIZE" -rcvbuf "$STUCK_RCVBUF" \
		-duration "${DURATION}s" >"$dir/stuck.json" 2>"$dir/stuck.err" &
	local drv=$!
	live[$drv]=1
	stop_wait $drv $((DURATION * 3 + 120))
	kill -TERM $mock 2>/dev/null || true
	stop_wait $mock 30
	jq -c --arg b "$b" --argjson run "$run" --arg sb "${sb:-default}" '{build: $b, run: $run, sendBuffer: $sb} + .' \
		"$dir/stuck.json" | tee -a "$out/results.jsonl"
	# Let the kernel take back the last run's buffers before the next.
	local i
	for ((i = 0; i < 60 && $(tcp_mem) > 2 * base_mem + 256; i++)); do sleep 1; done
}

base_mem=$(tcp_mem)
sizes=("${SEND_BUFFERS:-}")
if [ -n "$SEND_BUFFERS" ]; then read -r -a sizes <<<"$SEND_BUFFERS"; fi
for ((run = 1; run <= REPEAT; run++)); do
	for b in "${builds[@]}"; do
		for stuck in 0 "$STUCK"; do
			if [ "$b" = base ]; then
				one base "$run" "$stuck" ""
				continue
			fi
			for sb in "${sizes[@]}"; do one head "$run" "$stuck" "$sb"; done
		done
	done
done

echo
jq -rs '(["build", "sndbuf", "stuck", "p50 ms", "p99 ms", "max ms", "got/expected", "TCP mem peak MB", "stuck ends"] | @tsv),
	(.[] | [.build, .sendBuffer, .Stuck, .P50Ms, .P99Ms, .MaxMs, "\(.Got)/\(.Expected)",
		((.TCPMemPeak / 1048576 * 10 | round) / 10), (.StuckEnds | to_entries | map("\(.key):\(.value)") | join(" "))] | @tsv)' \
	"$out/results.jsonl" | column -t -s $'\t'
echo "results: $out/results.jsonl"
