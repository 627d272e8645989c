#!/bin/sh
# t/sql/upgrade_check.sh: upgrade safety of the SQL layout (sql/README.md). On a throw-away
# PostgreSQL cluster, database "upgraded" is migrated with the sql/ of an older revision (BASE,
# default the last one before sql/functions existed) and then with this tree's; database "fresh"
# is migrated with this tree's only (twice: re-applying sql/functions must change nothing). Both
# must end with the same function definitions (pg_get_functiondef of every function) and the same
# schema (pg_dump --schema-only). Prints the differences and exits 1 when they are not equal.
#
#   t/sql/upgrade_check.sh [BASE]     (JHE_BUILD: the build with jhe-admin, default build-test;
#                                      DIR, PORT: the scratch cluster, default
#                                      /tmp/jhe-upgrade-check, 55441)
# Must be run as root (uses runuser) or as the postgres user.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${1:-2304d7592be8fd8bd226436db5b77799bb98ec78}
BUILD=${JHE_BUILD:-$ROOT/build-test}
DIR=${DIR:-/tmp/jhe-upgrade-check}
PORT=${PORT:-55441}
. "$ROOT/t/sql/scratch-cluster.sh"

# The older sql/ comes from git: a clone without that revision (shallow, or no .git) cannot check.
if ! git -C "$ROOT" cat-file -e "$BASE^{commit}" 2>/dev/null; then
	echo "upgrade check skipped: revision $BASE is not in this clone (shallow clone or no git)"
	exit 0
fi
migrate() { # database sql-dir
	JHE_CONFIG=/dev/null JHE_SQL_DIR="$2" ASAN_OPTIONS=detect_leaks=0 \
		JHE_DATABASE="host=$DIR port=$PORT dbname=$1 user=jhe_owner" \
		"$BUILD/jhe-admin" migrate | tail -2
}
functions() { # database: every function of the schema with its definition
	psql_ -d "$1" -tA -c "SELECT p.oid::regprocedure::text || E'\n' || pg_get_functiondef(p.oid)
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'public' ORDER BY 1"
}
schema() { # database (without the random token of pg_dump's \restrict lines)
	$AS_PG "$PGBIN/pg_dump" -h "$DIR" -p "$PORT" --schema-only "$1" | grep -v -E -e '^-- Dumped' -e '^\\(un)?restrict '
}

scratch_start
mkdir -p "$DIR/old"

git -C "$ROOT" archive "$BASE" sql | tar -x -C "$DIR/old"
for db in upgraded fresh; do
	psql_ -d postgres -c "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0"
	psql_ -d "$db" -f "$ROOT/sql/roles.sql" >/dev/null
done
echo "upgraded: sql/ of $BASE"
migrate upgraded "$DIR/old/sql"
echo "upgraded: sql/ of this tree"
migrate upgraded "$ROOT/sql"
echo "fresh: sql/ of this tree, twice"
migrate fresh "$ROOT/sql"
functions fresh >"$DIR/fresh.once"
migrate fresh "$ROOT/sql"

rc=0
functions fresh >"$DIR/fresh.functions"
functions upgraded >"$DIR/upgraded.functions"
schema fresh >"$DIR/fresh.schema"
schema upgraded >"$DIR/upgraded.schema"
n=$(grep -c '^CREATE OR REPLACE FUNCTION' "$DIR/fresh.functions" || true)
diff -u "$DIR/fresh.once" "$DIR/fresh.functions" || { echo "FAIL: re-applying changed functions"; rc=1; }
diff -u "$DIR/fresh.functions" "$DIR/upgraded.functions" || { echo "FAIL: function definitions differ"; rc=1; }
diff -u "$DIR/fresh.schema" "$DIR/upgraded.schema" || { echo "FAIL: schemas differ"; rc=1; }
[ "$rc" = 0 ] && echo "ok: $n functions and the schema are the same after an upgrade from $BASE as after a fresh install"
exit $rc
