#!/bin/sh
# upload-vs-dd.sh — the upload goal side by side in one run (bench/README.md, "Upload").
#
#   bench/media/upload-vs-dd.sh NEW_BINARY [OLD_BINARY] [ROUNDS]   # default 5 rounds
#
# Makes a ~200 MB Matroska video once and starts one server per binary. Each
# round (after a sync, with the load average) times, one after the other in
# alternating order: `dd conv=fsync` of the same file at bs=1M (dd's default
# block size is 512 B, slower; 1 MiB is its fair best here, see DD_BS) and
# the upload of it through POST /assignments/{id}/media to each server
# (curl --data-binary, loopback; the time until the 201 answer, which comes
# after the server's fsync). Ratio = dd's time / the upload's time (the
# throughput ratio; goal >= 0.7), per round, against that round's dd; and
# the server's CPU time for the upload (utime+stime, /proc/PID/stat), which
# a loaded machine disturbs less than the wall time.
# PERF=FILE: perf record -g on the new server over all rounds into FILE.
# Needs ffmpeg, curl, python3.
set -eu
new=$1
old=${2:-}
rounds=${3:-5}
bs=${DD_BS:-1M}
dir=$(mktemp -d /tmp/fc-upload-dd-XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=640x480:rate=30 -frames:v 434 -c:v rawvideo \
	-pix_fmt yuv420p "$dir/video.mkv"
bytes=$(stat -c %s "$dir/video.mkv")

# start NAME BINARY: a server with a live video project and ROUNDS leased
# assignments; sets NAME_url, NAME_tokens, NAME_aids
start() {
	FAIRCROWD_ADMIN_EMAIL=admin@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-password-1 \
		"$2" serve --listen 127.0.0.1:0 --data "$dir/$1" >"$dir/$1.out" 2>"$dir/$1.log" &
	pids="$pids $!"
	eval "${1}_pid=$!"
	for i in $(seq 100); do grep -q listening "$dir/$1.out" 2>/dev/null && break; sleep 0.1; done
	u=$(sed -n 's/^listening on //p' "$dir/$1.out")
	eval "${1}_url=$u"
	eval "$(python3 "$(dirname "$0")/setup.py" "$u" "$rounds" "$1")"
}

# cpu PID: the process's user+system CPU so far, in clock ticks
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# upload NAME ROUND: "seconds-until-the-answer server-CPU-ms" (a 201 is checked)
upload() {
	eval "u=\$${1}_url; p=\$${1}_pid; t=\$(echo \$${1}_tokens | cut -d' ' -f$2); a=\$(echo \$${1}_aids | cut -d' ' -f$2)"
	sync
	c0=$(cpu "$p")
	out=$(curl -s -o "$dir/resp" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $t" \
		-H 'Content-Type: video/x-matroska' --data-binary @"$dir/video.mkv" "$u/api/v1/assignments/$a/media")
	[ "${out% *}" = 201 ] || { echo "upload to $1: $out $(cat "$dir/resp")" >&2; exit 1; }
	echo "${out#* } $((($(cpu "$p") - c0) * 1000 / $(getconf CLK_TCK)))"
}

ddtime() {
	sync
	dd if="$dir/video.mkv" of="$dir/dd.out" bs="$bs" conv=fsync 2>&1 | sed -n 's/.* copied, \([0-9.]*\) s.*/\1/p'
	rm -f "$dir/dd.out"
}

start new "$new"
[ -n "$old" ] && start old "$old"
cat "$dir/video.mkv" >/dev/null # in the page cache for every reader alike
printf '%s bytes; dd bs=%s conv=fsync; %s; %s\n' "$bytes" "$bs" "$(nproc) CPUs" "$(date -u '+%F %H:%M UTC')"
printf 'round  load(1m)  dd_s   new_s  ratio  cpu_ms%s\n' "${old:+   old_s  ratio  cpu_ms}"
[ -n "${PERF:-}" ] && { perf record -q -g -o "$PERF" -p "$new_pid" 2>/dev/null & perf_pid=$!; sleep 1; }
for r in $(seq "$rounds"); do
	load=$(cut -d' ' -f1 /proc/loadavg)
	d=$(ddtime)
	o="0 0"
	if [ -n "$old" ] && [ $((r % 2)) = 0 ]; then
		o=$(upload old "$r")
		n=$(upload new "$r")
	else
		n=$(upload new "$r")
		[ -n "$old" ] && o=$(upload old "$r")
	fi
	python3 -c 'import sys
r, l, d, n, nc, o, oc = sys.argv[1:]
d, n, o = float(d), float(n), float(o)
line = "%5s  %8s  %5.2f  %5.2f  %5.2f  %6s" % (r, l, d, n, d / n, nc)
print(line + ("  %6.2f  %5.2f  %6s" % (o, d / o, oc) if o else ""))' "$r" "$load" "$d" $n $o
done
[ -n "${PERF:-}" ] && { kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; }
exit 0
