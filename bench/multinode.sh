#!/bin/bash
# Scale-out benchmark (issue 16): three Liveline nodes on this machine sharing
# one PostgreSQL, against one node at the same reader count, and the floor.
#
#   make && bench/multinode.sh
#
# For each N in SIZES (interleaved, ROUNDS rounds: three nodes, one node on
# PostgreSQL, one node on SQLite, the floor, three nodes, ...), bench/sse_load
# opens N streams, spread evenly over the nodes' ports (readers connect to the
# nodes directly: a balancer in the path would add its own cost to every
# figure, and haproxy forwards a stream's bytes without looking at them), then
# publishes POSTS posts through node 1's newsroom API, 1-1.5 s apart. Reported
# beside one another: completion, p99, server CPU per delivery (every node's
# master and workers), PostgreSQL's CPU (the postmaster and its children) per
# delivery and per post, and the time from the publish to the first reader on
# another node than the one published to (its p99 over the posts is the
# issue's 20 ms target). The single-node runs have the same workers in all
# (NODES x NODE_WORKERS), so that the comparison is of one machine's cores
# used by one process tree or by three.
#
# Then publishing alone: PUBLISH posts back to back through the API of one
# node, on PostgreSQL and on SQLite: posts per second and the publish
# request's p50.
#
# Writes bench/results/scale-out-runs.md (the figures of this run; the reading
# of them is bench/results/scale-out.md). The cluster is this script's own
# (tests/pg start, in its temporary folder) and each run gets a fresh database
# copied from a template; every process is stopped by its PID, and a trap
# stops whatever is left. Every measurement holds /tmp/liveline-bench.lock,
# like the other benchmarks, so that two never measure at once.
#
# Environment: ROUNDS (3), POSTS (20), SIZES ("10000"), NODE_WORKERS (1),
# PUBLISH (200), STORE (postgresql; "sqlite" puts the three nodes on one
# SQLite file instead, to compare the two ways of waking), LIVELINE
# (build/liveline), OUT (bench/results).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=multinode
. bench/lib.sh

ROUNDS=${ROUNDS:-3}
POSTS=${POSTS:-20}
SIZES=${SIZES:-"10000"}
NODE_WORKERS=${NODE_WORKERS:-1}
PUBLISH=${PUBLISH:-200}
STORE=${STORE:-postgresql}
LIVELINE=${LIVELINE:-build/liveline}
OUT=${OUT:-bench/results}
NODES=3
WORKERS=$((NODES * NODE_WORKERS))
CONN_PER_WORKER=19000
PORT_BASE=18421 # nodes 18421..18423, the single node 18424, the floor 18425

bin/deps gcc curl python3 postgresql
[ -x "$LIVELINE" ] || { echo "multinode: $LIVELINE is missing: run make first" >&2; exit 1; }
mkdir -p build/bench "$OUT"
gcc -std=c17 -O2 -g -Wall -Wextra -Werror -o build/bench/sse_load bench/sse_load.c
gcc -std=c17 -O2 -g -Wall -Wextra -Werror -o build/bench/sse_floor bench/sse_floor.c

TMP=$(mktemp -d /tmp/liveline-multinode.XXXXXX)
chmod 755 "$TMP" # the cluster runs as postgres, in a folder inside
RESULTS=build/bench/multinode.jsonl
: > "$RESULTS"
PIDS=()
PG_DIR=""
START=$(date +%s)

