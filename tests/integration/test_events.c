/* Long-polls without a NOTIFY per event (schema/065, gateway/notify.c):
 * every instance wakes its waiters by reading the event heads while some
 * wait, none when none does; a stream of events written by other sessions
 * reaches long-polls on two instances, each event once; and an event's
 * transaction sends no notification. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
head_of(const char *slug)
{
	/* numbered first: what a read of the feed would see (schema/067) */
	long h = sql_count("SELECT refgw_events_number($1::uuid)", org_id(slug));

	ck_assert_int_ge(h, 0);
	return h;
}

/* One event for slug written by a session of its own, as another instance
 * (or the housekeeping, or a trigger) would. */
static void
write_event(PGconn *c, const char *slug)
{
	const char *p[1] = {org_id(slug)};

	ck_assert_int_gt(sql_long(c,
				  "SELECT refgw_event_write($1::uuid, 'certificate.registered', "
				  "'organisation', $1::uuid)",
				  1, p),
			 0);
}

static long
head_reads(const char *ops_env)
{
	long n = ops_metric(ops_env, "refgw_event_head_reads_total");

	ck_assert_int_ge(n, 0);
	return n;
}

/* Idle cost: no read of the heads while no one waits; about one per
 * REFGW_EVENT_POLL_MS (200 ms) while one does. */
