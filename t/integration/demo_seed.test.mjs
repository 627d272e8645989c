// jhe-admin seed --demo (seed.md §13), the benchmarks' data generator: the bulk load (indexes and
// foreign keys of observation / observation_identifier dropped, COPY, rebuilt from the catalog
// definitions, all in one transaction), the incremental load used when the table already holds
// more rows than the cohort, determinism of --demo-seed, and the rollback of a failed bulk load.
// The file flushes the database and leaves it with the base seed only (as a fresh stack).
import { test, after } from 'node:test';
import { spawnSync } from 'node:child_process';
import { sql, assert } from './lib.mjs';

const SRC = new URL('../../', import.meta.url).pathname;

// scripts/stack SUBCOMMAND ...: exit status and stdout + stderr (the seed reports on stderr)
function run(args) {
  const r = spawnSync(`${SRC}scripts/stack`, args, {
    env: { ...process.env, JHE_INSTANCE: process.env.JHE_INSTANCE || 'test' },
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}
const admin = (args) => run(['admin', ...args]);

function seedDemo(patients, days, seed, flush = true) {
  const args = ['seed', ...(flush ? ['--flush-db'] : []), '--demo', '--demo-patients', String(patients),
    '--demo-days', String(days), '--demo-seed', String(seed)];
  return admin(args);
}

const TABLES = `('observation'::regclass, 'observation_identifier'::regclass)`;
// Definitions as PostgreSQL reproduces them, and the oids (a rebuilt index has a new oid).
const defs = () => ({
  indexes: sql(`SELECT indexname, indexdef FROM pg_indexes
                 WHERE tablename IN ('observation', 'observation_identifier') ORDER BY indexname`),
  constraints: sql(`SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid),
                           convalidated, condeferrable, condeferred
                      FROM pg_constraint WHERE conrelid IN ${TABLES} ORDER BY conname`),
  // RI triggers on the referenced tables come and go with the foreign keys
  triggers: sql(`SELECT tgrelid::regclass::text, count(*) FROM pg_trigger
                  WHERE tgconstraint IN (SELECT oid FROM pg_constraint WHERE conrelid IN ${TABLES})
                  GROUP BY 1 ORDER BY 1`),
  // the observation counter triggers (070), switched off during a load, are on again
  counters: sql(`SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'observation'::regclass
                  AND tgname LIKE 'observation_count_%' ORDER BY 1`),
});
// (patient, code) pairs where the maintained counters and the rows disagree
const countMismatches = () => sql(`SELECT coalesce(a.p, c.patient_id), a.n, c.n FROM
    (SELECT subject_patient_id AS p, codeable_concept_id AS k, count(*) AS n FROM observation GROUP BY 1, 2) a
    FULL JOIN observation_count c ON c.patient_id = a.p AND c.codeable_concept_id = a.k
    WHERE a.n IS DISTINCT FROM c.n`);
const indexOids = () => sql(`SELECT indexrelid::regclass::text, indexrelid::oid FROM pg_index
                              WHERE indrelid IN ${TABLES} ORDER BY 1`);
const demoCount = () => Number(sql(`SELECT count(*) FROM observation o JOIN observation_identifier i
                                      ON i.observation_id = o.id WHERE i.system = 'urn:jhe:demo'`)[0][0]);
// Everything of the demo rows but the instants (they follow the seed time, floored to the hour).
const fingerprint = () => sql(`SELECT md5(string_agg(concat_ws('|', o.id, o.subject_patient_id,
                                   o.codeable_concept_id, o.data_source_id, i.id, i.value,
                                   (o.omh_data->'body') - 'effective_time_frame'::text,
                                   (o.omh_data->'header') - 'source_creation_date_time'::text), ',' ORDER BY o.id))
                                 FROM observation o JOIN observation_identifier i ON i.observation_id = o.id
                                WHERE i.system = 'urn:jhe:demo'`)[0][0];

const before = defs();

// The loads below flush the database, which restarts every identity sequence; audit rows are
// never deleted, so ids handed out again would collide with the audit history that later test
// files look up by resource id. The sequences are put back past every id used before.
const sequences = sql(`SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences
                        WHERE last_value IS NOT NULL`);

after(() => {
  admin(['seed', '--flush-db']);
  for (const [seq, last] of sequences) {
    sql(`SELECT setval('${seq}', GREATEST(${Number(last)}, (SELECT COALESCE(last_value, 1) FROM pg_sequences
          WHERE schemaname || '.' || sequencename = '${seq}')))`);
  }
  run(['restart-workers']); // as after a fresh `scripts/stack up`: nothing cached from the cohorts
});

test('bulk load: row counts per kind, one identifier per observation, schema rebuilt identically', () => {
  const oids = indexOids();
  const r = seedDemo(3, 2, 7);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /loading 2460 observations \(bulk/);
  assert.match(r.out, /demo cohort loaded: study \d+, 3 patients, 2460 observations/);
  assert.equal(demoCount(), 3 * 2 * 410);
  const kinds = sql(`SELECT c.coding_code, count(*) FROM observation o
                       JOIN codeable_concept c ON c.id = o.codeable_concept_id
                       JOIN observation_identifier i ON i.observation_id = o.id
                      WHERE i.system = 'urn:jhe:demo' GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(kinds, [['omh:blood-glucose:4.0', String(3 * 2 * 288)],
    ['omh:blood-pressure:4.0', String(3 * 2 * 2)], ['omh:heart-rate:2.0', String(3 * 2 * 96)],
    ['omh:step-count:3.0', String(3 * 2 * 24)]]);
  assert.deepEqual(sql(`SELECT count(*) FROM observation o
                         WHERE NOT EXISTS (SELECT 1 FROM observation_identifier i WHERE i.observation_id = o.id)
                            OR (SELECT count(*) FROM observation_identifier i WHERE i.observation_id = o.id) > 1`),
    [['9']]); // only the 9 observations of the base seed have no identifier
  assert.deepEqual(defs(), before);
  assert.deepEqual(countMismatches(), []); // the cohort's counters, counted after the load
  const rebuilt = indexOids();
  const pk = (rows) => rows.filter(([n]) => n.endsWith('_pkey'));
  assert.deepEqual(pk(rebuilt), pk(oids), 'the primary keys stay');
  assert.equal(rebuilt.filter(([n, o]) => !n.endsWith('_pkey') && oids.some(([m, p]) => m === n && p === o)).length,
    0, 'every other index is rebuilt');
  // the constraints work again: a duplicate identifier and a dangling reference are refused
  const one = sql(`SELECT observation_id, value FROM observation_identifier WHERE system = 'urn:jhe:demo' LIMIT 1`)[0];
  assert.throws(() => sql(`INSERT INTO observation_identifier (observation_id, system, value)
                            VALUES (${one[0]}, 'urn:jhe:demo', '${one[1]}')`), /observation_identifier_key/);
  assert.throws(() => sql(`INSERT INTO observation_identifier (observation_id, system, value)
                            VALUES (999999999, 'x', 'y')`), /observation_identifier_observation_id_fkey/);
  assert.ok(Number(sql(`SELECT reltuples FROM pg_class WHERE oid = 'observation'::regclass`)[0][0]) >= 2460,
    'ANALYZEd');
});

test('the same --demo-seed gives the same rows and ids; another seed other values', () => {
  assert.equal(seedDemo(2, 1, 11).status, 0);
  const a = fingerprint();
  assert.equal(seedDemo(2, 1, 11).status, 0);
  assert.equal(fingerprint(), a);
  assert.equal(seedDemo(2, 1, 12).status, 0);
  assert.notEqual(fingerprint(), a);
});

test('a cohort smaller than the table is loaded with the indexes in place', () => {
  assert.equal(seedDemo(3, 2, 7).status, 0);
  // keep those 2460 observations, but free the demo study and the demo emails
  sql(`BEGIN; DELETE FROM study WHERE name = 'CGM & Wearables Demo';
       UPDATE jhe_user SET email = 'old.' || email WHERE email LIKE 'demo.patient.%'; COMMIT;`);
  const oids = indexOids();
  const r = seedDemo(1, 1, 8, false); // another seed: other identifiers
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /loading 410 observations\n/);
  assert.equal(demoCount(), 2460 + 410);
  assert.deepEqual(indexOids(), oids);
  assert.deepEqual(defs(), before);
  assert.deepEqual(countMismatches(), []);
});

test('a failed bulk load rolls back: no cohort, indexes and constraints intact', () => {
  assert.equal(seedDemo(1, 1, 5).status, 0);
  const uuid = sql(`SELECT max(value) FROM observation_identifier WHERE system = 'urn:jhe:demo'`)[0][0];
  assert.equal(admin(['seed', '--flush-db']).status, 0);
  // an identifier the cohort will generate again: the UNIQUE rebuild after the COPY must fail
  sql(`INSERT INTO observation_identifier (observation_id, system, value)
       SELECT min(id), 'urn:jhe:demo', '${uuid}' FROM observation`);
  const oids = indexOids();
  const r = seedDemo(1, 1, 5, false);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /loading 410 observations \(bulk/);
  assert.match(r.out, /demo failed: .*observation_identifier_key/);
  assert.deepEqual(sql(`SELECT count(*) FROM study WHERE name = 'CGM & Wearables Demo'`), [['0']]);
  assert.equal(demoCount(), 1);
  assert.deepEqual(indexOids(), oids);
  assert.deepEqual(defs(), before);
  assert.deepEqual(countMismatches(), []);
});
