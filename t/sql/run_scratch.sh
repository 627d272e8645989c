#!/bin/sh
# t/sql/run_scratch.sh: verify the SQL layer on a throw-away PostgreSQL cluster.
#
#   t/sql/run_scratch.sh [DIR] [PORT]        (defaults: /tmp/jhe-sql-scratch, 55439)
#
# Creates a cluster in DIR (initdb as the postgres user, socket in DIR), creates database
# jhe, runs sql/roles.sql as the superuser, applies sql/NNN_*.sql in numeric order as
# jhe_owner (one transaction each, recorded in schema_migration) and then sql/functions/*.sql
# in one transaction (as `jhe-admin migrate` does), runs sql/seed/reference.sql, base.sql and sequences.sql as jhe_owner in one
# transaction after the two set_config calls `jhe-admin seed` makes, then runs t/sql/check_seed.sql twice (it must leave the
# database unchanged). The cluster is stopped and removed at the end unless KEEP=1.
# Must be run as root (uses runuser) or as the postgres user.
set -eu

DIR=${1:-/tmp/jhe-sql-scratch}
PORT=${2:-55439}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/t/sql/scratch-cluster.sh"
scratch_start

psql_ -d postgres -c "CREATE DATABASE jhe ENCODING 'UTF8' TEMPLATE template0"
psql_ -d jhe -f "$ROOT/sql/roles.sql"
psql_ -d jhe -f "$ROOT/sql/roles.sql"        # idempotent

for f in "$ROOT"/sql/[0-9][0-9][0-9]_*.sql; do
    v=$(basename "$f" | sed 's/^0*\([0-9]\)/\1/; s/_.*//')
    echo "migrate: $(basename "$f")"
    psql_ -U jhe_owner -d jhe -1 \
        -c "CREATE TABLE IF NOT EXISTS schema_migration(version int primary key, applied_at timestamptz not null default now())" \
        -f "$f" \
        -c "INSERT INTO schema_migration(version) VALUES ($v)" 2>&1 | grep -v 'already exists, skipping' || true
    psql_ -U jhe_owner -d jhe -tA -c "SELECT 1 FROM schema_migration WHERE version = $v" | grep -q 1
done

echo "functions: sql/functions/*.sql (one transaction)"
( echo "SET client_min_messages = warning;"; for f in "$ROOT"/sql/functions/*.sql; do echo "\\i $f"; done ) | psql_ -U jhe_owner -d jhe -1 -f -

echo "seed: reference.sql, base.sql, sequences.sql (the order of jhe-admin seed)"
psql_ -U jhe_owner -d jhe -1 \
    -c "SELECT set_config('jhe.seed_password_hash', '\$argon2id\$v=19\$m=65536,t=3,p=1\$c2NyYXRjaHNhbHQ\$c2NyYXRjaGhhc2hzY3JhdGNoaGFzaA', true), set_config('jhe.site_url', 'http://localhost:8000', true)" \
    -f "$ROOT/sql/seed/reference.sql" -f "$ROOT/sql/seed/base.sql" -f "$ROOT/sql/seed/sequences.sql" >/dev/null

echo "check: t/sql/check_seed.sql (twice)"
psql_ -d jhe -f "$ROOT/t/sql/check_seed.sql"
psql_ -d jhe -f "$ROOT/t/sql/check_seed.sql"
