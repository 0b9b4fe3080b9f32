# refgw — plain Makefile.  `make run` and `make check` are the two commands;
# both bring in the Debian packages they need (scripts/deps.sh).

.SUFFIXES:

CC       = cc
BUILD    ?= build
SANITIZE ?=
PKGS      = libmicrohttpd gnutls openssl libpq jansson libsodium libqrencode
TEST_PKGS = check libcurl

WARN    = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wformat=2 -Wno-format-nonliteral -Wvla -Wpointer-arith
SCHEMA_VERSION := $(shell ls schema 2>/dev/null | sed -n 's/^\([0-9][0-9][0-9]\)_.*\.sql$$/\1/p' | sort | tail -n 1 | sed 's/^0*//')
# The version /metrics reports (refgw_build_info): git's description of the
# tree when there is one (objects are not rebuilt when only it changes).
REFGW_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
BASE_CFLAGS = -std=c17 -D_GNU_SOURCE -O2 -g $(WARN) -DREFGW_SCHEMA_VERSION=$(SCHEMA_VERSION) \
              -DREFGW_VERSION='"$(REFGW_VERSION)"'
ifeq ($(SANITIZE),1)
BASE_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_LDFLAGS  = -fsanitize=address,undefined
endif

SRCS     = $(wildcard gateway/*.c)
LIB_SRCS = $(filter-out gateway/main.c,$(SRCS))
# The console's files (console/) are compiled in: scripts/console-assets.py
# writes them as C; the directory itself is a prerequisite so that a file
# added or removed rebuilds the table too.
CONSOLE_FILES = $(wildcard console/*)
LIB_OBJS = $(LIB_SRCS:gateway/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/console_assets.o
UNIT_SRCS = $(wildcard tests/unit/*.c)
IT_SRCS   = $(wildcard tests/integration/*.c)
FAULT_SRCS = tests/faults/faults.c $(filter-out tests/integration/test_%.c,$(IT_SRCS))
# The fuzz drivers link every module but db.c (tests/fuzz/fake_db.c stands in
# for it) and http.c (libmicrohttpd's side: nothing else calls into it; a driver
# hands its request's head over through r->lookup, as http.c does), so each
# runs without a database or a socket.
FUZZ_LIB_OBJS = $(filter-out $(BUILD)/obj/db.o $(BUILD)/obj/http.o,$(LIB_OBJS))
FUZZ_DRIVERS  = body cert
FUZZ_SECONDS ?= 60

BENCH_SECONDS ?= 10
BENCH_PEERS ?= 1
DEMO_ORGS = rizome ors diogenes ilot smes pierre-dangle samusocial cpas-molenbeek \
            comensia logiris logement-molenbeekois ais-trois-pommiers citydev guidance brusshelp

.PHONY: FORCE browser browser-deps screenshots schema bench-notify bench-lists bench-console tls-scan faults all deps build run check unit integration asan valgrind lint format format-check clean distclean certs bench bench-scale bench-tail bench-peers bench-peers-deps fuzz

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@$(MAKE) --no-print-directory $(BUILD)/refgw

# REFGW_SCHEMA_VERSION is compiled in: a new migration rebuilds what uses it.
$(BUILD)/schema-version: FORCE
	@mkdir -p $(@D)
	@echo $(SCHEMA_VERSION) | cmp -s - $@ || echo $(SCHEMA_VERSION) > $@

FORCE:

$(BUILD)/obj/%.o: gateway/%.c gateway/*.h Makefile $(BUILD)/schema-version
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $$(pkg-config --cflags $(PKGS)) -c -o $@ $<

$(BUILD)/console_assets.c: console $(CONSOLE_FILES) scripts/console-assets.py
	@mkdir -p $(@D)
	/usr/bin/python3 scripts/console-assets.py console $@

$(BUILD)/obj/console_assets.o: $(BUILD)/console_assets.c gateway/*.h Makefile
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Igateway $$(pkg-config --cflags $(PKGS)) -c -o $@ $<

$(BUILD)/refgw: $(LIB_OBJS) $(BUILD)/obj/main.o
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $$(pkg-config --libs $(PKGS)) -lpthread

$(BUILD)/unit_tests: $(UNIT_SRCS) $(LIB_OBJS) tests/unit/*.h
	$(CC) $(BASE_CFLAGS) -Igateway $$(pkg-config --cflags $(PKGS) $(TEST_PKGS)) -o $@ \
	    $(UNIT_SRCS) $(LIB_OBJS) $(SAN_LDFLAGS) $$(pkg-config --libs $(PKGS) $(TEST_PKGS)) -lpthread

# (with the gateway's statement table: tests/integration/test_plans.c reads its plans)
$(BUILD)/integration_tests: $(IT_SRCS) tests/integration/*.h gateway/statements.c gateway/statements.h \
    gateway/sqltext.c gateway/db.c gateway/log.c gateway/*.h \
    $(BUILD)/schema-version
	$(CC) $(BASE_CFLAGS) -Igateway $$(pkg-config --cflags libpq jansson openssl $(TEST_PKGS)) -o $@ \
	    $(IT_SRCS) gateway/statements.c gateway/sqltext.c gateway/util.c gateway/db.c \
	    gateway/log.c $(SAN_LDFLAGS) $$(pkg-config --libs libpq jansson openssl $(TEST_PKGS)) -lpthread

$(BUILD)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fake_db.c tests/fuzz/fake_db.h $(FUZZ_LIB_OBJS)
	$(CC) $(BASE_CFLAGS) -Igateway -Itests/fuzz $$(pkg-config --cflags $(PKGS)) -o $@ \
	    tests/fuzz/fuzz_$*.c tests/fuzz/replay.c tests/fuzz/fake_db.c $(FUZZ_LIB_OBJS) \
	    $(SAN_LDFLAGS) $$(pkg-config --libs gnutls openssl jansson libsodium libqrencode) -lpthread

$(BUILD)/faults: $(FAULT_SRCS) tests/integration/*.h
	$(CC) $(BASE_CFLAGS) -Itests/integration $$(pkg-config --cflags libpq jansson openssl $(TEST_PKGS)) -o $@ \
	    $(FAULT_SRCS) $(SAN_LDFLAGS) $$(pkg-config --libs libpq jansson openssl $(TEST_PKGS)) -lpthread -lm

# gen.sh is idempotent: it only makes what is missing (new demo organisations,
# material added by a later version), so it runs every time.
certs: deps
	@sh certs/gen.sh certs/dev $(DEMO_ORGS)

run: build certs
	@sh scripts/run.sh $(BUILD)/refgw $(DEMO_ORGS)

check: deps
	@$(MAKE) --no-print-directory $(BUILD)/refgw $(BUILD)/unit_tests $(BUILD)/integration_tests \
	    $(FUZZ_DRIVERS:%=$(BUILD)/replay_%) $(BUILD)/faults
	@echo "== schema/current.sql against the migrations (make schema rewrites it)"
	@sh scripts/schema.sh check $(BUILD)/refgw schema/current.sql
	@sh certs/gen.sh $(BUILD)/test-certs orga >/dev/null
	@echo "== unit tests"
	@REFGW_TEST_CERTS=$(BUILD)/test-certs CK_DEFAULT_TIMEOUT=30 $(BUILD)/unit_tests
	@echo "== fuzz seeds and regressions, replayed"
	@for d in $(FUZZ_DRIVERS); do \
	    $(BUILD)/replay_$$d tests/fuzz/corpus/$$d tests/fuzz/regressions/$$d || exit 1; done
	@echo "== fault suite, fast sizes (throwaway PostgreSQL; make faults for full sizes)"
	@REFGW_SANITIZED=$(SANITIZE) sh tests/faults/run.sh $(BUILD)/refgw $(BUILD)/faults --fast
	@echo "== response validator against invalid fixtures (tests/responses)"
	@sh tests/responses/selftest.sh
	@echo "== restore runbook: dump, new cluster, verify --checkpoint, serve (tests/restore.sh)"
	@sh tests/restore.sh $(BUILD)/refgw
	@$(MAKE) --no-print-directory browser-deps
	@echo "== browser tests: the console in Debian's chromium, headless (tests/browser/run.sh)"
	@sh tests/browser/run.sh $(BUILD)/refgw
	@echo "== integration tests (throwaway PostgreSQL; last, so that Check's summary ends the run)"
	@sh tests/run-integration.sh $(BUILD)/refgw $(BUILD)/integration_tests

# The console in a real browser (docs/console.md): Debian's chromium, node and
# npm, and puppeteer-core + axe-core from tests/browser/package-lock.json
# (npm ci again whenever the lockfile changes; never a browser download).
browser-deps:
	@sh scripts/deps.sh chromium nodejs npm
	@$(MAKE) --no-print-directory tests/browser/node_modules/.refgw-installed

tests/browser/node_modules/.refgw-installed: tests/browser/package-lock.json tests/browser/package.json
	cd tests/browser && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The screenshots docs/console.md shows, from the last browser run
# (build/screenshots, written by tests/browser/lib.mjs's screenshot()).
screenshots:
	@[ -d $(BUILD)/screenshots ] || { echo "no $(BUILD)/screenshots: run make browser first" >&2; exit 1; }
	@mkdir -p docs/screenshots
	@for f in $$(grep -o 'screenshots/[a-z0-9-]*\.png' docs/console.md | sort -u); do \
		cp $(BUILD)/$$f docs/$$f || exit 1; done
	@ls docs/screenshots | wc -l | xargs echo "docs/screenshots: PNG files:"

browser: deps
	@$(MAKE) --no-print-directory $(BUILD)/refgw browser-deps
	@sh certs/gen.sh $(BUILD)/test-certs orga >/dev/null
	@sh tests/browser/run.sh $(BUILD)/refgw

# schema/current.sql, the schema as the migrations leave it (pg_dump of a
# throwaway cluster, scripts/schema.sh): run after adding a migration and
# commit it; make check fails while it is stale.
schema: build
	@sh scripts/schema.sh write $(BUILD)/refgw schema/current.sql

asan:
	@$(MAKE) --no-print-directory check BUILD=build/asan SANITIZE=1

valgrind: deps
	@$(MAKE) --no-print-directory $(BUILD)/refgw $(BUILD)/unit_tests $(BUILD)/integration_tests
	@sh certs/gen.sh $(BUILD)/test-certs orga >/dev/null
	REFGW_TEST_CERTS=$(BUILD)/test-certs CK_FORK=no valgrind --quiet --error-exitcode=9 \
	    --leak-check=full --errors-for-leak-kinds=definite $(BUILD)/unit_tests
	REFGW_WRAP="valgrind --quiet --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite" \
	    sh tests/run-integration.sh $(BUILD)/refgw $(BUILD)/integration_tests

# The fault suite at full size: 1 000 slow sockets, 30 s of kill -9, a 5 s
# outage (tests/faults/faults.c says what each scenario proves).
faults: build
	@$(MAKE) --no-print-directory $(BUILD)/faults
	@sh certs/gen.sh $(BUILD)/test-certs orga >/dev/null
	sh tests/faults/run.sh $(BUILD)/refgw $(BUILD)/faults

$(BUILD)/loadgen: bench/loadgen.c
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $< $$(pkg-config --cflags --libs libcurl) -lpthread

$(BUILD)/wrk-cert.so: bench/wrk-cert.c
	$(CC) -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

$(BUILD)/idle: bench/idle.c
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $< $$(pkg-config --cflags --libs openssl)

bench: build
	@sh scripts/deps.sh wrk nginx-light apache2-utils python3
	@$(MAKE) --no-print-directory $(BUILD)/loadgen $(BUILD)/wrk-cert.so $(BUILD)/idle
	@# autocannon (npm), a third client for the cross-check; skipped without npm
	@if command -v npm >/dev/null && [ ! -x $(BUILD)/node/node_modules/.bin/autocannon ]; then \
	    npm install --prefix $(BUILD)/node --no-audit --no-fund --silent autocannon@8 || true; fi
	@$(MAKE) --no-print-directory bench-peers-deps
	sh bench/run.sh $(BENCH_SECONDS)
	sh bench/tls.sh $(BENCH_SECONDS)
	BENCH_PEERS=$(BENCH_PEERS) sh bench/peers.sh $(BENCH_SECONDS)

# refgw beside Platformatic DB and PostGraphile (npm, pinned in
# bench/peers/*/package-lock.json) behind the same mTLS front, pgbench and
# nginx, in one run, one table (issue 19; the last part of make bench).
# BENCH_PEERS=0: without the peers.  A peer that cannot be installed or
# started is said so and the rest goes on.
bench-peers: build
	@sh scripts/deps.sh nginx-light python3
	@$(MAKE) --no-print-directory $(BUILD)/loadgen bench-peers-deps
	BENCH_PEERS=$(BENCH_PEERS) sh bench/peers.sh $(BENCH_SECONDS)

