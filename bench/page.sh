#!/usr/bin/env bash
# The page benchmark: GET /live/SLUG from Liveline's page cache against nginx
# serving the identical bytes from a file, with wrk, keep-alive.
#
#   cases:  200 plain, 304 (If-None-Match), 200 gzip (Accept-Encoding: gzip)
#           x 100 and 1,000 connections
#   pinning: each server (its whole process tree) on CPU $SERVER_CPU, wrk on
#           CPU $CLIENT_CPU; one Liveline worker, one nginx worker
#   rounds: Liveline and nginx interleaved A B A B ($ROUNDS rounds per case),
#           each run a ${WARMUP}s warm-up then ${DURATION}s measured
#   CPU:    utime+stime of the server's processes from /proc/PID/stat, before
#           and after each measured run, divided by the requests wrk completed
#
# Run from the repository root after `make` (build/liveline must exist):
#   bench/page.sh            writes bench/results/page.md
# Environment: DURATION (5), WARMUP (1), ROUNDS (3), CONNS ("100 1000"),
#   SERVER_CPU (0), CLIENT_CPU (1), OUT (bench/results/page.md), SEED (a file),
#   LIVELINE (build/liveline: another build of the same program, to compare).
# Each run holds the lock /tmp/liveline-bench.lock, shared with the other
# benchmarks, so that two benchmarks never measure at once. Same binary, same
# code path as production: `liveline serve`, no bench mode.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-100 1000}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
OUT=${OUT:-bench/results/page.md}
LIVELINE=${LIVELINE:-build/liveline}
LOCK=/tmp/liveline-bench.lock
SLUG=ukraine
TITLE="Ukraine war: Paris and Riyadh summits 3,000 miles apart"

if [ -z "${SEED:-}" ]; then
	SEED=../shared/seed/000_19ac0cd5f19af9c6.txt
	[ -f "$SEED" ] || SEED=data/demo.txt
fi

die() { echo "page.sh: $*" >&2; exit 1; }

[ -x "$LIVELINE" ] || die "$LIVELINE is missing: run make first"
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
	bin/deps nginx wrk || die "nginx and wrk are needed (bin/deps nginx wrk, as root)"
fi
export PATH="$PATH:/usr/sbin"
command -v python3 >/dev/null || die "python3 is needed for the summary"

# 1,000 connections: wrk and both servers need more than 1,024 descriptors.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then
	ulimit -n 65536
else
	ulimit -n "$hard"
fi
[ "$(ulimit -n)" -ge 4096 ] || die "open-file limit $(ulimit -n) is too low for 1,000 connections"

tmp=$(mktemp -d /tmp/liveline-page-bench.XXXXXX)
ll_pid=""
ngx_pid=""
cleanup() {
	local p
	for p in $ll_pid $ngx_pid; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $ll_pid $ngx_pid; do
		for _ in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- Liveline: the seed imported, served by one worker pinned to SERVER_CPU ----
# A private copy of the binary, so that a rebuild during the run changes nothing.
cp "$LIVELINE" "$tmp/liveline"
"$tmp/liveline" --db "$tmp/page.db" import --year 2025 --slug "$SLUG" --title "$TITLE" \
	"$SEED" >"$tmp/import.log" 2>&1 || { cat "$tmp/import.log" >&2; die "import failed"; }
ll_port=$(free_port)
ll_cmd="taskset -c $SERVER_CPU build/liveline --db DB serve --listen 127.0.0.1:$ll_port --workers 1"
taskset -c "$SERVER_CPU" "$tmp/liveline" --db "$tmp/page.db" serve \
	--listen "127.0.0.1:$ll_port" --workers 1 >"$tmp/liveline.log" 2>&1 &
ll_pid=$!
ll_url="http://127.0.0.1:$ll_port/live/$SLUG"
for _ in $(seq 100); do
	curl -sf -o /dev/null "$ll_url" && break
	kill -0 "$ll_pid" 2>/dev/null || break
	sleep 0.1
done
curl -sf -o /dev/null "$ll_url" || { cat "$tmp/liveline.log" >&2; die "Liveline did not answer"; }

# The bytes and the ETag, as a reader gets them.
curl -sf -D "$tmp/ll.h" -o "$tmp/page.html" "$ll_url"
curl -sf -H 'Accept-Encoding: gzip' -D "$tmp/ll-gz.h" -o "$tmp/page.html.gz" "$ll_url"
etag=$(tr -d '\r' <"$tmp/ll.h" | awk 'tolower($1) == "etag:" { print $2 }')
case "$etag" in
'"'*'"') etag=${etag#\"}; etag=${etag%\"} ;;
*) die "no strong ETag from Liveline (got '$etag')" ;;
esac
grep -qi '^content-encoding: gzip' "$tmp/ll-gz.h" || die "Liveline sent no gzip copy"
gzip -dc "$tmp/page.html.gz" | cmp -s - "$tmp/page.html" || die "the gzip copy is not the page"

