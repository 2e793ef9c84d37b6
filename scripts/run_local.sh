#!/usr/bin/env bash
# Start the local ColliderML backend (seeded on first run) and the dashboard pointed at it.
# Ctrl-C stops both. If the backend dies, the dashboard stays up and shows the outage, as it would
# in production; this script says so and keeps running until the dashboard stops.
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
backend_pid=$!
pids+=("$backend_pid")
for _ in $(seq 1 100); do
  curl -fsS "$backend_url/healthz" >/dev/null 2>&1 && break
  if ! kill -0 "$backend_pid" 2>/dev/null; then
    echo "The local backend did not start (its output is above)." >&2
    exit 1
  fi
  sleep 0.2
done

$BIN/streamlit run app.py --server.port "$APP_PORT" --server.address localhost &
app_pid=$!
pids+=("$app_pid")
echo
echo "  ColliderML Leaderboard: http://localhost:${APP_PORT}"
echo "  Local backend:          ${backend_url}  (sign in as any user name on its stand-in page)"
echo "  Ctrl-C stops both."
echo

# Wait for either; only the dashboard's exit ends the script.
status=0
exited=
wait -n -p exited "$backend_pid" "$app_pid" || status=$?
if [[ "$exited" == "$backend_pid" ]]; then
  echo "The local backend exited (status $status): the dashboard stays up and shows the outage. Ctrl-C stops it." >&2
  status=0
  wait "$app_pid" || status=$?
fi
exit "$status"
