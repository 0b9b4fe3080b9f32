-- 065: events no longer NOTIFY at commit (issue 19).
--
-- Every event's transaction called pg_notify('refgw_events', org).  NOTIFY
-- takes a database-wide lock at commit (PreCommit_Notify: one lock object
-- for the whole database) and appends to the one notification queue, so
-- every notifying transaction commits one after another: about 15 % of the
-- creates' throughput (docs/performance.md).  The organisation's head row
-- (event_heads) already serialises the events of one organisation and only
-- those.
--
-- The gateway now wakes its long-polls by reading the heads: while at least
-- one long-poll is parked, each instance's notify thread asks for the heads
-- of the organisations that wait, every REFGW_EVENT_POLL_MS (200 ms by
-- default), and wakes a waiter whose organisation's head passed its cursor
-- (gateway/notify.c).  No waiter, no query.  refgw_identity and
-- refgw_erased (rare: certificates, rules, erasures) still NOTIFY.

CREATE OR REPLACE FUNCTION refgw_event_write(p_org uuid, p_type text, p_resource_type text,
                                             p_resource_id uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO event_heads AS h (organisation_id, seq) VALUES (p_org, 1)
        ON CONFLICT (organisation_id) DO UPDATE SET seq = h.seq + 1
        RETURNING h.seq INTO n;
    INSERT INTO events (organisation_id, seq, type, resource_type, resource_id)
        VALUES (p_org, n, p_type, p_resource_type, p_resource_id);
    RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION refgw_certificate_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    kinds text[] := '{}';
    k text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        kinds := ARRAY['certificate.registered'];
    ELSE
        IF OLD.confirmed_at IS NULL AND NEW.confirmed_at IS NOT NULL THEN
            kinds := kinds || 'certificate.confirmed'::text;
        END IF;
        IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
            kinds := kinds || 'certificate.revoked'::text;
        END IF;
    END IF;
    FOREACH k IN ARRAY kinds LOOP
        PERFORM refgw_event_write(NEW.organisation_id, k, 'organisation', NEW.organisation_id);
    END LOOP;
    RETURN NULL;
END
$$;

-- The heads of the organisations whose long-polls wait: what the notify
-- thread reads (the runtime role, without a caller: it serves no request).
-- An organisation's head is how many events it ever had, nothing else; an
-- organisation without a head row (no event yet) has no row here.
CREATE FUNCTION refgw_event_heads(p_orgs uuid[])
RETURNS TABLE (organisation_id uuid, seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT h.organisation_id, h.seq FROM event_heads h WHERE h.organisation_id = ANY (p_orgs)
$$;
REVOKE ALL ON FUNCTION refgw_event_heads(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_event_heads(uuid[]) TO refgw_app;