# ---- nginx: the same bytes from a file, one worker pinned to SERVER_CPU ----
ngx_port=$(free_port)
ngx="$tmp/nginx"
mkdir -p "$ngx/docroot/live" "$ngx/tmp"
cp "$tmp/page.html" "$ngx/docroot/live/$SLUG"
cp "$tmp/page.html.gz" "$ngx/docroot/live/$SLUG.gz"
touch -r "$ngx/docroot/live/$SLUG" "$ngx/docroot/live/$SLUG.gz"
sed -e "s/@PORT@/$ngx_port/g" -e "s/@ETAG@/$etag/g" bench/nginx/page.conf >"$ngx/page.conf"
# Workers run as "nobody" when nginx starts as root: they must read the files.
chmod 755 "$tmp" && chmod -R a+rX "$ngx"
ngx_cmd="taskset -c $SERVER_CPU nginx -p PREFIX -c PREFIX/page.conf -g 'daemon off;'"
taskset -c "$SERVER_CPU" nginx -p "$ngx" -c "$ngx/page.conf" -g 'daemon off;' \
	>"$tmp/nginx.log" 2>&1 &
ngx_pid=$!
ngx_url="http://127.0.0.1:$ngx_port/live/$SLUG"
for _ in $(seq 100); do
	curl -sf -o /dev/null "$ngx_url" && break
	kill -0 "$ngx_pid" 2>/dev/null || break
	sleep 0.1
done
curl -sf -o /dev/null "$ngx_url" || { cat "$tmp/nginx.log" "$ngx/error.log" >&2; die "nginx did not answer"; }

# ---- The same bytes from both, and a correct 304 from both ----
inm="If-None-Match: \"$etag\""
for name in ll ngx; do
	[ $name = ll ] && url=$ll_url || url=$ngx_url
	curl -sf -o "$tmp/$name.body" "$url"
	cmp -s "$tmp/$name.body" "$tmp/page.html" || die "$name: the plain body differs"
	curl -sf -H 'Accept-Encoding: gzip' -D "$tmp/$name.gzh" -o "$tmp/$name.gz" "$url"
	cmp -s "$tmp/$name.gz" "$tmp/page.html.gz" || die "$name: the gzip body differs"
	grep -qi '^content-encoding: gzip' "$tmp/$name.gzh" || die "$name: no Content-Encoding: gzip"
	code=$(curl -s -o "$tmp/$name.304" -D "$tmp/$name.304h" -w '%{http_code}' -H "$inm" "$url")
	[ "$code" = 304 ] && [ ! -s "$tmp/$name.304" ] || die "$name: If-None-Match gave $code"
	tr -d '\r' <"$tmp/$name.304h" | grep -qi "^etag: \"$etag\"$" || die "$name: 304 without the ETag"
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: "other"' "$url")
	[ "$code" = 200 ] || die "$name: a different ETag gave $code"
done

