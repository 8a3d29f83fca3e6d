#!/usr/bin/env bash
# Run the pytest suite on every database named in NUANXIN_TEST_DATABASES (sqlite, postgres),
# as `make test` does. With more than one database they run at the same time (the suite is
# mostly waiting on the database and the browser, so the two runs share 2 cores well: about
# 20 minutes for both instead of 30 one after the other); each line is prefixed with its
# database and each run's whole output is kept in var/test-<database>.log. NUANXIN_TEST_PARALLEL=0
# runs them one after the other. Exits non-zero when any run failed, naming it.
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
set -- "$@"

if [[ ${NUANXIN_TEST_PARALLEL:-1} == 0 || $(wc -w <<<"$dbs") -eq 1 ]]; then
  for db in $dbs; do
    echo "== tests on $db =="
    DATABASE_URL=$(url_of "$db") "$python" -m pytest "$@" || { echo "== tests on $db FAILED =="; exit 1; }
  done
  exit 0
fi

declare -A pids
for db in $dbs; do
  echo "== tests on $db (var/test-$db.log) =="
  (
    DATABASE_URL=$(url_of "$db") "$python" -m pytest "$@" 2>&1 | tee "var/test-$db.log" | sed -u "s/^/[$db] /"
    exit "${PIPESTATUS[0]}"
  ) &
  pids[$db]=$!
done
# Ctrl-C or a kill stops every run.
trap 'kill -- ${pids[*]} 2>/dev/null; exit 130' INT TERM
failed=()
for db in $dbs; do
  wait "${pids[$db]}" || failed+=("$db")
done
for db in $dbs; do
  echo "== $db: $(grep -E '^(=+ )?[0-9]+ (passed|failed)|^=+ .*(passed|failed|error)' "var/test-$db.log" | tail -1) =="
done
if ((${#failed[@]})); then
  echo "== tests FAILED on: ${failed[*]} (see var/test-<database>.log) =="
  exit 1
fi
