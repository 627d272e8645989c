/*
 * Unit tests of the Open mHealth validation layer (src/omh): the regex subset, the JSON Schema
 * engine on small inline schemas, the official test data against both the official schemas and the
 * project's own schemas, the example data points, and the effective-time projection (data-model.md
 * §4.3).
 *
 * The official files are read from $OMH_SHARED_DIR (default: ../shared/omh next to the source
 * tree). Setting OMH_SHARED_DIR to an empty string skips the tests that need them.
 */
#include "omh/omh.h"
#include "omh/omh_int.h"
#include "util/util.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef OMH_SHARED_DIR_DEFAULT
#define OMH_SHARED_DIR_DEFAULT "../shared/omh"
#endif
#ifndef OMH_PROJECT_SCHEMA_DIR
#define OMH_PROJECT_SCHEMA_DIR "schemas"
#endif

#define U OMH_BASE_OMH

/* ------------------------------------------------------------------ helpers */

/* The official data lives outside the repository (../shared/omh next to the checkout). A checkout
 * without it (a tarball elsewhere) skips only the tests that need it, and says so. */
static const char *shared_dir(void)
{
	const char *e = getenv("OMH_SHARED_DIR");
	if (e)
		return e;
	static const char *const candidates[] = {OMH_SHARED_DIR_DEFAULT, "/work/shared/omh"};
	struct stat st;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (stat(candidates[i], &st) == 0 && S_ISDIR(st.st_mode))
			return candidates[i];
	return "";
}

static int have_shared(void)
{
	const char *d = shared_dir();
	if (!*d) {
		fprintf(stderr, "test_omh: no official OMH data found (OMH_SHARED_DIR unset and "
		                "../shared/omh missing): skipping official data tests\n");
		return 0;
	}
	return 1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char p[1024];
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* A registry built from inline files: pairs of "omh/name.json" or "ieee/sub/name.json" and text,
 * terminated by NULL. Returns NULL (and the error in err) when loading fails. */
static struct omh_registry *inline_registry(const char *const *files, char *err, size_t errlen)
{
	char dir[] = "/tmp/test_omh_XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char p[1024];
	snprintf(p, sizeof p, "%s/omh", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/ieee", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/ieee/sub", dir);
	mkdir(p, 0700);
	for (size_t i = 0; files[i]; i += 2) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		write_file(p, files[i + 1]);
	}
	struct omh_registry *r = NULL;
	if (omh_registry_load(dir, &r, err, errlen) != OMH_OK)
		r = NULL;
	rm_tree(dir);
	return r;
}

/* Validates instance (JSON text) against a single inline schema registered as omh/s.json. */
static int check_one(const char *schema, const char *instance, char *msg, size_t msglen)
{
	const char *files[] = {"omh/s.json", schema, NULL};
	char err[512];
	struct omh_registry *r = inline_registry(files, err, sizeof err);
	ck_assert_msg(r != NULL, "schema %s does not load: %s", schema, err);
	json_object *v = json_tokener_parse(instance);
	ck_assert_msg(v != NULL || strcmp(instance, "null") == 0, "bad test JSON %s", instance);
	int rc = omh_validate(r, U "s.json", v, msg, msglen);
	json_object_put(v);
	omh_registry_free(r);
	return rc;
}

/* ------------------------------------------------------------------ (a) regex subset */