# The processes whose CPU time is counted: each server's whole tree (the
# master and its workers), pinned together on SERVER_CPU.
tree_pids() {
	local p=$1
	echo "$p"
	ps -o pid= --ppid "$p" | tr -d ' '
}
# Busy ticks of one CPU so far (all but idle and iowait), from /proc/stat.
cpu_busy() {
	awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
# CPU ticks (utime + stime) used so far by the given PIDs.
cpu_ticks() {
	local p t=0 f
	for p in "$@"; do
		f=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null) || continue
		# Fields after "(comm)": state is $1, utime is $12, stime $13.
		t=$((t + $(echo "$f" | awk '{ print $12 + $13 }')))
	done
	echo "$t"
}
hz=$(getconf CLK_TCK)
ll_pids=$(tree_pids "$ll_pid")
ngx_pids=$(tree_pids "$ngx_pid")
[ "$(echo "$ll_pids" | wc -l)" -eq 2 ] || die "expected one Liveline worker (pids: $ll_pids)"
[ "$(echo "$ngx_pids" | wc -l)" -eq 2 ] || die "expected one nginx worker (pids: $ngx_pids)"

# ---- Measure ----
raw="$tmp/raw.tsv"
printf 'case\tconns\tround\tserver\trps\trequests\tseconds\tcpu_ticks\tp99\terrors\tclient_ticks\n' >"$raw"
wrk_args() { # case conns -> the wrk arguments after -c
	case $1 in
	plain) ;;
	304) printf '%s\n' -H "$inm" ;;
	gzip) printf '%s\n' -H 'Accept-Encoding: gzip' ;;
	esac
}
run_one() { # case conns round server url pids
	local c=$1 n=$2 r=$3 s=$4 url=$5 pids=$6 out before after cb ca hdr=()
	mapfile -t hdr < <(wrk_args "$c")
	out="$tmp/wrk-$c-$n-$r-$s.txt"
	{
		local w0 w1
		w0=$(date +%s%N)
		flock 9
		w1=$(date +%s%N)
		waited_ms=$((waited_ms + (w1 - w0) / 1000000))
		taskset -c "$CLIENT_CPU" wrk -t1 -c"$n" -d"${WARMUP}s" "${hdr[@]}" "$url" >/dev/null 2>&1 || true
		# shellcheck disable=SC2086
		before=$(cpu_ticks $pids)
		cb=$(cpu_busy "$CLIENT_CPU")
		taskset -c "$CLIENT_CPU" wrk -t1 -c"$n" -d"${DURATION}s" --latency "${hdr[@]}" "$url" >"$out" 2>&1
		# shellcheck disable=SC2086
		after=$(cpu_ticks $pids)
		ca=$(cpu_busy "$CLIENT_CPU")
	} 9>"$LOCK"
	python3 - "$out" "$c" "$n" "$r" "$s" "$((after - before))" "$((ca - cb))" >>"$raw" <<'EOF'
import re, sys
path, case, conns, rnd, server, ticks, cticks = sys.argv[1:]
t = open(path).read()
m = re.search(r'(\d+) requests in ([\d.]+)(m?s)', t)
reqs = int(m.group(1)); secs = float(m.group(2)) * (60 if m.group(3) == 'm' else 1)
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', t).group(1))
p = re.search(r'^\s+99%\s+([\d.]+)(us|ms|s)\s*$', t, re.M)
p99 = float(p.group(1)) * {'us': 0.001, 'ms': 1.0, 's': 1000.0}[p.group(2)]
err = 0
for e in re.findall(r'(?:connect|read|write|timeout) (\d+)', t):
    err += int(e)
m = re.search(r'Non-2xx or 3xx responses: (\d+)', t)
if m: err += int(m.group(1))
print(f"{case}\t{conns}\t{rnd}\t{server}\t{rps:.1f}\t{reqs}\t{secs:.2f}\t{ticks}\t{p99:.3f}\t{err}\t{cticks}")
EOF
	tail -n1 "$raw" | awk -F'\t' '{ printf "page.sh: %-5s %4s conns round %s %-8s %9.0f req/s  p99 %s ms  errors %s\n", $1, $2, $3, $4, $5, $9, $10 }' >&2
}

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s)
waited_ms=0
for c in plain 304 gzip; do
	for n in $CONNS; do
		for r in $(seq "$ROUNDS"); do
			run_one "$c" "$n" "$r" liveline "$ll_url" "$ll_pids"
			run_one "$c" "$n" "$r" nginx "$ngx_url" "$ngx_pids"
		done
	done
done
elapsed=$(($(date +%s) - t0))

