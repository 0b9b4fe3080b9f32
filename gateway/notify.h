/* notify: long-poll support for the event feed, the LISTEN for identity
 * changes and erasures, and housekeeping, on one dedicated connection per
 * gateway process.  While requests are parked, it reads the event heads of
 * their organisations every poll interval (schema/065: events no longer
 * NOTIFY) and wakes those whose organisation's head passed their cursor,
 * whichever instance wrote the event; or at their deadline.  Nothing here
 * is needed for correctness: a missed wake-up only delays an answer until
 * the deadline, and the cursor guarantees that nothing is lost. */
#ifndef REFGW_NOTIFY_H
#define REFGW_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "rows.h"
#include "util.h"

/* Every active registered certificate's expiry, for /metrics
 * (ST_CERTIFICATE_EXPIRIES; not_after in seconds since the epoch). */
#define EXPIRY_COLUMNS(C)                                                                          \
	C(EXPIRY_ORG, "organisation", "e.organisation", COL_KEY, 0, NULL)                          \
	C(EXPIRY_SHA256, "sha256", "e.sha256", COL_KEY, 0, NULL)                                   \
	C(EXPIRY_NOT_AFTER, "not_after", "e.not_after", COL_KEY, 0, NULL)

/* How many ending-soon alerts were sent (ST_NOTIFY_ENDING_SOON). */
#define ENDING_COLUMNS(C)                                                                          \
	C(ENDING_NOTIFIED, "notified", "refgw_notify_ending_soon($days::int)", COL_KEY, 0, NULL)

/* How many published units whose availability ended were withdrawn
 * (ST_WITHDRAW_EXPIRED_UNITS, schema/033). */
#define EXPIRED_COLUMNS(C)                                                                         \
	C(EXPIRED_WITHDRAWN, "withdrawn", "refgw_withdraw_expired_units()", COL_KEY, 0, NULL)

enum expiry_col { EXPIRY_COLUMNS(COLUMN_ENUM) };
enum ending_col { ENDING_COLUMNS(COLUMN_ENUM) };
enum expired_col { EXPIRED_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc expiry_row, ending_row, expired_row;

/* The heads of the organisations whose long-polls wait (ST_EVENT_HEADS). */
#define EVENT_HEAD_COLUMNS(C)                                                                      \
	C(EVENT_HEAD_ORG, "organisation_id", "h.organisation_id", COL_KEY, 0, NULL)                \
	C(EVENT_HEAD_SEQ, "seq", "h.seq", COL_KEY, 0, NULL)
enum event_head_col { EVENT_HEAD_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc event_head_row;

typedef void (*notify_wake_fn)(void *ctx);

/* Also runs the periodic housekeeping (occupancies ending within
 * ending_soon_days raise their event, the retention schedule is applied)
 * every housekeeping_s seconds. */
int notify_start(const char *conninfo, notify_wake_fn wake, long event_poll_ms, long housekeeping_s,
		 long ending_soon_days, const struct retention_schedule *retention) MUSTCHECK;
/* Wakes every parked request (shutdown), then stops the listener. */
void notify_stop(void);
void notify_wake_all(void);

/* Parks ctx until org's event head passes after (an event numbered above
 * the cursor the feed was just read from has committed), or until
 * deadline_us (monotonic).  Returns false, parking nothing, when the
 * listener is down: answer at once. */
bool notify_park(const char *org, int64_t after, uint64_t deadline_us, void *ctx);
int notify_parked(void);

/* How many refgw_identity notifications (any change to organisations,
 * certificates or access rules, from any instance) and listener
 * reconnections were seen so far.  Returns false while the listener is
 * down: nothing may then be assumed unchanged. */
bool notify_identity_generation(uint64_t *gen);

#endif