static const struct {
	const char *re, *s;
	int match;
} re_cases[] = {
    {"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "2024-01-31", 1},
    {"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "2024-01-311", 0},
    {"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "x2024-01-31", 0},
    {"^([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(.\\d{1,3})?$", "23:59:60.123", 1},
    {"^([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(.\\d{1,3})?$", "24:00:00", 0},
    {"^([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(.\\d{1,3})?$", "12:00:00.1234", 0},
    {"a+", "xaay", 1}, /* unanchored search */
    {"a+", "xyz", 0},
    {"^a|b$", "ab", 1},
    {"^(?:ab)+$", "ababab", 1},
    {"^(?:ab)+$", "ababa", 0},
    {"^a?b*c+$", "c", 1},
    {"^a?b*c+$", "aabc", 0},
    {"^a{2}$", "aa", 1},
    {"^a{2}$", "aaa", 0},
    {"^a{2,}$", "aaaaa", 1},
    {"^a{2,}$", "a", 0},
    {"^a{1,3}$", "aaa", 1},
    {"^a{1,3}$", "aaaa", 0},
    {"^a{0,1}?b", "b", 1},
    {"^\\w+\\s\\w+$", "hello world", 1},
    {"^\\w+\\s\\w+$", "hello-world", 0},
    {"^\\S+$", "a b", 0},
    {"^\\D+$", "abc", 1},
    {"^\\D+$", "ab1", 0},
    {"^[^a-c]+$", "xyz", 1},
    {"^[^a-c]+$", "xbz", 0},
    {"^[\\d.-]+$", "1.5-2", 1},
    {"^[a\\-z]$", "-", 1},
    {"^[a-]$", "-", 1},
    {"^.$", "\xc3\xa9", 1}, /* one code point */
    {"^.$", "\n", 0},
    {"^\\.$", ".", 1},
    {"^\\.$", "x", 0},
    {"x{a}", "x{a}", 1}, /* a brace that is not a quantifier is a literal */
    {"\\bcat\\b", "a cat!", 1},
    {"\\bcat\\b", "concat", 0},
    {"^\\u00e9$", "\xc3\xa9", 1},
    {"^(a|ab)(c|bcd)(d*)$", "abcd", 1},
    {"^(a*)*$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0}, /* no exponential blow-up */
    {"", "anything", 1},
};

START_TEST(regex_cases)
{
	struct arena *a = arena_new();
	char err[200];
	struct omh_re *re = omh_re_compile(a, re_cases[_i].re, err, sizeof err);
	ck_assert_msg(re != NULL, "pattern %s: %s", re_cases[_i].re, err);
	ck_assert_msg(omh_re_search(re, re_cases[_i].s, strlen(re_cases[_i].s)) ==
	                  re_cases[_i].match,
	              "pattern %s on \"%s\" should %smatch", re_cases[_i].re, re_cases[_i].s,
	              re_cases[_i].match ? "" : "not ");
	arena_free(a);
}
END_TEST

START_TEST(regex_unsupported)
{
	const char *bad[] = {"(a)\\1", "(?=a)", "(?<n>a)", "a**", "(ab",
	                     "ab)",    "[ab",   "a{3,1}",  "*a",  "\\p{L}"};
	struct arena *a = arena_new();
	char err[200];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = 0;
		ck_assert_msg(omh_re_compile(a, bad[i], err, sizeof err) == NULL,
		              "%s should not compile", bad[i]);
		ck_assert_msg(err[0] != 0, "%s: no error text", bad[i]);
	}
	arena_free(a);
}
END_TEST

/* ------------------------------------------------------------------ (a) date-time format */

START_TEST(date_time_format)
{
	const char *good[] = {"2013-02-05T07:25:00Z",          "2013-02-05t07:25:00.123z",
	                      "2013-02-05T07:25:00+03:00",     "2013-02-05T07:25:00-23:59",
	                      "2013-02-05T07:25:00",           "2016-02-29T23:59:60Z",
	                      "2013-02-05T07:25:00.123456789Z"};
	const char *bad[] = {"2013-02-30T07:25:00Z",
	                     "2013-02-05 07:25:00Z",
	                     "2013-02-05T24:00:00Z",
	                     "2013-02-05T07:25Z",
	                     "2013-02-05T07:25:00.Z",
	                     "2013-02-05T07:25:00+0300",
	                     "2015-02-29T00:00:00Z",
	                     "2013-02-05",
	                     "07:25:00",
	                     "",
	                     "2013-13-05T07:25:00Z",
	                     "2013-02-05T07:60:00Z",
	                     "2013-02-05T07:25:61Z",
	                     "2013-02-05T07:25:00+24:00",
	                     "2013-02-05T07:25:00ZZ"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(omh_is_date_time(good[i], strlen(good[i])), "%s should be valid",
		              good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!omh_is_date_time(bad[i], strlen(bad[i])), "%s should be invalid",
		              bad[i]);
}
END_TEST

/* ------------------------------------------------------------------ (a) engine keyword groups */

static const struct {
	const char *schema, *instance;
	int valid;
	const char *msg; /* expected message when invalid (NULL: not checked) */
} eng_cases[] = {
    /* any type: type */
    {"{\"type\":\"integer\"}", "1", 1, NULL},
    {"{\"type\":\"integer\"}", "1.0", 1, NULL},
    {"{\"type\":\"integer\"}", "1.5", 0,
     "Open mHealth validation failed at /: value is not of type integer"},
    {"{\"type\":\"number\"}", "\"1\"", 0, NULL},
    {"{\"type\":[\"string\",\"null\"]}", "null", 1, NULL},
    {"{\"type\":[\"string\",\"null\"]}", "true", 0,
     "Open mHealth validation failed at /: value is not of type null or string"},
    {"{\"type\":\"object\"}", "[]", 0, NULL},
    {"{\"type\":\"array\"}", "[]", 1, NULL},
    {"{\"type\":\"boolean\"}", "false", 1, NULL},
    /* enum, const */
    {"{\"enum\":[1,\"a\",{\"x\":[1,null]}]}", "1.0", 1, NULL},
    {"{\"enum\":[1,\"a\",{\"x\":[1,null]}]}", "{\"x\":[1,null]}", 1, NULL},
    {"{\"enum\":[1,\"a\",{\"x\":[1,null]}]}", "\"b\"", 0,
     "Open mHealth validation failed at /: value is not one of the allowed values"},
    {"{\"const\":{\"a\":[true]}}", "{\"a\":[true]}", 1, NULL},
    {"{\"const\":{\"a\":[true]}}", "{\"a\":[false]}", 0, NULL},
    {"{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"const\":1}", "2", 1, NULL},
    /* allOf, anyOf, oneOf, not, if/then/else */
    {"{\"allOf\":[{\"type\":\"number\"},{\"minimum\":2}]}", "3", 1, NULL},
    {"{\"allOf\":[{\"type\":\"number\"},{\"minimum\":2}]}", "1", 0, NULL},
    {"{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":2}]}", "3", 1, NULL},
    {"{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":2}]}", "1", 0,
     "Open mHealth validation failed at /: value does not match any of the allowed schemas"},
    {"{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "1", 1, NULL},
    {"{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "3", 0,
     "Open mHealth validation failed at /: value matches more than one of the exclusive schemas"},
    {"{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "1.5", 0, NULL},
    {"{\"oneOf\":[{\"required\":[\"a\"],\"properties\":{\"a\":{\"type\":\"string\"}}},{"
     "\"required\":[\"b\"]}]}",
     "{\"a\":1}", 0, "Open mHealth validation failed at /a: value is not of type string"},
    {"{\"not\":{\"type\":\"string\"}}", "1", 1, NULL},
    {"{\"not\":{\"type\":\"string\"}}", "\"x\"", 0,
     "Open mHealth validation failed at /: value matches a schema it must not match"},
    {"{\"if\":{\"minimum\":10},\"then\":{\"multipleOf\":5},\"else\":{\"multipleOf\":2}}", "15", 1,
     NULL},
    {"{\"if\":{\"minimum\":10},\"then\":{\"multipleOf\":5},\"else\":{\"multipleOf\":2}}", "12", 0,
     NULL},
    {"{\"if\":{\"minimum\":10},\"then\":{\"multipleOf\":5},\"else\":{\"multipleOf\":2}}", "4", 1,
     NULL},
    {"{\"if\":{\"minimum\":10},\"then\":{\"multipleOf\":5},\"else\":{\"multipleOf\":2}}", "3", 0,
     NULL},
    /* objects */
    {"{\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\",\"b\"]}",
     "{\"a\":\"x\",\"b\":1}", 1, NULL},
    {"{\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\",\"b\"]}", "{\"a\":\"x\"}",
     0, "Open mHealth validation failed at /: required property 'b' is missing"},
    {"{\"properties\":{\"a\":{\"properties\":{\"b/c~\":{\"type\":\"string\"}}}}}",
     "{\"a\":{\"b/c~\":1}}", 0,
     "Open mHealth validation failed at /a/b~1c~0: value is not of type string"},
    {"{\"properties\":{\"a\":{}},\"additionalProperties\":false}", "{\"a\":1}", 1, NULL},
    {"{\"properties\":{\"a\":{}},\"additionalProperties\":false}", "{\"a\":1,\"z\":2}", 0,
     "Open mHealth validation failed at /z: additional property is not allowed"},
    {"{\"properties\":{\"a\":{}},\"patternProperties\":{\"^x_\":{\"type\":\"number\"}},"
     "\"additionalProperties\":{\"type\":\"string\"}}",
     "{\"a\":[],\"x_1\":1,\"other\":\"s\"}", 1, NULL},
    {"{\"properties\":{\"a\":{}},\"patternProperties\":{\"^x_\":{\"type\":\"number\"}},"
     "\"additionalProperties\":{\"type\":\"string\"}}",
     "{\"x_1\":\"1\"}", 0, "Open mHealth validation failed at /x_1: value is not of type number"},
    {"{\"properties\":{\"a\":{}},\"patternProperties\":{\"^x_\":{\"type\":\"number\"}},"
     "\"additionalProperties\":{\"type\":\"string\"}}",
     "{\"other\":1}", 0, "Open mHealth validation failed at /other: value is not of type string"},
    {"{\"dependencies\":{\"a\":[\"b\"],\"c\":{\"required\":[\"d\"]}}}",
     "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", 1, NULL},
    {"{\"dependencies\":{\"a\":[\"b\"],\"c\":{\"required\":[\"d\"]}}}", "{\"a\":1}", 0,
     "Open mHealth validation failed at /: property 'a' requires property 'b'"},
    {"{\"dependencies\":{\"a\":[\"b\"],\"c\":{\"required\":[\"d\"]}}}", "{\"c\":1}", 0, NULL},
    {"{\"minProperties\":1,\"maxProperties\":2}", "{}", 0,
     "Open mHealth validation failed at /: object has fewer than 1 properties"},
    {"{\"minProperties\":1,\"maxProperties\":2}", "{\"a\":1,\"b\":2,\"c\":3}", 0, NULL},
    {"{\"minProperties\":1,\"maxProperties\":2}", "{\"a\":1}", 1, NULL},
    {"{\"propertyNames\":{\"maxLength\":3}}", "{\"abc\":1}", 1, NULL},
    {"{\"propertyNames\":{\"maxLength\":3}}", "{\"abcd\":1}", 0,
     "Open mHealth validation failed at /: property name 'abcd' is not allowed"},
    /* arrays */
    {"{\"items\":{\"type\":\"integer\"}}", "[1,2,3]", 1, NULL},
    {"{\"items\":{\"type\":\"integer\"}}", "[1,\"2\",3]", 0,
     "Open mHealth validation failed at /1: value is not of type integer"},
    {"{\"items\":[{\"type\":\"string\"},{\"type\":\"number\"}],\"additionalItems\":false}",
     "[\"a\",1]", 1, NULL},
    {"{\"items\":[{\"type\":\"string\"},{\"type\":\"number\"}],\"additionalItems\":false}",
     "[\"a\"]", 1, NULL},
    {"{\"items\":[{\"type\":\"string\"},{\"type\":\"number\"}],\"additionalItems\":false}",
     "[\"a\",1,2]", 0, "Open mHealth validation failed at /2: additional item is not allowed"},
    {"{\"items\":[{\"type\":\"string\"}],\"additionalItems\":{\"type\":\"null\"}}",
     "[\"a\",null,1]", 0, NULL},
    {"{\"minItems\":1,\"maxItems\":2}", "[]", 0,
     "Open mHealth validation failed at /: array has fewer than 1 items"},
    {"{\"minItems\":1,\"maxItems\":2}", "[1,2,3]", 0,
     "Open mHealth validation failed at /: array has more than 2 items"},
    {"{\"uniqueItems\":true}", "[1,\"1\",{\"a\":1},{\"a\":2}]", 1, NULL},
    {"{\"uniqueItems\":true}", "[1,2,1.0]", 0,
     "Open mHealth validation failed at /: array items are not unique"},
    {"{\"contains\":{\"type\":\"string\"}}", "[1,\"a\"]", 1, NULL},
    {"{\"contains\":{\"type\":\"string\"}}", "[1,2]", 0,
     "Open mHealth validation failed at /: array does not contain a matching item"},
    /* numbers */
    {"{\"minimum\":1,\"maximum\":3}", "1", 1, NULL},
    {"{\"minimum\":1,\"maximum\":3}", "0.5", 0,
     "Open mHealth validation failed at /: value is less than the minimum 1"},
    {"{\"minimum\":1,\"maximum\":3}", "3.5", 0, NULL},
    {"{\"minimum\":1,\"maximum\":3}", "\"x\"", 1, NULL}, /* applies to numbers only */
    {"{\"$schema\":\"http://json-schema.org/draft-04/"
     "schema#\",\"minimum\":1,\"exclusiveMinimum\":true}",
     "1", 0, "Open mHealth validation failed at /: value is not greater than 1"},
    {"{\"$schema\":\"http://json-schema.org/draft-04/"
     "schema#\",\"maximum\":1,\"exclusiveMaximum\":true}",
     "0.9", 1, NULL},
    {"{\"$schema\":\"http://json-schema.org/draft-04/"
     "schema#\",\"maximum\":1,\"exclusiveMaximum\":true}",
     "1", 0, NULL},
    {"{\"exclusiveMinimum\":1}", "1", 0, NULL},
    {"{\"exclusiveMinimum\":1}", "1.01", 1, NULL},
    {"{\"exclusiveMaximum\":1}", "1", 0, NULL},
    {"{\"multipleOf\":0.01}", "0.07", 1, NULL},
    {"{\"multipleOf\":2}", "7", 0,
     "Open mHealth validation failed at /: value is not a multiple of 2"},
    {"{\"multipleOf\":2}", "8", 1, NULL},
    /* strings */
    {"{\"minLength\":3,\"maxLength\":3}", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", 1, NULL},
    {"{\"minLength\":3}", "\"ab\"", 0,
     "Open mHealth validation failed at /: string is shorter than 3 characters"},
    {"{\"maxLength\":1}", "\"ab\"", 0, NULL},
    {"{\"pattern\":\"b+\"}", "\"abbc\"", 1, NULL},
    {"{\"pattern\":\"^b+$\"}", "\"abbc\"", 0,
     "Open mHealth validation failed at /: string does not match the pattern ^b+$"},
    {"{\"format\":\"date-time\"}", "\"2020-01-01T00:00:00Z\"", 1, NULL},
    {"{\"format\":\"date-time\"}", "\"2020-01-01T00:00:00\"", 1, NULL},
    {"{\"format\":\"date-time\"}", "\"2020-01-01\"", 0,
     "Open mHealth validation failed at /: value is not a valid date-time"},
    {"{\"format\":\"date-time\"}", "5", 1, NULL},
    {"{\"format\":\"uuid\"}", "\"not-a-uuid\"", 1, NULL},
    {"{\"format\":\"iri\"}", "\"iHealth\"", 1, NULL},
    /* references and booleans */
    {"{\"definitions\":{\"p\":{\"type\":\"integer\"}},\"properties\":{\"a\":{\"$ref\":\"#/"
     "definitions/p\"}}}",
     "{\"a\":1}", 1, NULL},
    {"{\"definitions\":{\"p\":{\"type\":\"integer\"}},\"properties\":{\"a\":{\"$ref\":\"#/"
     "definitions/p\"}}}",
     "{\"a\":\"x\"}", 0, "Open mHealth validation failed at /a: value is not of type integer"},
    {"{\"definitions\":{\"p\":{\"type\":\"integer\"}},\"$ref\":\"#/definitions/"
     "p\",\"type\":\"string\"}",
     "1", 1, NULL}, /* keywords next to $ref are ignored */
    {"{\"definitions\":{\"a/b\":{\"type\":\"integer\"},\"c%d\":{\"type\":\"string\"}},"
     "\"properties\":{\"x\":{\"$ref\":\"#/definitions/a~1b\"},\"y\":{\"$ref\":\"#/definitions/"
     "c%25d\"}}}",
     "{\"x\":1,\"y\":\"s\"}", 1, NULL},
    {"{\"definitions\":{\"a/b\":{\"type\":\"integer\"},\"c%d\":{\"type\":\"string\"}},"
     "\"properties\":{\"x\":{\"$ref\":\"#/definitions/a~1b\"},\"y\":{\"$ref\":\"#/definitions/"
     "c%25d\"}}}",
     "{\"x\":1,\"y\":2}", 0, NULL},
    {"{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"number\"},\"kids\":{\"type\":"
     "\"array\","
     "\"items\":{\"$ref\":\"#\"}}}}",
     "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":3}]}]}", 1, NULL},
    {"{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"number\"},\"kids\":{\"type\":"
     "\"array\","
     "\"items\":{\"$ref\":\"#\"}}}}",
     "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":\"3\"}]}]}", 0,
     "Open mHealth validation failed at /kids/0/kids/0/v: value is not of type number"},
    {"{\"properties\":{\"a\":true,\"b\":false}}", "{\"a\":1}", 1, NULL},
    {"{\"properties\":{\"a\":true,\"b\":false}}", "{\"b\":1}", 0,
     "Open mHealth validation failed at /b: no value is allowed here"},
    {"{\"$ref\":\"missing-1.0.json\"}", "1", 0,
     "Unresolvable schema reference https://w3id.org/openmhealth/schemas/omh/missing-1.0.json."},
    {"{\"anyOf\":[{\"type\":\"string\"},{\"$ref\":\"#/definitions/nope\"}]}", "1", 0,
     "Unresolvable schema reference "
     "https://w3id.org/openmhealth/schemas/omh/s.json#/definitions/nope."},
    {"{\"$ref\":\"#\"}", "1", 0,
     "Open mHealth validation failed at /: schema recursion is too deep"},
    {"{\"definitions\":{\"a\":{\"$ref\":\"#/definitions/b\"},\"b\":{\"$ref\":\"#/definitions/a\"}},"
     "\"$ref\":\"#/definitions/a\"}",
     "1", 0, "Open mHealth validation failed at /: schema recursion is too deep"},
    {"{\"allOf\":[{\"$ref\":\"#\"}]}", "{}", 0,
     "Open mHealth validation failed at /: schema recursion is too deep"},
    {"{\"title\":\"t\",\"description\":\"d\",\"references\":[{\"url\":\"x\"}],\"examples\":[1]}",
     "{}", 1, NULL},
};

