#!/bin/bash
# Runs once, when the PostgreSQL volume is initialised (the image runs /docker-entrypoint-initdb.d/
# as the postgres user). Creates:
#   - personae: the application's role, an ordinary one (no superuser, no BYPASSRLS: row-level
#     security applies to it), owner of the `personae` database, where `personae migrate` creates
#     the tables;
#   - personae_monitor: the metrics exporter's role, with pg_monitor only.
# Passwords come from the Docker secrets; psql reads them itself (\set with backquotes), so they
# never appear in a command line.
set -euo pipefail

for secret in /run/secrets/db_password /run/secrets/db_monitor_password; do
  if [ ! -s "$secret" ]; then
    echo "10-personae-roles: $secret is missing or empty (scripts/start creates it)" >&2
    exit 1
  fi
done

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres <<'SQL'
\set app_password `tr -d '\n' < /run/secrets/db_password`
\set monitor_password `tr -d '\n' < /run/secrets/db_monitor_password`
CREATE ROLE personae LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE personae OWNER personae;
REVOKE ALL ON DATABASE personae FROM PUBLIC;
GRANT CONNECT ON DATABASE personae TO personae;
CREATE ROLE personae_monitor LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'monitor_password';
GRANT pg_monitor TO personae_monitor;
GRANT CONNECT ON DATABASE personae TO personae_monitor;
SQL
echo "10-personae-roles: roles personae and personae_monitor and database personae created"