bench-peers-deps:
	@if [ "$(BENCH_PEERS)" != 0 ]; then \
	    if command -v npm >/dev/null; then \
	        for p in platformatic postgraphile; do \
	            $(MAKE) --no-print-directory bench/peers/$$p/node_modules/.refgw-installed || \
	                echo "bench: the peer $$p could not be installed (npm ci in bench/peers/$$p): bench/peers.sh goes on without it"; \
	        done; \
	    else echo "bench: no npm: the peers (bench/peers) are not installed, bench/peers.sh goes on without them"; fi; fi

bench/peers/%/node_modules/.refgw-installed: bench/peers/%/package.json bench/peers/%/package-lock.json
	@# (--ignore-scripts: no native build; better-sqlite3, which Platformatic
	@# carries for SQLite, would compile SQLite for minutes and is never used here)
	cd bench/peers/$* && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# testssl.sh against the gateway's TLS configuration (docs/reliability.md).
tls-scan: build
	@sh scripts/deps.sh testssl.sh python3
	sh bench/tls-scan.sh

# List latency at 10 k, 100 k and 1 M rows (docs/performance.md).
# Two gateway binaries side by side on one database (the A/B of a change):
#   make bench-ab A=/path/to/old/refgw [B=build/refgw]
# AB_B_SCHEMA=<old tree>/schema: B on a database of its own, migrated from
# there (a change of the SQL too: make bench-ab A=build/refgw B=<old>/build/refgw
# AB_B_SCHEMA=<old>/schema).
bench-ab: build
	@$(MAKE) --no-print-directory $(BUILD)/loadgen
	sh bench/ab.sh $(A) $(or $(B),$(BUILD)/refgw) $(BENCH_SECONDS)