stop_all() {
	local pid
	for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
	PIDS=()
}
cleanup() {
	stop_all
	[ -n "$PG_DIR" ] && tests/pg stop "$PG_DIR" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


need_ports_free $(seq $PORT_BASE $((PORT_BASE + 4)))

# The template every run starts from: the demo page, an editor and its token.
setup() { # DB
	"$LIVELINE" --db "$1" import --year 2026 --slug demo data/demo.txt >/dev/null
	printf '%s\n' bench-password-1 | "$LIVELINE" --db "$1" user add bench --role editor \
		--name "Bench Desk" --password-stdin >/dev/null
	"$LIVELINE" --db "$1" token create bench --label bench | tail -n 1
}
TOKEN_SQLITE=$(setup "$TMP/template.db")
PG_DIR="$TMP/pg"
PG_URI=$(tests/pg start "$PG_DIR" | tail -n 1)
PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
psql -X -q -d "$PG_URI" -c "CREATE DATABASE ll_template" >/dev/null
pg_db() { echo "$PG_URI" | sed "s#:///postgres?#:///$1?#"; }
PG_OK=1
if ! TOKEN_PG=$(setup "$(pg_db ll_template)" 2>"$TMP/pg-setup.log"); then
	echo "multinode: this liveline cannot use PostgreSQL: $(cat "$TMP/pg-setup.log")" >&2
	[ "$STORE" = sqlite ] || exit 1
	PG_OK=0 # STORE=sqlite: the runs on PostgreSQL are left out
fi
python3 -c 'import json,sys; print(json.dumps({"title": "Scale-out post %POST%", "body": open(sys.argv[1]).read()}))' \
	<(printf '%s\n\n%s\n' "The harbour authority says the evening ferry will keep running until the end of June, while people get used to the new lanes on the bridge." \
		'"We want everyone to find the crossing that suits them," a spokesperson said.') > "$TMP/post.json"

RUN=0
DB=""
fresh_db() { # STORE: sets DB to a database for one run, copied from the template
	RUN=$((RUN + 1))
	if [ "$1" = sqlite ]; then
		cp "$TMP/template.db" "$TMP/run$RUN.db"
		DB="$TMP/run$RUN.db"
	else
		psql -X -q -d "$PG_URI" -c "CREATE DATABASE run$RUN TEMPLATE ll_template" >/dev/null
		DB=$(pg_db "run$RUN")
	fi
}
start_node() { # DB PORT WORKERS NAME
	mkdir -p "$TMP/$4"
	"$LIVELINE" --db "$1" serve --listen "127.0.0.1:$2" --workers "$3" --media "$TMP/$4/media" \
		--connections $CONN_PER_WORKER --heartbeat 3600 > "$TMP/$4/serve.log" 2>&1 9>&- &
	PIDS+=($!)
	for _ in $(seq 150); do
		grep -q "listening on" "$TMP/$4/serve.log" && return 0
		sleep 0.1
	done
	echo "multinode: $4 did not start" >&2; cat "$TMP/$4/serve.log" >&2; exit 1
}

run() { # CONFIG N ROUND [extra sse_load options...]
	local config=$1 n=$2 round=$3 line token port store_opt=() args=()
	shift 3
	lock
	case $config in
	three)
		fresh_db "$STORE"
		for i in $(seq $NODES); do start_node "$DB" $((PORT_BASE + i - 1)) "$NODE_WORKERS" "node$i"; done
		port=$PORT_BASE
		args=(--ports "$PORT_BASE,$((PORT_BASE + 1)),$((PORT_BASE + 2))")
		;;
	one-pg | one-sqlite)
		if [ "$config" = one-sqlite ]; then fresh_db sqlite; else fresh_db postgresql; fi
		port=$((PORT_BASE + 3))
		start_node "$DB" $port "$WORKERS" single
		;;
	floor)
		port=$((PORT_BASE + 4))
		mkdir -p "$TMP/floor"
		build/bench/sse_floor --listen "127.0.0.1:$port" --workers "$WORKERS" \
			--max-conn $CONN_PER_WORKER > "$TMP/floor/out.log" 2>&1 9>&- &
		PIDS+=($!)
		for _ in $(seq 100); do grep -q "listening on" "$TMP/floor/out.log" && break; sleep 0.1; done
		;;
	esac
	for pid in "${PIDS[@]}"; do args+=(--server-pid "$pid"); done
	if [ "$config" = floor ]; then
		line=$(build/bench/sse_load --port "$port" -n "$n" --posts "$POSTS" --gap-ms 1000 \
			--gap-jitter-ms 500 --base-seq 0 --id id --publish-path /pub --msg-bytes 730 \
			--label "$config" "${args[@]}" "$@") || true
	else
		token=$TOKEN_PG
		case $DB in postgres*) store_opt=(--store-pid "$PG_PID") ;; *) token=$TOKEN_SQLITE ;; esac
		local base
		base=$(curl -s "http://127.0.0.1:$port/live/demo/changes?since=0" | sed -n 's/.*"last_seq":\([0-9]*\).*/\1/p')
		line=$(build/bench/sse_load --port "$port" -n "$n" --posts "$POSTS" --gap-ms 1000 \
			--gap-jitter-ms 500 --base-seq "$base" --id id "${store_opt[@]}" \
			--publish-path /api/v1/pages/demo/posts --publish-body "$TMP/post.json" \
			--publish-header "Authorization: Bearer $token" --label "$config" "${args[@]}" "$@") || true
	fi
	stop_all
	unlock
	[ -n "$line" ] || line='{"error":"sse_load printed nothing"}'
	echo "{\"config\":\"$config\",\"round\":$round,\"result\":$line}" >> "$RESULTS"
	printf '%-10s N=%-6s round %s: %s\n' "$config" "$n" "$round" \
		"$(echo "$line" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("error: %s" % d["error"] if d.get("error") else "completion %.1f ms, p99 %.1f ms, %.2f us CPU/delivery, other node first %s ms, publish p50 %.1f ms, lost %d, dups %d" % (d["completion_ms_median"], d["p99_ms"], d["cpu_us_per_delivery"], d.get("first_other_ms_p99", "-"), d["publish_ms_median"], d["lost"], d["dups"]))' 2>/dev/null || echo "$line")"
}

[ $PG_OK = 1 ] && run one-pg 0 1 --posts "$PUBLISH"
run one-sqlite 0 1 --posts "$PUBLISH"
for round in $(seq "$ROUNDS"); do
	for n in $SIZES; do
		run three "$n" "$round"
		[ $PG_OK = 1 ] && run one-pg "$n" "$round"
		run one-sqlite "$n" "$round"
		run floor "$n" "$round"
	done
done

ELAPSED=$(( $(date +%s) - START ))
python3 bench/multinode_report.py "$RESULTS" "$OUT/scale-out-runs.md" "$ELAPSED" "$LIVELINE" \
	"$ROUNDS" "$POSTS" "$NODE_WORKERS" "$STORE"
echo "multinode: wrote $OUT/scale-out-runs.md in $ELAPSED s"