# A worker that died and came back would have spoiled the CPU figures.
[ "$(tree_pids "$ll_pid" | tr '\n' ' ')" = "$(echo "$ll_pids" | tr '\n' ' ')" ] ||
	die "the Liveline worker changed during the run"
[ "$(tree_pids "$ngx_pid" | tr '\n' ' ')" = "$(echo "$ngx_pids" | tr '\n' ' ')" ] ||
	die "the nginx worker changed during the run"

# ---- Report ----
hdr_of() { tr -d '\r' <"$1" | grep -v -i -e '^date:' -e '^HTTP/' -e '^$' | sed 's/^/    /'; }
{
	echo "machine=$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
	echo "date=$started"
	echo "elapsed=$elapsed"
	echo "waited=$((waited_ms / 1000))"
	echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
	echo "wrk=$(wrk -v 2>&1 | head -n1 | awk '{ print $2 }')"
	if [ "$LIVELINE" = build/liveline ]; then
		echo "liveline=$("$tmp/liveline" --version) ($(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo ', with uncommitted changes in src/'))"
	else
		echo "liveline=$("$tmp/liveline" --version) (the build $LIVELINE)"
	fi
	echo "mhd=$(dpkg-query -W -f='${Version}' libmicrohttpd12 2>/dev/null || echo unknown)"
	echo "hz=$hz"
	echo "page_bytes=$(stat -c %s "$tmp/page.html")"
	echo "gzip_bytes=$(stat -c %s "$tmp/page.html.gz")"
	echo "etag=\"$etag\""
	echo "ll304=$(wc -c <"$tmp/ll.304h")"
	echo "ngx304=$(wc -c <"$tmp/ngx.304h")"
	echo "seed=$SEED"
	echo "duration=$DURATION"
	echo "warmup=$WARMUP"
	echo "rounds=$ROUNDS"
	echo "server_cpu=$SERVER_CPU"
	echo "client_cpu=$CLIENT_CPU"
	echo "ll_cmd=$ll_cmd"
	echo "ngx_cmd=$ngx_cmd"
} >"$tmp/meta"
hdr_of "$tmp/ll.h" >"$tmp/ll.headers"
curl -s -D - -o /dev/null "$ngx_url" | tr -d '\r' | grep -v -i -e '^date:' -e '^HTTP/' -e '^$' | sed 's/^/    /' >"$tmp/ngx.headers"
mkdir -p "$(dirname "$OUT")"
python3 - "$tmp/meta" "$raw" "$tmp/ll.headers" "$tmp/ngx.headers" >"$OUT" <<'EOF'
import sys, statistics as st
meta = dict(l.rstrip('\n').split('=', 1) for l in open(sys.argv[1]))
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[2])][1:]
ll_h, ngx_h = open(sys.argv[3]).read(), open(sys.argv[4]).read()
hz = int(meta['hz'])

def runs(case, conns, server):
    return [r for r in rows if r[0] == case and r[1] == conns and r[3] == server]

def fig(vals, fmt):
    return f"{fmt(st.median(vals))} [{fmt(min(vals))}–{fmt(max(vals))}]"

k = lambda v: f"{v/1000:.1f}k"
us = lambda v: f"{v:.1f}"
ms = lambda v: f"{v:.2f}"

def stats(case, conns, server):
    rs = runs(case, conns, server)
    rps = [float(r[4]) for r in rs]
    cpu = [int(r[7]) / hz * 1e6 / int(r[5]) for r in rs]
    p99 = [float(r[8]) for r in rs]
    err = sum(int(r[9]) for r in rs)
    return rps, cpu, p99, err

def paired(case, conns):
    """Liveline/nginx of each round (the two runs of a round are neighbours in time)."""
    lr, lc, _, _ = stats(case, conns, 'liveline')
    nr, nc, _, _ = stats(case, conns, 'nginx')
    return [a / b for a, b in zip(lr, nr)], [a / b for a, b in zip(lc, nc)]

names = {'plain': ('200, plain', 'GET /live/ukraine', ''),
         '304': ('304, If-None-Match', 'GET /live/ukraine', f" -H 'If-None-Match: {meta['etag']}'"),
         'gzip': ('200, gzip', 'GET /live/ukraine', " -H 'Accept-Encoding: gzip'")}
