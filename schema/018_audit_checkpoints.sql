-- 018: audit checkpoints (issue 12, item 13).  `refgw audit checkpoint` and
-- the gateway's scheduled checkpoints sign each lane's length and head with a
-- key the database does not hold (gateway/checkpoint.c, docs/security.md).
-- The runtime role reads the heads through this function only: a lane's
-- number, length and head hash, nothing of the rows themselves.
CREATE FUNCTION refgw_audit_lane_heads() RETURNS TABLE (lane integer, seq bigint, head bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$ SELECT h.lane, h.seq, h.head FROM public.audit_lanes h ORDER BY h.lane $$;

REVOKE ALL ON FUNCTION refgw_audit_lane_heads() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_audit_lane_heads() TO refgw_app;