START_TEST(heads_are_read_only_while_a_long_poll_waits)
{
	char path[128];
	struct resp r;
	long before, during, after;
	double t0;

	before = head_reads("REFGW_TEST_OPS");
	usleep(1500000);
	ck_assert_int_eq(head_reads("REFGW_TEST_OPS"), before);
	snprintf(path, sizeof(path), "/v1/events?after=%ld&wait=2", head_of("orgh"));
	t0 = now_s();
	ck_assert_int_eq(call("orgh", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	resp_free(&r);
	ck_assert_msg(now_s() - t0 >= 1.9, "answered after %.3f s", now_s() - t0);
	during = head_reads("REFGW_TEST_OPS") - before;
	/* 2 s at 200 ms: about 10 reads (the first as it parks). */
	ck_assert_msg(during >= 6 && during <= 14, "%ld reads of the heads in 2 s", during);
	after = head_reads("REFGW_TEST_OPS");
	usleep(1000000);
	ck_assert_int_eq(head_reads("REFGW_TEST_OPS"), after);
}
END_TEST

/* An event written elsewhere wakes a long-poll on either instance within a
 * second. */
static const char *late_slug;

static void *
write_late(void *arg)
{
	PGconn *w = sql_admin();

	(void)arg;
	usleep(600000); /* the long-poll is parked by then */
	write_event(w, late_slug);
	PQfinish(w);
	return NULL;
}

static void
wakes_within_a_second(const char *base, const char *slug)
{
	char path[128];
	struct resp r;
	pthread_t t;
	double t0, back;

	snprintf(path, sizeof(path), "/v1/events?after=%ld&wait=20", head_of(slug));
	late_slug = slug;
	t0 = now_s();
	pthread_create(&t, NULL, write_late, NULL);
	ck_assert_int_eq(call_at(base, slug, "GET", path, NULL, NULL, &r), 0);
	back = now_s();
	pthread_join(t, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
	resp_free(&r);
	ck_assert_msg(back - t0 >= 0.55, "%s: answered before the event (%.3f s)", base, back - t0);
	ck_assert_msg(back - t0 < 1.6, "%s: answered %.3f s after the event", base,
		      back - t0 - 0.6);
}

START_TEST(an_event_written_elsewhere_wakes_either_instance_within_a_second)
{
	wakes_within_a_second("REFGW_TEST_BASE", "orgd");
	wakes_within_a_second("REFGW_TEST_BASE2", "orgd");
	ck_assert_int_eq(ops_metric("REFGW_TEST_OPS", "refgw_long_polls_parked"), 0);
	ck_assert_int_eq(ops_metric("REFGW_TEST_OPS2", "refgw_long_polls_parked"), 0);
}
END_TEST

/* Four writers, two long-polling readers (one per instance): each reader
 * sees every event once, in order, and asks little more than once per
 * wake-up. */
#define WRITERS 4
#define PER_WRITER 25

static void *
stream_writer(void *arg)
{
	PGconn *c = sql_admin();
	int i;

	(void)arg;
	for (i = 0; i < PER_WRITER; i++) {
		write_event(c, "orgd");
		usleep((useconds_t)(random() % 40000));
	}
	PQfinish(c);
	return NULL;
}

struct stream_reader {
	const char *base;
	long first, last, seen, gaps, repeats, requests;
};

static void *
stream_reader(void *arg)
{
	struct stream_reader *rd = arg;
	long cursor = rd->first, want = rd->first + WRITERS * PER_WRITER;
	double until = now_s() + 30;
	char path[160];
	struct resp r;

	while (cursor < want && now_s() < until) {
		size_t i;
		json_t *e;
		snprintf(path, sizeof(path), "/v1/events?after=%ld&limit=7&wait=5", cursor);
		rd->requests++;
		if (call_at(rd->base, "orgd", "GET", path, NULL, NULL, &r) != 0 ||
		    r.status != 200) {
			resp_free(&r);
			rd->gaps++;
			break;
		}
		json_array_foreach(json_object_get(r.json, "items"), i, e) {
			long seq = strtol(json_string_value(json_object_get(e, "id")), NULL, 10);
			if (seq == cursor + 1)
				rd->seen++;
			else if (seq <= cursor)
				rd->repeats++;
			else
				rd->gaps++;
			cursor = seq;
		}
		resp_free(&r);
	}
	rd->last = cursor;
	return NULL;
}

START_TEST(long_polls_on_two_instances_see_every_event_once)
{
	struct stream_reader rd[2] = {{.base = "REFGW_TEST_BASE"}, {.base = "REFGW_TEST_BASE2"}};
	pthread_t tw[WRITERS], tr[2];
	double t0, written;
	int i;

	rd[0].first = rd[1].first = head_of("orgd");
	for (i = 0; i < 2; i++)
		pthread_create(&tr[i], NULL, stream_reader, &rd[i]);
	usleep(300000); /* both parked */
	t0 = now_s();
	for (i = 0; i < WRITERS; i++)
		pthread_create(&tw[i], NULL, stream_writer, NULL);
	for (i = 0; i < WRITERS; i++)
		pthread_join(tw[i], NULL);
	written = now_s();
	for (i = 0; i < 2; i++)
		pthread_join(tr[i], NULL);
	/* The last events woke both readers in time as the first did. */
	ck_assert_msg(now_s() - written < 1.0, "readers done %.3f s after the last event",
		      now_s() - written);
	ck_assert_msg(now_s() - t0 < 4.0, "readers done %.3f s after the writers began",
		      now_s() - t0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(rd[i].gaps, 0);
		ck_assert_int_eq(rd[i].repeats, 0);
		ck_assert_int_eq(rd[i].seen, WRITERS * PER_WRITER);
		ck_assert_int_eq(rd[i].last, rd[i].first + WRITERS * PER_WRITER);
		/* Pages of 7 at most, a wake-up per read of the heads at most:
		 * never a request per event and never a busy loop. */
		ck_assert_msg(rd[i].requests >= (WRITERS * PER_WRITER + 6) / 7 &&
				      rd[i].requests <= 40,
			      "%s: %ld requests", rd[i].base, rd[i].requests);
	}
}
END_TEST

/* An event's transaction sends no notification (the database-wide lock of
 * NOTIFY at commit is what schema/065 removes); the listener does hear a
 * notification on the same channel, so its silence means something. */
START_TEST(an_event_sends_no_notification)
{
	PGconn *listener = sql_admin(), *writer = sql_admin();
	PGnotify *note;
	PGresult *res;

	res = PQexec(listener, "LISTEN refgw_events");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	write_event(writer, "orgd");
	usleep(200000);
	ck_assert_int_eq(PQconsumeInput(listener), 1);
	note = PQnotifies(listener);
	ck_assert_msg(note == NULL, "a notification on %s", note ? note->relname : "");
	res = PQexec(writer, "NOTIFY refgw_events, 'control'");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	usleep(200000);
	ck_assert_int_eq(PQconsumeInput(listener), 1);
	note = PQnotifies(listener);
	ck_assert_ptr_nonnull(note);
	ck_assert_str_eq(note->extra, "control");
	PQfreemem(note);
	PQfinish(listener);
	PQfinish(writer);
}
END_TEST

/* A writer never waits for another writer of the same organisation's
 * events (schema/067: numbered after commit, not under a lock held to
 * commit), and numbers still follow commits: an event whose transaction
 * commits later gets a later number, even when written first. */
static PGresult *
exec_ok(PGconn *c, const char *q, ExecStatusType want)
{
	PGresult *res = PQexec(c, q);

	ck_assert_msg(PQresultStatus(res) == want, "%s: %s", q, PQerrorMessage(c));
	return res;
}

static void
feed_one(const char *slug, long after, const char *resource)
{
	char path[128];
	struct resp r;
	json_t *items;

	snprintf(path, sizeof(path), "/v1/events?after=%ld", after);
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	items = json_object_get(r.json, "items");
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert_int_eq(strtol(json_string_value(json_object_get(json_array_get(items, 0), "id")),
				NULL, 10),
			 after + 1);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_array_get(items, 0), "resource"), "id")),
			 resource);
	resp_free(&r);
}

