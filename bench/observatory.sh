#!/usr/bin/env bash
# MDN HTTP Observatory score of the production path: gunicorn with PRODUCTION=1 behind
# Caddy (deploy/Caddyfile) on ports 80 and 443 of this machine, with Caddy's own CA for
# `localhost`, scanned by the npm package @mdn/mdn-http-observatory. Needs root (ports
# 80/443), caddy, node/npm, and PostgreSQL/Redis at DATABASE_URL's server / REDIS_URL.
#
#   npm install -g --ignore-scripts @mdn/mdn-http-observatory
#   bash bench/observatory.sh
#
# (--ignore-scripts: its install step downloads the HSTS preload and TLD lists; offline,
# the script writes stand-ins that only say `localhost` is a name and nothing is preloaded.)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCANNER="$(npm root -g)/@mdn/mdn-http-observatory"
[ -f "$SCANNER/conf/hsts-preload.json" ] || echo '{}' > "$SCANNER/conf/hsts-preload.json"
[ -f "$SCANNER/conf/tld-list.json" ] || echo '["localhost"]' > "$SCANNER/conf/tld-list.json"

WORK="$(mktemp -d -t cpaor-observatory.XXXXXX)"
mkdir -p "$WORK"/srv/{static,media,private}
SERVER="${DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}"
psql "$SERVER/postgres" -qc "drop database if exists cpaor_observatory" -c "create database cpaor_observatory"
export PRODUCTION=1 DEBUG=0 ALLOWED_HOSTS=localhost SITE_URL=https://localhost \
    CSRF_TRUSTED_ORIGINS=https://localhost EMAIL_URL=smtp://127.0.0.1:1 \
    SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DATABASE_URL="$SERVER/cpaor_observatory" REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/9}" \
    TRUSTED_PROXY_COUNT=1 FILES_ACCEL_REDIRECT=1 CPAOR_DEMO_CONTENT=0 \
    STATIC_ROOT="$WORK/srv/static" MEDIA_ROOT="$WORK/srv/media" PRIVATE_MEDIA_ROOT="$WORK/srv/private"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py load_starting_content >/dev/null
.venv/bin/python -m gunicorn cpaor.wsgi --bind 127.0.0.1:8011 --workers 2 >"$WORK/gunicorn.log" 2>&1 &
WEB=$!
XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" SITE_ADDRESS=localhost \
    UPSTREAM=127.0.0.1:8011 FILES_ROOT="$WORK/srv" \
    caddy run --config deploy/Caddyfile --adapter caddyfile >"$WORK/caddy.log" 2>&1 &
PROXY=$!
trap 'kill $PROXY $WEB 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    [ -f "$WORK/data/caddy/pki/authorities/local/root.crt" ] && curl -sf -o /dev/null \
        --cacert "$WORK/data/caddy/pki/authorities/local/root.crt" https://localhost/healthz && break
    sleep 1
done
NODE_EXTRA_CA_CERTS="$WORK/data/caddy/pki/authorities/local/root.crt" \
    node "$SCANNER/src/scan.js" localhost >"$WORK/scan.json"
python3 - "$WORK/scan.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
scan = result["scan"]
print(f"MDN HTTP Observatory: grade {scan['grade']}, score {scan['score']}, "
      f"{scan['testsPassed']}/{scan['testsQuantity']} tests passed")
for name, test in result["tests"].items():
    print(f"  {name:32} {'pass' if test['pass'] else 'FAIL'}  {test['scoreModifier']:+d}  {test['result']}")
PY
