#!/usr/bin/env bash
# load/scale/run.sh: how many idle subscriptions wstrigger's load driver
# holds on this machine, and at what memory, with the mock on the same
# machine. See load/scale/README.md.
#
#   load/scale/run.sh [OUTDIR]          (default: a new temp dir)
#
# It builds wstrigger once into a temp dir, then runs two phases, each
# with every process on 127.0.0.1 and an empty recording (the sessions
# stay idle: no trigger, no push):
#
#   one    one mock and one driver holding ONE_SUBS subscriptions (by
#          default the most the driver takes under the open-file limit,
#          which each process needs one file of per connection);
#   multi  PROCS mocks on ports of their own and PROCS drivers, driver k
#          holding SUBS_PER subscriptions on mock k (PROCS x SUBS_PER in
#          all, 102,000 by default).
#
# Drivers start one after the other (each joins at JOIN_RATE while the
# others already hold theirs), run "wstrigger load --push-rate 0" with a
# long --duration, and are stopped with SIGINT once every driver has
# joined and the HOLD window has passed; a driver stopped so writes its
# JSON result as usual. During the window the script reads every mock's
# open sessions (GET /_mock/stats) each second: the smallest sum seen is
# the number held at once. It then prints a table and writes
# OUTDIR/results.json and OUTDIR/summary.txt, with each process's own
# output under OUTDIR/one and OUTDIR/multi.
#
# Settings (environment): ONE_SUBS=(open-file limit - 65) PROCS=6 SUBS_PER=17000
# JOIN_RATE=3000 (joins/s of each driver) HOLD=20 (seconds) BASE_PORT=18700
# PHASES="one multi". Needs go, jq and curl. Every process it starts is
# stopped on exit, and every wait is bounded.
set -euo pipefail

PROCS=${PROCS:-6}
SUBS_PER=${SUBS_PER:-17000}
JOIN_RATE=${JOIN_RATE:-3000}
HOLD=${HOLD:-20}
BASE_PORT=${BASE_PORT:-18700}
PHASES=${PHASES:-one multi}
TOKEN=demo-access-token
SECRET=demo-secret-key

repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$repo/load/scale/lib.sh" scale "$@" # out, build, live, cleanup, stop_wait, open_sessions, status_kb

