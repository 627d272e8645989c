/*
 * Conformance of the JSON Schema engine (src/omh) with the official JSON-Schema-Test-Suite
 * (Debian package json-schema-test-suite), drafts 4 and 7 (issue 5, "Conformance checks").
 *
 * Every file of tests/draft4 and tests/draft7 (including optional/) is either run or skipped with a
 * reason. For each test group the group's schema is compiled into its own registry
 * (omh_registry_from_json) under a base URI, together with the suite's remotes/ documents
 * registered under http://localhost:1234/ (preloaded: nothing is fetched from the network), and
 * every test's `valid` must equal the verdict of omh_validate. Single groups or cases that hit the
 * engine's documented deviations (fhir.md §14.3: only `date-time` is asserted, a date-time without
 * offset is accepted, `integer` accepts a zero fraction) are skipped individually, with the reason.
 *
 * The report (stderr) lists each file run with its counts, each file skipped with why, and totals.
 * JSTS_DIR (environment) is the suite's tests/ directory (default
 * /usr/share/json-schema-test-suite/tests); the remotes are read from JSTS_DIR/../remotes. When the
 * directory is missing the program prints a notice and exits 77 (automake's SKIP).
 */
#include "omh/omh.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define JSTS_DEFAULT_DIR "/usr/share/json-schema-test-suite/tests"
#define REMOTE_BASE "http://localhost:1234/"
#define MAX_REMOTES 32

/* ------------------------------------------------------------------ skip policy */

/* Whole files not run. `file` is relative to the draft directory. */
struct file_skip {
	int draft; /* 4, 7, or 0 for both */
	const char *file;
	const char *reason;
};

static const struct file_skip file_skips[] = {
    {0, "definitions.json",
     "validates schemas against the draft meta-schema (http://json-schema.org/draft-0N/schema), "
     "which is not in the registry: meta-schema validation is not implemented"},
    {4, "optional/zeroTerminatedFloats.json",
     "deviation (fhir.md §14.3): `integer` accepts numbers with a zero fraction in every dialect "
     "(draft-04 wants 1.0 rejected)"},
    {7, "optional/content.json", "contentMediaType/contentEncoding are not implemented"},
    {7, "optional/format/date.json", "format `date` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/email.json", "format `email` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/hostname.json", "format `hostname` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/idn-email.json", "format `idn-email` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/idn-hostname.json",
     "format `idn-hostname` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/ipv4.json", "format `ipv4` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/ipv6.json", "format `ipv6` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/iri-reference.json",
     "format `iri-reference` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/iri.json", "format `iri` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/json-pointer.json",
     "format `json-pointer` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/regex.json", "format `regex` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/relative-json-pointer.json",
     "format `relative-json-pointer` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/time.json", "format `time` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/uri-reference.json",
     "format `uri-reference` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/uri-template.json",
     "format `uri-template` is not asserted (fhir.md §14.3)"},
    {7, "optional/format/uri.json", "format `uri` is not asserted (fhir.md §14.3)"},
};

/* Single groups (test == NULL) or cases not run, matched by file, group and test description. */
struct case_skip {
	int draft;
	const char *file;
	const char *group;
	const char *test; /* NULL = the whole group */
	const char *reason;
};

static const struct case_skip case_skips[] = {
    {0, "ref.json", "remote ref, containing refs itself", NULL,
     "refers to the draft meta-schema (http://json-schema.org/draft-0N/schema), which is not in "
     "the registry (nothing is fetched from the network)"},
};

/* A group of draft4 optional/format.json whose schema asserts a format other than date-time is
 * skipped by rule (see group_format_skip). */

/* ------------------------------------------------------------------ report */

struct counts {
	int files_run, files_skipped;
	int cases_run, cases_passed, cases_skipped;
	int failures;
};

static struct counts tot;

static json_object *remote_docs[MAX_REMOTES];
static char *remote_uris[MAX_REMOTES];
static size_t nremotes;

