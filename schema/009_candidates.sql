-- 009: explainable candidates for a unit.
--
-- The caller's waitlisted referrals (received, status waitlisted) checked
-- against a unit's hard constraints, then ranked by order of application.
-- The rules, documented in docs/candidates.md:
--   household   needs.household_size (default 1) <= capacity: room and
--               shared_house_room 1, studio 2, otherwise 2 per bedroom (min 2)
--   access      needs.accessibility: none (or absent) fits any unit; lift fits
--               lift, ground_floor, wheelchair; ground_floor fits
--               ground_floor, wheelchair; wheelchair fits wheelchair only
--   commune     the unit's commune is not in needs.avoid_communes
--   release     release_date (if any) is before the unit's available_until (if any)
CREATE INDEX referrals_waitlist_idx ON referrals (to_org, created_at, id) WHERE status = 'waitlisted';

CREATE FUNCTION refgw_unit_capacity(p_type text, p_bedrooms integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN p_type IN ('room', 'shared_house_room') THEN 1
                  WHEN p_type = 'studio' THEN 2
                  ELSE greatest(2, 2 * p_bedrooms) END $$;

CREATE FUNCTION refgw_access_fits(p_need text, p_unit text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE coalesce(p_need, 'none')
                  WHEN 'none' THEN true
                  WHEN 'lift' THEN p_unit IN ('lift', 'ground_floor', 'wheelchair')
                  WHEN 'ground_floor' THEN p_unit IN ('ground_floor', 'wheelchair')
                  WHEN 'wheelchair' THEN p_unit = 'wheelchair'
                  ELSE false END $$;

GRANT EXECUTE ON FUNCTION refgw_unit_capacity(text, integer), refgw_access_fits(text, text)
    TO refgw_app;
