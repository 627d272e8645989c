/*
 * store: the PostgreSQL connection of this process, prepared statements, transactions, and one
 * file per aggregate with the queries. Maps SQLSTATEs to error kinds. Never formats HTTP.
 *
 * This is the layer's one public header: callers include store/store.h, which includes the
 * header of each aggregate (declared next to its .c file). store/query.h holds the helpers the
 * store's own files share and is not part of this interface.
 *
 * Prepared statements are declared next to the function that uses them:
 *     static struct db_stmt q_user = DB_STMT("SELECT ... WHERE id = $1");
 * and prepared lazily, once per connection (re-prepared after a reconnect).
 *
 * Many reads build their JSON in SQL (json_build_object keeps key order): the store returns the
 * JSON text and handlers copy it into the response, one round trip per request. JSON texts are
 * minified; list functions return the JSON array of one page and set *count to the total.
 */
#ifndef JHE_STORE_H
#define JHE_STORE_H

#include "store/db.h"

/* authentication: tokens, OAuth, sessions, invitations and API keys */
#include "store/auth_invitations.h"
#include "store/auth_oauth.h"
#include "store/auth_session.h"
#include "store/tokens.h"

/* Admin API aggregates */
#include "store/audit.h"
#include "store/clients.h"
#include "store/data_sources.h"
#include "store/maintenance.h"
#include "store/organizations.h"
#include "store/practitioners.h"
#include "store/settings.h"
#include "store/studies.h"
#include "store/users.h"

/* patient data: patients, consents, enrolments, observations */
#include "store/consents.h"
#include "store/observations.h"
#include "store/patients.h"
#include "store/study_patients.h"

/* FHIR */
#include "store/fhir.h"

#endif
