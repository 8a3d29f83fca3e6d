#!/usr/bin/env bash
# Run the pytest suite on every database named in NUANXIN_TEST_DATABASES (sqlite, postgres),
# as `make test` does. The databases run at the same time, each in two shards (below); each
# line is prefixed with its database and shard, and each run's whole output is kept in
# var/test-<database>-<shard>.log. NUANXIN_TEST_PARALLEL=0 runs the databases
# one after the other, unsharded. Exits non-zero when any run failed, naming it.
# Usage: scripts/test-databases.sh PYTHON [pytest arguments…]
set -uo pipefail
python=$1; shift
cd "$(dirname "$0")/.."
mkdir -p var

url_of() {
  case $1 in
    sqlite) echo "sqlite:///$PWD/var/test.sqlite3" ;;
    postgres) echo "${NUANXIN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}" ;;
    *) echo "unknown database '$1' in NUANXIN_TEST_DATABASES (use sqlite, postgres)" >&2; return 2 ;;
  esac
}

dbs=$(echo "${NUANXIN_TEST_DATABASES:-sqlite}" | tr ',' ' ')
for db in $dbs; do url_of "$db" >/dev/null || exit 2; done
# Faker's pytest plugin (Faker comes with factory-boy) imports every locale's provider in each
# pytest process (4 s on the loaded 2-core machine, where the whole collection took 200-400 s;
# it takes ~20 s quiet); no test uses its `faker` fixture.
no_plugins=(-p no:faker)
set -- "$@"

if [[ ${NUANXIN_TEST_PARALLEL:-1} == 0 ]]; then
  for db in $dbs; do
    echo "== tests on $db =="
    DATABASE_URL=$(url_of "$db") "$python" -m pytest "${no_plugins[@]}" "$@" ||
      { echo "== tests on $db FAILED =="; exit 1; }
  done
  exit 0
fi

# Each database's run is split into shards (NUANXIN_TEST_SQLITE_SHARDS and
# NUANXIN_TEST_POSTGRES_SHARDS, default 2 each; whole test files, dealt out by weight in
# conftest.py), each on its own test database, so that the 2 cores stay busy until the end: one
# run per database left the longer one alone on a core for its last third. Shards only split the
# whole suite: with pytest arguments each database runs once.
shards_of() {
  if ((nargs > 0)); then echo 1
  elif [[ $1 == postgres ]]; then echo "${NUANXIN_TEST_POSTGRES_SHARDS:-2}"
  else echo "${NUANXIN_TEST_SQLITE_SHARDS:-2}"; fi
}
nargs=$#
declare -A pids logs
for db in $dbs; do
  n=$(shards_of "$db")
  for ((k = 1; k <= n; k++)); do
    run=$db tag=$db url=$(url_of "$db") shard=""
    if ((n > 1)); then
      run="$db-$k" tag="$db $k/$n" shard="$k/$n"
      ((k > 1)) && url="${url%/*}/$(basename "${url##*/}")_s$k"
    fi
    echo "== tests on $tag (var/test-$run.log) =="
    (
      DATABASE_URL=$url NUANXIN_TEST_SHARD=$shard "$python" -m pytest "${no_plugins[@]}" "$@" 2>&1 |
        tee "var/test-$run.log" | sed -u "s|^|[$tag] |"
      exit "${PIPESTATUS[0]}"
    ) &
    pids[$run]=$!
    logs[$db]+=" var/test-$run.log"
  done
done
# Ctrl-C or a kill stops every run.
trap 'kill -- ${pids[*]} 2>/dev/null; exit 130' INT TERM
failed=()
for run in "${!pids[@]}"; do
  wait "${pids[$run]}" || failed+=("$run")
done
# One summary per database: the counts of its shards added up (pytest's last line of each).
for db in $dbs; do
  # shellcheck disable=SC2086
  summary=$(for log in ${logs[$db]}; do grep -E '^=+ .*(passed|failed|error|no tests ran)' "$log" | tail -1; done |
    grep -oE '[0-9]+ (passed|failed|skipped|errors?|deselected|xfailed|xpassed)' |
    awk '{ n[$2] += $1 } END { for (k in n) if (k != "deselected") printf "%s%d %s", (s++ ? ", " : ""), n[k], k }')
  echo "== $db: ${summary:-no summary (see${logs[$db]})} =="
done
if ((${#failed[@]})); then
  # The failed tests by name (pytest's short summary), so that a run whose output is only read
  # from its end (CI) says what failed.
  for run in "${failed[@]}"; do
    grep -E '^(FAILED|ERROR) ' "var/test-$run.log" | head -20 | cut -c1-300 | sed "s|^|[$run] |"
  done
  echo "== tests FAILED on: ${failed[*]} (see var/test-<database>.log) =="
  exit 1
fi
