#!/usr/bin/env bash
# `npm test`'s pretest: brings in what the test suite needs on a Debian machine, or stops within
# seconds with one line naming the exact command to run. Idempotent; quiet when all is present.
#
#  - Chromium (/usr/bin/chromium, Debian's package; never a browser download) for test/e2e:
#    installed with apt-get when missing and running as root.
#  - PostgreSQL on 127.0.0.1:5432 with a database `test` that user postgres may open without a
#    password, and Redis on 127.0.0.1:6379 (integration tests): started with the machine's own
#    commands when installed but not answering; the `test` database is created when missing.
#  - redis-server on PATH (tests start their own Redis to stop it).
#
# TEST_DATABASE_URL overrides the PostgreSQL URL the tests use (then its server is not started here).
set -euo pipefail

fail() { echo "pretest: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
sudo_prefix() { is_root && echo "" || echo "sudo "; }

# --- Chromium -------------------------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  if is_root && command -v apt-get >/dev/null; then
    echo "pretest: installing Debian's chromium (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-cjk >/dev/null
  else
    fail "Chromium is missing for the browser tests: run '$(sudo_prefix)apt-get install -y chromium fonts-dejavu-core fonts-noto-cjk'"
  fi
fi

# --- PostgreSQL -----------------------------------------------------------------------------
pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
wait_for() { # NAME CHECK: polls CHECK for up to 20 s
  for _ in $(seq 1 40); do "$2" && return 0; sleep 0.5; done
  return 1
}

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  command -v pg_isready >/dev/null || fail "PostgreSQL is missing for the integration tests: run '$(sudo_prefix)apt-get install -y postgresql' (then npm test again)"
  if ! pg_answers; then
    version="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)"
    start="pg_ctlcluster --skip-systemctl-redirect ${version:-<version>} main start"
    if [ -n "$version" ] && is_root; then
      echo "pretest: starting PostgreSQL ${version}" >&2
      $start >/dev/null 2>&1 || true
      wait_for PostgreSQL pg_answers || fail "PostgreSQL does not answer on 127.0.0.1:5432: run '${start}' and read its log in /var/log/postgresql"
    else
      fail "PostgreSQL does not answer on 127.0.0.1:5432: run '$(sudo_prefix)${start}'"
    fi
  fi
  if ! psql -h 127.0.0.1 -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1; then
    if psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
      echo "pretest: creating PostgreSQL database test" >&2
      psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test' >/dev/null
    else
      fail "PostgreSQL user postgres cannot log in from 127.0.0.1 without a password: add 'host all all 127.0.0.1/32 trust' to pg_hba.conf, or set TEST_DATABASE_URL=postgres://user:pass@host:port/db"
    fi
  fi
fi

# --- Redis ----------------------------------------------------------------------------------
command -v redis-server >/dev/null || fail "Redis is missing for the integration tests: run '$(sudo_prefix)apt-get install -y redis-server' (then npm test again)"
if ! redis_answers; then
  start="redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no --dir /tmp --logfile /tmp/summitpad-test-redis.log"
  echo "pretest: starting Redis on 127.0.0.1:6379" >&2
  eval "$start" >/dev/null 2>&1 || true
  wait_for Redis redis_answers || fail "Redis does not answer on 127.0.0.1:6379: run \"${start}\" and read /tmp/summitpad-test-redis.log"
fi
