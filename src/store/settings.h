/* store: runtime settings, read when used (no cache), and /api/v1/jhe_settings (store/settings.c).
 */
#ifndef JHE_STORE_SETTINGS_H
#define JHE_STORE_SETTINGS_H

#include "store/db.h"

/* The text value of a setting (string/int/bool/float as text), or NULL when missing. */
const char *store_setting_text(struct arena *a, const char *key, struct err *e);

char *store_setting_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                         struct err *e);
char *store_setting_json(struct arena *a, int64_t id, struct err *e);
struct setting_row {
	int64_t id;
	const char *key;
	const char *value_type;
	const char *value_text; /* value as text (json as JSON text) */
};
int store_setting_get(struct arena *a, int64_t id, struct setting_row *out, struct err *e);
int store_setting_key_taken(struct arena *a, const char *key, int64_t exclude_id, struct err *e);
/* value is the text of the typed value (JSON text for json). id <= 0 inserts. */
int store_setting_save(struct arena *a, int64_t id, const char *key, const char *value_type,
                       const char *value, int64_t *out_id, struct err *e);
int store_setting_delete(struct arena *a, int64_t id, struct err *e);
/* Rewrite client redirect URIs old_site/auth/callback -> new_site/auth/callback. */
int store_site_url_rewrite(struct arena *a, const char *old_site, const char *new_site,
                           struct err *e);

#endif