conns_list = sorted({r[1] for r in rows}, key=int)
o = []
w = o.append
w("# The page: Liveline against nginx")
w("")
waited = int(meta['waited'])
w(f"Written by `bench/page.sh` on {meta['date']} (UTC) in {int(meta['elapsed'])//60} min {int(meta['elapsed'])%60} s"
  + (f", {waited//60} min {waited%60} s of it waiting for the lock while another benchmark measured." if waited else "."))
w("")
w(f"- **Machine**: {meta['machine']}; shared with other work, hence the interleaving and the ranges.")
w(f"- **Software**: {meta['liveline']}, libmicrohttpd {meta['mhd']} (Debian); {meta['nginx']}; wrk {meta['wrk']}.")
w(f"- **Page**: the seed (`{meta['seed']}`) imported as `/live/ukraine`: {int(meta['page_bytes']):,} bytes of HTML, {int(meta['gzip_bytes']):,} gzipped, ETag `{meta['etag']}`. Both servers send the same bytes (checked with curl and cmp before measuring, plain and gzip; both answer the ETag with an empty 304 and another ETag with 200).")
w(f"- **Servers**: one worker each, the whole process tree pinned to CPU {meta['server_cpu']}; wrk on CPU {meta['client_cpu']}, one thread, keep-alive.")
w(f"- **Runs**: for each case, {meta['rounds']} rounds of Liveline then nginx (A B A B ...); each run a {meta['warmup']} s warm-up then {meta['duration']} s measured, under the lock `/tmp/liveline-bench.lock`. Figures are the median and [min–max] of the rounds.")
w(f"- **CPU per request**: utime+stime of the server's processes (master and worker) from `/proc/PID/stat` before and after the measured run (CLK_TCK = {hz}), divided by the requests wrk completed; in microseconds.")
w("")
w("Commands (DB and PREFIX are temporary; PREFIX/page.conf is `bench/nginx/page.conf` with the port and ETag filled in):")
w("")
w("```sh")
w(f"build/liveline --db DB import --year 2025 --slug ukraine --title '...' {meta['seed']}")
w(meta['ll_cmd'])
w(meta['ngx_cmd'])
for c in ('plain', '304', 'gzip'):
    w(f"taskset -c {meta['client_cpu']} wrk -t1 -cN -d{meta['warmup']}s{names[c][2]} URL        # warm-up, N = {' and '.join(conns_list)}")
    w(f"taskset -c {meta['client_cpu']} wrk -t1 -cN -d{meta['duration']}s --latency{names[c][2]} URL")
