#!/bin/sh
# run.sh — media upload and check figures (bench/MEDIA_FIGURES.md).
#
#   bench/media/run.sh [BUILD_DIR]      # default: build (release)
#   UPLOAD_ONLY=1 bench/media/run.sh B  # part 1 only (to alternate two builds)
#
# 1. Upload of a ~200 MB video through POST /assignments/{id}/media against
#    the raw disk write speed of the same bytes (dd conv=fsync), as a ratio;
#    the server's peak RSS (VmHWM) before and after.
# 2. Probe + every check (+ SHA-256) per 10-second clip: WAV speech-like
#    audio and a 640x480 video.
# Needs ffmpeg, sox, curl, python3. Everything is local (loopback only).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
ninja -C "$build" faircrowd fcmedia.so media_check_bench >/dev/null
dir=$(mktemp -d /tmp/fc-media-bench-XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

# ~200 MB of video: uncompressed frames in Matroska, so making it is quick
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=640x480:rate=30 -frames:v 434 -c:v rawvideo \
	-pix_fmt yuv420p "$dir/video.mkv"
bytes=$(stat -c %s "$dir/video.mkv")

FAIRCROWD_ADMIN_EMAIL=admin@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-password-1 \
	"$build/faircrowd" serve --listen 127.0.0.1:0 --data "$dir/data" >"$dir/out" 2>"$dir/log" &
pid=$!
for i in $(seq 50); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$dir/out")
rss_before=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)

# a live video project and one leased assignment (stdlib HTTP client)
eval "$(python3 "$root/bench/media/setup.py" "$url" 1 one)"
token=$one_tokens aid=$one_aids

sync
upload=$(curl -s -o "$dir/resp" -w '%{time_total}' -H "Authorization: Bearer $token" \
	-H 'Content-Type: video/x-matroska' --data-binary @"$dir/video.mkv" "$url/api/v1/assignments/$aid/media")
status=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j.get("probe",{}).get("format") or j)' "$dir/resp")
rss_after=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
sync
dd_s=$(dd if="$dir/video.mkv" of="$dir/dd.out" bs=1M conv=fsync 2>&1 | sed -n 's/.* copied, \([0-9.]*\) s.*/\1/p')
rm -f "$dir/dd.out"
python3 - "$bytes" "$upload" "$dd_s" "$rss_before" "$rss_after" "$status" <<'PY'
import sys
b, up, dd, r0, r1, st = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
print("upload of %.1f MB video (probe: %s): %.2f s = %.0f MB/s" % (b / 1e6, st, up, b / 1e6 / up))
print("dd conv=fsync of the same bytes:     %.2f s = %.0f MB/s" % (dd, b / 1e6 / dd))
print("upload time / raw disk write time:   %.2f" % (up / dd))
print("throughput ratio upload / dd:        %.2f (goal >= 0.7)" % (dd / up))
print("server peak RSS: %.1f MB before, %.1f MB after the upload" % (r0 / 1024, r1 / 1024))
PY

[ "${UPLOAD_ONLY:-0}" = 1 ] && exit 0

# checks per 10-second clip
espeak-ng -w "$dir/s.wav" "The quick brown fox jumps over the lazy dog near the river bank, again and again and again"
sox "$dir/s.wav" -r 16000 -c 1 "$dir/s16.wav"
sox "$dir/s16.wav" "$dir/s16.wav" "$dir/s16.wav" "$dir/clip10.wav" trim 0 10
sox "$dir/clip10.wav" -C 5 "$dir/clip10.ogg" 2>/dev/null || true
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=640x480:rate=30 -t 10 -c:v libvpx -b:v 1M "$dir/clip10.webm"
"$build/media_check_bench" "$dir/clip10.wav" '{"media":"audio","min_seconds":1,"max_seconds":15,"min_sample_rate":16000}' 20
[ -f "$dir/clip10.ogg" ] && "$build/media_check_bench" "$dir/clip10.ogg" '{"media":"audio","min_seconds":1,"max_seconds":15}' 20
"$build/media_check_bench" "$dir/clip10.webm" '{"media":"video","min_seconds":1,"max_seconds":15}' 20
