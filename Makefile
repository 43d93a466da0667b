# Allium: `make run` starts the demo clinic, `make test` runs every test.
GO      ?= go
DB      ?= allium-demo.db
ADDR    ?= 127.0.0.1:8080
BIN     := bin/allium

.PHONY: run test build demo bench fmt clean tools schema screenshots

build:
	$(GO) build -o $(BIN) ./cmd/allium

# run builds the demo clinic (once a day: a demo from an earlier day is rebuilt for today, in a few
# seconds) and serves it; the sign-ins are printed first.
run: build
	$(BIN) demo --db $(DB) --addr $(ADDR)
	$(BIN) serve --db $(DB) --addr $(ADDR)

demo: build
	$(BIN) demo --db $(DB) --addr $(ADDR)

# tools: axe-core for the accessibility audit of the browser journeys (npm, once).
AXE := .tools/node_modules/axe-core/axe.min.js
tools: $(AXE)
$(AXE):
	@command -v npm >/dev/null || { echo "npm not found: the browser journeys will skip their audit"; exit 0; }
	npm install --no-audit --no-fund --prefix .tools axe-core@4.14.1

# test: formatting, vet, then every package under the race detector (one race build). No
# package should come near TEST_TIMEOUT: the slowest, handlers, needs about 100 s of CPU time,
# two minutes on a quiet two-core machine, but over eight on one shared with several other test
# runs. The limit is there so a hung test fails with every goroutine's stack, not to time the suite.
# The browser journeys run where Chromium and axe-core are installed. Where they are not, the
# journeys skip, and go test shows no skip message of a package that passes, so the last line
# of make test says so instead (the journeys look in the same places: handlers/browser_test.go).
TEST_TIMEOUT ?= 15m
CHROMIUM := $(firstword $(ALLIUM_CHROMIUM) $(wildcard /usr/bin/chromium /usr/bin/chromium-browser))
test: tools
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@echo "$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./..."; \
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...; status=$$?; \
	if [ -z "$(CHROMIUM)" ]; then echo "!!! THE BROWSER JOURNEYS DID NOT RUN: no Chromium (apt-get install chromium, or set ALLIUM_CHROMIUM)"; \
	elif [ ! -f $(AXE) ]; then echo "!!! THE BROWSER JOURNEYS DID NOT RUN: axe-core is not installed (make tools needs npm)"; fi; \
	exit $$status

# bench: every package's Go benchmarks and a load run of the real server on the large demo
# clinic (built once into bench/), written to docs/performance.md: 5 s a run (BENCH_DURATION=3s for a
# quick look). On a busy machine the load run waits for quiet and repeats disturbed runs
# (docs/performance.md, "Measurement hygiene"), which can take it past half an hour.
bench: build
	GO=$(GO) BIN=$(BIN) scripts/bench.sh

# screenshots: the README's pictures of each role's main page, from a fresh demo (needs Chromium).
screenshots: build
	GO=$(GO) BIN=$(BIN) scripts/screenshots.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin $(DB) $(DB)-wal $(DB)-shm $(DB)-lock $(DB)-views $(DB)-views-wal $(DB)-views-shm

# schema: schema.sql is the fold of the numbered migrations; rebuild it after adding one
# (TestFreshAndMigratedSchemasMatch fails until both agree).
schema:
	{ printf -- '-- Allium schema: the fold of store/migrations/*.sql. A fresh database is built from this file;\n-- an existing one is brought here by the migrations. Change both together.\n\n'; \
	  for f in store/migrations/*.sql; do cat "$$f"; echo; done; } > schema.sql
