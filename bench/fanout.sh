#!/bin/bash
# Fan-out benchmark: Liveline's Server-Sent Events against nginx + nchan, and
# both against the floor (bench/sse_floor.c: one send() per subscriber and
# nothing else, what the kernel's TCP path costs by itself on this machine).
#
#   make && bench/fanout.sh
#
# For N = 1,000, 10,000 and 50,000 subscribers on one page, interleaved
# (Liveline, nchan, floor, Liveline, ...; ROUNDS rounds), bench/sse_load opens N
# streams, waits until all are subscribed, publishes POSTS posts through the
# real publishing path (Liveline: a POST to its newsroom API with an editor's
# token, committed with fsync; nchan and the floor: an HTTP POST to their
# publisher location)
# and measures, per subscriber
# and event, the time from the publish request to receipt. Then: 100,000
# subscribers on Liveline; page latency idle and while a post fans out to
# 50,000; posts per second through the write path. Writes
# bench/results/fanout.md and bench/results/fanout.png.
#
# Each run starts a fresh server (temporary database or nginx prefix) and
# stops it (by PID) afterwards; a trap stops whatever is left on exit. Every
# measurement phase holds /tmp/liveline-bench.lock, like the page benchmark,
# so that the two never measure at once.
#
# Environment: ROUNDS (3), POSTS (5), SIZES ("1000 10000 50000"), BIG (100000,
# 0 to skip), PAGE_N (50000, 0 to skip), WORKERS (4), BIG_WORKERS (8), LIVELINE (build/liveline: another
# binary can be measured the same way), FLOOR (1; 0 leaves the floor out),
# OUT (bench/results), TAG (a suffix for the result files, e.g. "-block1k";
# default none).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=fanout
. bench/lib.sh

ROUNDS=${ROUNDS:-3}
POSTS=${POSTS:-5}
SIZES=${SIZES:-"1000 10000 50000"}
BIG=${BIG:-100000}
PAGE_N=${PAGE_N:-50000}
WORKERS=${WORKERS:-4}
BIG_WORKERS=${BIG_WORKERS:-8}
LIVELINE=${LIVELINE:-build/liveline}
OUT=${OUT:-bench/results}
TAG=${TAG:-}
FLOOR=${FLOOR:-1}
CONN_PER_WORKER=19000 # each worker stays under the 20,000 open files per process
PORT_LL=18411
PORT_NX=18412
PORT_FL=18413

bin/deps gcc nginx libnginx-mod-nchan gnuplot-nox curl python3
[ -x "$LIVELINE" ] || { echo "fanout: $LIVELINE is missing: run make first" >&2; exit 1; }
NCHAN_SO=$(ls /usr/lib/nginx/modules/ngx_nchan_module.so /usr/share/nginx/modules/ngx_nchan_module.so 2>/dev/null | head -1)
[ -n "$NCHAN_SO" ] || { echo "fanout: ngx_nchan_module.so not found" >&2; exit 1; }

mkdir -p build/bench "$OUT"
gcc -std=c17 -O2 -g -Wall -Wextra -Werror -o build/bench/sse_load bench/sse_load.c
gcc -std=c17 -O2 -g -Wall -Wextra -Werror -o build/bench/sse_floor bench/sse_floor.c

TMP=$(mktemp -d /tmp/liveline-fanout.XXXXXX)
RESULTS=build/bench/fanout$TAG.jsonl
: > "$RESULTS"
SERVER_PID=""
START=$(date +%s)

