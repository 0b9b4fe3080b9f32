-- 011: searching units by commune (the common filter) walks only that
-- commune's units instead of every published unit (bench/scale.sh).
CREATE INDEX units_commune_idx ON units (commune, status, available_from, id);
