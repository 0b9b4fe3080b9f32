/* config: defaults, checked values, messages naming the variable. */
#include <string.h>

#include "config.h"
#include "suites.h"

static const char *const *fake_env;

static const char *
fake_getenv(const char *name)
{
	const char *const *p;
	size_t n = strlen(name);

	for (p = fake_env; p && *p; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

START_TEST(defaults_work_for_make_run)
{
	static const char *const env[] = {"REFGW_DATABASE_URL=host=/x dbname=refgw", NULL};
	struct config c;
	char err[256];

	fake_env = env;
	ck_assert_int_eq(config_load(&c, fake_getenv, err, sizeof(err)), 0);
	ck_assert_int_eq(c.listen_port, 8443);
	ck_assert_str_eq(c.listen_addr, "127.0.0.1");
	ck_assert_str_eq(c.ops_addr, "127.0.0.1");
	ck_assert_int_eq(c.max_body_bytes, 65536);
	ck_assert_int_eq(c.connection_timeout_s, 30);
	ck_assert_str_eq(c.admin_database_url, c.database_url);
	ck_assert_ptr_null(c.tls_crl);
	/* the retention schedule's defaults (docs/data-protection.md says why) */
	ck_assert_int_eq(c.retention.referral_months, 24);
	ck_assert_int_eq(c.retention.consent_withdrawn_months, 60);
	ck_assert_int_eq(c.retention.consent_expired_months, 60);
	ck_assert_int_eq(c.retention.follow_up_months, 24);
	ck_assert_int_eq(c.retention.idempotency_days, 30);
	ck_assert_int_eq(c.retention.batch, 1000);
}
END_TEST

static const struct {
	const char *setting;
	const char *must_name;
} bad[] = {
	{"REFGW_LISTEN_PORT=http", "REFGW_LISTEN_PORT"},
	{"REFGW_LISTEN_PORT=70000", "REFGW_LISTEN_PORT"},
	{"REFGW_DB_POOL_SIZE=0", "REFGW_DB_POOL_SIZE"},
	{"REFGW_MAX_BODY_BYTES=12k", "REFGW_MAX_BODY_BYTES"},
	{"REFGW_THREADS=-1", "REFGW_THREADS"},
	{"REFGW_CONNECTION_TIMEOUT=", NULL}, /* empty means default */
	{"REFGW_OPS_PORT=8443", "REFGW_OPS_PORT"},
	{"REFGW_RETAIN_REFERRAL_DATA_MONTHS=0", "REFGW_RETAIN_REFERRAL_DATA_MONTHS"},
	{"REFGW_RETAIN_CONSENT_WITHDRAWN_MONTHS=5y", "REFGW_RETAIN_CONSENT_WITHDRAWN_MONTHS"},
	{"REFGW_RETAIN_CONSENT_EXPIRED_MONTHS=-1", "REFGW_RETAIN_CONSENT_EXPIRED_MONTHS"},
	{"REFGW_RETAIN_FOLLOW_UP_MONTHS=1201", "REFGW_RETAIN_FOLLOW_UP_MONTHS"},
	{"REFGW_RETAIN_IDEMPOTENCY_DAYS=0", "REFGW_RETAIN_IDEMPOTENCY_DAYS"},
	{"REFGW_RETENTION_BATCH=0", "REFGW_RETENTION_BATCH"},
};

START_TEST(bad_values_name_the_variable)
{
	const char *env[] = {"REFGW_DATABASE_URL=x", bad[_i].setting, NULL};
	struct config c;
	char err[256] = "";
	int rc;

	fake_env = env;
	rc = config_load(&c, fake_getenv, err, sizeof(err));
	if (bad[_i].must_name == NULL) {
		ck_assert_int_eq(rc, 0);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strstr(err, bad[_i].must_name) != NULL, "%s", err);
	}
}
END_TEST

START_TEST(database_url_required)
{
	static const char *const env[] = {NULL};
	struct config c;
	char err[256];

	fake_env = env;
	ck_assert_int_eq(config_load(&c, fake_getenv, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "REFGW_DATABASE_URL"));
}
END_TEST

Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *t = tcase_create("load");

	tcase_add_test(t, defaults_work_for_make_run);
	tcase_add_loop_test(t, bad_values_name_the_variable, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(t, database_url_required);
	suite_add_tcase(s, t);
	return s;
}
