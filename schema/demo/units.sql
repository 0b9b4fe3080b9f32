-- Demo data for `make run` (not a migration): ISSUE's sites from the seeds
-- (../shared/design.md), with their operators, units and periods, and a few
-- Rizome-Bxl transit studios, and ORS's community house.  Communes and
-- addresses are illustrative.
-- Idempotent: a site that exists (same operator and name) is left alone.
DO $$
DECLARE
    s record;
    site uuid;
    op uuid;
    i integer;
BEGIN
    FOR s IN SELECT * FROM (VALUES
        ('Peterbos',    'SISP Comensia',              NULL,      7, 'Anderlecht',            '2020-03-01'::date, '2020-09-30'::date, 'closed'),
        ('Grande Haie', 'SISP Log''Iris',             NULL,      3, 'Watermael-Boitsfort',   '2020-03-01', '2021-07-31', 'closed'),
        ('3 pommiers',  'AIS Les Trois Pommiers',     NULL,     13, 'Etterbeek',             '2021-01-01', '2023-12-31', 'published'),
        ('Ganshoren',   'CityDev',                    NULL,      1, 'Ganshoren',             '2020-02-01', '2024-10-31', 'published'),
        ('Trèfles',     'CityDev',                    NULL,      1, 'Anderlecht',            '2022-04-01', '2024-06-30', 'published'),
        ('Dubrucq',     'SISP Logement Molenbeekois', 'Communa', 14, 'Molenbeek-Saint-Jean', '2023-03-01', '2025-07-31', 'published'),
        ('Transit Forest', 'Rizome-Bxl',              NULL,      4, 'Forest',                '2026-01-01', NULL,         'published'),
        ('Maison communautaire', 'ORS - Office de Réadaptation Sociale', NULL, 5, 'Saint-Gilles', '2026-01-01', NULL,    'published')
      ) AS t(name, operator, partner, n, commune, period_from, period_until, status)
    LOOP
        SELECT id INTO op FROM organisations WHERE name = s.operator;
        CONTINUE WHEN op IS NULL OR EXISTS (SELECT 1 FROM sites WHERE name = s.name AND operator_org = op);
        INSERT INTO sites (operator_org, name, commune, managing_partner, units_planned, period_from, period_until)
            VALUES (op, s.name, s.commune, s.partner, s.n, s.period_from, s.period_until)
            RETURNING id INTO site;
        FOR i IN 1 .. s.n LOOP
            WITH u AS (
                INSERT INTO units (site_id, operator_org, label, type, bedrooms, furnished, accessibility,
                                   commune, monthly_contribution_eur, available_from, available_until,
                                   terms, max_stay_months, audience_kinds, status)
                VALUES (site, op, left(s.name, 3) || '-' || lpad(i::text, 2, '0'),
                        CASE WHEN i % 3 = 0 THEN 'apartment' ELSE 'studio' END,
                        CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END, true,
                        CASE WHEN i = 1 THEN 'ground_floor' ELSE 'none' END,
                        s.commune, 250, s.period_from, s.period_until,
                        CASE WHEN s.operator IN ('Rizome-Bxl', 'ORS - Office de Réadaptation Sociale')
                             THEN 'transit' ELSE 'precarious_occupation' END,
                        CASE WHEN s.operator = 'Rizome-Bxl' THEN 18
                             WHEN s.operator LIKE 'ORS%' THEN 12 ELSE NULL END,
                        CASE WHEN s.operator = 'Rizome-Bxl' THEN ARRAY['justice_aid', 'homeless_service']
                             WHEN s.operator LIKE 'ORS%' THEN ARRAY['justice_aid']
                             ELSE ARRAY['homeless_service', 'street_work'] END,
                        s.status)
                RETURNING id)
            INSERT INTO unit_addresses (unit_id, address)
                SELECT id, 'Demo street ' || i || ', ' || s.commune FROM u;
        END LOOP;
    END LOOP;
END
$$;

-- Rizome-Bxl runs its own transit housing and ORS its community house: one
-- organisation rule each, site.host (docs/access-rules.md: publish sites and
-- units, decide on proposals, start and end occupancies), which their kind
-- (justice_aid) does not have.  A coordinator grants it with
-- PUT /v1/access-rules/{organisation_id}/site.host.
INSERT INTO access_rules (organisation_id, action, allowed)
SELECT o.id, 'site.host', true
  FROM organisations o
 WHERE o.name IN ('Rizome-Bxl', 'ORS - Office de Réadaptation Sociale')
ON CONFLICT DO NOTHING;
-- Before site.host (issue 15), Rizome-Bxl had three rules of its own; a demo
-- database loaded then keeps only the one.
DELETE FROM access_rules a USING organisations o
 WHERE a.organisation_id = o.id AND o.name = 'Rizome-Bxl'
   AND a.action IN ('site.manage', 'unit.manage', 'proposal.decide');
