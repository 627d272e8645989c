/* The worker process: FastCGI accept loop and request dispatch. */
#ifndef JHE_WORKER_H
#define JHE_WORKER_H

#include "http/http.h"

/* Route, authenticate, run the handler and build r->resp (never fails: errors become bodies). */
void dispatch(struct request *r);

#endif
