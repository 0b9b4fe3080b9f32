/* Unit suites, one per gateway module. */
#ifndef REFGW_UNIT_SUITES_H
#define REFGW_UNIT_SUITES_H

#include <check.h>

Suite *util_suite(void);
Suite *config_suite(void);
Suite *router_suite(void);
Suite *request_suite(void);
Suite *validate_suite(void);
Suite *problem_suite(void);
Suite *audit_suite(void);
Suite *tls_suite(void);
Suite *referrals_unit_suite(void);
Suite *hostile_bytes_suite(void);
Suite *checkpoint_suite(void);
Suite *categories_suite(void);
Suite *rows_suite(void);
Suite *keys_suite(void);
Suite *messages_suite(void);
Suite *console_suite(void);
Suite *people_suite(void);
Suite *journal_unit_suite(void);

#endif
