/* Unit tests of the pure parts of the FHIR layer: search parameter values and paging cursors. */
#include "fhir/local.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static usec_t at(const char *s)
{
	usec_t t = 0;
	ck_assert_int_eq(time_parse(s, &t), 0);
	return t;
}

START_TEST(dates)
{
	struct fhir_date d;
	char bad[3];
	ck_assert_int_eq(fhir_parse_date("2024", &d, bad), 0);
	ck_assert(d.op == FD_EQ && !d.instant);
	ck_assert_int_eq(d.lo, at("2024-01-01T00:00:00Z"));
	ck_assert_int_eq(d.hi, at("2025-01-01T00:00:00Z"));
	ck_assert_int_eq(fhir_parse_date("lt2024-02", &d, bad), 0);
	ck_assert(d.op == FD_LT);
	ck_assert_int_eq(d.lo, at("2024-02-01T00:00:00Z"));
	ck_assert_int_eq(d.hi, at("2024-03-01T00:00:00Z"));
	ck_assert_int_eq(fhir_parse_date("2024-12", &d, bad), 0);
	ck_assert_int_eq(d.hi, at("2025-01-01T00:00:00Z"));
	ck_assert_int_eq(fhir_parse_date("ge2024-02-29", &d, bad), 0);
	ck_assert(d.op == FD_GE);
	ck_assert_int_eq(d.hi - d.lo, 86400LL * 1000000LL);
	ck_assert_int_eq(fhir_parse_date("2023-02-29", &d, bad), -1);
	ck_assert_int_eq(fhir_parse_date("le2024-01-01T10:00:00+01:00", &d, bad), 0);
	ck_assert(d.op == FD_LE && d.instant);
	ck_assert_int_eq(d.lo, at("2024-01-01T09:00:00Z"));
	ck_assert_int_eq(d.lo, d.hi);
	/* '+' of the offset decoded to a space */
	ck_assert_int_eq(fhir_parse_date("2024-01-01T10:00:00 01:00", &d, bad), 0);
	ck_assert_int_eq(d.lo, at("2024-01-01T09:00:00Z"));
	ck_assert_int_eq(fhir_parse_date("2024-01-01T10:00", &d, bad), 0);
	ck_assert_int_eq(d.lo, at("2024-01-01T10:00:00Z"));
	ck_assert_int_eq(fhir_parse_date("ne2024-01-01T10:00:00.5Z", &d, bad), 0);
	ck_assert(d.op == FD_NE);
	ck_assert_int_eq(fhir_parse_date("sa2020", &d, bad), -2);
	ck_assert_str_eq(bad, "sa");
	ck_assert_int_eq(fhir_parse_date("ap2020", &d, bad), -2);
	ck_assert_int_eq(fhir_parse_date("yesterday", &d, bad), -1);
	ck_assert_int_eq(fhir_parse_date("2024-1", &d, bad), -1);
	ck_assert_int_eq(fhir_parse_date("2024-13", &d, bad), -1);
	ck_assert_int_eq(fhir_parse_date("2024-01-01T10", &d, bad), -1);
	ck_assert_int_eq(fhir_parse_date("", &d, bad), -1);
	ck_assert_int_eq(fhir_parse_date("gt", &d, bad), -1);
}
END_TEST