sockstat_tcp_mem() { awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) }' /proc/net/sockstat; }
mem_available_kb() { awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo; }
conntrack_count() { cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo -1; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
files=$(ulimit -n)
# The most one driver takes under this limit: all but the 64 files it
# keeps for itself and its one HTTP connection (load.MaxSubscriptions).
ONE_SUBS=${ONE_SUBS:-$((files - 65))}
echo "building wstrigger into $build"
(cd "$repo" && go build -o "$build/wstrigger" ./cmd/wstrigger)
bin=$build/wstrigger
: >"$build/empty.jsonl"

# run_phase NAME PROCS SUBS PORT0: PROCS mocks from PORT0 and PROCS
# drivers of SUBS subscriptions each; writes NAME.json into $out.
run_phase() {
	local name=$1 n=$2 subs=$3 port0=$4
	local dir=$out/$name k
	mkdir -p "$dir"
	local mocks=() drivers=() ports=()
	echo "phase $name: $n mock(s), $n driver(s) x $subs subscriptions, joins at $JOIN_RATE/s, hold ${HOLD}s"
	for ((k = 0; k < n; k++)); do
		ports[k]=$((port0 + k))
		"$bin" mock --addr "127.0.0.1:${ports[k]}" --quiet --recording "$build/empty.jsonl" --speed 1 \
			--max-sessions 1000000 >"$dir/mock-$k.out" 2>&1 &
		mocks[k]=$!
		live[${mocks[k]}]=1
	done
	for ((k = 0; k < n; k++)); do
		local i
		for ((i = 0; i < 100; i++)); do
			if [ "$(open_sessions "${ports[k]}")" -ge 0 ]; then break; fi
			if ! kill -0 "${mocks[k]}" 2>/dev/null; then
				echo "mock $k did not start:" >&2
				cat "$dir/mock-$k.out" >&2
				return 1
			fi
			sleep 0.1
		done
		if [ "$(open_sessions "${ports[k]}")" -lt 0 ]; then
			echo "mock $k does not answer on port ${ports[k]}" >&2
			return 1
		fi
	done

	# Drivers, one after the other: each waits for the previous one's
	# subscriptions to be open, or for it to stop making progress.
	local ramp=$((subs / JOIN_RATE + 1))
	local limit=$((ramp * 4 + 60))                    # one driver's joins, at most
	local duration=$((n * limit + HOLD + 120))        # the drivers stop by themselves by then
	local started=$SECONDS
	for ((k = 0; k < n; k++)); do
		"$bin" load --target "http://127.0.0.1:${ports[k]}" --access-token "$TOKEN" --secret-key "$SECRET" \
			--subscriptions "$subs" --push-rate 0 --duration "${duration}s" --connect-rate "$JOIN_RATE" \
			--quiet --json "$dir/driver-$k.json" >"$dir/driver-$k.txt" 2>"$dir/driver-$k.err" &
		drivers[k]=$!
		live[${drivers[k]}]=1
		local t0=$SECONDS last=-1 lastAt=$SECONDS open
		while :; do
			sleep 0.5
			open=$(open_sessions "${ports[k]}")
			if [ "$open" -ge "$subs" ]; then break; fi
			if ! kill -0 "${drivers[k]}" 2>/dev/null; then
				echo "  driver $k ended early" >&2
				break
			fi
			if [ "$open" -gt "$last" ]; then last=$open lastAt=$SECONDS; fi
			if ((SECONDS - lastAt > 20)); then echo "  driver $k: no progress for 20 s at $open open" >&2; break; fi
			if ((SECONDS - t0 > limit)); then echo "  driver $k: still joining after ${limit}s at $open open" >&2; break; fi
		done
		echo "  driver $k: $open of $subs open on mock $k after $((SECONDS - t0))s"
	done
	local joinedAll=$((SECONDS - started))

	# The hold window: everything open at once, sampled each second.
	local min=-1 max=0 total p memMin tcpMax=0 ctMax=0 v
	local -a mockRSS=() drvRSS=()
	memMin=$(mem_available_kb)
	for ((i = 0; i < HOLD; i++)); do
		sleep 1
		total=0
		for ((k = 0; k < n; k++)); do
			v=$(open_sessions "${ports[k]}")
			if ((v > 0)); then total=$((total + v)); fi
		done
		if ((min < 0 || total < min)); then min=$total; fi
		if ((total > max)); then max=$total; fi
		for ((k = 0; k < n; k++)); do
			v=$(status_kb "${mocks[k]}" VmRSS)
			if ((v > ${mockRSS[k]:-0})); then mockRSS[k]=$v; fi
			v=$(status_kb "${drivers[k]}" VmRSS)
			if ((v > ${drvRSS[k]:-0})); then drvRSS[k]=$v; fi
		done
		v=$(mem_available_kb)
		if ((v < memMin)); then memMin=$v; fi
		v=$(sockstat_tcp_mem)
		if ((v > tcpMax)); then tcpMax=$v; fi
		v=$(conntrack_count)
		if ((v > ctMax)); then ctMax=$v; fi
	done
	echo "  held at once over ${HOLD}s: min $min, max $max"

	local mockHWM=()
	for ((k = 0; k < n; k++)); do mockHWM[k]=$(status_kb "${mocks[k]}" VmHWM); done
	for ((k = 0; k < n; k++)); do kill -INT "${drivers[k]}" 2>/dev/null || true; done
	for ((k = 0; k < n; k++)); do stop_wait "${drivers[k]}" 120; done
	for ((k = 0; k < n; k++)); do kill -TERM "${mocks[k]}" 2>/dev/null || true; done
	for ((k = 0; k < n; k++)); do stop_wait "${mocks[k]}" 30; done

	# The phase's figures: the monitor's, and each driver's own result.
	local per=()
	for ((k = 0; k < n; k++)); do
		if [ -s "$dir/driver-$k.json" ]; then
			per[k]=$(jq -c --argjson k "$k" --argjson mockRSS "${mockRSS[k]:-0}" --argjson mockHWM "${mockHWM[k]:-0}" --argjson drvRSS "${drvRSS[k]:-0}" '{
				driver: $k, requested: .subscriptions.requested, joined: .subscriptions.joined,
				openAtEnd: .subscriptions.openAtEnd, neverJoined: .subscriptions.neverJoined,
				joinAttempts: .subscriptions.joinAttempts, joinFailures: .subscriptions.joinFailures,
				reconnects: .subscriptions.reconnects, joinSeconds: .subscriptions.joinSeconds,
				connectP99Us: .latency.connect.p99Us,
				held: .driver.memory.subscriptionsHeld, driverBytes: .driver.memory.heldBytes,
				driverBaselineBytes: .driver.memory.baselineBytes,
				memoryPerSubscriptionBytes: .driver.memoryPerSubscriptionBytes,
				goHeapBytes: .driver.memory.goHeapBytes, goStackBytes: .driver.memory.goStackBytes,
				goroutines: .driver.memory.goroutines, driverMaxRSSBytes: ($drvRSS * 1024),
				mockRSSBytes: ($mockRSS * 1024), mockPeakRSSBytes: ($mockHWM * 1024),
				errors: [.errors[] | {key, count, example: .examples[0]}]}' "$dir/driver-$k.json")
		else
			per[k]=$(jq -cn --argjson k "$k" --arg err "$(tail -n 3 "$dir/driver-$k.err" 2>/dev/null)" \
				'{driver: $k, requested: 0, joined: 0, held: 0, errors: [{key: "no result", count: 1, example: $err}]}')
		fi
	done
	printf '%s\n' "${per[@]}" | jq -s --arg name "$name" --argjson procs "$n" --argjson subs "$subs" \
		--argjson min "$min" --argjson max "$max" --argjson hold "$HOLD" --argjson joinedAll "$joinedAll" \
		--argjson memMin "$memMin" --argjson tcpMax "$tcpMax" --argjson ctMax "$ctMax" '{
		phase: $name, processes: $procs, subscriptionsPerDriver: $subs, requested: ($procs * $subs),
		heldAtOnceMin: $min, heldAtOnceMax: $max, holdSeconds: $hold, secondsToJoinAll: $joinedAll,
		heldByDrivers: (map(.held // 0) | add), joinFailures: (map(.joinFailures // 0) | add),
		memoryPerSubscriptionBytes: (if (map(.held // 0) | add) > 0
			then (map((.driverBytes // 0) - (.driverBaselineBytes // 0)) | add) / (map(.held // 0) | add) else 0 end),
		mockBytesPerSession: (if $min > 0 then (map(.mockRSSBytes // 0) | add) / $min else 0 end),
		machine: {memAvailableMinBytes: ($memMin * 1024), tcpSocketMemoryPagesMax: $tcpMax, conntrackMax: $ctMax},
		firstError: ([.[] | .errors[]?] | sort_by(-.count) | .[0] // null),
		drivers: .}' >"$out/$name.json"
}

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
memTotal=$(awk '$1 == "MemTotal:" { print $2 * 1024 }' /proc/meminfo)
port=$BASE_PORT
for phase in $PHASES; do
	case $phase in
	one) run_phase one 1 "$ONE_SUBS" "$port" ;;
	multi) run_phase multi "$PROCS" "$SUBS_PER" "$port" ;;
	*) echo "run.sh: unknown phase $phase (one, multi)" >&2; exit 2 ;;
	esac
	port=$((port + PROCS + 1))
done

phaseFiles=()
for phase in $PHASES; do phaseFiles+=("$out/$phase.json"); done
jq -s --arg started "$started" --arg host "$(hostname)" --argjson cpus "$(nproc)" --argjson files "$files" \
	--argjson mem "$memTotal" --arg go "$(go env GOVERSION)" --arg kernel "$(uname -r)" \
	--arg ports "$(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range)" \
	'{kind: "wstrigger.load.scale", started: $started, host: $host, cpus: $cpus, memTotalBytes: $mem,
	  openFileLimit: $files, ephemeralPorts: $ports, go: $go, kernel: $kernel, phases: .}' \
	"${phaseFiles[@]}" >"$out/results.json"

# The table, then a line per driver and per phase.
{
	jq -r '"wstrigger load scale run, \(.started): \(.cpus) CPUs, \(.memTotalBytes / 1048576 | round) MB, open-file limit \(.openFileLimit), ephemeral ports \(.ephemeralPorts), \(.go)\n"' "$out/results.json"
	jq -r '
		def mb: . / 1048576 | . * 10 | round / 10;
		def kb: . / 1024 | . * 10 | round / 10;
		(["phase", "procs", "requested", "held_at_once", "failed_joins", "join_s", "driver_KB/sub", "driver_MB", "mock_MB", "first_error"] | @tsv),
		(.phases[] | [.phase, .processes, .requested, .heldAtOnceMin, .joinFailures, .secondsToJoinAll,
			(.memoryPerSubscriptionBytes | kb), (.drivers | map(.driverBytes // 0) | add | mb),
			(.drivers | map(.mockRSSBytes // 0) | add | mb), (.firstError.key // "none" | gsub(" "; "_"))] | @tsv)
	' "$out/results.json" | column -t -s $'\t'
	echo
	jq -r '
		def mb: . / 1048576 | . * 10 | round / 10;
		def kb: . / 1024 | . * 10 | round / 10;
		(.phases[] | .phase as $p | .drivers[] | "\($p) driver \(.driver): held \(.held) (joined \(.joined // 0), open at the end \(.openAtEnd // 0)), joins \(.joinSeconds // 0 | . * 10 | round / 10) s (connect p99 \((.connectP99Us // 0) / 1000) ms), \((.memoryPerSubscriptionBytes // 0) | kb) KB/sub, driver \((.driverBytes // 0) | mb) MB (Go heap \((.goHeapBytes // 0) | mb), stacks \((.goStackBytes // 0) | mb), \(.goroutines // 0) goroutines), mock \((.mockRSSBytes // 0) | mb) MB\(if (.errors | length) > 0 then "; errors: " + (.errors | map("\(.key) x\(.count)") | join(", ")) else "" end)"),
		(.phases[] | "\(.phase): held at once min \(.heldAtOnceMin), max \(.heldAtOnceMax) over \(.holdSeconds) s; mock \(.mockBytesPerSession | kb) KB per session; machine: MemAvailable low \(.machine.memAvailableMinBytes | mb) MB, TCP socket memory \(.machine.tcpSocketMemoryPagesMax) pages, conntrack entries \(.machine.conntrackMax)\(if .firstError then "; first error class: \(.firstError.key) x\(.firstError.count), e.g. \(.firstError.example)" else "" end)")
	' "$out/results.json"
} | tee "$out/summary.txt"
echo
echo "results: $out/results.json, $out/summary.txt"