START_TEST(engine_keywords)
{
	char msg[OMH_MSG_SIZE];
	int rc = check_one(eng_cases[_i].schema, eng_cases[_i].instance, msg, sizeof msg);
	ck_assert_msg((rc == OMH_OK) == eng_cases[_i].valid,
	              "schema %s, instance %s: expected %s, got %s", eng_cases[_i].schema,
	              eng_cases[_i].instance, eng_cases[_i].valid ? "valid" : "invalid",
	              rc == OMH_OK ? "valid" : msg);
	if (!eng_cases[_i].valid && eng_cases[_i].msg)
		ck_assert_str_eq(msg, eng_cases[_i].msg);
}
END_TEST

/* Cross-file references: relative names, absolute URIs, $id/id bases, IEEE subfolders. */
START_TEST(engine_cross_file_refs)
{
	const char *files[] = {
	    "omh/root-1.0.json",
	    "{\"$schema\":\"http://json-schema.org/draft-07/"
	    "schema#\",\"type\":\"object\",\"properties\":{"
	    "\"a\":{\"$ref\":\"leaf-1.0.json\"},"
	    "\"b\":{\"$ref\":\"https://w3id.org/ieee/ieee-1752-schema/ileaf-1.0.json\"},"
	    "\"c\":{\"$ref\":\"leaf-1.0.json#/definitions/small\"},"
	    "\"d\":{\"$ref\":\"http://example.org/schemas/by-id.json\"},"
	    "\"e\":{\"$ref\":\"../omh/leaf-1.0.json\"}}}",
	    "omh/leaf-1.0.json",
	    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"type\":\"string\","
	    "\"definitions\":{\"small\":{\"type\":\"integer\",\"maximum\":5}}}",
	    "ieee/sub/ileaf-1.0.json",
	    "{\"$id\":\"https://w3id.org/ieee/ieee-1752-schema/"
	    "ileaf.json\",\"allOf\":[{\"$ref\":\"inum-1.0.json\"}]}",
	    "ieee/inum-1.0.json",
	    "{\"type\":\"number\"}",
	    "omh/other.json",
	    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"id\":\"http://example.org/"
	    "schemas/by-id.json#\","
	    "\"properties\":{\"z\":{\"$ref\":\"sibling.json\"}}}",
	    "omh/sibling-x.json",
	    "{\"$id\":\"http://example.org/schemas/sibling.json\",\"type\":\"boolean\"}",
	    NULL};
	char err[512], msg[OMH_MSG_SIZE];
	struct omh_registry *r = inline_registry(files, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert(omh_registry_has(r, U "root-1.0.json"));
	ck_assert(omh_registry_has(r, OMH_BASE_IEEE "ileaf-1.0.json"));
	ck_assert(omh_registry_has(r, OMH_BASE_IEEE "ileaf.json"));
	ck_assert(omh_registry_has(r, "http://example.org/schemas/by-id.json"));
	ck_assert(omh_registry_has(r, U "leaf-1.0.json#/definitions/small"));
	ck_assert(!omh_registry_has(r, U "leaf-1.0.json#/definitions/nope"));
	ck_assert(!omh_registry_has(r, U "nope.json"));
	struct {
		const char *doc;
		int valid;
		const char *msg;
	} cases[] = {
	    {"{\"a\":\"s\",\"b\":1.5,\"c\":5,\"d\":{\"z\":true},\"e\":\"t\"}", 1, NULL},
	    {"{\"a\":1}", 0, "Open mHealth validation failed at /a: value is not of type string"},
	    {"{\"b\":\"1\"}", 0,
	     "Open mHealth validation failed at /b: value is not of type number"},
	    {"{\"c\":6}", 0,
	     "Open mHealth validation failed at /c: value is greater than the maximum 5"},
	    {"{\"d\":{\"z\":1}}", 0,
	     "Open mHealth validation failed at /d/z: value is not of type boolean"},
	    {"{\"e\":1}", 0, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object *v = json_tokener_parse(cases[i].doc);
		int rc = omh_validate(r, U "root-1.0.json", v, msg, sizeof msg);
		ck_assert_msg((rc == OMH_OK) == cases[i].valid, "%s: %s", cases[i].doc, msg);
		if (cases[i].msg)
			ck_assert_str_eq(msg, cases[i].msg);
		json_object_put(v);
	}
	/* a definition can be named directly */
	json_object *v = json_object_new_int(9);
	ck_assert_int_eq(omh_validate(r, U "leaf-1.0.json#/definitions/small", v, msg, sizeof msg),
	                 OMH_INVALID);
	ck_assert_str_eq(
	    msg, "Open mHealth validation failed at /: value is greater than the maximum 5");
	ck_assert_int_eq(omh_validate(r, U "unknown.json", v, msg, sizeof msg), OMH_INVALID);
	ck_assert_str_eq(msg, "Unresolvable schema reference " U "unknown.json.");
	json_object_put(v);
	omh_registry_free(r);
}
END_TEST

/* Large instances: no global budget on schema applications, only on nesting. */
START_TEST(engine_large_instance)
{
	const char *files[] = {
	    "omh/a.json",
	    "{\"type\":\"array\",\"items\":{\"allOf\":[{\"$ref\":\"#/definitions/n\"}]},"
	    "\"definitions\":{\"n\":{\"type\":\"integer\",\"minimum\":0}}}",
	    NULL};
	char err[256], msg[OMH_MSG_SIZE];
	struct omh_registry *r = inline_registry(files, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	json_object *arr = json_object_new_array();
	for (int i = 0; i < 200000; i++)
		json_object_array_add(arr, json_object_new_int(i));
	ck_assert_int_eq(omh_validate(r, U "a.json", arr, msg, sizeof msg), OMH_OK);
	json_object_array_put_idx(arr, 199999, json_object_new_int(-1));
	ck_assert_int_eq(omh_validate(r, U "a.json", arr, msg, sizeof msg), OMH_INVALID);
	ck_assert_str_eq(
	    msg, "Open mHealth validation failed at /199999: value is less than the minimum 0");
	json_object_put(arr);
	/* a deeply nested instance built in memory (deeper than the pointer buffer) */
	const char *files2[] = {"omh/t.json",
	                        "{\"type\":\"object\",\"properties\":{\"c\":{\"$ref\":\"#\"},\"v\":"
	                        "{\"type\":\"string\"}}}",
	                        NULL};
	struct omh_registry *r2 = inline_registry(files2, err, sizeof err);
	ck_assert_msg(r2 != NULL, "%s", err);
	json_object *root = json_object_new_object(), *cur = root;
	for (int i = 0; i < 100; i++) {
		json_object *n = json_object_new_object();
		json_object_object_add(cur, "c", n);
		cur = n;
	}
	ck_assert_int_eq(omh_validate(r2, U "t.json", root, msg, sizeof msg), OMH_OK);
	json_object_object_add(cur, "v", json_object_new_int(1));
	ck_assert_int_eq(omh_validate(r2, U "t.json", root, msg, sizeof msg), OMH_INVALID);
	ck_assert(strncmp(msg, "Open mHealth validation failed at /c/c/c/", 41) == 0);
	ck_assert(strstr(msg, ": value is not of type string") != NULL);
	json_object_put(root);
	omh_registry_free(r);
	omh_registry_free(r2);
}
END_TEST

START_TEST(engine_load_errors)
{
	char err[512];
	struct omh_registry *r = (struct omh_registry *)1;
	ck_assert_int_eq(omh_registry_load("/nonexistent/dir", &r, err, sizeof err), OMH_ERROR);
	ck_assert_ptr_null(r);
	ck_assert(strstr(err, "/nonexistent/dir") != NULL);
	const char *notjson[] = {"omh/a.json", "{\"type\": ", NULL};
	ck_assert_ptr_null(inline_registry(notjson, err, sizeof err));
	ck_assert(strstr(err, "a.json") != NULL);
	const char *badre[] = {"omh/a.json", "{\"pattern\": \"(a)\\\\1\"}", NULL};
	ck_assert_ptr_null(inline_registry(badre, err, sizeof err));
	ck_assert(strstr(err, "pattern") != NULL);
	const char *badtype[] = {"omh/a.json", "{\"type\": \"text\"}", NULL};
	ck_assert_ptr_null(inline_registry(badtype, err, sizeof err));
	const char *none[] = {NULL};
	ck_assert_ptr_null(inline_registry(none, err, sizeof err));
	omh_registry_free(NULL);
}
END_TEST

/* ------------------------------------------------------------------ official data, both schema
 * sets */

static struct omh_registry *reg_official, *reg_project;

static void load_registries(void)
{
	char err[512], dir[1024];
	if (!reg_project) {
		ck_assert_msg(omh_registry_load(OMH_PROJECT_SCHEMA_DIR, &reg_project, err,
		                                sizeof err) == OMH_OK,
		              "project schemas: %s", err);
	}
	if (!reg_official && *shared_dir()) {
		snprintf(dir, sizeof dir, "%s/schemas", shared_dir());
		ck_assert_msg(omh_registry_load(dir, &reg_official, err, sizeof err) == OMH_OK,
		              "official schemas in %s: %s", dir, err);
	}
}

static void free_registries(void)
{
	omh_registry_free(reg_official);
	omh_registry_free(reg_project);
	reg_official = reg_project = NULL;
}

struct counts {
	int pass, fail;
};

/* Runs every document of dir against uri in reg; expect_valid decides. Returns the count. */
static int run_dir(struct omh_registry *reg, const char *setname, const char *dir, const char *uri,
                   int expect_valid, const char *const *exceptions)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		char path[2048], msg[OMH_MSG_SIZE];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		int skip = 0;
		for (size_t i = 0; exceptions && exceptions[i]; i++)
			if (strstr(path, exceptions[i]))
				skip = 1;
		if (skip)
			continue;
		json_object *v = json_object_from_file(path);
		int rc = omh_validate(reg, uri, v, msg, sizeof msg);
		ck_assert_msg((rc == OMH_OK) == expect_valid,
		              "%s schemas: %s against %s should %s: %s", setname, path, uri,
		              expect_valid ? "pass" : "fail", msg);
		json_object_put(v);
		n++;
	}
	closedir(d);
	return n;
}

static const struct {
	const char *ns, *name, *version;
} seeded[] = {
    {"omh", "blood-glucose", "4.0"},     {"omh", "blood-pressure", "4.0"},
    {"omh", "body-temperature", "4.0"},  {"omh", "heart-rate", "2.0"},
    {"omh", "oxygen-saturation", "2.0"}, {"omh", "respiratory-rate", "2.0"},
    {"omh", "rr-interval", "1.0"},       {"omh", "body-weight", "3.0"},
    {"omh", "physical-activity", "1.2"}, {"omh", "step-count", "3.0"},
    {"omh", "sleep-episode", "1.1"},     {"omh", "sleep-duration", "2.0"},
};

START_TEST(seeded_scope_test_data)
{
	if (!have_shared())
		return;
	load_registries();
	char dir[1024], uri[512];
	snprintf(uri, sizeof uri, "%s%s-%s.json",
	         strcmp(seeded[_i].ns, "omh") ? OMH_BASE_IEEE : OMH_BASE_OMH, seeded[_i].name,
	         seeded[_i].version);
	struct omh_registry *sets[2] = {reg_official, reg_project};
	const char *names[2] = {"official", "project"};
	for (int s = 0; s < 2; s++) {
		ck_assert_msg(omh_registry_has(sets[s], uri), "%s schemas lack %s", names[s], uri);
		snprintf(dir, sizeof dir, "%s/test-data/%s/%s/%s/shouldPass", shared_dir(),
		         seeded[_i].ns, seeded[_i].name, seeded[_i].version);
		int np = run_dir(sets[s], names[s], dir, uri, 1, NULL);
		snprintf(dir, sizeof dir, "%s/test-data/%s/%s/%s/shouldFail", shared_dir(),
		         seeded[_i].ns, seeded[_i].name, seeded[_i].version);
		int nf = run_dir(sets[s], names[s], dir, uri, 0, NULL);
		ck_assert_msg(np > 0, "no shouldPass documents for %s", uri);
		ck_assert_int_ge(nf, 0);
	}
}
END_TEST

/*
 * Every official test-data folder whose schema is in a set: shouldPass passes, shouldFail fails.
 * The two documents listed are the deliberate differences of fhir.md §14.3: a date-time without an
 * offset is accepted (IEEE 1752: "assumed to be UTC"), and `format: uri` is not asserted.
 */
static const char *const spec_exceptions[] = {
    "/omh/date-time/1.0/shouldFail/date-time-without-timezone.json",
    "/omh/schema-id/1.1/shouldFail/invalid-url.json", NULL};

static int sweep(struct omh_registry *reg, const char *setname)
{
	char td[1024];
	int total = 0;
	const char *ns[2] = {"omh", "ieee"};
	for (int k = 0; k < 2; k++) {
		snprintf(td, sizeof td, "%s/test-data/%s", shared_dir(), ns[k]);
		DIR *d1 = opendir(td);
		ck_assert_msg(d1 != NULL, "cannot open %s", td);
		struct dirent *a;
		while ((a = readdir(d1)) != NULL) {
			if (a->d_name[0] == '.')
				continue;
			char p2[1536];
			snprintf(p2, sizeof p2, "%s/%s", td, a->d_name);
			DIR *d2 = opendir(p2);
			struct dirent *b;
			while (d2 && (b = readdir(d2)) != NULL) {
				if (b->d_name[0] == '.')
					continue;
				char uri[768], p3[2048];
				snprintf(uri, sizeof uri, "%s%s-%s.json",
				         k ? OMH_BASE_IEEE : OMH_BASE_OMH, a->d_name, b->d_name);
				if (!omh_registry_has(reg, uri))
					continue;
				snprintf(p3, sizeof p3, "%s/%s/shouldPass", p2, b->d_name);
				total += run_dir(reg, setname, p3, uri, 1, spec_exceptions);
				snprintf(p3, sizeof p3, "%s/%s/shouldFail", p2, b->d_name);
				total += run_dir(reg, setname, p3, uri, 0, spec_exceptions);
			}
			if (d2)
				closedir(d2);
		}
		closedir(d1);
	}
	return total;
}

START_TEST(all_official_test_data)
{
	if (!have_shared())
		return;
	load_registries();
	int n = sweep(reg_official, "official");
	ck_assert_int_ge(n, 580);
	int m = sweep(reg_project, "project");
	ck_assert_int_ge(m, 80);
	fprintf(
	    stderr,
	    "test_omh: official test data: %d documents checked with the official schemas, %d with "
	    "the project schemas\n",
	    n, m);
}
END_TEST

/* Equivalence: every official document (test data and examples) gets the same verdict from the
 * official and the project schema under every URI the project ships. */
static json_object *all_docs[1200];
static char all_names[1200][256];
static int n_docs;

static void collect_docs(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char p[2048];
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0) {
			if (n_docs < 1200) {
				all_docs[n_docs] = json_object_from_file(p);
				snprintf(all_names[n_docs], sizeof all_names[0], "%s",
				         p + strlen(shared_dir()));
				n_docs++;
			}
		} else {
			collect_docs(p);
		}
	}
	closedir(d);
}