static const char *jsts_dir(void)
{
	const char *e = getenv("JSTS_DIR");
	return e && *e ? e : JSTS_DEFAULT_DIR;
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Loads remotes/ (recursively) under http://localhost:1234/<relative path>. */
static void load_remotes(const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[4096], r2[1024];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		snprintf(r2, sizeof r2, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (is_dir(path)) {
			load_remotes(path, r2);
		} else if (ends_with(de->d_name, ".json") && nremotes < MAX_REMOTES) {
			json_object *doc = json_object_from_file(path);
			if (!doc)
				continue;
			size_t n = strlen(REMOTE_BASE) + strlen(r2) + 1;
			char *uri = malloc(n);
			ck_assert_ptr_nonnull(uri);
			snprintf(uri, n, "%s%s", REMOTE_BASE, r2);
			remote_docs[nremotes] = doc;
			remote_uris[nremotes++] = uri;
		}
	}
	closedir(d);
}

static const char *file_skip_reason(int draft, const char *rel)
{
	for (size_t i = 0; i < sizeof file_skips / sizeof *file_skips; i++)
		if ((!file_skips[i].draft || file_skips[i].draft == draft) &&
		    strcmp(file_skips[i].file, rel) == 0)
			return file_skips[i].reason;
	return NULL;
}

static const char *case_skip_reason(int draft, const char *rel, const char *group, const char *test)
{
	for (size_t i = 0; i < sizeof case_skips / sizeof *case_skips; i++) {
		const struct case_skip *k = &case_skips[i];
		if (!k->reason || (k->draft && k->draft != draft) || strcmp(k->file, rel) != 0 ||
		    strcmp(k->group, group) != 0)
			continue;
		if (!k->test || (test && strcmp(k->test, test) == 0))
			return k->reason;
	}
	return NULL;
}

/* Formats other than date-time are not asserted (fhir.md §14.3): a group whose schema is about
 * another format (optional/format.json of draft 4, the `format: regex` group of
 * optional/ecmascript-regex.json) is not run. */
static const char *group_format_skip(const char *rel, json_object *schema)
{
	static char reason[128];
	json_object *f;
	(void)rel;
	if (!json_object_is_type(schema, json_type_object) ||
	    !json_object_object_get_ex(schema, "format", &f) ||
	    !json_object_is_type(f, json_type_string))
		return NULL;
	if (strcmp(json_object_get_string(f), "date-time") == 0)
		return NULL;
	snprintf(reason, sizeof reason, "format `%s` is not asserted (fhir.md §14.3)",
	         json_object_get_string(f));
	return reason;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "";
}

/* Runs one file; returns its counts in *c. */
static void run_file(int draft, const char *path, const char *rel, struct counts *c)
{
	json_object *groups = json_object_from_file(path);
	if (!groups || !json_object_is_type(groups, json_type_array)) {
		fprintf(stderr, "  draft%d/%s: cannot read the file\n", draft, rel);
		c->failures++;
		json_object_put(groups);
		return;
	}
	for (size_t g = 0; g < json_object_array_length(groups); g++) {
		json_object *grp = json_object_array_get_idx(groups, g);
		const char *gdesc = str_of(grp, "description");
		json_object *schema = NULL, *tests = NULL;
		json_object_object_get_ex(grp, "schema", &schema);
		json_object_object_get_ex(grp, "tests", &tests);
		if (!schema || !json_object_is_type(tests, json_type_array)) {
			fprintf(stderr, "  draft%d/%s: group \"%s\" is malformed\n", draft, rel,
			        gdesc);
			c->failures++;
			continue;
		}
		size_t ntests = json_object_array_length(tests);
		const char *gskip = case_skip_reason(draft, rel, gdesc, NULL);
		if (!gskip)
			gskip = group_format_skip(rel, schema);
		if (gskip) {
			fprintf(stderr, "    draft%d/%s: skipped group \"%s\" (%zu cases): %s\n",
			        draft, rel, gdesc, ntests, gskip);
			c->cases_skipped += (int)ntests;
			continue;
		}
		/* the group's schema plus the remotes, each its own document */
		const char *uris[MAX_REMOTES + 1];
		json_object *docs[MAX_REMOTES + 1];
		char base[256];
		snprintf(base, sizeof base, "urn:jsts:draft%d:%s:%zu", draft, rel, g);
		uris[0] = base;
		docs[0] = schema;
		for (size_t i = 0; i < nremotes; i++) {
			uris[i + 1] = remote_uris[i];
			docs[i + 1] = remote_docs[i];
		}
		struct omh_registry *reg = NULL;
		char err[512];
		if (omh_registry_from_json(uris, docs, nremotes + 1, draft, &reg, err,
		                           sizeof err) != OMH_OK) {
			fprintf(stderr,
			        "  FAIL draft%d/%s: group \"%s\": schema not compiled: %s\n", draft,
			        rel, gdesc, err);
			c->failures += (int)ntests;
			c->cases_run += (int)ntests;
			continue;
		}
		for (size_t t = 0; t < ntests; t++) {
			json_object *tc = json_object_array_get_idx(tests, t);
			const char *tdesc = str_of(tc, "description");
			const char *why = case_skip_reason(draft, rel, gdesc, tdesc);
			if (why) {
				fprintf(stderr,
				        "    draft%d/%s: skipped case \"%s\" / \"%s\": %s\n", draft,
				        rel, gdesc, tdesc, why);
				c->cases_skipped++;
				continue;
			}
			json_object *data = NULL, *valid = NULL;
			json_object_object_get_ex(tc, "data", &data);
			json_object_object_get_ex(tc, "valid", &valid);
			int want = json_object_get_boolean(valid);
			char msg[OMH_MSG_SIZE];
			int rc = omh_validate(reg, base, data, msg, sizeof msg);
			c->cases_run++;
			/* an unresolvable reference is never what the suite tests: a case expecting
			 * "invalid" must not pass because a $ref went nowhere */
			int unresolved = rc != OMH_OK && strncmp(msg, "Unresolvable", 12) == 0;
			if (!unresolved && (rc == OMH_OK) == (want != 0)) {
				c->cases_passed++;
			} else {
				c->failures++;
				fprintf(
				    stderr,
				    "  FAIL draft%d/%s: \"%s\" / \"%s\": expected %s, got %s%s%s\n",
				    draft, rel, gdesc, tdesc, want ? "valid" : "invalid",
				    rc == OMH_OK ? "valid" : "invalid", rc == OMH_OK ? "" : ": ",
				    rc == OMH_OK ? "" : msg);
			}
		}
		omh_registry_free(reg);
	}
	json_object_put(groups);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the *.json files under dir (recursively), as paths relative to the draft directory. */
static void collect(const char *root, const char *rel, char ***v, size_t *n, size_t *cap)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char r2[1024], p2[4096];
		snprintf(r2, sizeof r2, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(p2, sizeof p2, "%s/%s", root, r2);
		if (is_dir(p2)) {
			collect(root, r2, v, n, cap);
		} else if (ends_with(de->d_name, ".json")) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*v = realloc(*v, *cap * sizeof **v);
				ck_assert_ptr_nonnull(*v);
			}
			(*v)[(*n)++] = strdup(r2);
		}
	}
	closedir(d);
}

