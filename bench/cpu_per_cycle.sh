#!/bin/bash
# bench/cpu_per_cycle.sh BINARY PORT → cycles/s and server CPU µs per cycle over a 10 s loadgen run
B=$1; P=$2
export FAIRCROWD_ADMIN_EMAIL=bench@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-admin-pw
D=$(mktemp -d /tmp/cc-XXXX)
$B serve --listen 127.0.0.1:$P --data $D/d --threads 16 > $D/out 2>$D/err &
SPID=$!
sleep 1
pid=$(python3 "$(dirname "$0")"/setup.py http://127.0.0.1:$P bench@bench.local bench-admin-pw 10000 64 $D/tokens 2>/dev/null)
t0=$(awk '{print $14+$15}' /proc/$SPID/stat)
out=$("$(dirname "$0")"/../build/loadgen http://127.0.0.1:$P $pid 10 $D/tokens)
t1=$(awk '{print $14+$15}' /proc/$SPID/stat)
cycles=$(echo "$out" | sed -n 's/.*cycles=\([0-9]*\).*/\1/p')
cps=$(echo "$out" | sed -n 's/.*cycles_per_s=\([0-9]*\).*/\1/p')
tck=$(getconf CLK_TCK)
echo "cycles/s=$cps cpu_us_per_cycle=$(python3 -c "print(round(($t1-$t0)/$tck*1e6/$cycles,1))")"
kill $SPID; wait $SPID 2>/dev/null; rm -rf $D
