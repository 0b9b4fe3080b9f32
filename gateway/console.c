/* console: a stub until the console's pages exist (h17c replaces this
 * file): every path under /console/ is not found. */
#include "console.h"

int
console_serve(struct request *r)
{
	int status = 500;

	status = reply_problem(r, 404, "not-found", "Not found", "no console page at %s", r->path);
	return status;
}