static void run_draft(int draft)
{
	char root[4096];
	snprintf(root, sizeof root, "%s/draft%d", jsts_dir(), draft);
	char **files = NULL;
	size_t n = 0, cap = 0;
	collect(root, "", &files, &n, &cap);
	ck_assert_msg(n > 0, "no test files under %s", root);
	qsort(files, n, sizeof *files, cmp_str);
	fprintf(stderr, "draft%d (%s): %zu files\n", draft, root, n);
	for (size_t i = 0; i < n; i++) {
		const char *why = file_skip_reason(draft, files[i]);
		if (why) {
			fprintf(stderr, "  SKIP draft%d/%s: %s\n", draft, files[i], why);
			tot.files_skipped++;
		} else {
			char path[8192];
			snprintf(path, sizeof path, "%s/%s", root, files[i]);
			struct counts c = {0};
			run_file(draft, path, files[i], &c);
			if (c.cases_run == 0 && c.failures == 0) {
				/* every group skipped (reasons above): the file counts as skipped
				 */
				fprintf(stderr,
				        "  SKIP draft%d/%s: all %d cases skipped (see above)\n",
				        draft, files[i], c.cases_skipped);
				tot.files_skipped++;
				tot.cases_skipped += c.cases_skipped;
				free(files[i]);
				continue;
			}
			fprintf(stderr, "  run  draft%d/%s: %d/%d passed%s", draft, files[i],
			        c.cases_passed, c.cases_run, c.cases_skipped ? "" : "\n");
			if (c.cases_skipped)
				fprintf(stderr, ", %d skipped\n", c.cases_skipped);
			tot.files_run++;
			tot.cases_run += c.cases_run;
			tot.cases_passed += c.cases_passed;
			tot.cases_skipped += c.cases_skipped;
			tot.failures += c.failures;
		}
		free(files[i]);
	}
	free(files);
}

