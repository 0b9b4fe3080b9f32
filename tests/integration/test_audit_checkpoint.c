/* Audit checkpoints (issue 12, item 13): a database owner who deletes a whole
 * lane, cuts a lane's tail or rewrites a lane from some row on (hashes and
 * head recomputed, so `refgw audit verify` alone still says "intact") is
 * caught by `refgw audit verify --checkpoint`, and so is a checkpoint file
 * altered or signed by another key.  The tampering needs a database of its
 * own: each test runs the CLI on a copy of a template database made here,
 * never on the suite's shared one. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"

#define TEMPLATE_DB "refgw_ckpt_tpl"

static char keydir[64];
static char key_a[128], pub_a[128], key_b[128], pub_b[128];

static void
exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
		      "%s\n-- %s", PQerrorMessage(c), sql);
	PQclear(r);
}

/* "<admin url> dbname=<db> [user=<user>]": libpq keeps the last value. */
static PGconn *
connect_db(const char *db, const char *user)
{
	char conninfo[1024];
	PGconn *c;

	snprintf(conninfo, sizeof(conninfo), "%s dbname=%s%s%s",
		 env_or_die("REFGW_ADMIN_DATABASE_URL"), db, user ? " user=" : "",
		 user ? user : "");
	c = PQconnectdb(conninfo);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s: %s", db, PQerrorMessage(c));
	exec_ok(c, "SET client_min_messages = warning");
	return c;
}

