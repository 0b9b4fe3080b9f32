-- 028: an occupancy's housing referent (issue 15, item 1): the organisation
-- that accompanies the person in the unit, and the staff member who does
-- (a name and a role: staff, not the person's data).  The columns come
-- first, alone, because several parts of issue 15 send events to the
-- referent (tenancy at risk, a unit taken back, ending soon); the API that
-- sets them is schema/029 and gateway/occupancies.c.
ALTER TABLE occupancies
    ADD COLUMN referent_org uuid REFERENCES organisations (id),
    ADD COLUMN referent_name text CHECK (length(referent_name) BETWEEN 1 AND 200),
    ADD COLUMN referent_role text CHECK (length(referent_role) BETWEEN 1 AND 200),
    ADD CONSTRAINT occupancies_referent_named
        CHECK (referent_org IS NOT NULL OR (referent_name IS NULL AND referent_role IS NULL));
