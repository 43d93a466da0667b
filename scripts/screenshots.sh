#!/bin/sh
# screenshots: the README's pictures of each role's main page, taken from a fresh demo clinic
# served for the purpose. Run through `make screenshots`; needs Chromium.
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
BIN=${BIN:-bin/allium}
ADDR=${SHOTS_ADDR:-127.0.0.1:18090}
tmp=$(mktemp -d)
"$BIN" demo --db "$tmp/demo.db" --addr "$ADDR" >/dev/null
"$BIN" serve --db "$tmp/demo.db" --addr "$ADDR" >"$tmp/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
	if curl -fsS "http://$ADDR/healthz" >/dev/null 2>&1; then break; fi
	sleep 0.2
done
"$GO" run ./cmd/allium-shots --base "http://$ADDR" --out docs/img