/* Runs `refgw ARGS` against database db; returns the exit code, output in out. */
static int
cli(const char *db, const char *args, char *out, size_t outlen)
{
	char cmd[2048];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "REFGW_ADMIN_DATABASE_URL='%s dbname=%s' %s %s 2>&1",
		 env_or_die("REFGW_ADMIN_DATABASE_URL"), db, env_or_die("REFGW_TEST_BIN"), args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Recomputes lane's chain from its first row and moves its head to its last
 * row: what an owner who rewrites a lane does so that the chain verifies. */
static void
rechain(PGconn *c, long lane)
{
	char sql[2048];

	snprintf(sql, sizeof(sql),
		 "DO $$ DECLARE r audit_log; prev bytea := '\\x'; n bigint := 0; BEGIN "
		 " FOR r IN SELECT * FROM audit_log WHERE lane = %ld ORDER BY seq LOOP"
		 "  r.prev_hash := prev;"
		 "  r.hash := sha256(prev || convert_to(refgw_audit_canonical(r), 'UTF8'));"
		 "  UPDATE audit_log SET prev_hash = r.prev_hash, hash = r.hash"
		 "   WHERE lane = r.lane AND seq = r.seq;"
		 "  prev := r.hash; n := r.seq;"
		 " END LOOP;"
		 " INSERT INTO audit_lanes (lane, seq, head) VALUES (%ld, n, prev)"
		 "  ON CONFLICT (lane) DO UPDATE SET seq = excluded.seq, head = excluded.head;"
		 "END $$",
		 lane, lane);
	exec_ok(c, sql);
}

/* As the owner, with the append-only trigger off for the length of sql. */
static void
tamper(const char *db, const char *sql, long rechain_lane)
{
	PGconn *c = connect_db(db, NULL);

	exec_ok(c, "BEGIN");
	exec_ok(c, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
	exec_ok(c, sql);
	if (rechain_lane != 0)
		rechain(c, rechain_lane);
	exec_ok(c, "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
	exec_ok(c, "COMMIT");
	PQfinish(c);
}

/* Lanes -101, -102, -103 (a backend pid is never negative) of 5, 4 and 3
 * valid rows, beside the real lanes the CLI wrote. */
static void
forge_lanes(const char *db)
{
	long lane;

	for (lane = -101; lane >= -103; lane--) {
		char sql[512];
		snprintf(sql, sizeof(sql),
			 "INSERT INTO audit_log (lane, seq, at, request_id, action, detail, "
			 "prev_hash, hash) SELECT %ld, g, date_trunc('microseconds', "
			 "clock_timestamp()), 'test', 'test.row', jsonb_build_object('n', g), "
			 "'\\x', "
			 "'\\x' FROM generate_series(1, %ld) g",
			 lane, 106 + lane);
		tamper(db, sql, lane);
	}
}

static void
setup_template(void)
{
	PGconn *pg = connect_db("postgres", "postgres");
	char out[4096], args[512];
	int i;

	exec_ok(pg, "DROP DATABASE IF EXISTS " TEMPLATE_DB);
	exec_ok(pg, "CREATE DATABASE " TEMPLATE_DB " OWNER refgw_owner");
	PQfinish(pg);
	ck_assert_msg(cli(TEMPLATE_DB, "migrate", out, sizeof(out)) == 0, "%s", out);
	/* Real lanes: each CLI run is a backend of its own. */
	for (i = 0; i < 3; i++) {
		snprintf(args, sizeof(args),
			 "org add --name 'Checkpoint Org %d' --kind street_work", i);
		ck_assert_msg(cli(TEMPLATE_DB, args, out, sizeof(out)) == 0, "%s", out);
	}
	forge_lanes(TEMPLATE_DB);
	ck_assert_msg(cli(TEMPLATE_DB, "audit verify", out, sizeof(out)) == 0, "%s", out);

	snprintf(keydir, sizeof(keydir), "/tmp/refgw-ckpt-keys.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(keydir));
	snprintf(key_a, sizeof(key_a), "%s/a.key", keydir);
	snprintf(pub_a, sizeof(pub_a), "%s/a.pub", keydir);
	snprintf(key_b, sizeof(key_b), "%s/b.key", keydir);
	snprintf(pub_b, sizeof(pub_b), "%s/b.pub", keydir);
	snprintf(args, sizeof(args), "audit keygen %s %s", key_a, pub_a);
	ck_assert_msg(cli(TEMPLATE_DB, args, out, sizeof(out)) == 0, "%s", out);
	snprintf(args, sizeof(args), "audit keygen %s %s", key_b, pub_b);
	ck_assert_msg(cli(TEMPLATE_DB, args, out, sizeof(out)) == 0, "%s", out);
}

static const char *const test_dbs[] = {"refgw_ckpt_vanish", "refgw_ckpt_shrink",
				       "refgw_ckpt_forged", "refgw_ckpt_append"};

static void
teardown_template(void)
{
	PGconn *pg = connect_db("postgres", "postgres");
	char sql[256], cmd[256];
	size_t i;

	for (i = 0; i < sizeof(test_dbs) / sizeof(test_dbs[0]); i++) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", test_dbs[i]);
		exec_ok(pg, sql);
	}
	exec_ok(pg, "DROP DATABASE IF EXISTS " TEMPLATE_DB);
	PQfinish(pg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", keydir);
	(void)!system(cmd);
}

/* A fresh copy of the template; its checkpoint file is <keydir>/<db>.jsonl. */
static void
fresh_db(const char *db, char *file, size_t filelen)
{
	PGconn *pg = connect_db("postgres", "postgres");
	char sql[256];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
	exec_ok(pg, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE " TEMPLATE_DB " OWNER refgw_owner",
		 db);
	exec_ok(pg, sql);
	PQfinish(pg);
	snprintf(file, filelen, "%s/%s.jsonl", keydir, db);
	unlink(file);
}

static int
checkpoint(const char *db, const char *key, const char *file, char *out, size_t outlen)
{
	char args[512];

	snprintf(args, sizeof(args), "audit checkpoint --key %s --file %s", key, file);
	return cli(db, args, out, outlen);
}

static int
verify_with(const char *db, const char *file, const char *pub, char *out, size_t outlen)
{
	char args[512];

	snprintf(args, sizeof(args), "audit verify --checkpoint %s --key %s", file, pub);
	return cli(db, args, out, outlen);
}

static long
real_lane(const char *db)
{
	PGconn *c = connect_db(db, NULL);
	long lane = sql_long(
		c, "SELECT min(lane) FROM audit_log WHERE action = 'organisation.create'", 0, NULL);

	PQfinish(c);
	ck_assert_int_gt(lane, 0);
	return lane;
}

/* The append (schema/061: one UPDATE takes the lane's next seq and head; a
 * backend's first row makes its lane): two rows from one session follow
 * the lane's head, in order, each chained to the one before; the head
 * moves to the last; the chain verifies. */
START_TEST(appends_continue_their_lane_in_order)
{
	const char *db = test_dbs[3];
	char file[256], out[8192];
	PGconn *c;
	long before, seq1, seq2;

	fresh_db(db, file, sizeof(file));
	c = connect_db(db, NULL);
	before = sql_long(c,
			  "SELECT coalesce((SELECT seq FROM audit_lanes WHERE lane = "
			  "pg_backend_pid()), 0)",
			  0, NULL);
	exec_ok(c, "CREATE TEMP TABLE head_before AS SELECT coalesce((SELECT head FROM "
		   "audit_lanes WHERE lane = pg_backend_pid()), '\\x'::bytea) AS head");
	seq1 = sql_long(c,
			"SELECT refgw_audit_write(NULL, NULL, 'append-1', 'test.append', '', "
			"'', NULL, '{}')",
			0, NULL);
	seq2 = sql_long(c,
			"SELECT refgw_audit_write(NULL, NULL, 'append-2', 'test.append', '', "
			"'', NULL, '{\"n\":2}')",
			0, NULL);
	ck_assert_int_eq(seq1, before + 1);
	ck_assert_int_eq(seq2, before + 2);
	/* The first follows the lane's head as it was, the second the first. */
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM audit_log a, head_before h WHERE a.lane = "
			 "pg_backend_pid() AND a.request_id = 'append-1' AND a.prev_hash = "
			 "h.head",
			 0, NULL),
		1);
	ck_assert_int_eq(sql_long(c,
				  "SELECT count(*) FROM audit_log a JOIN audit_log b ON b.lane = "
				  "a.lane AND b.seq = a.seq + 1 AND b.prev_hash = a.hash WHERE "
				  "a.lane = pg_backend_pid() AND a.request_id = 'append-1' AND "
				  "b.request_id = 'append-2'",
				  0, NULL),
			 1);
	ck_assert_int_eq(sql_long(c,
				  "SELECT count(*) FROM audit_lanes l JOIN audit_log b ON b.lane = "
				  "l.lane AND b.seq = l.seq AND b.hash = l.head WHERE l.lane = "
				  "pg_backend_pid() AND b.request_id = 'append-2'",
				  0, NULL),
			 1);
	PQfinish(c);
	ck_assert_msg(cli(db, "audit verify", out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "audit chain intact"));
}
END_TEST

START_TEST(a_deleted_lane_fails_verify_against_a_checkpoint)
{
	const char *db = test_dbs[0];
	char file[256], out[8192], sql[512], want[128];
	long lane;

	fresh_db(db, file, sizeof(file));
	ck_assert_msg(checkpoint(db, key_a, file, out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "lanes signed with key"));
	ck_assert_msg(verify_with(db, file, pub_a, out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "audit checkpoints hold: 1 signed checkpoints"));

	/* A real lane (one CLI run) and a forged one of five rows, gone whole. */
	lane = real_lane(db);
	snprintf(sql, sizeof(sql),
		 "DELETE FROM audit_log WHERE lane IN (%ld, -101);"
		 "DELETE FROM audit_lanes WHERE lane IN (%ld, -101)",
		 lane, lane);
	tamper(db, sql, 0);

	/* The chain alone cannot see it (the limit checkpoints exist for). */
	ck_assert_msg(cli(db, "audit verify", out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "audit chain intact"));

	ck_assert_int_eq(verify_with(db, file, pub_a, out, sizeof(out)), 3);
	snprintf(want, sizeof(want), "lane %ld vanished: ", lane);
	ck_assert_msg(strstr(out, want) != NULL, "%s", out);
	ck_assert_msg(strstr(out, "lane -101 vanished: ") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "recorded 5 rows, none is left") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "audit checkpoints FAILED: 2 problems") != NULL, "%s", out);
	/* The public key alone verifies (REFGW_AUDIT_VERIFY_KEY or --key). */
	ck_assert_int_eq(verify_with(db, file, key_a, out, sizeof(out)), 3);
}
END_TEST