/* ------------------------------------------------------------------ tests */

START_TEST(test_suite)
{
	char rdir[4096];
	snprintf(rdir, sizeof rdir, "%s/../remotes", jsts_dir());
	load_remotes(rdir, "");
	memset(&tot, 0, sizeof tot);
	run_draft(4);
	run_draft(7);
	fprintf(stderr,
	        "JSON-Schema-Test-Suite: files run %d, skipped %d; cases run %d, passed %d, "
	        "failed %d, skipped %d (%zu remotes preloaded under " REMOTE_BASE ")\n",
	        tot.files_run, tot.files_skipped, tot.cases_run, tot.cases_passed,
	        tot.cases_run - tot.cases_passed, tot.cases_skipped, nremotes);
	for (size_t i = 0; i < nremotes; i++) {
		json_object_put(remote_docs[i]);
		free(remote_uris[i]);
	}
	nremotes = 0;
	ck_assert_int_gt(tot.files_run, 0);
	ck_assert_int_eq(tot.failures, 0);
	ck_assert_int_eq(tot.cases_passed, tot.cases_run);
}
END_TEST

/* The in-memory registry entry point itself: bad arguments, an id registered twice, dialects. */
START_TEST(test_registry_from_json)
{
	char err[256];
	struct omh_registry *reg = NULL;
	json_object *s4 = json_tokener_parse("{\"maximum\":3,\"exclusiveMaximum\":true}");
	json_object *s7 = json_tokener_parse("{\"exclusiveMaximum\":3}");
	const char *u[] = {"urn:a", "urn:a"};
	json_object *d[] = {s4, s4};
	ck_assert_int_eq(omh_registry_from_json(u, d, 1, 5, &reg, err, sizeof err), OMH_ERROR);
	ck_assert_int_eq(omh_registry_from_json(u, d, 2, 4, &reg, err, sizeof err), OMH_ERROR);
	ck_assert_ptr_null(reg);
	const char *rel[] = {"a.json"};
	ck_assert_int_eq(omh_registry_from_json(rel, d, 1, 4, &reg, err, sizeof err), OMH_ERROR);
	/* draft-04 boolean exclusiveMaximum */
	ck_assert_int_eq(omh_registry_from_json(u, d, 1, 4, &reg, err, sizeof err), OMH_OK);
	char msg[OMH_MSG_SIZE];
	json_object *three = json_object_new_int(3), *two = json_object_new_int(2);
	ck_assert_int_eq(omh_validate(reg, "urn:a", three, msg, sizeof msg), OMH_INVALID);
	ck_assert_int_eq(omh_validate(reg, "urn:a", two, msg, sizeof msg), OMH_OK);
	omh_registry_free(reg);
	/* draft-07 numeric exclusiveMaximum */
	json_object *d7[] = {s7};
	ck_assert_int_eq(omh_registry_from_json(u, d7, 1, 7, &reg, err, sizeof err), OMH_OK);
	ck_assert_int_eq(omh_validate(reg, "urn:a", three, msg, sizeof msg), OMH_INVALID);
	ck_assert_int_eq(omh_validate(reg, "urn:a", two, msg, sizeof msg), OMH_OK);
	omh_registry_free(reg);
	/* the caller keeps its references */
	ck_assert_int_eq(json_object_put(s4), 1);
	ck_assert_int_eq(json_object_put(s7), 1);
	json_object_put(three);
	json_object_put(two);
}
END_TEST

int main(void)
{
	char d4[4096];
	snprintf(d4, sizeof d4, "%s/draft4", jsts_dir());
	if (!is_dir(d4)) {
		fprintf(
		    stderr,
		    "test_jsts: %s not found (install the Debian package json-schema-test-suite "
		    "or set JSTS_DIR): SKIP\n",
		    d4);
		return 77;
	}
	Suite *s = suite_create("jsts");
	TCase *tc = tcase_create("suite");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_registry_from_json);
	tcase_add_test(tc, test_suite);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
