# load/scale/lib.sh: what run.sh and memory.sh share, sourced by both as
#
#   source "$repo/load/scale/lib.sh" KIND "$@"
#
# It checks for go, jq and curl, and sets out (the script's OUTDIR
# argument, or a new temp dir wstrigger-KIND.*) and build (a temp dir,
# removed on exit). Every process a script starts goes into live, and is
# stopped on exit.

for tool in go jq curl; do
	command -v "$tool" >/dev/null || { echo "$(basename "$0"): $tool is needed" >&2; exit 2; }
done
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/wstrigger-$1.XXXXXX")}
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$(mktemp -d "${TMPDIR:-/tmp}/wstrigger-$1-build.XXXXXX")

declare -A live # processes started and not yet reaped, stopped on exit
cleanup() {
	local p
	for p in "${!live[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${!live[@]}"; do stop_wait "$p" 10; done
	rm -rf "$build"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_wait PID SECONDS: wait for PID, a child of the script, to end,
# killing it after SECONDS; then it is reaped and forgotten.
stop_wait() {
	local pid=$1 i
	for ((i = 0; i < $2 * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then break; fi
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "live[$pid]"
}

# open_sessions PORT: a wstrigger mock's open sessions, or -1 when it does not answer.
open_sessions() {
	local v
	v=$(curl -sf --max-time 2 "http://127.0.0.1:$1/_mock/stats" 2>/dev/null | jq -r '.openSessions // -1' 2>/dev/null || true)
	if [[ $v =~ ^[0-9]+$ ]]; then echo "$v"; else echo -1; fi
}

# mock_up PORT: whether a wstrigger mock answers on PORT.
mock_up() { [ "$(open_sessions "$1")" -ge 0 ]; }

# wait_for CMD...: run CMD every 0.1 s until it succeeds, for at most 10 s.
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		if "$@"; then return 0; fi
		sleep 0.1
	done
	return 1
}

# status_kb PID FIELD: a /proc/PID/status figure in kB (VmRSS, VmHWM), 0 if gone.
status_kb() { awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }
