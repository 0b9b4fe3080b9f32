-- Demo data for `make run` (not a migration), after units.sql: the ISSUE
-- partnership of seed 002 (DIOGENES, L'Ilot, Smes, Pierre d'Angle, New
-- Samusocial) with the six sites lent to it by SISP, AIS and CityDev
-- attached, Peterbos and Grande Haie closed ("Clôturé"), the others running
-- ("En cours"), as the seed's table says.  Idempotent.
INSERT INTO partnerships (name, members)
SELECT 'ISSUE', array_agg(o.id ORDER BY o.name)
  FROM organisations o
 WHERE o.name IN ('DIOGENES', 'L''Ilot', 'Smes', 'Pierre d''Angle', 'New Samusocial')
HAVING count(*) > 0
ON CONFLICT (name) DO NOTHING;

UPDATE sites s
   SET partnership_id = p.id,
       status = CASE WHEN s.name IN ('Peterbos', 'Grande Haie') THEN 'closed' ELSE 'running' END,
       version = s.version + 1, updated_at = now()
  FROM partnerships p, organisations o
 WHERE p.name = 'ISSUE' AND o.id = s.operator_org
   AND (s.name, o.name) IN (('Peterbos', 'SISP Comensia'), ('Grande Haie', 'SISP Log''Iris'),
                            ('3 pommiers', 'AIS Les Trois Pommiers'), ('Ganshoren', 'CityDev'),
                            ('Trèfles', 'CityDev'), ('Dubrucq', 'SISP Logement Molenbeekois'))
   AND s.partnership_id IS NULL;
