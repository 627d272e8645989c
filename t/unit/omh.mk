# Unit tests of the Open mHealth validation layer. OMH_SHARED_DIR (environment) overrides the
# location of the official schemas and test data (default: ../shared/omh next to the source tree).
check_PROGRAMS += t/unit/test_omh
TESTS += t/unit/test_omh
t_unit_test_omh_SOURCES = t/unit/test_omh.c
t_unit_test_omh_CPPFLAGS = $(AM_CPPFLAGS) -DOMH_SHARED_DIR_DEFAULT='"$(abs_top_srcdir)/../shared/omh"' \
	-DOMH_PROJECT_SCHEMA_DIR='"$(abs_top_srcdir)/schemas"'
t_unit_test_omh_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_unit_test_omh_LDADD = libjhe.a $(CHECK_LIBS) $(JSONC_LIBS) -lm
