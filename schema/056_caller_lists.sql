-- 056: the lists the console lacked (issue 18): GET /v1/proposals,
-- GET /v1/persons and GET /v1/occupancies, newest first, keyset-paged on
-- (created_at, id) per side of the caller.
--
-- No new rule and no new policy: each list reads what row-level security
-- already shows the caller (proposals_read: proposer or operator;
-- persons_read restricted to created_by = the caller by the statement;
-- occupancies_read: operator, referring organisation, referent under the
-- consent), under the actions that already govern those reads (unit.read,
-- person.create, occupancy.read).  These indexes let a page start at its
-- cursor instead of sorting every row of the caller.

CREATE INDEX proposals_operator_page_idx ON proposals (operator_org, created_at DESC, id DESC);
CREATE INDEX proposals_proposer_page_idx ON proposals (proposer_org, created_at DESC, id DESC);
CREATE INDEX persons_creator_page_idx ON persons (created_by, created_at DESC, id DESC);
CREATE INDEX occupancies_operator_page_idx ON occupancies (operator_org, created_at DESC, id DESC)
    WHERE operator_org IS NOT NULL;
CREATE INDEX occupancies_referring_page_idx ON occupancies (referring_org, created_at DESC, id DESC);

-- The occupancies page showed the "ending soon" alerts by reading the whole
-- event feed.  An occupancy now says when the calling organisation was
-- alerted (its own row of occupancy_alerts, written by housekeeping:
-- refgw_notify_ending_soon, schema/029); the gateway reads only its own.
GRANT SELECT ON occupancy_alerts TO refgw_app;
CREATE POLICY occupancy_alerts_own ON occupancy_alerts FOR SELECT
    USING (organisation_id = (SELECT refgw_caller()));