START_TEST(tokens_refs_paging)
{
	struct arena *a = arena_new();
	struct fhir_tok t;
	fhir_parse_token(a, "https://w3id.org/openmhealth|omh:heart-rate:2.0", &t);
	ck_assert_str_eq(t.system, "https://w3id.org/openmhealth");
	ck_assert_str_eq(t.code, "omh:heart-rate:2.0");
	fhir_parse_token(a, "final", &t);
	ck_assert_ptr_null(t.system);
	ck_assert_str_eq(t.code, "final");
	fhir_parse_token(a, "|abc", &t);
	ck_assert_str_eq(t.system, "");
	ck_assert_str_eq(t.code, "abc");
	ck_assert_int_eq(fhir_parse_ref("40001", "Patient"), 40001);
	ck_assert_int_eq(fhir_parse_ref("Patient/40001", "Patient"), 40001);
	ck_assert_int_eq(fhir_parse_ref("Group/30001", "Patient"), -1);
	ck_assert_int_eq(fhir_parse_ref("abc", "Patient"), -1);
	ck_assert_int_eq(fhir_parse_ref("-4", "Patient"), -1);
	ck_assert_int_eq(fhir_parse_ref("99999999999999999999", "Patient"), -1);
	ck_assert_int_eq(fhir_parse_count(NULL), 20);
	ck_assert_int_eq(fhir_parse_count("0"), 20);
	ck_assert_int_eq(fhir_parse_count("-5"), 20);
	ck_assert_int_eq(fhir_parse_count("x"), 20);
	ck_assert_int_eq(fhir_parse_count("37"), 37);
	ck_assert_int_eq(fhir_parse_count("5000"), 1000);
	ck_assert_int_eq(fhir_parse_page(NULL), 1);
	ck_assert_int_eq(fhir_parse_page("last"), 0);
	ck_assert_int_eq(fhir_parse_page("3"), 3);
	ck_assert_int_eq(fhir_parse_page("0"), -1);
	ck_assert_int_eq(fhir_parse_page("-1"), -1);
	ck_assert_int_eq(fhir_parse_page("2x"), -1);
	/* (page - 1) * _count overflowed int64 */
	ck_assert_int_eq(fhir_parse_page("461168601842738792"), -1);
	ck_assert_int_eq(fhir_parse_page("1000000000"), 1000000000);
	ck_assert_int_eq(fhir_parse_page("1000000001"), -1);
	const char **items;
	ck_assert_int_eq(fhir_split(a, "a,,b,", &items), 2);
	ck_assert_str_eq(items[0], "a");
	ck_assert_str_eq(items[1], "b");
	ck_assert_int_eq(fhir_split(a, "", &items), 0);
	ck_assert_int_eq(fhir_type_parse("Observation"), FT_OBSERVATION);
	ck_assert_int_eq(fhir_type_parse("observation"), FT_NONE);
	arena_free(a);
}
END_TEST

START_TEST(cursors)
{
	struct arena *a = arena_new();
	const unsigned char key[] = "0123456789abcdef0123456789abcdef";
	struct fhir_cursor c;
	memset(&c, 0, sizeof(c));
	c.page = 7;
	c.total = 1234;
	strcpy(c.digest, "00112233445566778899aabbccddeeff");
	c.nvals = 2;
	c.vals[0] = "f";
	c.vals[1] = "2026-08-21 15:26:13.1234+00";
	c.id = 60010;
	char *s = fhir_cursor_encode(a, &c, key, 32);
	for (const char *p = s; *p; p++)
		ck_assert(strchr(
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", *p));
	struct fhir_cursor d;
	ck_assert_int_eq(fhir_cursor_decode(a, s, &d, key, 32), 0);
	ck_assert_int_eq(d.page, 7);
	ck_assert_int_eq(d.total, 1234);
	ck_assert_int_eq(d.id, 60010);
	ck_assert_int_eq(d.nvals, 2);
	ck_assert_str_eq(d.vals[1], "2026-08-21 15:26:13.1234+00");
	ck_assert_str_eq(d.digest, c.digest);
	/* another key, a changed body, a changed tag, garbage */
	const unsigned char other[] = "1123456789abcdef0123456789abcdef";
	ck_assert_int_eq(fhir_cursor_decode(a, s, &d, other, 32), -1);
	char *t = arena_strdup(a, s);
	t[3] = t[3] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(fhir_cursor_decode(a, t, &d, key, 32), -1);
	t = arena_strdup(a, s);
	t[strlen(t) - 1] = t[strlen(t) - 1] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(fhir_cursor_decode(a, t, &d, key, 32), -1);
	ck_assert_int_eq(fhir_cursor_decode(a, "abc", &d, key, 32), -1);
	ck_assert_int_eq(fhir_cursor_decode(a, ".AAAAAAAAAAAAAAAAAAAAAA", &d, key, 32), -1);
	ck_assert_int_eq(fhir_cursor_decode(a, NULL, &d, key, 32), -1);
	arena_free(a);
}
END_TEST

START_TEST(times)
{
	char out[48];
	fhir_pg_time("2026-08-21 15:26:13.1234+00", out);
	ck_assert_str_eq(out, "2026-08-21T15:26:13.123400Z");
	fhir_pg_time("2026-08-21 15:26:13+00", out);
	ck_assert_str_eq(out, "2026-08-21T15:26:13Z");
	struct arena *a = arena_new();
	ck_assert_str_eq(fhir_http_date(a, "2026-08-21 15:26:13.5+00"),
	                 "Fri, 21 Aug 2026 15:26:13 GMT");
	arena_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fhir");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, dates);
	tcase_add_test(tc, tokens_refs_paging);
	tcase_add_test(tc, cursors);
	tcase_add_test(tc, times);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
