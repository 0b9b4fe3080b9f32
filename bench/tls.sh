#!/bin/sh
# bench/tls.sh — the gateway against the TLS/HTTP limit of this machine:
# nginx (Debian) with ssl_verify_client on, the same certificates, answering
# GET /v1/me's exact bytes from memory.  Keep-alive requests with wrk (made
# to present a client certificate by build/wrk-cert.so), full handshakes with
# bench/loadgen, 3 rounds interleaved, medians reported.  Then memory: 1 000
# idle kept-alive mTLS connections, and 500 parked long-polls with the
# latency of /v1/me beside them.
#   sh bench/tls.sh [SECONDS]      (part of make bench)
set -eu
secs=${1:-10}
rounds=${BENCH_ROUNDS:-3}
. bench/env.sh
ulimit -n 8192 2>/dev/null || true
export REFGW_CONNECTION_TIMEOUT=60 REFGW_MAX_CONNECTIONS=4096
bench_setup tls "orga|Bench Org A|justice_aid|"
bench_serve
certs="--cert $tmp/certs/orga.pem --key $tmp/certs/orga.key --cacert $tmp/certs/ca.pem"
rss() { awk '/VmRSS/ { print $2 }' "/proc/$gw_pid/status"; }
gw="https://localhost:$api"

# nginx: same server certificate, same client CA, verification required,
# the gateway's own answer for this organisation as the body.
curl -s $certs "$gw/v1/me" > "$tmp/me.json"
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$tmp/nginx"
cat > "$tmp/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nport ssl;
        ssl_certificate $tmp/certs/server.pem;
        ssl_certificate_key $tmp/certs/server.key;
        ssl_client_certificate $tmp/certs/ca.pem;
        ssl_verify_client on;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets off;
        location = /v1/me {
            default_type application/json;
            return 200 '$(cat "$tmp/me.json")';
        }
    }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" &
ngx_pid=$!
trap 'kill $ngx_pid 2>/dev/null; bench_cleanup' EXIT INT TERM
sleep 1
ngx="https://localhost:$nport"
[ "$(curl -s $certs "$ngx/v1/me")" = "$(cat "$tmp/me.json")" ] || { echo "nginx does not answer the same bytes"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/certs/ca.pem" "$ngx/v1/me")" = 400 ] ||
	{ echo "nginx does not require a client certificate"; exit 1; }

export LD_PRELOAD_SHIM="$top/build/wrk-cert.so"
wrk_run() { # URL CONNECTIONS -> "req/s p99_ms non2xx"
	t=2; [ "$2" -lt 2 ] && t=1
	LD_PRELOAD="$LD_PRELOAD_SHIM" REFGW_WRK_CERT="$tmp/certs/orga.pem" REFGW_WRK_KEY="$tmp/certs/orga.key" \
		wrk -t$t -c"$2" -d"${secs}s" --latency -s "$top/bench/get.lua" "$1" > "$tmp/wrk.out" 2>&1
	awk '/Requests\/sec/ { rps = $2 }
	     / 99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } p99 = v }
	     /^non2xx=/ { split($0, a, "="); bad = a[2] }
	     END { printf "%s %s %s\n", rps, p99, bad }' "$tmp/wrk.out"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "# refgw tls bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${secs}s per run, median of $rounds interleaved rounds"
LD_PRELOAD="$LD_PRELOAD_SHIM" REFGW_WRK_CERT="$tmp/certs/orga.pem" REFGW_WRK_KEY="$tmp/certs/orga.key" \
	wrk -t1 -c4 -d2s "$gw/v1/me" >/dev/null 2>&1 # warm-up
for c in 1 16 64; do
	: > "$tmp/gw.$c"; : > "$tmp/ngx.$c"
	r=0
	while [ $r -lt "$rounds" ]; do
		wrk_run "$gw/v1/me" $c >> "$tmp/gw.$c"
		wrk_run "$ngx/v1/me" $c >> "$tmp/ngx.$c"
		r=$((r + 1))
	done
	g=$(cut -d' ' -f1 "$tmp/gw.$c" | median); gp=$(cut -d' ' -f2 "$tmp/gw.$c" | median)
	n=$(cut -d' ' -f1 "$tmp/ngx.$c" | median); np=$(cut -d' ' -f2 "$tmp/ngx.$c" | median)
	bad=$(awk '{ s += $3 } END { print s + 0 }' "$tmp/gw.$c")
	echo "GET /v1/me keep-alive, $c clients: refgw $g req/s p99 $gp ms | nginx-mTLS $n req/s p99 $np ms | ratio $(echo "$g $n" | awk '{ printf "%.2f", $1 / $2 }') | refgw non-2xx $bad"
	echo "  rounds refgw: $(tr '\n' ';' < "$tmp/gw.$c") nginx: $(tr '\n' ';' < "$tmp/ngx.$c")"
