#!/usr/bin/env bash
# Start the local ColliderML backend (seeded on first run) and the dashboard pointed at it.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
BACKEND_PORT=${BACKEND_PORT:-8000}
APP_PORT=${APP_PORT:-8501}
export LOCAL_BACKEND_DB=${LOCAL_BACKEND_DB:-.local_backend/colliderml.sqlite3}
export LOCAL_BACKEND_DATA=${LOCAL_BACKEND_DATA:-.local_backend/truth}
mkdir -p "$(dirname "$LOCAL_BACKEND_DB")"

# The browser must load the app from the same origin the sign-in redirect uses: always "localhost".
backend_url="http://localhost:${BACKEND_PORT}"
export COLLIDERML_BACKEND="$backend_url"
export OPENID_PROVIDER_URL="$backend_url"
export OAUTH_CLIENT_ID=${LOCAL_OAUTH_CLIENT_ID:-colliderml-local}
export OAUTH_CLIENT_SECRET=${LOCAL_OAUTH_CLIENT_SECRET:-colliderml-local-secret}
export OAUTH_SCOPES=${OAUTH_SCOPES:-"openid profile"}

echo "Seeding local demo data (first run only)..."
$BIN/python -m local_backend seed --db "$LOCAL_BACKEND_DB"

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$BIN/python -m local_backend serve --host 127.0.0.1 --port "$BACKEND_PORT" --db "$LOCAL_BACKEND_DB" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "$backend_url/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

$BIN/streamlit run app.py --server.port "$APP_PORT" --server.address localhost &
pids+=($!)
echo
echo "  ColliderML Leaderboard: http://localhost:${APP_PORT}"
echo "  Local backend:          ${backend_url}  (sign in as any user name on its stand-in page)"
echo "  Ctrl-C stops both."
echo
wait -n "${pids[@]}"