w("```")
w("")
summary = []
for c in ('plain', '304', 'gzip'):
    w(f"## {names[c][0]}")
    w("")
    w("| connections | Liveline req/s | nginx req/s | ratio | Liveline CPU µs/req | nginx CPU µs/req | ratio | Liveline p99 ms | nginx p99 ms | errors L/n |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in conns_list:
        lr, lc, lp, le = stats(c, n, 'liveline')
        nr, nc, np_, ne = stats(c, n, 'nginx')
        rr = st.median(lr) / st.median(nr)
        cr = st.median(lc) / st.median(nc)
        summary.append((c, names[c][0], n, rr, cr))
        w(f"| {int(n):,} | {fig(lr, k)} | {fig(nr, k)} | **{rr:.2f}x** | {fig(lc, us)} | {fig(nc, us)} | **{cr:.2f}x** | {fig(lp, ms)} | {fig(np_, ms)} | {le}/{ne} |")
    w("")
w("## Against the targets")
w("")
w("Targets: requests per second at least 1.0x nginx's; CPU per request no more than nginx's (ratio at most 1.0x).")
w("")
w("The ratios are of the medians; beside them, the range of the ratios of each round's two neighbouring runs.")
w("")
w("| case | connections | req/s ratio | each round | met | CPU/req ratio | each round | met |")
w("|---|---:|---:|---:|:---:|---:|---:|:---:|")
met_r = met_c = 0
for c, name, n, rr, cr in summary:
    pr, pc = paired(c, n)
    met_r += rr >= 1.0
    met_c += cr <= 1.0
    w(f"| {name} | {int(n):,} | {rr:.2f}x | {min(pr):.2f}–{max(pr):.2f} | {'yes' if rr >= 1.0 else 'no'} | {cr:.2f}x | {min(pc):.2f}–{max(pc):.2f} | {'yes' if cr <= 1.0 else 'no'} |")
w("")
busy = {}
for srv in ('liveline', 'nginx'):
    b = [int(r[7]) / hz / float(r[6]) for r in rows if r[3] == srv]
    busy[srv] = (min(b), max(b))
cl = [int(r[10]) / hz / float(r[6]) for r in rows]
w("## What this means")
w("")
w(f"Liveline met the rate target in {met_r} of {len(summary)} cases and the CPU target in {met_c} of {len(summary)}. "
  "Read the ratios with the ranges: on this shared machine the same server's rate moves by tens of percent from one run to the next "
  "(see every run below), so a median ratio within about 10% of 1.0 is a tie, not a verdict. "
  "CPU time per request is the steadier figure, because it does not depend on whether the client kept up, and it is the one that "
  "says how many readers a core can serve.")
w("")
w(f"- Both servers were busy for {100*min(busy['liveline'][0], busy['nginx'][0]):.0f}–{100*max(busy['liveline'][1], busy['nginx'][1]):.0f}% "
  f"of each measured run on their CPU, and the client's CPU for {100*min(cl):.0f}–{100*max(cl):.0f}%: when a server is below 100%, "
  "the client (or the machine) set the pace, and the rate ratio says less than the CPU ratio.")
w("- Each request costs both servers about the same system calls (one recv, then a writev or sendmsg and, for a large body, a sendfile "
  "between setting and clearing TCP_CORK; epoll amortised over many), "
  "and most of the CPU time is the kernel's TCP work, the same for both; what differs is the user-space work per request "
  "(libmicrohttpd and our handler against nginx's). See `bench/results/page-profile.md` for where it goes.")
w("- The 304 reference is nginx's cheapest path: `if ($http_if_none_match = '\"ETAG\"') { return 304; }` is an exact string "
  "comparison in the rewrite phase, before any file is looked at. nginx's own If-None-Match handling cannot be used with Liveline's "
  "ETag (it runs before `add_header` and compares with nginx's mtime-size ETag). Liveline parses the header as a list "
  "(weak comparison, `*`, several tags), as RFC 9110 asks.")
w("- nginx serves the file with `sendfile` and `open_file_cache` (no open/stat per request), a static-file server at its best; "
  "Liveline keeps a cached body of 16 KiB or more in a memfd and sends it the same way (headers with one `sendmsg`, "
  "the body with `sendfile`, the socket corked meanwhile so that both leave in one segment, as nginx's `tcp_nopush` does), "
  "smaller bodies (the 304, the gzip copy here) from memory with one `sendmsg`. "
  "Headers differ a little: nginx adds `Server`, "
  f"`Last-Modified`, `Accept-Ranges` and `Connection`; a 304 is {meta['ll304']} bytes from Liveline and {meta['ngx304']} from nginx.")
w("")
w("Response headers (200, plain), apart from Date and the status line:")
w("")
w("Liveline:")
w("")
w(ll_h.rstrip('\n'))
w("")
w("nginx:")
w("")
w(ngx_h.rstrip('\n'))
w("")
w("<details><summary>Every run</summary>")
w("")
w("Server busy: the server's CPU ticks over the run's length; client busy: CPU " + meta['client_cpu'] + " (wrk and its share of the network stack), from /proc/stat.")
w("")
w("| case | conns | round | server | req/s | requests | CPU ticks | CPU µs/req | server busy | client busy | p99 ms | errors |")
w("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    w(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {float(r[4]):.0f} | {r[5]} | {r[7]} | {int(r[7])/hz*1e6/int(r[5]):.1f} | {100*int(r[7])/hz/float(r[6]):.0f}% | {100*int(r[10])/hz/float(r[6]):.0f}% | {r[8]} | {r[9]} |")
w("")
w("</details>")
print('\n'.join(o))
EOF
echo "page.sh: results in $OUT" >&2
