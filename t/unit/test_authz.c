/* Unit tests of authz: every rule as a table of inputs and expected outputs, one loop test per
 * table (the failing row is named by its index and input). */
#include "authz/authz.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))
#define ALL (SMART_C | SMART_R | SMART_U | SMART_D | SMART_S)
#define OMH FHIR_SYS_OMH
#define IEEE FHIR_SYS_IEEE

/* ---------- one SMART scope ---------- */

static const struct {
	const char *scope;
	int rc;
	char ctx;
	const char *type;
	unsigned perms;
	int n_codes;
	const char *system0, *code0; /* the first code */
} parse_rows[] = {
    /* contexts and types */
    {"patient/Observation.rs", 0, 'p', "Observation", SMART_R | SMART_S, 0, NULL, NULL},
    {"user/Observation.rs", 0, 'u', "Observation", SMART_R | SMART_S, 0, NULL, NULL},
    {"system/Observation.rs", 0, 's', "Observation", SMART_R | SMART_S, 0, NULL, NULL},
    {"user/Patient.rs", 0, 'u', "Patient", SMART_R | SMART_S, 0, NULL, NULL},
    {"user/Group.r", 0, 'u', "Group", SMART_R, 0, NULL, NULL},
    {"user/Device.s", 0, 'u', "Device", SMART_S, 0, NULL, NULL},
    {"user/Organization.c", 0, 'u', "Organization", SMART_C, 0, NULL, NULL},
    {"user/Practitioner.d", 0, 'u', "Practitioner", SMART_D, 0, NULL, NULL},
    {"patient/*.rs", 0, 'p', "*", SMART_R | SMART_S, 0, NULL, NULL},
    /* v1 permissions */
    {"user/Patient.read", 0, 'u', "Patient", SMART_R | SMART_S, 0, NULL, NULL},
    {"system/Device.write", 0, 's', "Device", SMART_C | SMART_U | SMART_D, 0, NULL, NULL},
    {"user/Group.*", 0, 'u', "Group", ALL, 0, NULL, NULL},
    {"user/*.*", 0, 'u', "*", ALL, 0, NULL, NULL},
    /* v2 letters: any subset of "cruds" in that order */
    {"user/*.cruds", 0, 'u', "*", ALL, 0, NULL, NULL},
    {"patient/Observation.crs", 0, 'p', "Observation", SMART_C | SMART_R | SMART_S, 0, NULL, NULL},
    {"patient/Observation.cu", 0, 'p', "Observation", SMART_C | SMART_U, 0, NULL, NULL},
    {"patient/Observation.ds", 0, 'p', "Observation", SMART_D | SMART_S, 0, NULL, NULL},
    {"patient/Observation.u", 0, 'p', "Observation", SMART_U, 0, NULL, NULL},
    {"patient/Observation.sr", -1, 0, NULL, 0, 0, NULL, NULL},     /* out of order */
    {"patient/Observation.rr", -1, 0, NULL, 0, 0, NULL, NULL},     /* repeated */
    {"patient/Observation.crudss", -1, 0, NULL, 0, 0, NULL, NULL}, /* repeated */
    {"patient/Observation.x", -1, 0, NULL, 0, 0, NULL, NULL},      /* unknown letter */
    {"patient/Observation.rx", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Observation.R", -1, 0, NULL, 0, 0, NULL, NULL}, /* case */
    {"patient/Observation.", -1, 0, NULL, 0, 0, NULL, NULL},  /* empty */
    {"patient/Observation.reads", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Observation.Read", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Observation.**", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Observation.r.s", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Observation.r s", -1, 0, NULL, 0, 0, NULL, NULL},
    /* malformed or unknown */
    {"", -1, 0, NULL, 0, 0, NULL, NULL},
    {"openid", -1, 0, NULL, 0, 0, NULL, NULL},
    {"launch/patient", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Observation", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Condition.rs", -1, 0, NULL, 0, 0, NULL, NULL}, /* unknown resource */
    {"patient/observation.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Observations.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/**.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {"admin/Observation.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {"Patient/Observation.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patients/Observation.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {"/Observation.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient//Observation.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    {" patient/Observation.rs", -1, 0, NULL, 0, 0, NULL, NULL},
    /* code restrictions */
    {"patient/Observation.rs?code=" OMH "|omh:heart-rate:2.0&code=a|b", 0, 'p', "Observation",
     SMART_R | SMART_S, 2, OMH, "omh:heart-rate:2.0"},
    {"user/*.rs?code=a|b", 0, 'u', "*", SMART_R | SMART_S, 1, "a", "b"},
    {"user/Observation.rs?code=|b", 0, 'u', "Observation", SMART_R | SMART_S, 1, "", "b"},
    {"user/Observation.rs?code=a|b|c", 0, 'u', "Observation", SMART_R | SMART_S, 1, "a", "b|c"},
    {"user/Observation.rs?code=a%7Cb", 0, 'u', "Observation", SMART_R | SMART_S, 1, "a", "b"},
    {"user/Observation.rs?code=a%2x|b", -1, 0, NULL, 0, 0, NULL, NULL}, /* bad escape */
    {"user/Observation.rs?code=a|b&&code=c|d", 0, 'u', "Observation", SMART_R | SMART_S, 2, "a",
     "b"},
    {"user/Observation.rs?code=a.b|c.d", 0, 'u', "Observation", SMART_R | SMART_S, 1, "a.b", "c.d"},
    {"user/Observation.rs?code=1|1&code=2|2&code=3|3&code=4|4&code=5|5&code=6|6&code=7|7&code=8|8",
     0, 'u', "Observation", SMART_R | SMART_S, 8, "1", "1"},
    {"user/Observation.rs?code=1|1&code=2|2&code=3|3&code=4|4&code=5|5&code=6|6&code=7|7&code=8|8"
     "&code=9|9",
     -1, 0, NULL, 0, 0, NULL, NULL},                               /* more than 8 codes */
    {"user/Observation.rs?code=b", -1, 0, NULL, 0, 0, NULL, NULL}, /* no system bar */
    {"user/Observation.rs?code=", -1, 0, NULL, 0, 0, NULL, NULL},
    {"user/Observation.rs?", -1, 0, NULL, 0, 0, NULL, NULL},
    {"user/Observation.rs?&", -1, 0, NULL, 0, 0, NULL, NULL},
    {"user/Observation.rs?category=x", -1, 0, NULL, 0, 0, NULL, NULL},
    {"user/Observation.rs?code=a|b&category=x", -1, 0, NULL, 0, 0, NULL, NULL},
    {"patient/Patient.rs?code=a|b", -1, 0, NULL, 0, 0, NULL, NULL}, /* codes: Observation, * */
    {"user/Device.rs?code=a|b", -1, 0, NULL, 0, 0, NULL, NULL},
    {"user/Observation?code=a|b.rs", -1, 0, NULL, 0, 0, NULL, NULL},
};

START_TEST(smart_parse_table)
{
	struct arena *a = arena_new();
	const char *in = parse_rows[_i].scope;
	struct smart_scope s;
	int rc = authz_smart_parse(a, in, strlen(in), &s);
	ck_assert_msg(rc == parse_rows[_i].rc, "row %d \"%s\": rc %d", _i, in, rc);
	if (rc == 0) {
		ck_assert_int_eq(s.context, parse_rows[_i].ctx);
		ck_assert_str_eq(s.type, parse_rows[_i].type);
		ck_assert_uint_eq(s.perms, parse_rows[_i].perms);
		ck_assert_int_eq(s.n_codes, parse_rows[_i].n_codes);
		if (s.n_codes) {
			ck_assert_str_eq(s.codes[0].system, parse_rows[_i].system0);
			ck_assert_str_eq(s.codes[0].code, parse_rows[_i].code0);
		}
	}
	arena_free(a);
}
END_TEST

START_TEST(smart_parse_lengths)
{
	struct arena *a = arena_new();
	struct smart_scope s;
	/* only scope[0..n) is read */
	ck_assert_int_eq(authz_smart_parse(a, "user/Patient.rs user/Group.rs", 15, &s), 0);
	ck_assert_str_eq(s.type, "Patient");
	ck_assert_int_eq(authz_smart_parse(a, "user/Patient.rsx", 15, &s), 0);
	ck_assert_int_eq(authz_smart_parse(a, "user/Patient.rs", 14, &s), 0);
	ck_assert_uint_eq(s.perms, SMART_R);
	ck_assert_int_eq(authz_smart_parse(a, "user/Patient.rs", 0, &s), -1);
	/* a very long code value */
	size_t n = 20000;
	char *big = arena_alloc(a, n + 64);
	strcpy(big, "user/Observation.rs?code=s|");
	size_t k = strlen(big);
	memset(big + k, '5', n);
	big[k + n] = 0;
	ck_assert_int_eq(authz_smart_parse(a, big, strlen(big), &s), 0);
	ck_assert_uint_eq(strlen(s.codes[0].code), n);
	/* a very long type is unknown */
	strcpy(big, "user/");
	memset(big + 5, 'A', n);
	strcpy(big + 5 + n, ".rs");
	ck_assert_int_eq(authz_smart_parse(a, big, strlen(big), &s), -1);
	arena_free(a);
}
END_TEST

/* ---------- scope lists ---------- */

static const struct {
	char op; /* 'h' authz_scope_has(a, b), 's' authz_scope_subset(a, b) */
	const char *a, *b;
	bool expect;
} list_rows[] = {
    {'h', "openid email", "email", true},
    {'h', "openid email", "openid", true},
    {'h', "openid emails", "email", false},
    {'h', "openid email", "mail", false},
    {'h', "openid  email ", "email", true},
    {'h', "  email", "email", true},
    {'h', "", "email", false},
    {'h', NULL, "email", false},
    {'h', "openid", NULL, false},
    {'h', "openid email", "", false},
    {'h', "openid email", "openid email", false},
    {'h', "login consent", "login", true},
    {'h', "Email", "email", false},
    {'s', "email openid", "openid email", true},
    {'s', "openid fhirUser", "openid email", false},
    {'s', "", "openid", true},
    {'s', NULL, "openid", true},
    {'s', "   ", NULL, true},
    {'s', "openid", NULL, false},
    {'s', "openid openid", "openid", true},
    {'s', "openid", "", false},
    {'s', "patient/*.rs", "patient/*.rs openid", true},
    {'s', "patient/*.r", "patient/*.rs", false},
    {'s', "patient/*.rs", "patient/*.r", false},
};

START_TEST(scope_list_table)
{
	bool got = list_rows[_i].op == 'h' ? authz_scope_has(list_rows[_i].a, list_rows[_i].b)
	                                   : authz_scope_subset(list_rows[_i].a, list_rows[_i].b);
	ck_assert_msg(got == list_rows[_i].expect, "row %d %c(\"%s\", \"%s\")", _i,
	              list_rows[_i].op, list_rows[_i].a ? list_rows[_i].a : "(null)",
	              list_rows[_i].b ? list_rows[_i].b : "(null)");
}
END_TEST

START_TEST(scope_list_long)
{
	/* found by fuzz_scope: a scope of 512 bytes or more was never "in" any set (a refresh
	 * repeating the granted long code-restricted scope got invalid_scope) */
	char longscope[1200];
	strcpy(longscope, "patient/Observation.rs?code=");
	size_t n = strlen(longscope);
	memset(longscope + n, '5', 1000);
	longscope[n + 1000] = 0;
	char both[1300];
	snprintf(both, sizeof(both), "openid %s", longscope);
	ck_assert(authz_scope_subset(longscope, both));
	ck_assert(authz_scope_subset(both, both));
	ck_assert(!authz_scope_subset(both, "openid"));
	ck_assert(authz_scope_has(both, longscope));
	longscope[n + 999] = '6';
	ck_assert(!authz_scope_has(both, longscope));
}
END_TEST

/* ---------- granting ---------- */

#define CODE SCOPE_GRANT_CODE
#define CC SCOPE_GRANT_CLIENT_CREDENTIALS
static const struct {
	const char *requested;
	enum scope_grant kind;
	bool patient_user;
	int rc;
	const char *granted; /* rc 0 */
	const char *bad;     /* rc -1 */
} grant_rows[] = {
    {NULL, CODE, false, 0, "openid email", NULL},
    {"", CODE, false, 0, "openid email", NULL},
    {"", CC, false, 0, "openid email", NULL},
    {"   ", CODE, false, 0, "", NULL},
    {"openid", CODE, false, 0, "openid", NULL},
    {"openid email fhirUser", CODE, false, 0, "openid email fhirUser", NULL},
    {"fhirUser openid", CODE, false, 0, "fhirUser openid", NULL},
    /* duplicates once, in request order; no-effect scopes dropped */
    {"openid openid offline_access email profile launch/patient", CODE, false, 0, "openid email",
     NULL},
    {"email  openid   email", CODE, false, 0, "email openid", NULL},
    {"patient/*.rs patient/*.rs openid patient/*.rs", CODE, true, 0, "patient/*.rs openid", NULL},
    {"online_access launch profile", CODE, false, 0, "", NULL},
    /* launch/patient: patient users in the code flow only */
    {"launch/patient openid", CODE, true, 0, "launch/patient openid", NULL},
    {"launch/patient openid", CODE, false, 0, "openid", NULL},
    {"launch/patient openid", CC, true, 0, "openid", NULL},
    /* resource scopes per grant */
    {"openid patient/Observation.rs", CODE, false, 0, "openid patient/Observation.rs", NULL},
    {"user/*.cruds", CODE, false, 0, "user/*.cruds", NULL},
    {"system/*.rs", CODE, false, -1, NULL, "system/*.rs"},
    {"openid system/Observation.read", CODE, true, -1, NULL, "system/Observation.read"},
    {"patient/*.rs", CC, false, -1, NULL, "patient/*.rs"},
    {"system/*.rs user/Observation.rs", CC, false, 0, "system/*.rs user/Observation.rs", NULL},
    {"user/Observation.rs?code=a|b", CC, false, 0, "user/Observation.rs?code=a|b", NULL},
    /* invalid: the first bad scope is named */
    {"openid foo", CODE, false, -1, NULL, "foo"},
    {"foo bar", CODE, false, -1, NULL, "foo"},
    {"openid patient/Condition.rs", CODE, false, -1, NULL, "patient/Condition.rs"},
    {"openid patient/Observation.sr", CODE, false, -1, NULL, "patient/Observation.sr"},
    {"openid patient/Observation.", CODE, false, -1, NULL, "patient/Observation."},
    {"OpenID", CODE, false, -1, NULL, "OpenID"},
    {"openid,email", CODE, false, -1, NULL, "openid,email"},
    {"openid patient/Patient.rs?code=a|b", CODE, false, -1, NULL, "patient/Patient.rs?code=a|b"},
};

START_TEST(grant_table)
{
	struct arena *a = arena_new();
	char *granted = NULL;
	const char *bad = NULL;
	int rc = authz_scope_grant(a, grant_rows[_i].requested, grant_rows[_i].kind,
	                           grant_rows[_i].patient_user, &granted, &bad);
	ck_assert_msg(rc == grant_rows[_i].rc, "row %d \"%s\": rc %d", _i,
	              grant_rows[_i].requested ? grant_rows[_i].requested : "(null)", rc);
	if (rc == 0) {
		ck_assert_str_eq(granted, grant_rows[_i].granted);
		ck_assert_ptr_null(bad);
	} else {
		ck_assert_str_eq(bad, grant_rows[_i].bad);
	}
	arena_free(a);
}
END_TEST

START_TEST(grant_lengths)
{
	struct arena *a = arena_new();
	char *granted;
	const char *bad;
	/* 4096 bytes are accepted, 4097 are not ("scope" names the parameter) */
	char *req = arena_alloc(a, 5000);
	memset(req, ' ', 4096);
	memcpy(req, "openid", 6);
	req[4096] = 0;
	ck_assert_int_eq(authz_scope_grant(a, req, CODE, false, &granted, &bad), 0);
	ck_assert_str_eq(granted, "openid");
	req[4096] = ' ';
	req[4097] = 0;
	ck_assert_int_eq(authz_scope_grant(a, req, CODE, false, &granted, &bad), -1);
	ck_assert_str_eq(bad, "scope");
	/* a granted scope repeats in a refresh: the grant is its own subset */
	ck_assert_int_eq(authz_scope_grant(a, "openid user/*.rs", CODE, false, &granted, &bad), 0);
	ck_assert(authz_scope_subset(granted, granted));
	arena_free(a);
}
END_TEST

/* ---------- evaluation per FHIR interaction ---------- */

#define PAT 40001 /* a patient user's patient id */
static const struct {
	const char *scope;
	int64_t patient_id;
	const char *type;
	char letter;
	bool allowed, self_only;
	int ncodes;
} eval_rows[] = {
    /* no resource scopes: everything */
    {NULL, 0, "Observation", 'r', true, false, 0},
    {"", PAT, "Observation", 'c', true, false, 0},
    {"openid email", 0, "Patient", 's', true, false, 0},
    {"openid launch/patient fhirUser", PAT, "Observation", 'c', true, false, 0},
    /* patient context: only for a patient user, then its compartment only */
    {"openid patient/Observation.rs", PAT, "Observation", 'r', true, true, 0},
    {"openid patient/Observation.rs", PAT, "Observation", 's', true, true, 0},
    {"openid patient/Observation.rs", PAT, "Observation", 'c', false, false, 0},
    {"openid patient/Observation.rs", 0, "Observation", 'r', false, false, 0},
    {"openid patient/Observation.rs", PAT, "Patient", 'r', false, false, 0},
    {"patient/*.rs", PAT, "Patient", 's', true, true, 0},
    {"patient/*.rs", PAT, "Device", 'r', true, true, 0},
    {"patient/Observation.crs", PAT, "Observation", 'c', true, true, 0},
    {"patient/Observation.read", PAT, "Observation", 's', true, true, 0},
    {"patient/Observation.write", PAT, "Observation", 'c', true, true, 0},
    {"patient/Observation.write", PAT, "Observation", 'r', false, false, 0},
    /* user and system contexts: the caller's own access rules, not only its compartment */
    {"user/Observation.rs", 0, "Observation", 's', true, false, 0},
    {"user/Observation.rs", PAT, "Observation", 'r', true, false, 0},
    {"system/Observation.rs", 0, "Observation", 'r', true, false, 0},
    {"user/*.cruds", 0, "Practitioner", 'c', true, false, 0},
    {"user/*.*", 0, "Group", 'd', true, false, 0},
    {"user/Group.rs", 0, "Observation", 'r', false, false, 0},
    {"user/Observation.s", 0, "Observation", 'r', false, false, 0},
    {"user/Observation.r", 0, "Observation", 's', false, false, 0},
    /* a user scope widens a patient one */
    {"patient/*.rs user/Observation.rs", PAT, "Observation", 'r', true, false, 0},
    {"patient/*.rs user/Observation.rs", PAT, "Patient", 'r', true, true, 0},
    /* invalid or unknown resource scopes are resource scopes that grant nothing */
    {"openid patient/Condition.rs", PAT, "Observation", 'r', false, false, 0},
    {"patient/Observation.sr", PAT, "Observation", 'r', false, false, 0},
    {"user/foo", 0, "Patient", 'r', false, false, 0},
    {"patient/Condition.rs user/Patient.rs", 0, "Patient", 'r', true, false, 0},
    /* duplicated scopes */
    {"user/Observation.rs user/Observation.rs", 0, "Observation", 'r', true, false, 0},
    /* unknown letters grant nothing */
    {"user/*.cruds", 0, "Observation", 'x', false, false, 0},
    {"user/*.cruds", 0, "Observation", 0, false, false, 0},
    /* code restrictions: Observations only, and only when no unrestricted scope covers it */
    {"user/Observation.rs?code=a|b", 0, "Observation", 'r', true, false, 1},
    {"user/Observation.rs?code=a|b&code=c|d", 0, "Observation", 's', true, false, 2},
    {"user/Observation.rs?code=a|b user/Observation.rs?code=c|d", 0, "Observation", 's', true,
     false, 2},
    {"user/Observation.rs?code=a|b user/Observation.rs?code=a|b", 0, "Observation", 's', true,
     false, 2},
    {"user/Observation.rs?code=a|b user/Observation.rs", 0, "Observation", 'r', true, false, 0},
    {"patient/Observation.rs?code=a|b user/*.rs", PAT, "Observation", 'r', true, false, 0},
    {"patient/Observation.crs?code=a|b", PAT, "Observation", 'c', true, true, 1},
    {"user/*.rs?code=a|b", 0, "Patient", 'r', true, false, 0},
    {"user/*.rs?code=a|b", 0, "Observation", 'r', true, false, 1},
    {"patient/Observation.rs?code=a|b", 0, "Observation", 'r', false, false, 0},
};

START_TEST(eval_table)
{
	struct arena *a = arena_new();
	struct principal p = {
	    .user_id = 10001, .patient_id = eval_rows[_i].patient_id, .scope = eval_rows[_i].scope};
	struct fhir_grant g;
	authz_fhir_grant(a, &p, eval_rows[_i].type, eval_rows[_i].letter, &g);
	ck_assert_msg(
	    g.allowed == eval_rows[_i].allowed && g.self_only == eval_rows[_i].self_only &&
	        g.ncodes == eval_rows[_i].ncodes,
	    "row %d \"%s\" %s %c: allowed %d self_only %d ncodes %d", _i,
	    eval_rows[_i].scope ? eval_rows[_i].scope : "(null)", eval_rows[_i].type,
	    eval_rows[_i].letter ? eval_rows[_i].letter : '0', g.allowed, g.self_only, g.ncodes);
	arena_free(a);
}
END_TEST

START_TEST(eval_edges)
{
	struct arena *a = arena_new();
	struct fhir_grant g;
	/* no principal: no token, no limits */
	authz_fhir_grant(a, NULL, "Observation", 'c', &g);
	ck_assert(g.allowed && !g.self_only && g.ncodes == 0);
	/* more than 64 codes across scopes: the first 64 */
	struct buf *b = buf_new(a, 4096);
	for (int i = 0; i < 10; i++)
		buf_printf(b,
		           "%suser/Observation.rs?code=s|1&code=s|2&code=s|3&code=s|4&code=s|5"
		           "&code=s|6&code=s|7&code=s|8",
		           i ? " " : "");
	struct principal p = {.user_id = 1, .scope = b->data};
	authz_fhir_grant(a, &p, "Observation", 'r', &g);
	ck_assert(g.allowed);
	ck_assert_int_eq(g.ncodes, 64);
	ck_assert_str_eq(g.codes[0].system, "s");
	ck_assert_str_eq(g.codes[63].code, "8");
	arena_free(a);
}
END_TEST

static const struct {
	const char *scope; /* one code-restricted scope */
	const char *system, *code;
	bool expect;
} code_rows[] = {
    {"user/Observation.rs", "x", "y", true}, /* no restriction */
    {"user/Observation.rs?code=a|b", "a", "b", true},
    {"user/Observation.rs?code=a|b", "a", "c", false},
    {"user/Observation.rs?code=a|b", "x", "b", false},
    {"user/Observation.rs?code=a|b", NULL, "b", false},
    {"user/Observation.rs?code=|b", "x", "b", true}, /* any system */
    {"user/Observation.rs?code=|b", NULL, "b", true},
    {"user/Observation.rs?code=a|b&code=c|d", "c", "d", true},
    {"user/Observation.rs?code=" OMH "|omh:heart-rate:2.0", OMH, "omh:heart-rate:2.0", true},
    {"user/Observation.rs?code=" OMH "|omh:heart-rate:2.0", IEEE, "omh:heart-rate:2.0", true},
    {"user/Observation.rs?code=" IEEE "|omh:heart-rate:2.0", OMH, "omh:heart-rate:2.0", true},
    {"user/Observation.rs?code=" OMH "|omh:heart-rate:2.0", "x", "omh:heart-rate:2.0", false},
    {"user/Observation.rs?code=" OMH "|omh:heart-rate:2.0", OMH, "omh:step-count:2.0", false},
    {"user/Observation.rs?code=a|B", "a", "b", false}, /* codes are case-sensitive */
};

START_TEST(code_table)
{
	struct arena *a = arena_new();
	struct principal p = {.user_id = 1, .scope = code_rows[_i].scope};
	struct fhir_grant g;
	authz_fhir_grant(a, &p, "Observation", 'r', &g);
	ck_assert(g.allowed);
	ck_assert_msg(fhir_grant_code_ok(&g, code_rows[_i].system, code_rows[_i].code) ==
	                  code_rows[_i].expect,
	              "row %d \"%s\" (%s, %s)", _i, code_rows[_i].scope,
	              code_rows[_i].system ? code_rows[_i].system : "(null)", code_rows[_i].code);
	arena_free(a);
}
END_TEST

static const struct {
	const char *scope;
	bool expect;
} smart_rows[] = {
    {NULL, false},
    {"", false},
    {"openid email fhirUser", false},
    {"openid launch/patient offline_access", false},
    {"openid patient/Observation.rs", true},
    {"user/*.rs", true},
    {"system/*.rs", true},
    {"openid   system/x", true}, /* a malformed resource scope still limits the token */
    {"patient/", true},
    {"patient", false},
    {"patients/Observation.rs", false},
    {"xpatient/Observation.rs", false},
};

START_TEST(smart_token_table)
{
	struct principal p = {.user_id = 1, .scope = smart_rows[_i].scope};
	ck_assert_msg(authz_token_has_smart_scopes(&p) == smart_rows[_i].expect, "row %d \"%s\"",
	              _i, smart_rows[_i].scope ? smart_rows[_i].scope : "(null)");
	ck_assert(!authz_token_has_smart_scopes(NULL));
}
END_TEST

/* ---------- roles ---------- */

static const struct {
	int64_t patient_id, practitioner_id;
	bool is_superuser;
	enum authz_role role;
	bool patient_user, staff, superuser;
} role_rows[] = {
    {0, 0, false, ROLE_NONE, false, false, false},
    {40001, 0, false, ROLE_PATIENT, true, false, false},
    {0, 30001, false, ROLE_PRACTITIONER, false, true, false},
    {40001, 30001, false, ROLE_PRACTITIONER, false, true, false},
    {0, 0, true, ROLE_SUPERUSER, false, true, true},
    {40001, 0, true, ROLE_SUPERUSER, false, true, true},
    {0, 30001, true, ROLE_SUPERUSER, false, true, true},
    {40001, 30001, true, ROLE_SUPERUSER, false, true, true},
};

START_TEST(role_table)
{
	struct principal p = {.user_id = 1,
	                      .patient_id = role_rows[_i].patient_id,
	                      .practitioner_id = role_rows[_i].practitioner_id,
	                      .is_superuser = role_rows[_i].is_superuser};
	ck_assert_msg(authz_role(p.patient_id, p.practitioner_id, p.is_superuser) ==
	                  role_rows[_i].role,
	              "row %d", _i);
	ck_assert_msg(authz_patient_user(&p) == role_rows[_i].patient_user, "row %d", _i);
	ck_assert_msg(authz_staff(&p) == role_rows[_i].staff, "row %d", _i);
	ck_assert_msg(authz_superuser(&p) == role_rows[_i].superuser, "row %d", _i);
	/* no principal: no role */
	ck_assert(!authz_patient_user(NULL) && !authz_staff(NULL) && !authz_superuser(NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("authz");
	TCase *tc = tcase_create("rules");
	tcase_add_loop_test(tc, smart_parse_table, 0, N(parse_rows));
	tcase_add_test(tc, smart_parse_lengths);
	tcase_add_loop_test(tc, scope_list_table, 0, N(list_rows));
	tcase_add_test(tc, scope_list_long);
	tcase_add_loop_test(tc, grant_table, 0, N(grant_rows));
	tcase_add_test(tc, grant_lengths);
	tcase_add_loop_test(tc, eval_table, 0, N(eval_rows));
	tcase_add_test(tc, eval_edges);
	tcase_add_loop_test(tc, code_table, 0, N(code_rows));
	tcase_add_loop_test(tc, smart_token_table, 0, N(smart_rows));
	tcase_add_loop_test(tc, role_table, 0, N(role_rows));
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
