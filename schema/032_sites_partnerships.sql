-- 032: sites listed and changed, and partnerships (issue 15, item 4).
--
-- A site has a status of its own (running, closed: the operator's word, as
-- in seed 002, where a site whose period has ended can still be "en cours")
-- and a version for If-Match.  A partnership (ISSUE) is a name and its member
-- organisations, managed by the coordinator (partnership.manage); a site's
-- operator attaches its site to one (sites.partnership_id).  The members read
-- the partnership's site table through refgw_partnership_sites(), an
-- aggregate in which any count of people from 1 to 4 is suppressed, as in
-- the reports (schema/010).
--
-- Who reads a site (row-level security, replacing 007's "any caller"): its
-- operator, the members of its partnership, and a coordinator.

INSERT INTO access_rules (kind, action, allowed) VALUES ('coordinator', 'partnership.manage', true);

CREATE TABLE partnerships (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    members    uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(members) <= 64),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partnerships_members_idx ON partnerships USING gin (members);

-- A uuid[] has no foreign key: every member must name an organisation
-- (23R01, as schema/015's refgw_named_orgs_exist, which serves other tables).
CREATE FUNCTION refgw_partnership_members_exist() RETURNS trigger
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    missing uuid;
BEGIN
    SELECT x INTO missing FROM unnest(NEW.members) x
     WHERE NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = x) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'organisation % does not exist', missing
            USING ERRCODE = '23R01', TABLE = 'partnerships', COLUMN = 'members';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER partnerships_members_exist BEFORE INSERT OR UPDATE OF members ON partnerships
    FOR EACH ROW EXECUTE FUNCTION refgw_partnership_members_exist();

ALTER TABLE partnerships ENABLE ROW LEVEL SECURITY;
CREATE POLICY partnerships_read ON partnerships FOR SELECT
    USING ((SELECT refgw_caller()) = ANY (members) OR (SELECT refgw_caller_may('partnership.manage')));
CREATE POLICY partnerships_insert ON partnerships FOR INSERT
    WITH CHECK (refgw_caller_may('partnership.manage'));
CREATE POLICY partnerships_update ON partnerships FOR UPDATE
    USING (refgw_caller_may('partnership.manage'))
    WITH CHECK (refgw_caller_may('partnership.manage'));
GRANT SELECT, INSERT, UPDATE ON partnerships TO refgw_app;

-- Is the caller a member of partnership p?  SECURITY DEFINER: the sites
-- policy asks it without reading partnerships under their own policy.
CREATE FUNCTION refgw_partnership_member(p uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT EXISTS (SELECT 1 FROM partnerships pa WHERE pa.id = p AND refgw_caller() = ANY (pa.members))
$$;
GRANT EXECUTE ON FUNCTION refgw_partnership_member(uuid) TO refgw_app;

ALTER TABLE sites
    ADD COLUMN status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'closed')),
    ADD COLUMN partnership_id uuid REFERENCES partnerships (id),
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX sites_partnership_idx ON sites (partnership_id) WHERE partnership_id IS NOT NULL;
CREATE INDEX sites_list_idx ON sites (created_at, id);

DROP POLICY sites_read ON sites;
CREATE POLICY sites_read ON sites FOR SELECT
    USING (operator_org = (SELECT refgw_caller())
           OR (partnership_id IS NOT NULL AND refgw_partnership_member(partnership_id))
           OR (SELECT refgw_caller_is_coordinator()));
CREATE POLICY sites_update ON sites FOR UPDATE
    USING (operator_org = refgw_caller())
    WITH CHECK (operator_org = refgw_caller() AND refgw_caller_may('site.manage'));
GRANT UPDATE ON sites TO refgw_app;

