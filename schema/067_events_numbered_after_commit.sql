-- 067: events numbered after they commit, not while they are written (issue 19).
--
-- Each organisation's feed is numbered 1, 2, 3, ...  Until now the writing
-- transaction took the number from the organisation's head row
-- (event_heads) and held that row locked until it committed, so that N+1
-- could never become visible before N.  That made every transaction writing
-- an event for one organisation wait for the one before it, WAL flush
-- included: at 16 clients creating referrals for one recipient, 30 of the
-- create's 33 ms were that wait (pg_stat_statements, docs/performance.md),
-- and the creates for one recipient ran one after the other (about 430/s
-- here, against about 820/s without the wait).
--
-- Now a writer inserts its event with no number (seq NULL): no lock, no
-- wait.  Numbers are handed out later, by refgw_events_number(org), which
-- locks the organisation's head row, numbers that organisation's
-- committed unnumbered events in the order they were written (id), moves
-- the head, and commits.  The reader of the feed (GET /v1/events) numbers its own
-- organisation's events first, in its transaction; the notify
-- thread numbers the organisations whose long-polls wait before reading
-- their heads (refgw_event_heads); housekeeping numbers everything left.
--
-- Why N+1 still never shows before N: only a numbering transaction sets
-- seq, numbering transactions of one organisation hold its head row in
-- turn, and each one's statement that numbers starts after it holds the
-- row, so it sees every number the ones before it gave and gives higher
-- ones; numbers given together commit together.  An event whose
-- transaction commits after a numbering's snapshot stays unnumbered and
-- gets the next numbers.  The feed shows numbered events only.
--
-- What changes for a partner: nothing in the API.  An event is in the
-- feed from the first read after its commit (the read numbers it), as
-- before; a long-poll is woken at the next read of the heads (every
-- REFGW_EVENT_POLL_MS), as before.

ALTER TABLE events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE events ADD PRIMARY KEY (id);
-- The feed: unique numbers per organisation (unnumbered rows are NULL,
-- which a unique index lets be many).
CREATE UNIQUE INDEX events_feed ON events (organisation_id, seq);
-- What waits for a number, small: rows leave it when they are numbered.
CREATE INDEX events_unnumbered ON events (organisation_id, id) WHERE seq IS NULL;

CREATE OR REPLACE FUNCTION refgw_event_write(p_org uuid, p_type text, p_resource_type text,
                                             p_resource_id uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n bigint;
BEGIN
    -- (PL/pgSQL, not SQL: a SQL function with SET is parsed and planned
    -- at every call, a PL/pgSQL one keeps its plan, schema/070)
    INSERT INTO events (organisation_id, type, resource_type, resource_id)
        VALUES (p_org, p_type, p_resource_type, p_resource_id)
        RETURNING id INTO n;
    RETURN n;
END
$$;

-- Numbers an organisation's committed unnumbered events; returns its head
-- (how many events it ever had, 0 for none).  Runs as the owner: any
-- session of the gateway may number (it shows nothing but the count).
CREATE FUNCTION refgw_events_number(p_org uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    head bigint;
    n bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events WHERE organisation_id = p_org AND seq IS NULL) THEN
        RETURN coalesce((SELECT h.seq FROM event_heads h WHERE h.organisation_id = p_org), 0);
    END IF;
    -- The head row, locked (waiting for a numbering of the same
    -- organisation to end); its value is the committed one.
    INSERT INTO event_heads AS h (organisation_id, seq) VALUES (p_org, 0)
        ON CONFLICT (organisation_id) DO UPDATE SET seq = h.seq
        RETURNING h.seq INTO head;
    -- A statement of its own, so its snapshot is taken after the lock.
    WITH todo AS (
        SELECT e.id, row_number() OVER (ORDER BY e.id) AS k
          FROM events e WHERE e.organisation_id = p_org AND e.seq IS NULL)
    UPDATE events e SET seq = head + todo.k FROM todo WHERE e.id = todo.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        UPDATE event_heads SET seq = head + n WHERE organisation_id = p_org;
    END IF;
    RETURN head + n;
END
$$;
REVOKE ALL ON FUNCTION refgw_events_number(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_events_number(uuid) TO refgw_app;

-- The heads of the organisations whose long-polls wait (the notify
-- thread), each numbered first, in the order of their ids (two callers
-- lock heads in one order: no deadlock).
CREATE OR REPLACE FUNCTION refgw_event_heads(p_orgs uuid[])
RETURNS TABLE (organisation_id uuid, seq bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o uuid;
BEGIN
    FOR o IN SELECT DISTINCT x FROM unnest(p_orgs) x WHERE x IS NOT NULL ORDER BY x LOOP
        organisation_id := o;
        seq := refgw_events_number(o);
        RETURN NEXT;
    END LOOP;
END
$$;

-- Housekeeping: every organisation with unnumbered events, in order.
-- Returns how many organisations it numbered.
CREATE FUNCTION refgw_events_number_all()
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o uuid;
    n integer := 0;
BEGIN
    FOR o IN SELECT DISTINCT e.organisation_id FROM events e WHERE e.seq IS NULL ORDER BY 1 LOOP
        PERFORM refgw_events_number(o);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION refgw_events_number_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_events_number_all() TO refgw_app;

-- Writers no longer touch the heads, so the heads a withdrawal or an
-- erasure locked in order (020, 047) to keep two writers from deadlocking
-- need no lock: a no-op, kept for the functions that call it.
CREATE OR REPLACE FUNCTION refgw_lock_event_heads(p_orgs uuid[]) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT;
$$;
