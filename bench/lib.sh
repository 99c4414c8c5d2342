# Shell helpers that bench/fanout.sh and bench/multinode.sh share (sourced, not
# run). The script sets BENCH (its name, for messages) first.
#
# The lock: every measurement holds /tmp/liveline-bench.lock (bench/page.sh
# too), so that two benchmarks never measure at once on a shared machine. It is
# file descriptor 9; servers are started with `9>&-` so that one left running
# cannot hold it.
BENCH_LOCK=/tmp/liveline-bench.lock
exec 9>"$BENCH_LOCK"
lock() { flock -w 1800 9 || { echo "$BENCH: $BENCH_LOCK is held for too long" >&2; exit 1; }; }
unlock() { flock -u 9; }

stop_pid() { # PID: SIGTERM, wait up to 20 s, then SIGKILL
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	echo "$BENCH: $pid did not stop; killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

need_ports_free() { # PORT...: exits if another server holds one
	local p
	for p in "$@"; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$BENCH: port $p is in use" >&2
			exit 1
		fi
	done
}
