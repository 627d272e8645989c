-- 070_observation_counts.sql: the number of observations per (patient, code), kept exact by
-- statement-level triggers on observation, so that a count over a caller's visible (patient,
-- code) pairs costs one index probe per pair instead of visiting every row (the Admin API
-- observation list's `count`, admin-api.md §11, and a FHIR Observation search's `total` without
-- row filters, fhir.md §5.3). Counting rows was the cost of those requests and grew with the
-- table: ~0.25 µs per index entry when every page is all-visible, a heap visit per recent row
-- otherwise (issue 7, scenario 6: 0.3-0.7 s per request at 100 thousand rows).
--
-- Exact under MVCC: a counter row changes in the same transaction as the observations, so a
-- statement sees counts that agree with the rows of its snapshot. The triggers aggregate their
-- transition table per (patient, code) and touch the counter rows in key order, so two
-- transactions lock shared counter rows in the same order (no deadlock between them); uploads
-- for the same patient and code serialize on the counter row until commit.
--
-- No foreign keys: a patient delete cascades to its observations (whose delete trigger brings
-- the counters to 0) and rows at 0 are removed by that trigger. TRUNCATE of the data tables
-- (seed --flush-db) empties this table too (flush.sql truncates every table).

CREATE TABLE observation_count (
    patient_id          bigint NOT NULL,
    codeable_concept_id bigint NOT NULL,
    n                   bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (patient_id, codeable_concept_id)
);

CREATE FUNCTION observation_count_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO observation_count AS c (patient_id, codeable_concept_id, n)
    SELECT r.subject_patient_id, r.codeable_concept_id, count(*)
    FROM observation_new r
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (patient_id, codeable_concept_id) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION observation_count_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH d AS (SELECT r.subject_patient_id AS p, r.codeable_concept_id AS k, count(*) AS m
               FROM observation_old r GROUP BY 1, 2),
         u AS (SELECT c.patient_id, c.codeable_concept_id FROM observation_count c
               JOIN d ON d.p = c.patient_id AND d.k = c.codeable_concept_id
               ORDER BY 1, 2 FOR UPDATE OF c)
    UPDATE observation_count c SET n = c.n - d.m
    FROM d, u
    WHERE c.patient_id = d.p AND c.codeable_concept_id = d.k
      AND u.patient_id = c.patient_id AND u.codeable_concept_id = c.codeable_concept_id;
    DELETE FROM observation_count c WHERE c.n = 0
      AND (c.patient_id, c.codeable_concept_id) IN
          (SELECT r.subject_patient_id, r.codeable_concept_id FROM observation_old r);
    RETURN NULL;
END
$$;

-- Observations are never updated by the application; a foreign-key action (data source
-- deleted: SET NULL) updates other columns. Only a change of (patient, code) moves counts.
CREATE FUNCTION observation_count_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT x.p, x.k, sum(x.m) AS m FROM (
                 SELECT r.subject_patient_id AS p, r.codeable_concept_id AS k, 1 AS m
                 FROM observation_new r
                 UNION ALL
                 SELECT o.subject_patient_id, o.codeable_concept_id, -1 FROM observation_old o) x
             GROUP BY 1, 2 HAVING sum(x.m) <> 0 ORDER BY 1, 2 LOOP
        IF d.m < 0 THEN -- (a proposed negative row would fail the CHECK even when it conflicts)
            UPDATE observation_count c SET n = c.n + d.m
            WHERE c.patient_id = d.p AND c.codeable_concept_id = d.k;
            DELETE FROM observation_count c
            WHERE c.patient_id = d.p AND c.codeable_concept_id = d.k AND c.n = 0;
        ELSE
            INSERT INTO observation_count AS c (patient_id, codeable_concept_id, n)
            VALUES (d.p, d.k, d.m)
            ON CONFLICT (patient_id, codeable_concept_id) DO UPDATE SET n = c.n + EXCLUDED.n;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION observation_count_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM observation_count;
    RETURN NULL;
END
$$;

CREATE TRIGGER observation_count_added AFTER INSERT ON observation
    REFERENCING NEW TABLE AS observation_new
    FOR EACH STATEMENT EXECUTE FUNCTION observation_count_added();
CREATE TRIGGER observation_count_removed AFTER DELETE ON observation
    REFERENCING OLD TABLE AS observation_old
    FOR EACH STATEMENT EXECUTE FUNCTION observation_count_removed();
CREATE TRIGGER observation_count_moved AFTER UPDATE ON observation
    REFERENCING OLD TABLE AS observation_old NEW TABLE AS observation_new
    FOR EACH STATEMENT EXECUTE FUNCTION observation_count_moved();
CREATE TRIGGER observation_count_truncated AFTER TRUNCATE ON observation
    FOR EACH STATEMENT EXECUTE FUNCTION observation_count_truncated();

INSERT INTO observation_count (patient_id, codeable_concept_id, n)
SELECT o.subject_patient_id, o.codeable_concept_id, count(*)
FROM observation o GROUP BY 1, 2;