START_TEST(a_cut_tail_or_a_rewritten_lane_fails_verify_against_a_checkpoint)
{
	const char *db = test_dbs[1];
	char file[256], out[8192];

	fresh_db(db, file, sizeof(file));
	ck_assert_msg(checkpoint(db, key_a, file, out, sizeof(out)) == 0, "%s", out);

	/* Lane -102: its last two rows deleted, its head moved back to row 2. */
	tamper(db, "DELETE FROM audit_log WHERE lane = -102 AND seq > 2", -102);
	/* Lane -103: row 2 altered, rows 2 and 3 and the head re-hashed. */
	tamper(db,
	       "UPDATE audit_log SET detail = detail || '{\"altered\": true}' "
	       "WHERE lane = -103 AND seq = 2",
	       -103);
	ck_assert_msg(cli(db, "audit verify", out, sizeof(out)) == 0, "%s", out);

	ck_assert_int_eq(verify_with(db, file, pub_a, out, sizeof(out)), 3);
	ck_assert_msg(strstr(out, "lane -102 shrank: ") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "recorded 4 rows, 2 are left") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "lane -103 diverged: row seq 3 no longer has the hash") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "lane -101") == NULL, "%s", out);

	/* A later checkpoint enshrines the new state, but the earlier one in the
	 * same file still fails: every record of the file is checked. */
	ck_assert_msg(checkpoint(db, key_a, file, out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(verify_with(db, file, pub_a, out, sizeof(out)), 3);
	ck_assert_msg(strstr(out, "2 problems against 2 signed checkpoints") != NULL, "%s", out);
}
END_TEST

START_TEST(an_altered_or_foreign_checkpoint_file_fails)
{
	const char *db = test_dbs[2];
	char file[256], forged[300], out[8192], cmd[1024];
	FILE *f;

	fresh_db(db, file, sizeof(file));
	ck_assert_msg(checkpoint(db, key_a, file, out, sizeof(out)) == 0, "%s", out);

	/* Delete lane -101's tail, then lower its length in the file to match. */
	tamper(db, "DELETE FROM audit_log WHERE lane = -101 AND seq > 3", -101);
	snprintf(forged, sizeof(forged), "%s.forged", file);
	snprintf(cmd, sizeof(cmd),
		 "sed 's/\"lane\":-101,\"seq\":5/\"lane\":-101,\"seq\":3/' %s > %s", file, forged);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(verify_with(db, forged, pub_a, out, sizeof(out)), 3);
	ck_assert_msg(strstr(out, "line 1: the signature does not verify") != NULL, "%s", out);

	/* A record signed by another key, appended to the genuine file. */
	ck_assert_msg(checkpoint(db, key_b, file, out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(verify_with(db, file, pub_a, out, sizeof(out)), 3);
	ck_assert_msg(strstr(out, "line 2: signed by key") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "lane -101 shrank") != NULL, "%s", out);

	/* A line cut short (a half-copied file). */
	f = fopen(forged, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"at\":\"2026-01-01T00:00:00Z\",\"format\":\"refgw-audit-checkpoint-v1\"", f);
	fclose(f);
	ck_assert_int_eq(verify_with(db, forged, pub_a, out, sizeof(out)), 3);
	ck_assert_msg(strstr(out, "cut short") != NULL, "%s", out);

	/* No file, no key, an empty file: errors, never "hold". */
	unlink(forged);
	ck_assert_int_eq(verify_with(db, forged, pub_a, out, sizeof(out)), 1);
	f = fopen(forged, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(verify_with(db, forged, pub_a, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "holds no checkpoint") != NULL, "%s", out);
	snprintf(cmd, sizeof(cmd), "audit verify --checkpoint %s", file);
	ck_assert_int_eq(cli(db, cmd, out, sizeof(out)), 2);
	unlink(forged);
}
END_TEST

Suite *
audit_checkpoint_suite(void)
{
	Suite *s = suite_create("audit_checkpoint");
	TCase *t = tcase_create("tampering");

	tcase_set_timeout(t, 120);
	tcase_add_unchecked_fixture(t, setup_template, teardown_template);
	tcase_add_test(t, appends_continue_their_lane_in_order);
	tcase_add_test(t, a_deleted_lane_fails_verify_against_a_checkpoint);
	tcase_add_test(t, a_cut_tail_or_a_rewritten_lane_fails_verify_against_a_checkpoint);
	tcase_add_test(t, an_altered_or_foreign_checkpoint_file_fails);
	suite_add_tcase(s, t);
	return s;
}
