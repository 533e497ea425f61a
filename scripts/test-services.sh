#!/usr/bin/env bash
# Installs (on a fresh Debian machine) and starts, or stops, the real servers the tests talk to:
# a throwaway PostgreSQL cluster, Mosquitto, Azurite and an S3 emulator, all on loopback ports,
# plus Chromium and fonts for the browser and chart tests.
#   scripts/test-services.sh start   # writes .test-services/env (source it before dotnet test)
#   scripts/test-services.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
STATE="$ROOT/.test-services"
PG_PORT="${PORTAL_TEST_PG_PORT:-55432}"
S3_PORT="${PORTAL_TEST_S3_PORT:-59000}"
AZURITE_PORT="${PORTAL_TEST_AZURITE_PORT:-51000}"
MQTT_PORT="${PORTAL_TEST_MQTT_PORT:-51883}"
PG_BIN="/usr/lib/postgresql/15/bin"

log() { printf '[test-services] %s\n' "$*" >&2; }

install_packages() {
  local missing=()
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  command -v mosquitto >/dev/null || missing+=(mosquitto)
  command -v mosquitto_pub >/dev/null || missing+=(mosquitto-clients)
  command -v chromium >/dev/null || missing+=(chromium)
  [ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
  command -v node >/dev/null || missing+=(nodejs npm)
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # Checks the package's entry point, not just its launcher: an interrupted install leaves the launcher only.
  if [ ! -f "$STATE/node/node_modules/azurite/dist/src/blob/main.js" ]; then
    log "installing Azurite (npm)"
    rm -rf "$STATE/node"
    mkdir -p "$STATE/node"
    npm install --prefix "$STATE/node" --no-audit --no-fund --silent azurite@3.37.0 >/dev/null
  fi
  if ! command -v moto_server >/dev/null; then
    log "installing the moto S3 emulator"
    python3 -m pip install --quiet 'moto[server]' || { log "moto_server is not available"; exit 1; }
  fi
}

wait_port() { # host port name
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  log "$3 did not open $1:$2"; return 1
}

start() {
  install_packages
  stop_quietly
  rm -rf "$STATE/pg" "$STATE/azurite" "$STATE/mosquitto"
  mkdir -p "$STATE/pg" "$STATE/azurite" "$STATE/mosquitto" "$STATE/logs"

  log "PostgreSQL on 127.0.0.1:$PG_PORT"
  chown postgres:postgres "$STATE/pg"
  chmod 755 "$STATE"
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$STATE/pg/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >"$STATE/logs/initdb.log"
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$STATE/pg/data' -l '$STATE/pg/server.log' -w -o \"-p $PG_PORT -k '$STATE/pg' -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off\" start" >/dev/null

  log "S3 emulator (moto) on 127.0.0.1:$S3_PORT"
  nohup moto_server -H 127.0.0.1 -p "$S3_PORT" >"$STATE/logs/s3.log" 2>&1 &
  echo $! >"$STATE/s3.pid"

  log "Azurite blob on 127.0.0.1:$AZURITE_PORT"
  nohup "$STATE/node/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" \
    --location "$STATE/azurite" --disableTelemetry --silent --skipApiVersionCheck --loose >"$STATE/logs/azurite.log" 2>&1 &
  echo $! >"$STATE/azurite.pid"

  log "Mosquitto on 127.0.0.1:$MQTT_PORT"
  cat >"$STATE/mosquitto/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
log_dest file $STATE/logs/mosquitto.log
CONF
  mosquitto -c "$STATE/mosquitto/mosquitto.conf" -d
  pgrep -n -f "mosquitto -c $STATE/mosquitto/mosquitto.conf" >"$STATE/mosquitto.pid"

  wait_port 127.0.0.1 "$S3_PORT" "S3 emulator"
  wait_port 127.0.0.1 "$AZURITE_PORT" "Azurite"
  wait_port 127.0.0.1 "$MQTT_PORT" "Mosquitto"

  # The well-known Azurite development account: public, not a secret.
  local azure_key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  cat >"$STATE/env" <<ENV
export PORTAL_TEST_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Pooling=true'
export PORTAL_TEST_PG_DATA='$STATE/pg/data'
export PORTAL_TEST_PG_PORT='$PG_PORT'
export PORTAL_TEST_S3_ENDPOINT='127.0.0.1:$S3_PORT'
export PORTAL_TEST_S3_ACCESS_KEY='testing'
export PORTAL_TEST_S3_SECRET_KEY='testing'
export PORTAL_TEST_AZURE='DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$azure_key;BlobEndpoint=http://127.0.0.1:$AZURITE_PORT/devstoreaccount1;'
export PORTAL_TEST_MQTT_HOST='127.0.0.1'
export PORTAL_TEST_MQTT_PORT='$MQTT_PORT'
export PORTAL_TEST_MOSQUITTO_DIR='$STATE/mosquitto'
export PORTAL_TEST_CHROMIUM='$(command -v chromium)'
ENV
  log "ready: source $STATE/env"
}

kill_pidfile() {
  local f="$STATE/$1.pid"
  if [ -f "$f" ]; then
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  fi
}

stop_quietly() {
  if [ -f "$STATE/pg/data/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$STATE/pg/data' -m immediate stop" >/dev/null 2>&1 || true
  fi
  kill_pidfile s3
  kill_pidfile azurite
  kill_pidfile mosquitto
  return 0
}

case "${1:-}" in
  start) start ;;
  stop) stop_quietly; log "stopped" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
