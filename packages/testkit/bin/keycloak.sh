#!/usr/bin/env bash
# A real Keycloak for the tests, shared by .ci/run and by local test runs.
#
#   keycloak.sh start DIR [--watch PID]   start one; prints its URL; writes DIR/env (0600)
#   keycloak.sh stop DIR                  stop the one started in DIR
#
# The distribution (org.keycloak:keycloak-quarkus-dist, pinned below) comes through
# Maven, so the zip lands in the local Maven repository once, and is unpacked once
# into ${XDG_CACHE_HOME:-~/.cache}/authctl-keycloak/VERSION. `kc.sh start-dev` then
# runs on loopback on ports the kernel picks (0: nothing else can hold them), with
# a bootstrap administrator whose password is generated here and handed over in
# the environment (never in argv), and the H2 dev database under DIR.
#
# DIR/env, for `set -a; . DIR/env; set +a`:
#   AUTHKIT_KEYCLOAK_URL, AUTHKIT_KEYCLOAK_ADMIN_USERNAME, AUTHKIT_KEYCLOAK_ADMIN_PASSWORD,
#   AUTHKIT_KEYCLOAK_VERSION, AUTHKIT_KEYCLOAK_PID
# With --watch PID, Keycloak is also stopped when process PID ends (a test runner
# killed before its teardown leaves no server behind).
set -euo pipefail

# 26.7.4 is not in the Maven repository these machines use; 26.7.3 is the newest there.
KEYCLOAK_VERSION=26.7.3
# The JDKs Keycloak 26.7 supports (https://www.keycloak.org/server/installation:
# OpenJDK 21 or 25; 17 still starts but is deprecated): the newest found wins.
SUPPORTED_JAVA=(25 21 17)
START_TIMEOUT_SECONDS=300
STOP_TIMEOUT_SECONDS=30

usage() {
  echo "usage: keycloak.sh start DIR [--watch PID] | keycloak.sh stop DIR" >&2
  exit 2
}

say() { echo "keycloak: $*" >&2; }

fail() {
  say "$*"
  exit 1
}

# The unpacked distribution; fetched through Maven and unpacked on first use only.
distribution() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/authctl-keycloak/${KEYCLOAK_VERSION}"
  local home="${cache}/keycloak-${KEYCLOAK_VERSION}"
  if [ ! -x "${home}/bin/kc.sh" ]; then
    command -v mvn >/dev/null 2>&1 || fail "mvn is not installed: it fetches the Keycloak distribution (apt-get install -y maven)"
    local work
    work=$(mktemp -d "${TMPDIR:-/tmp}/keycloak-dist.XXXXXX")
    say "fetching org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip through Maven"
    mvn -q -B dependency:copy "-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip" "-DoutputDirectory=${work}" >&2 ||
      fail "Maven could not fetch org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip (see its output above)"
    unzip -q "${work}/keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip" -d "${work}"
    rm -f "${work}/keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip"
    mkdir -p "${cache%/*}"
    # A rename is atomic: a run started in parallel sees the whole folder or none.
    mv -T "${work}" "${cache}" 2>/dev/null || rm -rf "${work}"
  fi
  echo "${home}"
}

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }'
}