START_TEST(project_schemas_equivalent)
{
	if (!have_shared())
		return;
	load_registries();
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/test-data", shared_dir());
	collect_docs(dir);
	snprintf(dir, sizeof dir, "%s/examples", shared_dir());
	collect_docs(dir);
	ck_assert_int_ge(n_docs, 590);
	int pairs = 0, nschemas = 0;
	const char *ns[2] = {"omh", "ieee"};
	for (int k = 0; k < 2; k++) {
		snprintf(dir, sizeof dir, "%s/%s", OMH_PROJECT_SCHEMA_DIR, ns[k]);
		DIR *d = opendir(dir);
		ck_assert_ptr_nonnull(d);
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			char uri[512];
			snprintf(uri, sizeof uri, "%s%s", k ? OMH_BASE_IEEE : OMH_BASE_OMH,
			         de->d_name);
			ck_assert_msg(omh_registry_has(reg_official, uri),
			              "no official schema for %s", uri);
			nschemas++;
			for (int i = 0; i < n_docs; i++) {
				char m1[OMH_MSG_SIZE], m2[OMH_MSG_SIZE];
				int r1 =
				    omh_validate(reg_official, uri, all_docs[i], m1, sizeof m1);
				int r2 = omh_validate(reg_project, uri, all_docs[i], m2, sizeof m2);
				ck_assert_msg(r1 == r2, "%s on %s: official %s, project %s",
				              all_names[i], uri, r1 ? m1 : "valid",
				              r2 ? m2 : "valid");
				pairs++;
			}
		}
		closedir(d);
	}
	ck_assert_int_ge(nschemas, 51);
	fprintf(stderr, "test_omh: %d schemas x %d documents = %d equal verdicts\n", nschemas,
	        n_docs, pairs);
	for (int i = 0; i < n_docs; i++)
		json_object_put(all_docs[i]);
	n_docs = 0;
}
END_TEST

