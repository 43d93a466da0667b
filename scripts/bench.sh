#!/bin/sh
# bench: every package's Go benchmarks, then a load run of the real server on the large demo
# clinic, both written into docs/performance.md ("Pages and load"). Run through `make bench`.
#
# The clinic is built once into bench/large.db (ignored by git) and rebuilt only when the demo,
# the schema or a migration changes. Until `allium demo --size large` exists the small demo is
# measured instead; the report names the size it measured.
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
BIN=${BIN:-bin/allium}
DURATION=${BENCH_DURATION:-5s}
OUT=${BENCH_OUT:-docs/performance.md}
mkdir -p bench

key=$(cat cmd/allium/demo*.go schema.sql store/migrations/*.sql | sha256sum | cut -c1-16)
if [ ! -f bench/large.db ] || [ "$(cat bench/large.key 2>/dev/null)" != "$key" ]; then
	echo "bench: building the demo clinic (once; cached in bench/large.db)"
	rm -f bench/large.db bench/large.db-wal bench/large.db-shm bench/large.db-views* bench/build.db*
	if ! "$BIN" demo --size large --db bench/build.db >bench/demo.txt 2>&1; then
		echo "bench: no large demo in this build; measuring the small one"
		rm -f bench/build.db*
		"$BIN" demo --db bench/build.db >bench/demo.txt
	fi
	# SQLite folds the WAL into the file when the demo closes the database; move any left too.
	mv bench/build.db bench/large.db
	if [ -f bench/build.db-wal ]; then mv bench/build.db-wal bench/large.db-wal; fi
	rm -f bench/build.db-shm bench/build.db-views*
	echo "$key" >bench/large.key
fi

echo "bench: go test -bench (every package; page benchmarks on a copy of the clinic)"
rm -f bench/gobench.db-wal bench/gobench.db-shm bench/gobench.db-views*
cp bench/large.db bench/gobench.db
if [ -f bench/large.db-wal ]; then cp bench/large.db-wal bench/gobench.db-wal; fi
# -p 1: one package's benchmarks at a time. By default go test runs a package per core, and on a
# small machine the store's booking benchmarks then share the CPU with another package's.
# -timeout: go test's default of 10 minutes a package is for tests; the handlers' benchmarks on a
# busy machine can pass it.
ALLIUM_BENCH_DB="$(pwd)/bench/gobench.db" "$GO" test -p 1 -timeout 30m -run '^$' -bench . -benchmem ./... | tee bench/gotest.txt
rm -f bench/gobench.db bench/gobench.db-wal bench/gobench.db-shm bench/gobench.db-views*

echo "bench: load run of allium serve"
"$GO" build -o bin/allium-load ./cmd/allium-load
bin/allium-load -db bench/large.db -server-bin "$BIN" -out "$OUT" -duration "$DURATION" -gobench bench/gotest.txt
