#!/bin/sh
# Dataset export benchmarks (issue #13): COCO of 1,000,000 boxes on 100,000
# images, and JSONL exports of 100k, 1M and 10M tasks (peak RSS flat), each
# beside the ceiling (ceiling.c: the same query, rows written raw).
#   bench/datasets/run.sh [coco|jsonl|all] [max_jsonl_rows]
# Needs the release build (build/faircrowd), sqlite3 and /usr/bin/time.
set -eu
cd "$(dirname "$0")/../.."
B=${FC_BENCH_BINARY:-$PWD/build/faircrowd} # another build to compare: FC_BENCH_BINARY=path
what=${1:-all}
max=${2:-10000000}
tmp=$(mktemp -d /tmp/fc-ds-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/ceiling" bench/datasets/ceiling.c -lsqlite3

# A project of n tasks, one accepted submission each with result $3.
setup() { # dir n result config
  d=$1
  $B migrate --data "$d" >/dev/null
  sqlite3 "$d/faircrowd.db" <<SQL
PRAGMA journal_mode=WAL;
INSERT INTO users(id,email,password_hash,display_name,roles,created_at) VALUES(1,'o@b','x','o',2,0),(2,'a@b','x','a',4,0);
INSERT INTO projects(id,owner_id,kind,title,label_config,overlap,created_at,updated_at) VALUES(1,1,'annotation','bench','$4',1,0,0);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<$2)
  INSERT INTO tasks(id,project_id,data,created_at) SELECT i,1,'{"image":"https://cdn.example/img/'||i||'.jpg","text":"bulk task '||i||' with a sentence of ordinary length"}',0 FROM c;
INSERT INTO assignments(id,task_id,project_id,user_id,leased_at,expires_at,status) SELECT id,id,1,2,0,1,'submitted' FROM tasks;
INSERT INTO submissions(assignment_id,task_id,project_id,user_id,result,active_seconds,status,reward,created_at)
  SELECT id,task_id,1,2,'$3',4.5,'accepted',1,0 FROM assignments;
SQL
}

measure() { # label command...
  label=$1
  shift
  /usr/bin/time -f "$label: %e s wall, %U s user + %S s sys CPU, peak RSS %M KB" "$@" 2>&1 >/dev/null | grep -v '^ceiling:' | tail -1
}

if [ "$what" = coco ] || [ "$what" = all ]; then
  box='{"from_name":"box","to_name":"img","type":"rectanglelabels","original_width":640,"original_height":480,"value":{"x":10.5,"y":20.25,"width":30,"height":15,"rectanglelabels":["car"]}}'
  result="[$box,$box,$box,$box,$box,$box,$box,$box,$box,$box]"
  config='<View><Image name="img" value="$image"/><RectangleLabels name="box" toName="img"><Label value="car"/><Label value="person"/></RectangleLabels></View>'
  setup "$tmp/coco" 100000 "$result" "$config"
  echo "coco: 100,000 images x 10 boxes = 1,000,000 boxes; database $(du -h "$tmp/coco/faircrowd.db" | cut -f1)"
  measure "coco export" $B export --project 1 --format coco --data "$tmp/coco" --output "$tmp/coco.json"
  echo "coco: $(du -h "$tmp/coco.json" | cut -f1), $(grep -o '"bbox"' "$tmp/coco.json" | wc -l) bbox"
  measure "coco ceiling" sh -c "'$tmp/ceiling' '$tmp/coco/faircrowd.db' 1 > '$tmp/ceiling.out'"
  echo "ceiling: $(du -h "$tmp/ceiling.out" | cut -f1)"
  rm -rf "$tmp/coco" "$tmp/coco.json" "$tmp/ceiling.out"
fi

if [ "$what" = jsonl ] || [ "$what" = all ]; then
  result='[{"from_name":"s","to_name":"text","type":"choices","value":{"choices":["pos"]}}]'
  for n in 100000 1000000 10000000; do
    [ "$n" -le "$max" ] || continue
    setup "$tmp/j$n" $n "$result" '<View/>'
    measure "jsonl export $n" $B export --project 1 --format jsonl --data "$tmp/j$n" --output "$tmp/out.jsonl"
    echo "jsonl $n: $(du -h "$tmp/out.jsonl" | cut -f1)"
    rm -f "$tmp/out.jsonl"
    measure "jsonl ceiling $n" sh -c "'$tmp/ceiling' '$tmp/j$n/faircrowd.db' 1 > '$tmp/ceiling.out'"
    rm -rf "$tmp/j$n" "$tmp/ceiling.out"
  done
fi
