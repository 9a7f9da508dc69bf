#!/usr/bin/env bash
# Makes the small media files in web/samples/ that the config editor's
# previews and the demo projects use (committed; re-run to change them).
# Needs espeak-ng, sox and ffmpeg (scripts/install-deps --test). Files that exist are
# kept (encoders are not bit-exact across versions): delete one to remake it.
set -euo pipefail
cd "$(dirname "$0")/../web/samples"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# speech, a second of noise, speech: something to label and transcribe
if [ ! -f speech.ogg ]; then
espeak-ng -w "$tmp/a.wav" 'Please label the speech in this clip.'
espeak-ng -w "$tmp/b.wav" -v en+f3 'And transcribe every word you hear.'
sox -n -r 22050 -c 1 "$tmp/n.wav" synth 1 pinknoise vol 0.15
sox "$tmp/a.wav" "$tmp/n.wav" "$tmp/b.wav" -r 22050 -c 1 "$tmp/all.wav" pad 0.3 0.3
ffmpeg -loglevel error -y -i "$tmp/all.wav" -c:a libopus -b:a 20k -ac 1 speech.ogg
fi
# a 4-second clip with moving shapes, 25 frames a second: something to track
[ -f clip.webm ] || ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=320x180:rate=25 -t 4 -c:v libvpx -b:v 150k -an clip.webm
