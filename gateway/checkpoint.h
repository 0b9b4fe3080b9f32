/* checkpoint: signed anchors of the audit chain (issue 12).  A checkpoint
 * records each lane's length (seq) and head hash, signed with an Ed25519 key
 * the database does not hold, as one JSON line appended to a file the
 * operator ships elsewhere; verification against it fails when a lane
 * shrank, vanished or diverged since.  docs/security.md, "Audit
 * checkpoints (issue 12)". */
#ifndef REFGW_CHECKPOINT_H
#define REFGW_CHECKPOINT_H

#include <stdbool.h>
#include <stdio.h>

#include "crypto.h"
#include "rows.h"
#include "util.h"

/* Each lane's head now (ST_AUDIT_LANE_HEADS). */
#define LANE_HEAD_COLUMNS(C)                                                                       \
	C(LANE_HEAD_LANE, "lane", "h.lane::text", COL_KEY, 0, NULL)                                \
	C(LANE_HEAD_SEQ, "seq", "h.seq::text", COL_KEY, 0, NULL)                                   \
	C(LANE_HEAD_HASH, "head", "encode(h.head, 'hex')", COL_KEY, 0, NULL)

/* For each lane a checkpoint recorded (by its place in the checkpoint,
 * from 1), what is there now (ST_CHECKPOINT_LANES): the head's seq (-1
 * when the lane is gone), the rows left, the hash of the recorded row (""
 * when it is gone). */
#define LANE_NOW_COLUMNS(C)                                                                        \
	C(LANE_NOW_INDEX, "idx", "c.i::text", COL_KEY, 0, NULL)                                    \
	C(LANE_NOW_HEAD_SEQ, "head_seq", "coalesce(h.seq, -1)::text", COL_KEY, 0, NULL)            \
	C(LANE_NOW_ROWS, "rows",                                                                   \
	  "coalesce((SELECT max(m.seq) FROM audit_log m WHERE m.lane = c.lane), 0)::text",         \
	  COL_KEY, 0, NULL)                                                                        \
	C(LANE_NOW_HASH, "hash", "coalesce(encode(l.hash, 'hex'), '')", COL_KEY, 0, NULL)

enum lane_head_col { LANE_HEAD_COLUMNS(COLUMN_ENUM) };
enum lane_now_col { LANE_NOW_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc lane_head_row, lane_now_row;

struct db_conn;

#define CHECKPOINT_FORMAT "refgw-audit-checkpoint-v1"

struct checkpoint_lane {
	long lane;
	long long seq;
	char head[2 * SHA256_LEN + 1]; /* lower-case hex; "" when seq is 0 */
};

struct checkpoint {
	char at[40]; /* RFC 3339 UTC with microseconds */
	char key_id[CRYPTO_KEY_ID_LEN + 1];
	struct checkpoint_lane *lanes;
	size_t nlanes;
};

void checkpoint_free(struct checkpoint *cp);

/* The signed line (with its '\n'), malloc'd into *line. */
int checkpoint_sign_line(const struct checkpoint *cp, const struct crypto_key *k,
			 char **line) MUSTCHECK;
/* Parses one line and checks its signature with k.  -1 with a message in err
 * when the line is not a checkpoint or its signature does not verify. */
int checkpoint_parse_line(const char *line, const struct crypto_key *k, struct checkpoint *cp,
			  char *err, size_t errlen) MUSTCHECK;

/* Reads every lane's head, signs it and appends the line to path (created
 * 0644 if missing; one write, then fsync).  Fills cp (free it). */
int checkpoint_take(struct db_conn *c, const struct crypto_key *k, const char *path,
		    struct checkpoint *cp, char *err, size_t errlen) MUSTCHECK;

struct checkpoint_report {
	long checkpoints;   /* records read, every signature verified */
	long problems;      /* lanes that shrank, vanished or diverged, forged lines */
	long latest_lanes;  /* lanes in the latest checkpoint */
	char latest_at[40]; /* time of the latest checkpoint */
};

/* Checks every record of the file: its signature with k, then each lane it
 * recorded against the database.  Problems are printed to out, one per line
 * (each lane once).  Returns -1 when the file cannot be read or the database
 * fails (err says which), else 0 (rep->problems == 0: every checkpoint holds). */
int checkpoint_verify_file(struct db_conn *c, const char *path, const struct crypto_key *k,
			   FILE *out, struct checkpoint_report *rep, char *err,
			   size_t errlen) MUSTCHECK;

/* The gateway's scheduled checkpoints: a thread of their own with a
 * connection of its own (opened for each checkpoint), so a slow disk or
 * database never holds a request.  period_s 0: off. */
int checkpoint_schedule_start(const char *conninfo, long period_s, const char *key_path,
			      const char *file, char *err, size_t errlen) MUSTCHECK;
void checkpoint_schedule_stop(void);

#endif