-- A partnership's site table, for its members (and whoever manages
-- partnerships): site, operator, units, period, status, and the people
-- counted (every occupancy ever, and those housed now), NULL when from 1
-- to 4; housed_now also when the ended ones (the difference) are 1 to 4, so
-- that no one's departure can be read from the two figures.  Nothing for
-- anyone else.
CREATE FUNCTION refgw_partnership_sites(p uuid)
RETURNS TABLE (site_id uuid, site text, operator_id uuid, operator text, commune text,
               managing_partner text, units integer, period_from date, period_until date,
               status text, occupancies integer, housed_now integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NOT (refgw_partnership_member(p) OR refgw_caller_may('partnership.manage')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH occ AS (
        SELECT u.site_id, count(*)::int AS n,
               (count(*) FILTER (WHERE oc.end_date IS NULL))::int AS now_n
          FROM occupancies oc JOIN units u ON u.id = oc.unit_id
          JOIN sites st ON st.id = u.site_id
         WHERE st.partnership_id = p
         GROUP BY u.site_id)
    SELECT st.id, st.name, st.operator_org, o.name, st.commune, st.managing_partner,
           (SELECT count(*)::int FROM units u WHERE u.site_id = st.id),
           st.period_from, st.period_until, st.status,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 THEN NULL ELSE coalesce(occ.n, 0) END,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 OR coalesce(occ.now_n, 0) BETWEEN 1 AND 4
                     OR coalesce(occ.n - occ.now_n, 0) BETWEEN 1 AND 4
                THEN NULL ELSE coalesce(occ.now_n, 0) END
      FROM sites st JOIN organisations o ON o.id = st.operator_org
      LEFT JOIN occ ON occ.site_id = st.id
     WHERE st.partnership_id = p
     ORDER BY st.period_from, st.name, st.id;
END
$$;
GRANT EXECUTE ON FUNCTION refgw_partnership_sites(uuid) TO refgw_app;

-- The reserved or occupied units of one of the caller's sites (a site is not
-- closed under anyone's feet: the operator first takes its units back, the
-- life of a unit).  SECURITY DEFINER: an operator running sites by an
-- organisation rule may lack unit.read, which the units policy asks.
CREATE FUNCTION refgw_site_busy(p uuid) RETURNS TABLE (busy integer, labels text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT count(*)::int, coalesce(string_agg(u.label, ', ' ORDER BY u.label), '')
      FROM units u JOIN sites s ON s.id = u.site_id
     WHERE u.site_id = p AND s.operator_org = refgw_caller()
       AND u.status IN ('reserved', 'occupied')
$$;
GRANT EXECUTE ON FUNCTION refgw_site_busy(uuid) TO refgw_app;

-- The occupancy report (schema/010) shows a site's status as its operator
-- says it (the column above), no longer derived from the end of its period:
-- the one change to this function.
CREATE OR REPLACE FUNCTION refgw_report_occupancy()
RETURNS TABLE (site_id uuid, site text, operator_id uuid, operator text, commune text,
               units integer, period_from date, period_until date, status text,
               occupancies integer, occupied_days integer, vacant_days integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NOT refgw_caller_may('report.read') THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH s AS (
        SELECT st.*, o.name AS operator_name,
               (SELECT count(*)::int FROM units u WHERE u.site_id = st.id) AS n_units,
               least(coalesce(st.period_until, current_date), current_date) AS upto
          FROM sites st JOIN organisations o ON o.id = st.operator_org
         WHERE refgw_caller_is_coordinator() OR st.operator_org = refgw_caller()),
    occ AS (
        SELECT u.site_id, count(*)::int AS n,
               sum(greatest(0, least(coalesce(oc.end_date, oc.planned_end_date), current_date)
                               - oc.start_date))::int AS days
          FROM occupancies oc JOIN units u ON u.id = oc.unit_id
         GROUP BY u.site_id)
    SELECT s.id, s.name, s.operator_org, s.operator_name, s.commune, s.n_units, s.period_from,
           s.period_until,
           s.status,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 THEN NULL ELSE coalesce(occ.n, 0) END,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 THEN NULL ELSE coalesce(occ.days, 0) END,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 THEN NULL
                ELSE greatest(0, s.n_units * greatest(0, s.upto - s.period_from) - coalesce(occ.days, 0)) END
      FROM s LEFT JOIN occ ON occ.site_id = s.id
     ORDER BY s.operator_name, s.name, s.id;
END
$$;
