/* handlers: one function per route, int handle_x(struct request *). */
#ifndef REFGW_HANDLERS_H
#define REFGW_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

int handle_site_create(struct request *r);
int handle_unit_create(struct request *r);
int handle_unit_get(struct request *r);
int handle_unit_search(struct request *r);
int handle_unit_update(struct request *r);
int handle_proposal_create(struct request *r);
int handle_proposal_list(struct request *r);
int handle_proposal_decision(struct request *r);
int handle_unit_candidates(struct request *r);
int handle_occupancy_start(struct request *r);
int handle_occupancy_end(struct request *r);
int handle_occupancy_get(struct request *r);

#include "common.h"

#endif
