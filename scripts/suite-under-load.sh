#!/usr/bin/env bash
# The suite on a loaded machine: N fresh-clone CI runs in a row (default 3) of this checkout's HEAD
# while `npm run bench -- --scenario fleet --quick` runs in a loop beside them, from this checkout.
# Prints one line per suite run and per fleet run; logs go to $OUT (default: a temp dir).
set -u
runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$(mktemp -d)}
echo "logs: $out"
touch "$out/running"
( cd "$root"; i=0
  while [ -e "$out/running" ]; do
    i=$((i+1)); npm run bench -- --scenario fleet --quick > "$out/fleet-$i.log" 2>&1
    echo "fleet $i: exit $? $(tail -1 "$out/fleet-$i.log" | grep -o '"goals_met":[a-z]*')"
  done ) &
sleep 60 # the fleet run is onboarding its workspaces when the first suite starts
for n in $(seq 1 "$runs"); do
  d=$(mktemp -d); git clone -q "$root" "$d/p"
  s=$(date +%s); (cd "$d/p" && CI=true bash .ci/run) > "$out/suite-$n.log" 2>&1; rc=$?
  echo "suite $n: exit $rc after $(( $(date +%s) - s )) s, load $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -rf "$d"
done
rm -f "$out/running"
wait
