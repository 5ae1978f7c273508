#!/usr/bin/env bash
# Install (if needed) and start Debian's PostgreSQL on loopback, with a role the tests
# may create and drop databases with. Prints the URL for MECLEAN_TEST_POSTGRES_URL.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
su postgres -c "psql -q -v ON_ERROR_STOP=1" >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'meclean') THEN
    CREATE ROLE meclean LOGIN CREATEDB PASSWORD 'meclean';
  END IF;
END $$;
-- DROP DATABASE ... WITH (FORCE) ends the database's other sessions, an autovacuum
-- worker's among them: without this, a test's teardown meeting one fails.
GRANT pg_signal_backend TO meclean;
SQL
echo "postgresql+psycopg://meclean:meclean@127.0.0.1:5432/postgres"
