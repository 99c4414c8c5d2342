#!/usr/bin/env bash
# A one-off measurement, not part of `make bench`: would another HTTP library
# serve the plain page faster than libmicrohttpd? h2o is the fast HTTP/1 server
# Debian 12 packages, also as a library (libh2o-evloop-dev 2.2.5). Here the h2o
# server (the same code) serves the seed page's bytes from a file beside nginx
# (bench/nginx/page.conf) and Liveline's page cache, as bench/page.sh does:
# one worker each on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU, keep-alive, the
# three servers interleaved, $ROUNDS rounds. Findings: bench/results/page-profile.md.
#
#   bench/h2o-candidate.sh      as root; installs h2o if missing; prints a table
# Environment: ROUNDS (3), DURATION (5), SERVER_CPU (0), CLIENT_CPU (1).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
LIVELINE=build/liveline
SEED=../shared/seed/000_19ac0cd5f19af9c6.txt
[ -f "$SEED" ] || SEED=data/demo.txt
[ -x "$LIVELINE" ] || { echo "h2o-candidate: run make first" >&2; exit 1; }
command -v h2o >/dev/null || bin/deps h2o
command -v nginx >/dev/null || bin/deps nginx
command -v wrk >/dev/null || bin/deps wrk

tmp=$(mktemp -d /tmp/liveline-h2o.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
# nginx's and h2o's workers run as nobody: they must be able to read the page.
mkdir -p "$tmp/docroot/live" "$tmp/ngx/tmp"
chmod 755 "$tmp"

"$LIVELINE" --db "$tmp/db" import --year 2025 --slug ukraine --title 'The page' "$SEED" >/dev/null
taskset -c "$SERVER_CPU" "$LIVELINE" --db "$tmp/db" serve --listen 127.0.0.1:0 --workers 1 \
	>"$tmp/ll.out" 2>"$tmp/ll.err" &
pids+=($!)
ll_pid=$!
ll_url=
for _ in $(seq 100); do
	ll_url=$(grep -o 'http://[0-9.:]*' "$tmp/ll.out" | head -1 || true)
	[ -n "$ll_url" ] && curl -sf -o /dev/null "$ll_url/live/ukraine" && break
	sleep 0.1
done
curl -sf "$ll_url/live/ukraine" -o "$tmp/docroot/live/ukraine"
curl -sf -H 'Accept-Encoding: gzip' "$ll_url/live/ukraine" -o "$tmp/docroot/live/ukraine.gz"
etag=$(curl -s -D - -o /dev/null "$ll_url/live/ukraine" | tr -d '\r' |
	awk -F'"' 'tolower($0) ~ /^etag:/ { print $2 }')
cp -r "$tmp/docroot" "$tmp/ngx/docroot"
chmod -R a+rX "$tmp"

ngx_port=$((20000 + RANDOM % 20000))
h2o_port=$((ngx_port + 1))
sed -e "s/@PORT@/$ngx_port/g" -e "s/@ETAG@/$etag/g" bench/nginx/page.conf >"$tmp/ngx/page.conf"
taskset -c "$SERVER_CPU" nginx -p "$tmp/ngx" -c "$tmp/ngx/page.conf" -g 'daemon off;' &
pids+=($!)
ngx_pid=$!

# h2o as a static-file server at its best: one event loop, no access log,
# the .gz copy for gzip, the page's own headers.
cat >"$tmp/h2o.conf" <<CONF
num-threads: 1
listen:
  host: 127.0.0.1
  port: $h2o_port
file.send-compressed: ON
file.mime.setdefaulttype: "text/html; charset=utf-8"
hosts:
  default:
    paths:
      /:
        file.dir: $tmp/docroot
        header.add: "Cache-Control: public, max-age=5, stale-while-revalidate=30"
        header.add: "X-Content-Type-Options: nosniff"
CONF
taskset -c "$SERVER_CPU" h2o -c "$tmp/h2o.conf" >"$tmp/h2o.out" 2>&1 &
pids+=($!)
h2o_pid=$!
sleep 1

url_of() {
	case $1 in
	liveline) echo "$ll_url" ;;
	nginx) echo "http://127.0.0.1:$ngx_port" ;;
	h2o) echo "http://127.0.0.1:$h2o_port" ;;
	esac
}
pid_of() {
	case $1 in
	liveline) echo "$ll_pid $(pgrep -P "$ll_pid" | tr '\n' ' ')" ;;
	nginx) echo "$ngx_pid $(pgrep -P "$ngx_pid" | tr '\n' ' ')" ;;
	h2o) echo "$h2o_pid $(pgrep -P "$h2o_pid" | tr '\n' ' ')" ;;
	esac
}
# CPU ticks (utime + stime of every thread) of the given PIDs.
ticks() {
	local t=0 u s
	for p in "$@"; do
		for task in /proc/"$p"/task/*; do
			read -r u s < <(cut -d' ' -f14,15 "$task/stat")
			t=$((t + u + s))
		done
	done
	echo "$t"
}

for s in liveline nginx h2o; do
	for enc in identity gzip; do
		cmp -s <(curl -s -H "Accept-Encoding: $enc" "$(url_of $s)/live/ukraine") \
			"$tmp/docroot/live/ukraine$([ $enc = gzip ] && echo .gz)" ||
			{ echo "h2o-candidate: $s does not send the same bytes ($enc)" >&2; exit 1; }
	done
done

hz=$(getconf CLK_TCK)
results="$tmp/results"
for case in plain gzip; do
	hdr=()
	[ "$case" = gzip ] && hdr=(-H 'Accept-Encoding: gzip')
	for c in 100 1000; do
		for round in $(seq "$ROUNDS"); do
			for s in liveline nginx h2o; do
				url=$(url_of $s)/live/ukraine
				read -ra sp <<<"$(pid_of $s)"
				taskset -c "$CLIENT_CPU" wrk -t1 -c"$c" -d1s "${hdr[@]}" "$url" >/dev/null
				t0=$(ticks "${sp[@]}")
				out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$c" -d"${DURATION}s" "${hdr[@]}" "$url")
				t1=$(ticks "${sp[@]}")
				req=$(awk '/requests in/ { print $1 }' <<<"$out")
				rate=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
				echo "$case $c $round $s $rate $(( (t1 - t0) * 1000000 / hz )) $req" >>"$results"
			done
		done
	done
done

python3 - "$results" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    case, conns, _, server, rate, cpu_us, req = line.split()
    runs[(case, conns, server)].append((float(rate), int(cpu_us) / int(req)))
print("| case | connections | server | req/s (median, range) | CPU µs/req | against nginx: rate, CPU |")
print("|---|---:|---|---|---:|---|")
for case in ("plain", "gzip"):
    for conns in ("100", "1000"):
        ref = runs[(case, conns, "nginx")]
        ref_rate = statistics.median(r for r, _ in ref)
        ref_cpu = statistics.median(c for _, c in ref)
        for server in ("liveline", "nginx", "h2o"):
            v = runs[(case, conns, server)]
            rate = statistics.median(r for r, _ in v)
            cpu = statistics.median(c for _, c in v)
            lo, hi = min(r for r, _ in v), max(r for r, _ in v)
            print(f"| {case} | {conns} | {server} | {rate/1000:.1f}k ({lo/1000:.1f}–{hi/1000:.1f}k) | "
                  f"{cpu:.1f} | {rate/ref_rate:.2f}x, {cpu/ref_cpu:.2f}x |")
PY
