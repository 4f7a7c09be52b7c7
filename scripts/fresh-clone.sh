#!/usr/bin/env bash
# The README's two commands on a fresh clone of this checkout, before anything else
# has written a file: `make run` until /healthz answers 200 and the home page renders
# in English and in Traditional Chinese, then Ctrl-C, after which nothing it started
# may still run; then `make smoke` in the same clone.
# Usage: scripts/fresh-clone.sh   (PORT and LOCAL_S3_PORT as for make run)
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
port=${PORT:-8000}
s3_port=${LOCAL_S3_PORT:-9100}
work=$(mktemp -d "${TMPDIR:-/tmp}/artsprize-fresh-XXXXXX")
log="$work/run.log"
run_pid=""

fail() {
  echo "fresh clone: $*" >&2
  echo "--- last lines of make run:" >&2
  tail -n 60 "$log" >&2 || true
  exit 1
}
cleanup() {
  if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then
    kill -KILL -- "-$run_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

for busy in "$port" "$s3_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$busy") 2>/dev/null; then
    echo "fresh clone: port $busy is in use; set PORT / LOCAL_S3_PORT" >&2
    exit 1
  fi
done

git clone -q "$source_dir" "$work/main"
# The suite reads ../shared beside the checkout, as CI lays it out.
if [ -d "$source_dir/../shared" ]; then
  ln -s "$(cd "$source_dir/../shared" && pwd)" "$work/shared"
fi
cd "$work/main"

echo "-- make run (in $work/main)"
# A session of its own, so that Ctrl-C can be sent to the whole group as a
# terminal would.
setsid make run >"$log" 2>&1 </dev/null &
run_pid=$!

home="http://127.0.0.1:$port"
deadline=$((SECONDS + 1200))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$home/healthz")" = 200 ]; do
  kill -0 "$run_pid" 2>/dev/null || fail "make run stopped before /healthz answered"
  [ "$SECONDS" -lt "$deadline" ] || fail "/healthz did not answer 200 in time"
  sleep 2
done
curl -s "$home/healthz"
echo

english=$(curl -sf "$home/" -H 'Accept-Language: en') || fail "home page (English) failed"
grep -q '<html lang="en">' <<<"$english" || fail "home page is not in English"
grep -q 'Human Rights Arts Prize' <<<"$english" || fail "home page lacks the prize's name"
chinese=$(curl -sf "$home/" -H 'Cookie: django_language=zh-hant') ||
  fail "home page (Chinese) failed"
grep -q '<html lang="zh-Hant-HK">' <<<"$chinese" || fail "home page is not in Chinese"
grep -q '香港人權藝術獎' <<<"$chinese" || fail "the Chinese home page lacks the prize's name"
echo "home page renders in English and in Traditional Chinese"

# Worker and beat are up before Ctrl-C, so that their shutdown is tested too.
deadline=$((SECONDS + 60))
until grep -q "beat: Starting" "$log"; do
  [ "$SECONDS" -lt "$deadline" ] || fail "beat did not start"
  sleep 1
done

echo "-- Ctrl-C"
kill -INT -- "-$run_pid"
deadline=$((SECONDS + 60))
while kill -0 "$run_pid" 2>/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || fail "make run did not stop on Ctrl-C"
  sleep 1
done
sleep 1
if leftovers=$(pgrep -g "$run_pid" -a); then
  fail "still running after Ctrl-C: $leftovers"
fi
for stopped in "$port" "$s3_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$stopped") 2>/dev/null; then
    fail "port $stopped still answers after Ctrl-C"
  fi
done
run_pid=""
echo "make run stopped with nothing left running"

echo "-- make smoke"
env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL make smoke