/* ------------------------------------------------------------------ (c) complete data points */

/* "omh_heart-rate_2-0.json" -> "omh:heart-rate:2.0" */
static void code_of_example(const char *file, char *code, size_t len)
{
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s", file);
	*strrchr(tmp, '.') = 0;
	char *u1 = strchr(tmp, '_'), *u2 = strrchr(tmp, '_');
	*u1 = 0;
	*u2 = 0;
	char *dash = strrchr(u2 + 1, '-');
	*dash = '.';
	snprintf(code, len, "%s:%s:%s", tmp, u1 + 1, u2 + 1);
}

START_TEST(examples_validate)
{
	if (!have_shared())
		return;
	load_registries();
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/examples", shared_dir());
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !strstr(de->d_name, ".json"))
			continue;
		char path[2048], code[512], msg[OMH_MSG_SIZE];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		code_of_example(de->d_name, code, sizeof code);
		json_object *dp = json_object_from_file(path);
		ck_assert_ptr_nonnull(dp);
		ck_assert_msg(omh_validate_data_point(reg_official, code, dp, msg, sizeof msg) ==
		                  OMH_OK,
		              "official, %s as %s: %s", path, code, msg);
		ck_assert_msg(omh_validate_data_point(reg_project, code, dp, msg, sizeof msg) ==
		                  OMH_OK,
		              "project, %s as %s: %s", path, code, msg);
		/* the same data point under an unrelated code fails on the body */
		ck_assert_int_eq(omh_validate_data_point(reg_project, "omh:physical-activity:1.2",
		                                         dp, msg, sizeof msg),
		                 OMH_INVALID);
		ck_assert_str_eq(
		    msg,
		    "Open mHealth validation failed at /body: required property 'activity_name' is "
		    "missing");
		json_object_put(dp);
		n++;
	}
	closedir(d);
	ck_assert_int_eq(n, 7);
}
END_TEST

