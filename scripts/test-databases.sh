#!/usr/bin/env bash
# Run the pytest suite on every database named in NUANXIN_TEST_DATABASES (sqlite, postgres),
# as `make test` does. The databases run at the same time, each over two worker processes
# (below); each line is prefixed with its database, and each run's whole output is kept in
# var/test-<database>.log. NUANXIN_TEST_PARALLEL=0 runs the databases one after the other, in one
# process each. Exits non-zero when any run failed, naming its failed tests.
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
# The browser tests drive the pages in Chromium: what they check (layout, scripts, a phone's
# menu) does not depend on the database under the pages, and they were a quarter of each
# database's run. They run on one database of the run: NUANXIN_TEST_BROWSER_DATABASE, by default
# SQLite when it is in the run (the embedded start `make run` serves), else the first named.
browser_db=${NUANXIN_TEST_BROWSER_DATABASE:-}
if [[ -z $browser_db ]]; then
  case " $dbs " in *" sqlite "*) browser_db=sqlite ;; *) browser_db=${dbs%% *} ;; esac
fi
# Faker's pytest plugin (Faker comes with factory-boy) imports every locale's provider in each
# pytest process (4 s on the loaded 2-core machine, where the whole collection took 200-400 s;
# it takes ~20 s quiet); no test uses its `faker` fixture.
no_plugins=(-p no:faker)
set -- "$@"

if [[ ${NUANXIN_TEST_PARALLEL:-1} == 0 ]]; then
  for db in $dbs; do
    only=()
    [[ $db != "$browser_db" ]] && only=(-m "not browser")
    echo "== tests on $db =="
    DATABASE_URL=$(url_of "$db") "$python" -m pytest "${no_plugins[@]}" "${only[@]}" "$@" ||
      { echo "== tests on $db FAILED =="; exit 1; }
  done
  exit 0
fi

# Each database's run is spread over worker processes by pytest-xdist (NUANXIN_TEST_SQLITE_WORKERS
# and NUANXIN_TEST_POSTGRES_WORKERS, default 2 each; whole test files, handed to the next free
# worker, the heaviest first: conftest.py), each worker on its own test database (PostgreSQL:
# the URL's name with _gw0, _gw1 appended), so that both cores stay busy until the end. With pytest
# arguments (a part of the suite) each database runs in one process.
workers_of() {
  if ((nargs > 0)); then echo 1
  elif [[ $1 == postgres ]]; then echo "${NUANXIN_TEST_POSTGRES_WORKERS:-2}"
  else echo "${NUANXIN_TEST_SQLITE_WORKERS:-2}"; fi
}
nargs=$#
declare -A pids logs
for db in $dbs; do
  n=$(workers_of "$db")
  spread=()
  ((n > 1)) && spread=(-n "$n" --dist loadfile)
  only=()
  [[ $db != "$browser_db" ]] && only=(-m "not browser")
  echo "== tests on $db (var/test-$db.log)$([[ $db == "$browser_db" ]] && echo ", with the browser tests") =="
  (
    DATABASE_URL=$(url_of "$db") NUANXIN_TEST_SUMMARY=1 "$python" -m pytest "${no_plugins[@]}" "${spread[@]}" "${only[@]}" "$@" 2>&1 |
      tee "var/test-$db.log" | sed -u "s|^|[$db] |"
    exit "${PIPESTATUS[0]}"
  ) &
  pids[$db]=$!
  logs[$db]=" var/test-$db.log"
done
# Ctrl-C or a kill stops every run.
trap 'kill -- ${pids[*]} 2>/dev/null; exit 130' INT TERM
failed=()
for run in "${!pids[@]}"; do
  wait "${pids[$run]}" || failed+=("$run")
done
# One summary per database (pytest's last line).
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