# JAVA_HOME when it is a supported one, else the newest supported JDK under /usr/lib/jvm.
pick_java() {
  local candidate wanted
  if [ -n "${JAVA_HOME:-}" ] && [ -x "${JAVA_HOME}/bin/java" ] && [[ " ${SUPPORTED_JAVA[*]} " == *" $(java_major "${JAVA_HOME}") "* ]]; then
    echo "${JAVA_HOME}"
    return
  fi
  for wanted in "${SUPPORTED_JAVA[@]}"; do
    for candidate in /usr/lib/jvm/*; do
      if [ -x "${candidate}/bin/java" ] && [ "$(java_major "${candidate}")" = "${wanted}" ]; then
        echo "${candidate}"
        return
      fi
    done
  done
  fail "no JDK Keycloak ${KEYCLOAK_VERSION} supports (Java ${SUPPORTED_JAVA[*]}) in JAVA_HOME or /usr/lib/jvm: install openjdk-21-jdk or openjdk-17-jdk"
}

start() {
  local dir=$1 watch=${2:-}
  mkdir -p "${dir}"
  dir=$(cd "${dir}" && pwd)
  [ ! -e "${dir}/env" ] || fail "${dir} already holds a Keycloak (${dir}/env); stop it first: keycloak.sh stop ${dir}"
  local home java password log="${dir}/keycloak.log"
  home=$(distribution)
  java=$(pick_java)
  password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')

  local started
  started=$(date +%s%N)
  # setsid: the server has its own process group, so a terminal's Ctrl-C reaches the runner, whose teardown stops it.
  JAVA_HOME="${java}" KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="${password}" \
    setsid "${home}/bin/kc.sh" start-dev \
    --http-host=127.0.0.1 --http-port=0 --http-management-port=0 --health-enabled=true \
    "--db-url=jdbc:h2:file:${dir}/h2/keycloakdb;NON_KEYWORDS=VALUE" \
    >"${log}" 2>&1 </dev/null &
  local pid=$!
  echo "${pid}" >"${dir}/pid"

  # Quarkus prints the bound ports once it serves: wait for that line (or the server's end).
  local line
  line=$(grep -m1 -E 'Listening on: http' < <(timeout "${START_TIMEOUT_SECONDS}" tail -F --pid="${pid}" -n +1 "${log}" 2>/dev/null) || true)
  if [ -z "${line}" ]; then
    kill "${pid}" 2>/dev/null || true
    fail "Keycloak ${KEYCLOAK_VERSION} on Java $(java_major "${java}") (${java}) did not start within ${START_TIMEOUT_SECONDS} s; the end of ${log}:
$(tail -n 30 "${log}")"
  fi
  local url management
  url=$(sed -E 's/.*Listening on: (http:\/\/[^ ]+:[0-9]+).*/\1/' <<<"${line}")
  management=$(sed -E 's/.*Management interface listening on (http:\/\/[^ ]+:[0-9]+).*/\1/' <<<"${line}")
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(10000) })
      .then((r) => r.json())
      .then((b) => { if (b.status !== "UP") throw new Error(JSON.stringify(b)); })
      .catch((e) => { console.error(`keycloak: ${process.argv[1]} is not ready: ${e.message}`); process.exit(1); });
  ' "${management}/health/ready" || { kill "${pid}" 2>/dev/null; exit 1; }

  local seconds rss
  seconds=$(awk -v a="${started}" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  # kc.sh runs the JVM as its child, or becomes it after a re-build: count the whole tree.
  rss=$(ps -eo pid=,ppid=,rss= | awk -v root="${pid}" '
    { parent[$1] = $2; size[$1] = $3 }
    END {
      for (p in size) { q = p; while (q != "" && q != root && q in parent && q != parent[q]) q = parent[q]; if (q == root) total += size[p] }
      printf "%d", total / 1024
    }')
  (
    umask 077
    cat >"${dir}/env" <<EOF
AUTHKIT_KEYCLOAK_URL=${url}
AUTHKIT_KEYCLOAK_ADMIN_USERNAME=admin
AUTHKIT_KEYCLOAK_ADMIN_PASSWORD=${password}
AUTHKIT_KEYCLOAK_VERSION=${KEYCLOAK_VERSION}
AUTHKIT_KEYCLOAK_PID=${pid}
EOF
  )
  if [ -n "${watch}" ]; then
    (tail --pid="${watch}" -f /dev/null 2>/dev/null; kill "${pid}" 2>/dev/null || true) </dev/null >/dev/null 2>&1 &
    echo $! >"${dir}/watchdog.pid"
    disown
  fi
  say "Keycloak ${KEYCLOAK_VERSION} on Java $(java_major "${java}") (${java}) ready at ${url} in ${seconds} s, ${rss} MiB resident (log: ${log})"
  echo "${url}"
}

stop() {
  local dir=$1 pid
  [ -f "${dir}/pid" ] || return 0
  pid=$(cat "${dir}/pid")
  # The watchdog goes first, so it never signals a pid the system has handed to another process since.
  if [ -f "${dir}/watchdog.pid" ]; then
    local watchdog waiting
    watchdog=$(cat "${dir}/watchdog.pid")
    waiting=$(pgrep -P "${watchdog}" || true)
    kill "${watchdog}" ${waiting} 2>/dev/null || true
  fi
  if kill "${pid}" 2>/dev/null; then
    timeout "${STOP_TIMEOUT_SECONDS}" tail --pid="${pid}" -f /dev/null || kill -9 "${pid}" 2>/dev/null || true
  fi
  rm -f "${dir}/pid" "${dir}/env" "${dir}/watchdog.pid"
  say "stopped (pid ${pid})"
}

[ $# -ge 2 ] || usage
case "$1" in
  start)
    if [ $# -eq 4 ] && [ "$3" = "--watch" ]; then start "$2" "$4"; elif [ $# -eq 2 ]; then start "$2"; else usage; fi
    ;;
  stop) [ $# -eq 2 ] && stop "$2" || usage ;;
  *) usage ;;
esac