static const char *HR_DP =
    "{\"header\":{\"uuid\":\"9e8d5b4f-6ba4-4b0a-8a49-0a1a2b3c4d5e\","
    "\"schema_id\":{\"namespace\":\"omh\",\"name\":\"heart-rate\",\"version\":\"2.0\"},"
    "\"source_creation_date_time\":\"2025-01-01T10:00:00-08:00\",\"modality\":\"sensed\","
    "\"external_datasheets\":[{\"datasheet_type\":\"manufacturer\",\"datasheet_reference\":"
    "\"iHealth\"}]},"
    "\"body\":{\"heart_rate\":{\"value\":60,\"unit\":\"beats/min\"},"
    "\"effective_time_frame\":{\"date_time\":\"2025-01-01T10:00:00-08:00\"}}}";

/* Applies a JSON edit: replace dp[path...] with the JSON text val (NULL deletes). */
static json_object *edited(const char *base, const char *k1, const char *k2, const char *k3,
                           const char *val)
{
	json_object *dp = json_tokener_parse(base);
	json_object *o = dp;
	const char *keys[3] = {k1, k2, k3};
	int n = k3 ? 3 : k2 ? 2 : 1;
	for (int i = 0; i < n - 1; i++)
		ck_assert(json_object_object_get_ex(o, keys[i], &o));
	if (val)
		json_object_object_add(o, keys[n - 1], json_tokener_parse(val));
	else
		json_object_object_del(o, keys[n - 1]);
	return dp;
}

START_TEST(data_point_messages)
{
	load_registries();
	struct omh_registry *r = reg_project;
	char msg[OMH_MSG_SIZE];
	json_object *dp = json_tokener_parse(HR_DP);
	ck_assert_int_eq(omh_validate_data_point(r, "omh:heart-rate:2.0", dp, msg, sizeof msg),
	                 OMH_OK);
	ck_assert_str_eq(msg, "");
	/* step 3: code forms */
	const char *badcodes[] = {"omh:heart-rate",
	                          "heart-rate:2.0",
	                          "fhir:heart-rate:2.0",
	                          "omh:heart-rate:9.9",
	                          "omh::2.0",
	                          "omh:heart-rate:",
	                          "omh:a:b:c",
	                          "omh:../x:1.0",
	                          "QuestionnaireResponse",
	                          "",
	                          "OMH:heart-rate:2.0",
	                          "ieee:heart-rate:2.0"};
	for (size_t i = 0; i < sizeof badcodes / sizeof badcodes[0]; i++) {
		char want[256];
		snprintf(want, sizeof want, "No Open mHealth schema is available for code %s.",
		         badcodes[i]);
		ck_assert_int_eq(omh_validate_data_point(r, badcodes[i], dp, msg, sizeof msg),
		                 OMH_INVALID);
		ck_assert_str_eq(msg, want);
	}
	json_object_put(dp);

	/* step 1: shape */
	const char *shapes[] = {"[]",
	                        "{}",
	                        "{\"header\":{}}",
	                        "{\"body\":{}}",
	                        "{\"header\":[],\"body\":{}}",
	                        "{\"header\":{},\"body\":\"x\"}",
	                        "null"};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		json_object *v = json_tokener_parse(shapes[i]);
		ck_assert_int_eq(
		    omh_validate_data_point(r, "omh:heart-rate:2.0", v, msg, sizeof msg),
		    OMH_INVALID);
		ck_assert_str_eq(msg, "Open mHealth data point must have a header and a body.");
		json_object_put(v);
	}
	/* step 2 before step 3: header errors win over an unknown code */
	struct {
		const char *k1, *k2, *k3, *val, *code, *msg;
	} cases[] = {
	    {"header", "uuid", NULL, NULL, "omh:nope:1.0",
	     "Open mHealth validation failed at /header: required property 'uuid' is missing"},
	    {"header", "modality", NULL, "\"guessed\"", "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /header/modality: value is not one of the allowed "
	     "values"},
	    {"header", "source_creation_date_time", NULL, "\"yesterday\"", "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /header/source_creation_date_time: value is not a "
	     "valid date-time"},
	    {"header", "schema_id", "version", NULL, "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /header/schema_id: required property 'version' is "
	     "missing"},
	    {"header", "external_datasheets", NULL, "[{\"datasheet_type\":\"x\"}]",
	     "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /header/external_datasheets/0: required property "
	     "'datasheet_reference' is missing"},
	    {"body", "heart_rate", "unit", "\"beats/s\"", "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /body/heart_rate/unit: value is not one of the "
	     "allowed values"},
	    {"body", "heart_rate", "value", "\"60\"", "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /body/heart_rate/value: value is not of type "
	     "number"},
	    {"body", "effective_time_frame", "date_time", "\"2025-13-01T00:00:00Z\"",
	     "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /body/effective_time_frame/date_time: value is not "
	     "a valid "
	     "date-time"},
	    {"body", "effective_time_frame", NULL, "{}", "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /body/effective_time_frame: value does not match "
	     "exactly one of the "
	     "allowed schemas"},
	    {"body", "effective_time_frame", NULL,
	     "{\"date_time\":\"2025-01-01T00:00:00Z\",\"time_interval\":{\"date\":\"2025-01-01\","
	     "\"part_of_day\":\"morning\"}}",
	     "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /body/effective_time_frame: value matches more "
	     "than one of the "
	     "exclusive schemas"},
	    {"body", "effective_time_frame", NULL,
	     "{\"time_interval\":{\"start_date_time\":\"2025-01-01T00:00:00Z\",\"duration\":{"
	     "\"value\":1,"
	     "\"unit\":\"fortnight\"}}}",
	     "omh:heart-rate:2.0",
	     "Open mHealth validation failed at "
	     "/body/effective_time_frame/time_interval/duration/unit: value is "
	     "not one of the allowed values"},
	    {"body", "heart_rate", NULL, NULL, "omh:heart-rate:2.0",
	     "Open mHealth validation failed at /body: required property 'heart_rate' is missing"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object *v = edited(HR_DP, cases[i].k1, cases[i].k2, cases[i].k3, cases[i].val);
		for (int s = 0; s < 2; s++) {
			struct omh_registry *rr = s ? reg_official : reg_project;
			if (!rr)
				continue;
			ck_assert_int_eq(
			    omh_validate_data_point(rr, cases[i].code, v, msg, sizeof msg),
			    OMH_INVALID);
			if (!s) /* exact text with the project's schemas */
				ck_assert_str_eq(msg, cases[i].msg);
		}
		json_object_put(v);
	}
	/* a message buffer that is too small is truncated, never overrun */
	json_object *v = edited(HR_DP, "body", "heart_rate", "unit", "\"x\"");
	char small[16];
	ck_assert_int_eq(omh_validate_data_point(r, "omh:heart-rate:2.0", v, small, sizeof small),
	                 OMH_INVALID);
	ck_assert_uint_eq(strlen(small), sizeof small - 1);
	ck_assert_int_eq(omh_validate_data_point(r, "omh:heart-rate:2.0", v, NULL, 0), OMH_INVALID);
	json_object_put(v);
}
END_TEST

