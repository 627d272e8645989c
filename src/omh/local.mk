# Open mHealth validation layer (fhir.md §14): JSON Schema engine, registry, effective times.
libjhe_a_SOURCES += src/omh/omh.h src/omh/omh_int.h src/omh/support.c src/omh/regex.c \
	src/omh/schema.c src/omh/times.c

# The project's own OMH / IEEE 1752 schemas are installed as $(pkgdatadir)/schemas/{omh,ieee}/ by
# the folder copy of install-data-local (Makefile.am), like sql/ and web/.