# A NOTIFY per event against reading the event heads (issue 19, schema/065;
# docs/performance.md): BASE is a refgw built before schema/065.
#   make bench-notify BASE=/path/to/old/refgw
bench-notify: build
	@$(MAKE) --no-print-directory $(BUILD)/loadgen
	sh bench/notify.sh $(BASE) $(BENCH_SECONDS)

bench-lists: build
	@$(MAKE) --no-print-directory $(BUILD)/loadgen
	sh bench/lists.sh

# Each console page's time to interactive in headless chromium, at 100 and
# 10 000 referrals (issue 18; bench/console.sh, docs/performance.md).
bench-console: build
	@$(MAKE) --no-print-directory browser-deps
	sh bench/console.sh

# Creates below saturation once the tables have grown: bursts, then an open
# loop (issue 19; bench/tail.sh, docs/performance.md).
#   make bench-tail [TAIL="BURST_S PACED_S RATE ROUNDS"]
bench-tail: build
	@$(MAKE) --no-print-directory $(BUILD)/loadgen
	sh bench/tail.sh $(TAIL)

bench-scale: build
	@$(MAKE) --no-print-directory $(BUILD)/loadgen
	sh bench/scale.sh $(BENCH_SECONDS)

# libFuzzer (clang): every driver for FUZZ_SECONDS, on a working corpus under
# build/fuzz/ seeded from tests/fuzz/corpus/.  A crash leaves its input in
# build/fuzz/crash-<driver>-*: fix it and copy the input to
# tests/fuzz/regressions/<driver>/, which `make check` replays for ever.
FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer -DREFGW_SCHEMA_VERSION=$(SCHEMA_VERSION) \
              -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
