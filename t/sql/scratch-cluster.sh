# t/sql/scratch-cluster.sh: a throw-away PostgreSQL cluster for the SQL checks, sourced by
# run_scratch.sh and upgrade_check.sh. Needs DIR (the cluster's folder, removed first) and PORT;
# PGBIN defaults to the newest installed server. Runs the server as the postgres user (root
# uses runuser). scratch_start creates and starts the cluster and stops and removes it at exit
# (kept when KEEP=1); psql_ runs psql on it.
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
if [ "$(id -un)" = postgres ]; then AS_PG=""; else AS_PG="runuser -u postgres --"; fi
psql_() { $AS_PG "$PGBIN/psql" -h "$DIR" -p "$PORT" -X -q -v ON_ERROR_STOP=1 "$@"; }

scratch_stop() {
	if [ "${KEEP:-0}" != 1 ]; then
		$AS_PG "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
		rm -rf "$DIR"
	fi
}

scratch_start() {
	rm -rf "$DIR"
	mkdir -p "$DIR"
	[ -z "$AS_PG" ] || chown postgres:postgres "$DIR"
	$AS_PG "$PGBIN/initdb" -D "$DIR/data" -E UTF8 --locale=C.UTF-8 -A trust >"$DIR/initdb.log" 2>&1
	$AS_PG "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w \
		-o "-p $PORT -k $DIR -c listen_addresses=''" start >/dev/null
	trap scratch_stop EXIT
}
