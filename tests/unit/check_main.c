/* Runs every unit suite. */
#include <stdlib.h>

#include "log.h"
#include "suites.h"

int
main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	log_set_quiet(1);
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, router_suite());
	srunner_add_suite(sr, request_suite());
	srunner_add_suite(sr, validate_suite());
	srunner_add_suite(sr, problem_suite());
	srunner_add_suite(sr, audit_suite());
	srunner_add_suite(sr, tls_suite());
	srunner_add_suite(sr, referrals_unit_suite());
	srunner_add_suite(sr, hostile_bytes_suite());
	srunner_add_suite(sr, checkpoint_suite());
	srunner_add_suite(sr, categories_suite());
	srunner_add_suite(sr, rows_suite());
	srunner_add_suite(sr, keys_suite());
	srunner_add_suite(sr, messages_suite());
	srunner_add_suite(sr, console_suite());
	srunner_add_suite(sr, people_suite());
	srunner_add_suite(sr, journal_unit_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