done

# Cross-check with a third client, ApacheBench (apache2-utils): client
# certificate and key in one file, keep-alive, 16 clients.
cat "$tmp/certs/orga.pem" "$tmp/certs/orga.key" > "$tmp/orga-combined.pem"
for t in "$gw" "$ngx"; do
	ab -q -k -E "$tmp/orga-combined.pem" -c 16 -t "$secs" -n 10000000 "$t/v1/me" 2>&1 |
		awk -v t="$t" '/Requests per second/ { r = $4 } /Non-2xx/ { bad = $3 } /Failed requests/ { f = $3 } /  99%/ { p = $2 }
		     END { printf "ab cross-check %s/v1/me, 16 clients: %s req/s, p99 %s ms, failed %s, non-2xx %s\n", t, r, p, f, bad + 0 }'
done

# And autocannon (npm; make bench installs it under build/node when npm is
# there): one Node.js process, so on two cores it is the bound sooner.
ac=$top/build/node/node_modules/.bin/autocannon
if [ -x "$ac" ]; then
	for t in "$gw" "$ngx"; do
		"$ac" -j -c 16 -d "$secs" --cert "$tmp/certs/orga.pem" --key "$tmp/certs/orga.key" \
			--ca "$tmp/certs/ca.pem" "$t/v1/me" 2>/dev/null |
			python3 -c 'import json, sys
r = json.load(sys.stdin)
print("autocannon cross-check %s/v1/me, 16 clients: %.0f req/s, p99 %s ms, errors %d, non-2xx %d" % (
    sys.argv[1], r["requests"]["average"], r["latency"]["p99"], r["errors"] + r["timeouts"], r["non2xx"]))' "$t"
	done
else
	echo "autocannon cross-check skipped (no npm)"
fi

: > "$tmp/hs.gw"; : > "$tmp/hs.ngx"
r=0
while [ $r -lt "$rounds" ]; do
	$lg --url "$gw/v1/me" $certs -c 16 -d "$secs" --new-connections | sed -n 's/.* rps=\([0-9.]*\).*/\1/p' >> "$tmp/hs.gw"
	$lg --url "$ngx/v1/me" $certs -c 16 -d "$secs" --new-connections | sed -n 's/.* rps=\([0-9.]*\).*/\1/p' >> "$tmp/hs.ngx"
	r=$((r + 1))
done
g=$(median < "$tmp/hs.gw"); n=$(median < "$tmp/hs.ngx")
echo "full mTLS handshake + GET /v1/me, 16 clients: refgw $g/s | nginx-mTLS $n/s | ratio $(echo "$g $n" | awk '{ printf "%.2f", $1 / $2 }')"
echo "  rounds refgw: $(tr '\n' ';' < "$tmp/hs.gw") nginx: $(tr '\n' ';' < "$tmp/hs.ngx")"

# ---- memory
echo "rss_idle_kb=$(rss)"
# (idle prints its line once every connection is open, then holds them)
"$top/build/idle" --port "$api" $certs -n 1000 -s 5 > "$tmp/idle.out" &
idle_pid=$!
while [ ! -s "$tmp/idle.out" ]; do sleep 0.2; done
sleep 1
echo "$(head -1 "$tmp/idle.out"); rss_with_1000_idle_kb=$(rss)"
wait $idle_pid
# Long-polls wait 30 s at most (the API's bound): the run below must end
# before they do, and the gauge says they are parked, before and after it.
lp_secs=$((secs < 20 ? secs : 20))
parked() { curl -s "http://127.0.0.1:$ops/metrics" | awk '/^refgw_long_polls_parked / { print $2 }'; }
"$top/build/idle" --port "$api" $certs -n 500 -s $((lp_secs + 6)) --no-read --path "/v1/events?after=999999999&wait=30" > "$tmp/lp.out" &
idle_pid=$!
while [ ! -s "$tmp/lp.out" ]; do sleep 0.2; done
sleep 1
echo "$(head -1 "$tmp/lp.out"); parked=$(parked); rss_with_500_long_polls_kb=$(rss)"
res=$($lg --url "$gw/v1/me" $certs -c 16 -d "$lp_secs")
echo "GET /v1/me, 16 clients, beside 500 parked long-polls: $(echo "$res" | sed 's/.*rps=\([0-9.]*\).*non2xx=\([0-9]*\) errors=\([0-9]*\) p50_ms=\([0-9.]*\).*p99_ms=\([0-9.]*\).*/\1 req\/s p50 \4 ms p99 \5 ms non-2xx+errors \2+\3/'); still parked after it: $(parked)"
wait $idle_pid
echo "rss_after_kb=$(rss)"
