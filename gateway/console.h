/* console: the people's console, static files under /console/ on the
 * browser listener (issue 17, item 7). */
#ifndef REFGW_CONSOLE_H
#define REFGW_CONSOLE_H

#include "request.h"

/* Answers a GET of /console/ or below. */
int console_serve(struct request *r);

#endif
