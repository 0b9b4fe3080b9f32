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
-- locks the organisation's head row (skipping it when another transaction
-- holds it: it never waits), numbers that organisation's committed
-- unnumbered events in the order they were written (id), moves the head,
-- and commits.  The reader of the feed (GET /v1/events) numbers its own
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

-- Numbers an organisation's committed unnumbered events, the oldest first,
-- at most 10 000 at a time; returns its head (how many events it was
-- ever given numbers for, 0 for none).  Runs as the owner: any session of
-- the gateway may number (it shows nothing but the count).
--
-- p_wait false (housekeeping, the notify thread): it never waits for
-- another numbering.  The head row is taken with SKIP LOCKED, and when
-- another transaction holds it (a numbering under way, or a session that
-- keeps it), this one numbers nothing and answers the committed head.  So
-- a head held somewhere stops neither housekeeping nor the notify thread
-- nor, through them, another organisation's feed (a hostile review, suite
-- review19: when they waited, one held head blocked housekeeping on every
-- instance with the heads before it, and other feeds answered 503).
-- p_wait true (the feed's reader, GET /v1/events): it waits for the
-- numbering under way, which holds a head for milliseconds, so that what
-- was committed before the read is in the page.
-- The head moves to the highest number given, not by a count, so a row
-- that vanished meanwhile could leave a gap but never a number twice.
CREATE FUNCTION refgw_events_number(p_org uuid, p_wait boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    head bigint;
    top bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events WHERE organisation_id = p_org AND seq IS NULL) THEN
        RETURN coalesce((SELECT h.seq FROM event_heads h WHERE h.organisation_id = p_org), 0);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM event_heads h WHERE h.organisation_id = p_org) THEN
        -- the organisation's first numbering (only then can this wait, for a
        -- concurrent first one)
        INSERT INTO event_heads (organisation_id, seq) VALUES (p_org, 0) ON CONFLICT DO NOTHING;
    END IF;
    -- The head row, locked, at its latest committed value.
    IF p_wait THEN
        SELECT h.seq INTO head FROM event_heads h WHERE h.organisation_id = p_org FOR UPDATE;
    ELSE
        SELECT h.seq INTO head FROM event_heads h WHERE h.organisation_id = p_org
           FOR UPDATE SKIP LOCKED;
    END IF;
    IF NOT FOUND THEN
        RETURN coalesce((SELECT h.seq FROM event_heads h WHERE h.organisation_id = p_org), 0);
    END IF;
    -- A statement of its own, so its snapshot is taken after the lock.
    WITH todo AS (
        SELECT e.id, row_number() OVER (ORDER BY e.id) AS k
          FROM events e WHERE e.organisation_id = p_org AND e.seq IS NULL
         ORDER BY e.id LIMIT 10000),
    done AS (
        UPDATE events e SET seq = head + todo.k FROM todo WHERE e.id = todo.id RETURNING e.seq)
    SELECT max(done.seq) INTO top FROM done;
    IF top IS NOT NULL THEN
        UPDATE event_heads SET seq = top WHERE organisation_id = p_org;
        head := top;
    END IF;
    RETURN head;
END
$$;
REVOKE ALL ON FUNCTION refgw_events_number(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_events_number(uuid, boolean) TO refgw_app;

-- The heads of the organisations whose long-polls wait (the notify
-- thread), each numbered first if its head is free, in the order of their
-- ids.
CREATE OR REPLACE FUNCTION refgw_event_heads(p_orgs uuid[])
RETURNS TABLE (organisation_id uuid, seq bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o uuid;
BEGIN
    FOR o IN SELECT DISTINCT x FROM unnest(p_orgs) x WHERE x IS NOT NULL ORDER BY x LOOP
        organisation_id := o;
        seq := refgw_events_number(o, false);
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
        PERFORM refgw_events_number(o, false);
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
