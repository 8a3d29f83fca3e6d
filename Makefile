# 暖心 Nuanxin — the two commands a new user needs are `make run` and `make test`.
#
#   make install   create .venv and install the project with its dev tools
#   make run       install, migrate the embedded SQLite database, load the demo, start
#                  web + task worker + scheduler at http://127.0.0.1:8000 (Ctrl-C stops all)
#   make test      install, lint (ruff, the layer contracts, the types), makemigrations --check, the whole
#                  pytest suite on every database in NUANXIN_TEST_DATABASES (default: sqlite;
#                  CI: sqlite,postgres; they run at the same time, each over two pytest-xdist
#                  workers, unless NUANXIN_TEST_PARALLEL=0; the browser tests on one of them:
#                  scripts/test-databases.sh)
#   make types     mypy with django-stubs on the typed packages (TYPED; strict ones in pyproject.toml)
#   make bench     run the benchmarks under bench/
#   make fuzz      the longer hunt: the importer's file path with FUZZ_EXAMPLES mutated tables
#                  (default 5000; make test runs 150) and every API operation with API_FUZZ_EXAMPLES
#                  schemathesis cases each (default 200; make test runs 20), on SQLite
#   make messages  refresh the zh_Hans catalogue from the source and compile it
#   make test-cluster  several nodes proven together on one machine: PostgreSQL, Redis, two web
#                  nodes, two workers, two schedulers behind nginx (scripts/cluster_test.py; CI runs it)
#   make drills    the fault drills of docs/operations.md (scripts/drills.py; DRILL_ARGS=all by default)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NUANXIN_TEST_DATABASES ?= sqlite
NUANXIN_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint types bench messages clean fuzz debian-packages test-cluster drills

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Nuanxin needs Python 3.11 or newer; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

# Debian's Pango and Noto CJK fonts (PDF), gettext; installed when missing and possible.
debian-packages:
	@scripts/debian-packages.sh

run: $(STAMP) debian-packages
	$(BIN)/nuanxin migrate --no-input
	$(BIN)/nuanxin demo --quiet-logins
	$(BIN)/nuanxin serve --host $(HOST) --port $(PORT)

# ruff, then the layer contracts of docs/architecture.md ([tool.importlinter] in pyproject.toml),
# then the types.
lint: $(STAMP) types
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# The packages mypy checks ([tool.mypy] in pyproject.toml: django-stubs; core/policy.py, core/roles.py
# and the cases app strict). A new app adds itself here.
TYPED ?= nuanxin/core nuanxin/orgs nuanxin/accounts nuanxin/notify nuanxin/cases nuanxin/registry nuanxin/care nuanxin/hotline nuanxin/funds nuanxin/honours nuanxin/welfare nuanxin/recuperation nuanxin/telecom nuanxin/labour nuanxin/produce nuanxin/volunteers nuanxin/reports
types: $(STAMP)
	$(BIN)/mypy $(TYPED)

test: lint debian-packages
	$(BIN)/nuanxin makemigrations --check --dry-run
	@NUANXIN_TEST_DATABASES="$(NUANXIN_TEST_DATABASES)" NUANXIN_TEST_POSTGRES_URL="$(NUANXIN_TEST_POSTGRES_URL)" \
	  scripts/test-databases.sh $(BIN)/python $(PYTEST_ARGS)

# The benchmarks compare with django-import-export, a bench-only extra.
$(VENV)/.installed-bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,bench]'
	@touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench $(BENCH_ARGS)

# The fuzz tests of make test with many more examples (the importer's: 3,000 took 14 minutes on
# the shared 2-core machine, so the default 5,000 takes about 25; both are derandomized, so a
# run repeats itself: raise the numbers to look further).
FUZZ_EXAMPLES ?= 5000
API_FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)
	NUANXIN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest nuanxin/tables/tests/test_import_fuzz.py -q
	DATABASE_URL="sqlite:///$(CURDIR)/var/test.sqlite3" NUANXIN_SCHEMATHESIS_EXAMPLES=$(API_FUZZ_EXAMPLES) \
	  $(BIN)/python -m pytest tests/test_api_schemathesis.py -q

messages: $(STAMP)
	$(BIN)/nuanxin makemessages --locale zh_Hans --no-obsolete \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*' --ignore 'tests/*' \
	  --ignore '*/tests/*' --ignore 'static/vendor/*'
	$(BIN)/nuanxin compilemessages --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache

# Private PostgreSQL, Redis and nginx instances on free ports of 127.0.0.1, stopped at the end.
test-cluster: $(STAMP)
	$(BIN)/python scripts/cluster_test.py $(CLUSTER_ARGS)

DRILL_ARGS ?= all
drills: $(STAMP)
	$(BIN)/python scripts/drills.py $(DRILL_ARGS)