START_TEST(data_point_ieee_and_missing_header_schema)
{
	load_registries();
	char msg[OMH_MSG_SIZE];
	const char *sss =
	    "{\"header\":{\"uuid\":\"u\",\"schema_id\":{\"namespace\":\"ieee\",\"name\":\"sleep-"
	    "stage-summary\","
	    "\"version\":\"1.0\"},\"source_creation_date_time\":\"2025-01-02T08:00:00Z\"},"
	    "\"body\":{\"sleep_stage_summary\":{\"total_sleep_time\":{\"value\":7.5,\"unit\":\"h\"}"
	    ","
	    "\"rem_sleep_episode_count\":4,\"sleep_efficiency_percentage\":{\"value\":91,\"unit\":"
	    "\"%\"}},"
	    "\"sleep_stage_episodes\":[{\"sleep_stage_state\":\"REM_sleep\",\"sleep_stage_time_"
	    "frame\":{"
	    "\"time_interval\":{\"start_date_time\":\"2025-01-02T01:00:00Z\",\"end_date_time\":"
	    "\"2025-01-02T01:30:00Z\"}}}],"
	    "\"effective_time_frame\":{\"time_interval\":{\"start_date_time\":\"2025-01-01T23:00:"
	    "00Z\","
	    "\"duration\":{\"value\":9,\"unit\":\"h\"}}},\"is_main_sleep\":true}}";
	json_object *dp = json_tokener_parse(sss);
	ck_assert_ptr_nonnull(dp);
	ck_assert_msg(omh_validate_data_point(reg_project, "ieee:sleep-stage-summary:1.0", dp, msg,
	                                      sizeof msg) == OMH_OK,
	              "%s", msg);
	if (reg_official)
		ck_assert_msg(omh_validate_data_point(reg_official, "ieee:sleep-stage-summary:1.0",
		                                      dp, msg, sizeof msg) == OMH_OK,
		              "%s", msg);
	json_object_put(dp);
	dp = edited(
	    sss, "body", "sleep_stage_episodes", NULL,
	    "[{\"sleep_stage_state\":\"REM_sleep\",\"sleep_stage_time_frame\":{\"date_time\":"
	    "\"2025-01-02T01:00:00Z\"}}]");
	ck_assert_int_eq(omh_validate_data_point(reg_project, "ieee:sleep-stage-summary:1.0", dp,
	                                         msg, sizeof msg),
	                 OMH_INVALID);
	ck_assert_str_eq(msg, "Open mHealth validation failed at "
	                      "/body/sleep_stage_episodes/0/sleep_stage_time_frame: "
	                      "required property 'time_interval' is missing");
	json_object_put(dp);

	/* a registry without the header schema */
	const char *files[] = {"omh/x-1.0.json", "{}", NULL};
	char err[256];
	struct omh_registry *r = inline_registry(files, err, sizeof err);
	ck_assert_ptr_nonnull(r);
	dp = json_tokener_parse("{\"header\":{},\"body\":{}}");
	ck_assert_int_eq(omh_validate_data_point(r, "omh:x:1.0", dp, msg, sizeof msg), OMH_INVALID);
	ck_assert_str_eq(msg, "Unresolvable schema reference " OMH_HEADER_SCHEMA ".");
	json_object_put(dp);
	omh_registry_free(r);
}
END_TEST

/* Speed: a 100-entry batch of data points must validate well under a millisecond per entry. */
START_TEST(validation_speed)
{
	load_registries();
	json_object *dps[4];
	const char *codes[4] = {"omh:heart-rate:2.0", "omh:blood-pressure:4.0",
	                        "omh:step-count:3.0", "ieee:sleep-stage-summary:1.0"};
	dps[0] = json_tokener_parse(HR_DP);
	dps[1] = json_tokener_parse(
	    "{\"header\":{\"uuid\":\"u\",\"schema_id\":{\"namespace\":\"omh\",\"name\":\"blood-"
	    "pressure\","
	    "\"version\":\"4.0\"},\"source_creation_date_time\":\"2025-01-01T10:00:00Z\","
	    "\"modality\":\"sensed\"},"
	    "\"body\":{\"systolic_blood_pressure\":{\"value\":120,\"unit\":\"mmHg\"},\"diastolic_"
	    "blood_pressure\":{"
	    "\"value\":80,\"unit\":\"mmHg\"},\"body_posture\":\"sitting\",\"effective_time_frame\":"
	    "{"
	    "\"time_interval\":{\"start_date_time\":\"2025-01-01T10:00:00Z\",\"end_date_time\":"
	    "\"2025-01-01T10:01:00Z\"}}}}");
	dps[2] = json_tokener_parse(
	    "{\"header\":{\"uuid\":\"u\",\"schema_id\":{\"namespace\":\"omh\",\"name\":\"step-"
	    "count\","
	    "\"version\":\"3.0\"},\"source_creation_date_time\":\"2025-01-01T10:00:00Z\"},"
	    "\"body\":{\"step_count\":{\"value\":1000,\"unit\":\"steps\"},\"effective_time_frame\":"
	    "{"
	    "\"time_interval\":{\"date\":\"2025-01-01\",\"part_of_day\":\"morning\"}}}}");
	dps[3] = json_tokener_parse(
	    "{\"header\":{\"uuid\":\"u\",\"schema_id\":{\"namespace\":\"ieee\",\"name\":\"sleep-"
	    "stage-summary\","
	    "\"version\":\"1.0\"},\"source_creation_date_time\":\"2025-01-02T08:00:00Z\"},"
	    "\"body\":{\"sleep_stage_summary\":{\"total_sleep_time\":{\"value\":7.5,\"unit\":\"h\"}"
	    "},"
	    "\"effective_time_frame\":{\"time_interval\":{\"end_date_time\":\"2025-01-02T08:00:"
	    "00Z\","
	    "\"duration\":{\"value\":9,\"unit\":\"h\"}}}}}");
	char msg[OMH_MSG_SIZE];
	struct omh_registry *sets[2] = {reg_project, reg_official};
	for (int s = 0; s < 2; s++) {
		if (!sets[s])
			continue;
		for (int i = 0; i < 4; i++)
			ck_assert_msg(omh_validate_data_point(sets[s], codes[i], dps[i], msg,
			                                      sizeof msg) == OMH_OK,
			              "%s: %s", codes[i], msg);
		const int rounds = 200, batch = 100;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int k = 0; k < rounds; k++)
			for (int i = 0; i < batch; i++)
				ck_assert(omh_validate_data_point(sets[s], codes[i % 4], dps[i % 4],
				                                  msg, sizeof msg) == OMH_OK);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
		             (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) /
		            (rounds * batch);
		fprintf(stderr, "test_omh: %s schemas: %.2f us per data point\n",
		        s ? "official" : "project", us);
		/* the figure is informational: timings are measured by bench/, never asserted */
	}
	for (int i = 0; i < 4; i++)
		json_object_put(dps[i]);
}
END_TEST

/* ------------------------------------------------------------------ (d) effective times */

#define S_ INT64_C(1000000)

/* 2025-01-02T07:30:00Z */
static const int64_t T0 = INT64_C(1735803000) * S_;