cleanup() {
	[ -n "$SERVER_PID" ] && stop_pid "$SERVER_PID"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_ports_free $PORT_LL $PORT_NX $PORT_FL

# The page every Liveline run starts from.
"$LIVELINE" --db "$TMP/template.db" import --year 2026 --slug demo data/demo.txt >/dev/null 2>&1
cat > "$TMP/body.md" <<'EOF'
The harbour authority says the evening ferry will keep running until the end of June, while people get used to the new lanes on the bridge.

"We want everyone to find the crossing that suits them," a spokesperson said.
EOF
# Posts go through the newsroom API, as an editor's script would send them.
printf '%s\n%s\n' bench-password-1 bench-password-1 | "$LIVELINE" --db "$TMP/template.db" \
	user add bench --role editor --name "Bench Desk" --password-stdin >/dev/null
LL_TOKEN=$("$LIVELINE" --db "$TMP/template.db" token create bench --label bench | tail -n 1)
python3 -c 'import json,sys; print(json.dumps({"title": "Fan-out post %POST%", "body": open(sys.argv[1]).read()}))' \
	"$TMP/body.md" > "$TMP/post.json"

wait_listening() { # LOG NAME: up to 10 s for the server's "listening on" line
	for _ in $(seq 100); do
		grep -q "listening on" "$1" && return 0
		sleep 0.1
	done
	echo "fanout: $2 did not start" >&2; cat "$1" >&2; exit 1
}
start_liveline() { # WORKERS
	rm -rf "$TMP/ll" && mkdir -p "$TMP/ll"
	cp "$TMP/template.db" "$TMP/ll/db"
	"$LIVELINE" --db "$TMP/ll/db" serve --listen "127.0.0.1:$PORT_LL" --workers "$1" \
		--connections $CONN_PER_WORKER --heartbeat 3600 > "$TMP/ll/serve.log" 2>&1 9>&- &
	SERVER_PID=$!
	wait_listening "$TMP/ll/serve.log" Liveline
}
start_nchan() { # WORKERS
	rm -rf "$TMP/nx" && mkdir -p "$TMP/nx/tmp"
	sed -e "s#@PREFIX@#$TMP/nx#g" -e "s#@MODULE@#$NCHAN_SO#" -e "s#@WORKERS@#$1#" \
		-e "s#@PORT@#$PORT_NX#" bench/nginx/nchan.conf > "$TMP/nx/nchan.conf"
	nginx -p "$TMP/nx" -c "$TMP/nx/nchan.conf" -e "$TMP/nx/error.log" > "$TMP/nx/out.log" 2>&1 9>&- &
	SERVER_PID=$!
	for _ in $(seq 100); do
		if curl -s -o /dev/null -m 1 "http://127.0.0.1:$PORT_NX/pub" && \
		   [ "$(pgrep -c -P "$SERVER_PID" || true)" -ge "$1" ]; then
			return 0
		fi
		sleep 0.1
	done
	echo "fanout: nginx did not start" >&2; cat "$TMP/nx/error.log" "$TMP/nx/out.log" >&2; exit 1
}
start_floor() { # WORKERS
	rm -rf "$TMP/fl" && mkdir -p "$TMP/fl"
	build/bench/sse_floor --listen "127.0.0.1:$PORT_FL" --workers "$1" --max-conn $CONN_PER_WORKER \
		> "$TMP/fl/out.log" 2>&1 9>&- &
	SERVER_PID=$!
	wait_listening "$TMP/fl/out.log" "the floor server"
}
stop_server() {
	stop_pid "$SERVER_PID"
	SERVER_PID=""
}

LL_BYTES=750 # a Liveline post event on the wire; measured by the first run
FL_FRAMING=21 # what the floor adds to a published body on the wire (chunk, id:, data:)
run() { # SERVER N ROUND KIND [extra sse_load options...]
	local server=$1 n=$2 round=$3 kind=$4 w=$WORKERS line
	shift 4
	[ "$n" -gt 50000 ] && w=$BIG_WORKERS
	lock
	if [ "$server" = liveline ]; then
		start_liveline "$w"
		local base
		base=$(curl -s "http://127.0.0.1:$PORT_LL/live/demo/changes?since=0" | sed -n 's/.*"last_seq":\([0-9]*\).*/\1/p')
		line=$(build/bench/sse_load --port $PORT_LL -n "$n" --posts "$POSTS" --gap-ms 1000 \
			--gap-jitter-ms 500 --base-seq "$base" --id id --server-pid "$SERVER_PID" \
			--publish-path /api/v1/pages/demo/posts --publish-body "$TMP/post.json" \
			--publish-header "Authorization: Bearer $LL_TOKEN" \
			--label "$kind" "$@") || true
	elif [ "$server" = nchan ]; then
		start_nchan "$w"
		line=$(build/bench/sse_load --port $PORT_NX -n "$n" --posts "$POSTS" --gap-ms 1000 \
			--gap-jitter-ms 500 --base-seq 0 --id seq --server-pid "$SERVER_PID" \
			--publish-path /pub --msg-bytes $((LL_BYTES - 37)) --label "$kind" "$@") || true
	else
		start_floor "$w"
		line=$(build/bench/sse_load --port $PORT_FL -n "$n" --posts "$POSTS" --gap-ms 1000 \
			--gap-jitter-ms 500 --base-seq 0 --id id --server-pid "$SERVER_PID" \
			--publish-path /pub --msg-bytes $((LL_BYTES - FL_FRAMING)) --label "$kind" "$@") || true
	fi
	stop_server
	unlock
	[ -n "$line" ] || line='{"error":"sse_load printed nothing"}'
	echo "{\"server\":\"$server\",\"round\":$round,\"workers\":$w,\"result\":$line}" >> "$RESULTS"
	printf '%-8s %-9s N=%-6s round %s: %s\n' "$server" "$kind" "$n" "$round" \
		"$(echo "$line" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("error: %s" % d["error"] if d.get("error") else "p50 %.1f ms, p99 %.1f ms, completion %.1f ms, %.2f us CPU/delivery, %.0f B/sub, lost %d, dups %d" % (d["p50_ms"], d["p99_ms"], d["completion_ms_median"], d["cpu_us_per_delivery"], d["pss_per_sub"], d["lost"], d["dups"]))' 2>/dev/null || echo "$line")"
	if [ "$server" = liveline ] && [ "$kind" = fanout ]; then
		local b
		b=$(echo "$line" | sed -n 's/.*"bytes_per_event":\([0-9]*\).*/\1/p')
		[ -n "$b" ] && [ "$b" -gt 100 ] && LL_BYTES=$b
	fi
	return 0
}

# Posts per second through the write path (no subscribers; Liveline commits
# each post with fsync, nchan keeps messages in memory).
run liveline 0 1 publish --posts 100
run nchan 0 1 publish --posts 1000

for round in $(seq "$ROUNDS"); do
	for n in $SIZES; do
		run liveline "$n" "$round" fanout
		run nchan "$n" "$round" fanout
		[ "$FLOOR" = 1 ] && run floor "$n" "$round" fanout
	done
done

# Page requests (4 connections, one request each every 10 ms) idle, then
# while each post fans out to PAGE_N subscribers.
for round in $( [ "$PAGE_N" -gt 0 ] && seq 2 ); do
	run liveline "$PAGE_N" "$round" page --pager 4 --page-path /live/demo --page-interval-ms 10 --idle-ms 3000
done

if [ "$BIG" -gt 0 ]; then
	run liveline "$BIG" 1 big --post-timeout 60
fi

ELAPSED=$(( $(date +%s) - START ))
python3 - "$RESULTS" "$OUT" "$TAG" "$ELAPSED" "$LIVELINE" "$ROUNDS" "$POSTS" "$WORKERS" "$BIG_WORKERS" <<'PYEOF'
import json, subprocess, sys, statistics, time, platform, os
res_path, out, tag, elapsed, liveline, rounds, posts, workers, big_workers = sys.argv[1:]
rows = [json.loads(l) for l in open(res_path) if l.strip()]

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"

def runs(server, kind, n=None):
    return [r for r in rows if r["server"] == server and r["result"].get("label") == kind
            and (n is None or r["result"].get("n") == n)]

def ok(rs):
    return [r["result"] for r in rs if not r["result"].get("error")]

def med(vals):
    return statistics.median(vals) if vals else None

def fmt(v, unit="", nd=1):
    if v is None:
        return "–"
    if abs(v) >= 100 and nd > 0:
        nd = 0
    return f"{v:,.{nd}f}{unit}"

def cell(rs, key, nd=1, scale=1.0):
    vals = [r[key] * scale for r in rs if r.get(key) is not None and r.get(key, -1) >= 0]
    if not vals:
        return "–", None
    m = med(vals)
    if len(vals) == 1:
        return fmt(m, "", nd), m
    return f"{fmt(m, '', nd)} ({fmt(min(vals), '', nd)}–{fmt(max(vals), '', nd)})", m

def ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b not in (None, 0) else "–"

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
machine = (f"{os.cpu_count()} cores ({cpu}), "
           f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, Linux {platform.release()}, "
           f"Debian {sh('cat /etc/debian_version')}")
dpkg = lambda p: sh("dpkg-query -W -f='${Version}' " + p)
versions = (f"libmicrohttpd {dpkg('libmicrohttpd12')}, nginx {dpkg('nginx')}, "
            f"libnginx-mod-nchan {dpkg('libnginx-mod-nchan')}")
rev = sh("git rev-parse --short HEAD") + (" (with local changes)" if sh("git status --porcelain src") else "")

L = []
L.append(f"# Fan-out: Liveline's Server-Sent Events against nginx + nchan{(' (' + tag.strip('-') + ')') if tag else ''}\n")
L.append(f"Generated by `bench/fanout.sh` on {time.strftime('%Y-%m-%d %H:%M %Z')} in {int(elapsed) // 60} min {int(elapsed) % 60} s. "
         f"Machine: {machine}. {versions}. Liveline `{liveline}` at commit {rev}.\n")
L.append("## How it is measured\n")
L.append(f"""- One fresh server per run: Liveline (`liveline serve --workers {workers} --connections 19000 --heartbeat 3600`,
  a temporary copy of the demo database) or nginx + nchan (`bench/nginx/nchan.conf`, {workers} workers, one
  channel, `reuseport` like Liveline's workers, worker_connections 19500, worker_rlimit_nofile 20000).
  100,000 subscribers: {big_workers} Liveline workers. Runs are interleaved Liveline, nchan,{' the floor (below),' if any(r["server"] == "floor" for r in rows) else ''} Liveline, nchan...
  ({rounds} rounds of each size); a cell is the median of the rounds with the range in brackets.
- Load client `bench/sse_load.c` (C, epoll, non-blocking connects, HTTP/1.1 with a minimal chunked
  decoder): N streams from source addresses 127.0.0.2, 127.0.0.3, ... in processes of at most 16,000
  streams each (one process may have 20,000 open files here). A stream counts as subscribed once its
  `200` headers arrived. When all N are subscribed, {posts} posts are published one at a time, 1–1.5 s
  apart (random, so that posts do not fall at a fixed phase of any server timer).
- Publish: Liveline `POST /api/v1/pages/demo/posts` with an editor's API token (`Authorization: Bearer`),
  a JSON title and Markdown body: the newsroom's own path (SQLite WAL with `synchronous=FULL`, fsync before the
  `201`; the worker that took it sends at once, the others learn of it from the change log); nchan: HTTP POST
  to `/pub` (kept in memory). The client reads CLOCK_MONOTONIC just before it starts the publish; each
  subscriber records CLOCK_MONOTONIC when `read()` returns the event. Events are identified by number
  (Liveline: the SSE `id:`, the change's sequence number; nchan: a `seq` in the message, padded to the size
  of Liveline's event) to count losses and duplicates.
- Latency: per subscriber per event, publish → receipt: p50, p99, max over all N × {posts}. Completion: publish
  → last subscriber has it (median over the posts). First: publish → first subscriber has it.
  Deliveries/s: N / completion.
- Server CPU: sum of `/proc/PID/task/TID/schedstat` (ns run time) over the master and workers, from just before
  each publish to 100 ms after its last delivery, divided by the deliveries; both servers' publish requests
  are in it.
- Memory per idle subscriber: (Pss after − Pss before) / N, summed over master and workers
  (`/proc/PID/smaps_rollup`; Pss counts a page shared by k processes 1/k times, so nginx's shared memory
  is not counted once per worker); VmRSS is shown too. The kernel's socket memory is on top for both.
- Both servers and the client share the machine's {os.cpu_count()} cores.
""")

def lost(rs):
    return sum(r.get("lost", 0) + r.get("closed", 0) for r in rs)

def dups(rs):
    return sum(r.get("dups", 0) + r.get("unexpected", 0) for r in rs)

sizes = sorted({r["result"]["n"] for r in rows if r["result"].get("label") == "fanout" and "n" in r["result"]})
chart = []
size_meds = {}
L.append("## Fan-out\n")
for n in sizes:
    a, b = ok(runs("liveline", "fanout", n)), ok(runs("nchan", "fanout", n))
    na, nb = len(runs("liveline", "fanout", n)), len(runs("nchan", "fanout", n))
    L.append(f"### {n:,} subscribers\n")
    L.append(f"Runs that completed: Liveline {len(a)}/{na}, nchan {len(b)}/{nb}.\n")
    L.append("| measure | Liveline | nchan | Liveline / nchan | target |")
    L.append("|---|---|---|---|---|")
    items = [
        ("latency p50 (ms)", "p50_ms", 1, 1.0, ""),
        ("latency p99 (ms)", "p99_ms", 1, 1.0, "below nchan's"),
        ("latency max (ms)", "max_ms", 1, 1.0, ""),
        ("fan-out completion (ms)", "completion_ms_median", 1, 1.0, "≤ 0.6x (10k, 50k)" if n >= 10000 else ""),
        ("publish → first receipt (ms)", "first_ms_median", 1, 1.0, ""),
        ("deliveries per second", "deliveries_per_s_median", 0, 1.0, ""),
        ("server CPU per delivery (µs)", "cpu_us_per_delivery", 2, 1.0, "≤ 0.6x"),
        ("memory per idle subscriber, Pss (bytes)", "pss_per_sub", 0, 1.0, "≤ 2 KB (Liveline)"),
        ("memory per idle subscriber, VmRSS (bytes)", "rss_per_sub", 0, 1.0, ""),
        ("publish request (ms)", "publish_ms_median", 1, 1.0, ""),
        ("bytes per event on the wire", "bytes_per_event", 0, 1.0, ""),
        ("time to connect all (s)", "connect_s", 1, 1.0, ""),
    ]
    meds = {}
    for name, key, nd, sc, target in items:
        ca, ma = cell(a, key, nd, sc)
        cb, mb = cell(b, key, nd, sc)
        meds[key] = (ma, mb)
        L.append(f"| {name} | {ca} | {cb} | {ratio(ma, mb)} | {target} |")
    all_a = [r["result"] for r in runs("liveline", "fanout", n)]
    all_b = [r["result"] for r in runs("nchan", "fanout", n)]
    L.append(f"| lost / duplicated events (all rounds) | {lost(all_a)} / {dups(all_a)} | {lost(all_b)} / {dups(all_b)} | | 0 / 0 |")
    L.append("")
    f = ok(runs("floor", "fanout", n))
    fm = {k: cell(f, k)[1] for k in ("p50_ms", "p99_ms", "completion_ms_median")}
    chart.append((n, meds["p50_ms"], meds["p99_ms"], meds["completion_ms_median"],
                  (fm["p50_ms"], fm["p99_ms"], fm["completion_ms_median"])))
    size_meds[n] = meds

fl_sizes = [n for n in sizes if runs("floor", "fanout", n)]
if fl_sizes:
    L.append("## The floor: what one send per subscriber costs on this machine\n")
    L.append("The same client against `bench/sse_floor.c`, interleaved with the two servers above (Liveline, nchan, "
             "floor, Liveline, ...; same workers, one fresh server per run): a server that keeps the event in memory "
             "and, when a post is published to it (HTTP POST, the body padded like nchan's to the same bytes on the wire), "
             "does one `send()` of one prepared chunked frame per subscriber and nothing else: no framing per reader, "
             "no storage, no rendering, no heartbeat, no queue. Its CPU per delivery is the kernel's TCP path over "
             "loopback (the subscriber's receive side runs in the sender's context there), the wake-up of the "
             "client and an epoll wake per worker: what any server pays on this machine with this client. "
             "No server can go below it; a ratio to nchan can be no lower than the floor's.\n")
    L.append("| subscribers | CPU per delivery (µs): floor | floor / nchan | Liveline / floor | Liveline − floor (µs) "
             "| completion (ms): floor | floor / nchan | Liveline / floor | lost / duplicated (floor) | bytes per event |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for n in fl_sizes:
        f = ok(runs("floor", "fanout", n))
        fa = [r["result"] for r in runs("floor", "fanout", n)]
        cc, mc = cell(f, "cpu_us_per_delivery", 2)
        ck, mk = cell(f, "completion_ms_median", 1)
        _, mbytes = cell(f, "bytes_per_event", 0)
        lc, nc = size_meds[n]["cpu_us_per_delivery"]
        lk, nk = size_meds[n]["completion_ms_median"]
        diff = f"{lc - mc:.2f}" if lc is not None and mc is not None else "–"
        L.append(f"| {n:,} | {cc} | {ratio(mc, nc)} | {ratio(lc, mc)} | {diff} | {ck} | {ratio(mk, nk)} | "
                 f"{ratio(lk, mk)} | {lost(fa)} / {dups(fa)} | {fmt(mbytes, '', 0)} |")
    L.append("")
    L.append("Read with the targets: when the floor's own ratio to nchan is near 0.6x, a target of 0.6x leaves a "
             "server almost nothing above the kernel's path; \"Liveline − floor\" is what Liveline spends per delivery "
             "beyond it (its publish request, change log, workers' wake-ups and framing), the part its code can still "
             "change. Completion adds the client's own receive work, which shares the cores.\n")

big = runs("liveline", "big")
if big:
    L.append("## 100,000 subscribers on one page (Liveline)\n")
    for r in big:
        d = r["result"]
        if d.get("error"):
            L.append(f"Run failed: {d.get('error')} (subscribed {d.get('subscribed')}, failed {d.get('failed')}, "
                     f"lost {d.get('lost')}).\n")
        L.append(f"{d.get('n', 0):,} streams ({r['workers']} workers, {d.get('procs')} client processes, "
                 f"{d.get('srcs')} source addresses), subscribed {d.get('subscribed', 0):,} in {d.get('connect_s', 0):.1f} s; "
                 f"{d.get('posts')} posts, {d.get('deliveries', 0):,} deliveries, lost {d.get('lost')}, duplicated {d.get('dups')}. "
                 f"Latency p50 {fmt(d.get('p50_ms'))} ms, p99 {fmt(d.get('p99_ms'))} ms, max {fmt(d.get('max_ms'))} ms; "
                 f"completion (median of posts) {fmt(d.get('completion_ms_median'))} ms; "
                 f"{fmt(d.get('deliveries_per_s_median'), '', 0)} deliveries/s; "
                 f"{fmt(d.get('cpu_us_per_delivery'), '', 2)} µs server CPU per delivery; "
                 f"{fmt(d.get('pss_per_sub'), '', 0)} bytes Pss per idle subscriber "
                 f"(VmRSS {fmt(d.get('rss_per_sub'), '', 0)}).\n")
        if len(d.get("completion_ms", [])):
            L.append("Per post, completion (ms): " + ", ".join(fmt(x) for x in d["completion_ms"]) + ".\n")

pg = ok(runs("liveline", "page"))
if runs("liveline", "page"):
    L.append(f"## Page latency while a post fans out to {runs('liveline', 'page')[0]['result'].get('n', 0):,} subscribers (Liveline)\n")
    L.append("`GET /live/demo` (gzip) on 4 keep-alive connections, each one request every 10 ms "
             "(the client's page process), in a 3 s idle window with the streams open, and for "
             "requests started between a publish and its last delivery. Target: fan-out p99 ≤ 3x idle p99.\n")
    L.append("Each request is timed from just before it is written, to two ends: **at the client's kernel**, "
             "the arrival of the response's last segment (`SO_TIMESTAMPNS`), which is what a reader on another "
             "machine sees apart from the network; and **at the client process**, when the page process has read "
             "it, which adds that process's own wait for one of the two cores it shares with the load client and "
             "the server. The target is judged at the client's kernel; both are shown.\n")
    L.append("| run | idle p99 (ms) | fan-out p50 (ms) | fan-out p95 (ms) | fan-out p99 (ms) | fan-out max (ms) | p99 ratio | "
             "at the process: idle p99 / fan-out p99 (ms) | ratio | requests idle / fan-out | errors |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    kratios = []
    for r in runs("liveline", "page"):
        d = r["result"]
        if d.get("error"):
            L.append(f"| {r['round']} | failed: {d['error']} | | | | | | | | | |")
            continue
        kratios.append(d['page_fanout_p99_ms_kernel'] / d['page_idle_p99_ms_kernel'] if d['page_idle_p99_ms_kernel'] > 0 else None)
        L.append(f"| {r['round']} | {d['page_idle_p99_ms_kernel']:.2f} | {d['page_fanout_p50_ms_kernel']:.2f} | "
                 f"{d['page_fanout_p95_ms_kernel']:.2f} | {d['page_fanout_p99_ms_kernel']:.2f} | {d['page_fanout_max_ms_kernel']:.2f} | "
                 f"{ratio(d['page_fanout_p99_ms_kernel'], d['page_idle_p99_ms_kernel'])} | "
                 f"{d['page_idle_p99_ms']:.2f} / {d['page_fanout_p99_ms']:.2f} | {ratio(d['page_fanout_p99_ms'], d['page_idle_p99_ms'])} | "
                 f"{d['page_idle_n']} / {d['page_fanout_n']} | {d['page_errors']} |")
    kr = [x for x in kratios if x is not None]
    if kr:
        L.append("")
        L.append(f"At the client's kernel, fan-out p99 against idle p99: {max(kr):.2f}x at worst over the runs "
                 f"(target ≤ 3x: {'met' if max(kr) <= 3 else 'not met'}).")
    L.append("")
    L.append("The same runs' fan-out figures: " + "; ".join(
        f"completion {fmt(d['completion_ms_median'])} ms, p99 {fmt(d['p99_ms'])} ms, lost {d['lost']}" for d in pg) + ".\n")

L.append("## Publishing\n")
L.append("| | posts per second (one publisher, back to back) | publish request p50 (ms) | publish → first subscriber (ms, median over the fan-out runs) |")
L.append("|---|---|---|---|")
for s, name in (("liveline", "Liveline (API POST, fsync)"), ("nchan", "nchan (HTTP POST, memory)")):
    p = ok(runs(s, "publish"))
    firsts = [r["first_ms_median"] for r in ok(runs(s, "fanout"))]
    d = p[0] if p else {}
    L.append(f"| {name} | {fmt(d.get('publish_rate_per_s'))} | {fmt(d.get('publish_ms_median'), '', 2)} | "
             f"{fmt(med(firsts), '', 1)} ({fmt(min(firsts) if firsts else None)}–{fmt(max(firsts) if firsts else None)}) |")
L.append("")

failed = [r for r in rows if r["result"].get("error")]
if failed:
    L.append("## Runs with errors\n")
    for r in failed:
        d = r["result"]
        L.append(f"- {r['server']} {d.get('label')} N={d.get('n')} round {r['round']}: {d.get('error')} "
                 f"(subscribed {d.get('subscribed')}, failed {d.get('failed')}, lost {d.get('lost')}, closed {d.get('closed')})")
    L.append("")
L.append(f"Raw results (one JSON object per run): `build/bench/fanout{tag}.jsonl` on the machine that ran it. "
         "Why the Liveline figures are what they are, and what would change them: `bench/results/fanout-profile.md`.\n")
open(os.path.join(out, f"fanout{tag}.md"), "w").write("\n".join(L))

with open(f"build/bench/fanout{tag}.dat", "w") as f:
    f.write("# n ll_p50 ll_p99 ll_completion nx_p50 nx_p99 nx_completion fl_p50 fl_p99 fl_completion\n")
    for n, p50, p99, c, fl in chart:
        vals = [p50[0], p99[0], c[0], p50[1], p99[1], c[1], *fl]
        f.write(f"{n} " + " ".join("NaN" if v is None else f"{v:.3f}" for v in vals) + "\n")
print("\n".join(L))
PYEOF
gnuplot -e "datafile='build/bench/fanout$TAG.dat'; outfile='$OUT/fanout$TAG.png'; floor=$FLOOR" bench/fanout.gnuplot
echo "fanout: wrote $OUT/fanout$TAG.md and $OUT/fanout$TAG.png in $ELAPSED s"
