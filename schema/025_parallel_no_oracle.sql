-- 025 (review of issue 14): a parallel notice is no oracle.
--
-- refgw_referral_parallel (024) told the receiver of a referral of another
-- open housing referral for the same keyed national number.  Since 021 an
-- organisation may be the receiver of its own intake: any organisation could
-- create a person with a national number it merely typed in, record a consent
-- itself, take the person in for one of its own programs and read whether
-- that number is in a housing track elsewhere, of which kind and since when,
-- for as many numbers as it liked.  An intake's organisation is also its
-- sender, and the sender never sees a notice (docs/data-protection.md): only
-- a receiver to whom ANOTHER organisation referred the person, with that
-- organisation's consent, is told.  An intake still counts as the other
-- referral for those receivers.
-- The other referral counts only while its own consent holds: a consent that
-- expired changes no referral's status, and the notice went on telling of a
-- referral the person no longer consented to.  Only this function changes
-- (two lines).

CREATE OR REPLACE FUNCTION refgw_referral_parallel(p_referral uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT jsonb_agg(jsonb_build_object('program_kind', x.kind, 'since', x.since)
                     ORDER BY x.since, x.kind)
      FROM (SELECT pg.kind, to_char(min(o.created_at), 'YYYY-MM') AS since
              FROM referrals r
              JOIN persons p ON p.id = r.person_id AND p.niss_hmac IS NOT NULL
              JOIN persons p2 ON p2.niss_hmac = p.niss_hmac
              JOIN referrals o ON o.person_id = p2.id AND o.id <> r.id
              JOIN consents oc ON oc.id = o.consent_id AND refgw_consent_holds(oc)
              JOIN programs pg ON pg.organisation_id = o.to_org AND pg.code = o.program
             WHERE r.id = p_referral
               AND r.to_org = refgw_caller()
               AND r.from_org <> r.to_org
               AND r.status NOT IN ('declined', 'cancelled', 'completed', 'consent_withdrawn')
               AND refgw_referral_consent_covers(r.id, '{}')
               AND o.to_org <> refgw_caller()
               AND o.status NOT IN ('declined', 'cancelled', 'completed', 'consent_withdrawn')
               AND pg.kind = ANY (refgw_housing_program_kinds())
             GROUP BY pg.kind) x
$$;