fuzz:
	@sh scripts/deps.sh clang libclang-rt-14-dev
	@mkdir -p build/fuzz/obj
	@$(MAKE) --no-print-directory $(BUILD)/console_assets.c
	@for f in $(LIB_SRCS) $(BUILD)/console_assets.c tests/fuzz/fake_db.c; do \
	    case $$f in gateway/db.c|gateway/http.c) continue;; esac; \
	    o=build/fuzz/obj/$$(basename $$f .c).o; \
	    if [ ! -f $$o ] || [ $$f -nt $$o ] || [ Makefile -nt $$o ]; then \
	        clang $(FUZZ_CFLAGS) -Igateway -Itests/fuzz $$(pkg-config --cflags $(PKGS)) -c -o $$o $$f || exit 1; fi; \
	done
	@for d in $(FUZZ_DRIVERS); do \
	    clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -Igateway -Itests/fuzz $$(pkg-config --cflags $(PKGS)) \
	        -o build/fuzz/fuzz_$$d tests/fuzz/fuzz_$$d.c build/fuzz/obj/*.o \
	        $$(pkg-config --libs gnutls openssl jansson libsodium libqrencode) -lpthread || exit 1; \
	    mkdir -p build/fuzz/corpus-$$d; \
	    echo "== fuzz $$d for $(FUZZ_SECONDS) s"; \
	    build/fuzz/fuzz_$$d -max_total_time=$(FUZZ_SECONDS) -max_len=70000 -timeout=10 \
	        -artifact_prefix=build/fuzz/crash-$$d- -print_final_stats=1 \
	        build/fuzz/corpus-$$d tests/fuzz/corpus/$$d tests/fuzz/regressions/$$d \
	        2>build/fuzz/$$d.log || { tail -n 60 build/fuzz/$$d.log; exit 1; }; \
	    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" build/fuzz/$$d.log | tail -n 3; \
	done

lint: deps
	@sh scripts/deps.sh docker-compose nodejs
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	    --suppress=missingIncludeSystem -DREFGW_SCHEMA_VERSION=1 --include=/usr/include/jansson.h gateway/
	sh scripts/style.sh
	@# The console's strings: every key in French, Dutch and English.
	node tests/browser/catalogue.mjs console
	sh -n scripts/*.sh certs/gen.sh tests/*.sh tests/browser/run.sh tests/faults/run.sh tests/responses/*.sh bench/*.sh
	/usr/bin/python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' tests/check-responses.py
	docker-compose config -q && echo "docker-compose.yml ok"
	@if command -v npx >/dev/null; then npx -y @redocly/cli@latest lint --format=summary docs/openapi.yaml; fi

FORMAT_FILES = gateway/*.c gateway/*.h tests/unit/*.c tests/integration/*.c

format:
	clang-format -i $(FORMAT_FILES)

# The same files as make format, checked, not changed (.ci/run).
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build

distclean: clean
	@if [ -f var/pg/postmaster.pid ]; then echo "stop the dev cluster first (make run stops it on exit)"; exit 1; fi
	@# pg.sh keeps the cluster outside an unreachable clone (root's home): its real place goes too
	@if [ -L var/pg ]; then rm -rf "$$(dirname "$$(readlink var/pg)")"; fi
	rm -rf var certs/dev
