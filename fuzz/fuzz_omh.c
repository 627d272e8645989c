/* The JSON Schema / Open mHealth validation entry point: any JSON data point against the code's
 * schema (the registry is loaded once from the tree's schemas/ folder, FUZZ_SCHEMA_DIR). */
#include "omh/omh.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct omh_registry *reg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("FUZZ_SCHEMA_DIR");
	char err[256];
	if (omh_registry_load(dir ? dir : "schemas", &reg, err, sizeof(err)) != OMH_OK) {
		fprintf(stderr, "fuzz_omh: %s\n", err);
		exit(1);
	}
	return 0;
}

static const char *const codes[] = {"omh:heart-rate:2.0",    "omh:blood-pressure:4.0",
                                    "omh:blood-glucose:4.0", "ieee:sleep-stage-summary:1.0",
                                    "omh:step-count:3.0",    "omh:nothing:1.0"};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena *a = arena_new();
	char err[128];
	bool deep;
	json_object *o = json_parse(a, (const char *)data + 1, size - 1, err, sizeof(err), &deep);
	if (o) {
		char msg[OMH_MSG_SIZE];
		const char *code = codes[data[0] % (sizeof(codes) / sizeof(codes[0]))];
		(void)omh_validate_data_point(reg, code, o, msg, sizeof(msg));
		struct omh_times t;
		if (json_object_is_type(o, json_type_object))
			omh_effective_times(json_get(o, "body"), &t);
	}
	arena_free(a);
	return 0;
}
