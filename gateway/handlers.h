/* handlers: one function per route, int handle_x(struct request *). */
#ifndef REFGW_HANDLERS_H
#define REFGW_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

int handle_me(struct request *r);
int handle_org_list(struct request *r);
int handle_org_get(struct request *r);
int handle_org_create(struct request *r);
int handle_org_update(struct request *r);
int handle_cert_list(struct request *r);
int handle_cert_register(struct request *r);
int handle_cert_revoke(struct request *r);
int handle_cert_confirm(struct request *r);
int handle_me_cert_register(struct request *r);
int handle_person_create(struct request *r);
int handle_consent_create(struct request *r);
int handle_consent_list(struct request *r);
int handle_consent_withdraw(struct request *r);
int handle_rules_list(struct request *r);
int handle_rules_replace(struct request *r);
int handle_audit_list(struct request *r);
int handle_report_occupancy(struct request *r);
int handle_report_referrals(struct request *r);

#include "common.h"

#endif
