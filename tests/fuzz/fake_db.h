#ifndef REFGW_FAKE_DB_H
#define REFGW_FAKE_DB_H
#include "db.h"
extern int fake_db_calls;
extern enum db_status fake_db_status;
#endif