static const struct {
	const char *tf; /* effective_time_frame JSON, or NULL for a body without it */
	int n;
	int has_dt, has_start, has_end;
	int64_t dt, start, end;
} et_cases[] = {
    /* the §4.3 example */
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-01T23:30:00-08:00\",\"duration\":{"
     "\"value\":45,\"unit\":"
     "\"min\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 45 * 60 * S_},
    /* rule 1 */
    {"{\"date_time\":\"2025-01-02T07:30:00Z\"}", 1, 1, 0, 0, T0, 0, 0},
    {"{\"date_time\":\"2025-01-02 07:30:00\"}", 1, 1, 0, 0, T0, 0, 0}, /* space, no offset = UTC */
    {"{\"date_time\":\"2025-01-02T07:30\"}", 1, 1, 0, 0, T0, 0, 0},    /* seconds optional */
    {"{\"date_time\":\"2025-01-02T09:30:00.5+02:00\"}", 1, 1, 0, 0, T0 + 500000, 0, 0},
    {"{\"date_time\":\"2025-01-02T07:30:00.0000015Z\"}", 1, 1, 0, 0, T0 + 2, 0,
     0}, /* rounded to us */
    {"{\"date_time\":\"2025-01-02T07:30:00.123456Z\"}", 1, 1, 0, 0, T0 + 123456, 0, 0},
    {"{\"date_time\":\"1969-12-31T23:59:59Z\"}", 1, 1, 0, 0, -S_, 0, 0},
    {"{\"date_time\":\"yesterday\",\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\","
     "\"end_date_time\":\"2025-01-02T08:30:00Z\"}}",
     0, 0, 0, 0, 0, 0, 0}, /* unparsable date_time: rule 2 is not tried */
    {"{\"date_time\":\"2025-02-30T07:30:00Z\"}", 0, 0, 0, 0, 0, 0, 0},
    {"{\"date_time\":\"2025-01-02T07:30:00+0100\"}", 0, 0, 0, 0, 0, 0, 0},
    {"{\"date_time\":42}", 0, 0, 0, 0, 0, 0, 0},
    /* rule 2 */
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"end_date_time\":\"2025-01-"
     "02T08:30:00Z\","
     "\"duration\":{\"value\":1,\"unit\":\"min\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 3600 * S_},
    /* rule 3: fixed units, fractions, numeric strings */
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":1.5,"
     "\"unit\":"
     "\"h\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 5400 * S_},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":"
     "\"2\",\"unit\":"
     "\"wk\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 2 * 604800 * S_},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":"
     "1500,\"unit\":"
     "\"ns\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 2},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":"
     "2500000,\"unit\":"
     "\"ps\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 3},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":250,"
     "\"unit\":"
     "\"ms\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 250000},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":7,"
     "\"unit\":"
     "\"us\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 7},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":30,"
     "\"unit\":"
     "\"sec\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 30 * S_},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":2,"
     "\"unit\":"
     "\"d\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 2 * 86400 * S_},
    /* rule 3: unknown unit keeps the start */
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":2,"
     "\"unit\":"
     "\"fortnight\"}}}",
     1, 0, 1, 0, 0, T0, 0},
    /* rule 3: calendar units, clamped */
    {"{\"time_interval\":{\"start_date_time\":\"2024-01-31T10:00:00Z\",\"duration\":{\"value\":1,"
     "\"unit\":"
     "\"Mo\"}}}",
     2, 0, 1, 1, 0, INT64_C(1706695200) * S_, INT64_C(1709200800) * S_}, /* 2024-02-29T10:00Z */
    {"{\"time_interval\":{\"start_date_time\":\"2023-01-31T10:00:00Z\",\"duration\":{\"value\":1.9,"
     "\"unit\":"
     "\"Mo\"}}}",
     2, 0, 1, 1, 0, INT64_C(1675159200) * S_, INT64_C(1677578400) * S_}, /* 2023-02-28T10:00Z */
    {"{\"time_interval\":{\"start_date_time\":\"2024-02-29T00:00:00Z\",\"duration\":{\"value\":1,"
     "\"unit\":"
     "\"yr\"}}}",
     2, 0, 1, 1, 0, INT64_C(1709164800) * S_, INT64_C(1740700800) * S_}, /* 2025-02-28T00:00Z */
    {"{\"time_interval\":{\"start_date_time\":\"2024-11-15T00:00:00Z\",\"duration\":{\"value\":3,"
     "\"unit\":"
     "\"Mo\"}}}",
     2, 0, 1, 1, 0, INT64_C(1731628800) * S_, INT64_C(1739577600) * S_}, /* 2025-02-15T00:00Z */
    /* rule 4 */
    {"{\"time_interval\":{\"end_date_time\":\"2025-01-02T08:15:00Z\",\"duration\":{\"value\":45,"
     "\"unit\":"
     "\"min\"}}}",
     2, 0, 1, 1, 0, T0, T0 + 45 * 60 * S_},
    {"{\"time_interval\":{\"end_date_time\":\"2024-03-31T10:00:00Z\",\"duration\":{\"value\":1,"
     "\"unit\":"
     "\"Mo\"}}}",
     2, 0, 1, 1, 0, INT64_C(1709200800) * S_,
     INT64_C(1711879200) * S_}, /* start 2024-02-29T10:00Z */
    {"{\"time_interval\":{\"end_date_time\":\"2025-01-02T08:15:00Z\",\"duration\":{\"value\":1,"
     "\"unit\":"
     "\"eon\"}}}",
     1, 0, 0, 1, 0, 0, T0 + 45 * 60 * S_},
    /* rule 5 */
    {"{\"time_interval\":{\"date\":\"2025-01-02\",\"part_of_day\":\"morning\"}}", 2, 0, 1, 1, 0,
     INT64_C(1735776000) * S_ + 6 * 3600 * S_, INT64_C(1735776000) * S_ + 12 * 3600 * S_},
    {"{\"time_interval\":{\"date\":\"2025-01-02\",\"part_of_day\":\"afternoon\"}}", 2, 0, 1, 1, 0,
     INT64_C(1735776000) * S_ + 12 * 3600 * S_, INT64_C(1735776000) * S_ + 18 * 3600 * S_},
    {"{\"time_interval\":{\"date\":\"2025-01-02\",\"part_of_day\":\"evening\"}}", 2, 0, 1, 1, 0,
     INT64_C(1735776000) * S_ + 18 * 3600 * S_, INT64_C(1735776000) * S_ + 24 * 3600 * S_},
    {"{\"time_interval\":{\"date\":\"2025-01-02\",\"part_of_day\":\"night\"}}", 2, 0, 1, 1, 0,
     INT64_C(1735776000) * S_, INT64_C(1735776000) * S_ + 6 * 3600 * S_},
    {"{\"time_interval\":{\"date\":\"2025-01-02\",\"part_of_day\":\"noon\"}}", 0, 0, 0, 0, 0, 0, 0},
    {"{\"time_interval\":{\"date\":\"2025-1-2\",\"part_of_day\":\"night\"}}", 0, 0, 0, 0, 0, 0, 0},
    /* rule 6 and partial shapes */
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\"}}", 0, 0, 0, 0, 0, 0, 0},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":"
     "\"ten\","
     "\"unit\":\"min\"}}}",
     0, 0, 0, 0, 0, 0, 0},
    {"{\"time_interval\":{\"start_date_time\":\"2025-01-02T07:30:00Z\",\"duration\":{\"value\":1,"
     "\"unit\":5}}}",
     0, 0, 0, 0, 0, 0, 0},
    {"{\"time_interval\":\"2025\"}", 0, 0, 0, 0, 0, 0, 0},
    {"{}", 0, 0, 0, 0, 0, 0, 0},
    {"[]", 0, 0, 0, 0, 0, 0, 0},
    {NULL, 0, 0, 0, 0, 0, 0, 0},
};

START_TEST(effective_times)
{
	json_object *body = json_object_new_object();
	if (et_cases[_i].tf) {
		json_object *tf = json_tokener_parse(et_cases[_i].tf);
		ck_assert_msg(tf != NULL, "bad test JSON %s", et_cases[_i].tf);
		json_object_object_add(body, "effective_time_frame", tf);
	}
	struct omh_times t;
	memset(&t, 0x5a, sizeof t);
	int n = omh_effective_times(body, &t);
	const char *what = et_cases[_i].tf ? et_cases[_i].tf : "(none)";
	ck_assert_msg(n == et_cases[_i].n, "%s: %d columns, expected %d", what, n, et_cases[_i].n);
	ck_assert_msg(t.has_date_time == et_cases[_i].has_dt, "%s: date_time flag", what);
	ck_assert_msg(t.has_start == et_cases[_i].has_start, "%s: start flag", what);
	ck_assert_msg(t.has_end == et_cases[_i].has_end, "%s: end flag", what);
	if (t.has_date_time)
		ck_assert_msg(t.date_time == et_cases[_i].dt, "%s: date_time %lld != %lld", what,
		              (long long)t.date_time, (long long)et_cases[_i].dt);
	if (t.has_start)
		ck_assert_msg(t.start == et_cases[_i].start, "%s: start %lld != %lld", what,
		              (long long)t.start, (long long)et_cases[_i].start);
	if (t.has_end)
		ck_assert_msg(t.end == et_cases[_i].end, "%s: end %lld != %lld", what,
		              (long long)t.end, (long long)et_cases[_i].end);
	json_object_put(body);
}
END_TEST

START_TEST(effective_times_odd_bodies)
{
	struct omh_times t;
	ck_assert_int_eq(omh_effective_times(NULL, &t), 0);
	ck_assert(!t.has_date_time && !t.has_start && !t.has_end);
	json_object *s = json_object_new_string("x");
	ck_assert_int_eq(omh_effective_times(s, &t), 0);
	json_object_put(s);
}
END_TEST

/* ------------------------------------------------------------------ main */

static void teardown_all(void)
{
	free_registries();
}

int main(void)
{
	Suite *s = suite_create("omh");
	TCase *tc = tcase_create("regex");
	tcase_add_loop_test(tc, regex_cases, 0, (int)(sizeof re_cases / sizeof re_cases[0]));
	tcase_add_test(tc, regex_unsupported);
	tcase_add_test(tc, date_time_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_add_loop_test(tc, engine_keywords, 0, (int)(sizeof eng_cases / sizeof eng_cases[0]));
	tcase_add_test(tc, engine_cross_file_refs);
	tcase_add_test(tc, engine_large_instance);
	tcase_add_test(tc, engine_load_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("official");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown_all);
	tcase_add_loop_test(tc, seeded_scope_test_data, 0, (int)(sizeof seeded / sizeof seeded[0]));
	tcase_add_test(tc, all_official_test_data);
	tcase_add_test(tc, project_schemas_equivalent);
	tcase_add_test(tc, examples_validate);
	tcase_add_test(tc, data_point_messages);
	tcase_add_test(tc, data_point_ieee_and_missing_header_schema);
	tcase_add_test(tc, validation_speed);
	suite_add_tcase(s, tc);

	tc = tcase_create("effective_times");
	tcase_add_loop_test(tc, effective_times, 0, (int)(sizeof et_cases / sizeof et_cases[0]));
	tcase_add_test(tc, effective_times_odd_bodies);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