START_TEST(a_writer_waits_for_no_other_and_numbers_follow_commits)
{
	static const char first[] = "00000000-0000-4000-8000-000000000671",
			  second[] = "00000000-0000-4000-8000-000000000672";
	PGconn *a = sql_admin(), *b = sql_admin();
	const char *pa[2] = {org_id("orgd"), first}, *pb[2] = {org_id("orgd"), second};
	long h;

	PQclear(exec_ok(a, "BEGIN", PGRES_COMMAND_OK));
	ck_assert_int_gt(sql_long(a,
				  "SELECT refgw_event_write($1::uuid, 'certificate.registered', "
				  "'organisation', $2::uuid)",
				  2, pa),
			 0);
	h = head_of("orgd");
	/* Before schema/067 this waited for a's COMMIT: now a refusal after
	 * 2 s would fail the test rather than hang it. */
	PQclear(exec_ok(b, "SET statement_timeout = '2s'", PGRES_COMMAND_OK));
	ck_assert_int_gt(sql_long(b,
				  "SELECT refgw_event_write($1::uuid, 'certificate.registered', "
				  "'organisation', $2::uuid)",
				  2, pb),
			 0);
	/* The feed shows b's event as the next number; a's is not there. */
	feed_one("orgd", h, second);
	PQclear(exec_ok(a, "COMMIT", PGRES_COMMAND_OK));
	/* a's event, written first, committed last: the number after. */
	feed_one("orgd", h + 1, first);
	PQfinish(a);
	PQfinish(b);
}
END_TEST

Suite *
events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *t = tcase_create("long_polls");

	tcase_add_test(t, heads_are_read_only_while_a_long_poll_waits);
	tcase_add_test(t, an_event_written_elsewhere_wakes_either_instance_within_a_second);
	tcase_add_test(t, long_polls_on_two_instances_see_every_event_once);
	tcase_add_test(t, an_event_sends_no_notification);
	tcase_add_test(t, a_writer_waits_for_no_other_and_numbers_follow_commits);
	tcase_set_timeout(t, 90);
	suite_add_tcase(s, t);
	return s;
}
