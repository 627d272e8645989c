-- seed/sequences.sql: after explicit ids were inserted (reference.sql, base.sql), move every
-- identity sequence past the largest id. Run by `jhe-admin seed` and `jhe-admin init`.

-- ---------------------------------------------------------------------------------------
-- §2 Next ids: move every identity sequence of the schema past the largest id (never back:
-- a live system's deleted ids are not handed out again), so that e.g. jhe_user continues at
-- 10013, organization at 20009, patient_invitation at 101, link tables at max + 1.
-- ---------------------------------------------------------------------------------------
DO $$
DECLARE
    r record;
    max_id bigint;
    cur bigint;
BEGIN
    FOR r IN
        SELECT c.relname AS table_name, a.attname AS column_name,
               pg_get_serial_sequence(format('%I', c.relname), a.attname) AS seq,
               s.seqstart
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped
        JOIN pg_depend d ON d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
                        AND d.classid = 'pg_class'::regclass
        JOIN pg_sequence s ON s.seqrelid = d.objid
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
          AND c.relname NOT IN ('audit_event')
    LOOP
        EXECUTE format('SELECT max(%I) FROM %I', r.column_name, r.table_name) INTO max_id;
        cur := pg_sequence_last_value(r.seq::regclass);   -- NULL: never used (or restarted)
        IF max_id IS NOT NULL AND max_id >= r.seqstart THEN
            IF cur IS NULL OR cur < max_id THEN
                PERFORM setval(r.seq, max_id, true);
            END IF;
        ELSIF cur IS NULL THEN
            PERFORM setval(r.seq, r.seqstart, false);
        END IF;
    END LOOP;
END
$$;
