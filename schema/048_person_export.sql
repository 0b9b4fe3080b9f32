-- Issue 16, item 3: the person's access and portability (GDPR arts. 15, 20).
-- The coordinator, acting on the person's request, exports all that refgw
-- holds about one person and the person's journal (GET
-- /v1/persons/{id}/export).  Nowhere else does the coordinator read
-- personal data: row-level security hides persons, referral data and
-- follow-up entries from it.  So the export is its own action,
-- `person.export` (the coordinator kind only), its own audited request
-- (`person.exported`, gateway/export.c), and this one function, which
-- reads past row-level security after checking both that the caller is an
-- active coordinator and that the rules let it export.
--
-- The document holds the sealed values as stored (schema/045): PostgreSQL
-- cannot open them, the gateway does with the person's data key.  An erased
-- person (schema/047) keeps their ids, dates and journal; their sealed
-- values no longer open (the key is gone) and the gateway shows them null.

INSERT INTO access_rules (kind, action, allowed)
VALUES ('coordinator', 'person.export', true)
ON CONFLICT DO NOTHING;

CREATE FUNCTION refgw_export_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog
AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- One row: found (false: no such person, or the caller may not export),
-- how many rows the document would hold (consents, referrals, their
-- transitions, proposals and occupancies, follow-ups, entries, journal),
-- and the document itself, NULL when there are more than p_limit rows
-- (the gateway refuses rather than build a reply it does not bound).
CREATE FUNCTION refgw_person_export(p_person uuid, p_limit integer)
RETURNS TABLE (found boolean, row_count integer, document jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    p persons;
    n integer;
    refs uuid[];
    fus uuid[];
BEGIN
    IF NOT (refgw_caller_is_coordinator() AND refgw_caller_may('person.export')) THEN
        RETURN QUERY SELECT false, 0, NULL::jsonb;
        RETURN;
    END IF;
    SELECT * INTO p FROM persons WHERE id = p_person;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 0, NULL::jsonb;
        RETURN;
    END IF;
    refs := ARRAY(SELECT r.id FROM referrals r WHERE r.person_id = p_person);
    fus := ARRAY(SELECT f.id FROM follow_ups f WHERE f.referral_id = ANY (refs));
    n := (SELECT count(*) FROM consents c WHERE c.person_id = p_person)
       + cardinality(refs)
       + (SELECT count(*) FROM referral_transitions t WHERE t.referral_id = ANY (refs))
       + (SELECT count(*) FROM proposals x WHERE x.referral_id = ANY (refs))
       + (SELECT count(*) FROM occupancies oc WHERE oc.referral_id = ANY (refs))
       + cardinality(fus)
       + (SELECT count(*) FROM follow_up_entries e WHERE e.follow_up_id = ANY (fus))
       + (SELECT count(*) FROM audit_log a WHERE a.person_id = p_person);
    IF n > p_limit THEN
        RETURN QUERY SELECT true, n, NULL::jsonb;
        RETURN;
    END IF;
    RETURN QUERY SELECT true, n, jsonb_build_object(
        'person', jsonb_strip_nulls(jsonb_build_object(
            'id', p.id,
            'created_by', p.created_by,
            'created_at', refgw_export_ts(p.created_at),
            'erased_at', refgw_export_ts(p.erased_at)))
          || jsonb_build_object('external_ref', p.external_ref, 'birth_year', p.birth_year),
        'consents', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', c.id,
                       'created_by', c.created_by,
                       'recipient_organisation_ids', to_jsonb(c.recipient_orgs),
                       'recipient_kinds', to_jsonb(c.recipient_kinds),
                       'purposes', to_jsonb(c.purposes),
                       'data_categories', to_jsonb(c.data_categories),
                       'valid_until', c.valid_until,
                       'evidence', c.evidence,
                       'status', c.status,
                       'withdrawn_at', refgw_export_ts(c.withdrawn_at),
                       'withdrawn_by', c.withdrawn_by,
                       'withdrawal_reason',
                           CASE WHEN c.withdrawn_at IS NOT NULL THEN c.withdrawal_reason END,
                       'created_at', refgw_export_ts(c.created_at))
                       ORDER BY c.created_at, c.id)
              FROM consents c WHERE c.person_id = p_person), '[]'),
        'referrals', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', r.id,
                       'from_organisation_id', r.from_org,
                       'to_organisation_id', r.to_org,
                       'program', r.program,
                       'consent_id', r.consent_id,
                       'purpose', r.purpose,
                       'status', r.status,
                       'relays_referral_id', r.relays_referral_id,
                       'created_at', refgw_export_ts(r.created_at),
                       'updated_at', refgw_export_ts(r.updated_at),
                       'data', coalesce(d.data, '{}'),
                       'reason', d.reason,
                       'needs', coalesce(d.needs, '{}'),
                       'release_date', d.release_date,
                       'transitions', coalesce((
                           SELECT jsonb_agg(jsonb_build_object(
                                      'from_status', t.from_status,
                                      'to_status', t.to_status,
                                      'reason_code', t.reason_code,
                                      'note', t.note,
                                      'by_organisation_id', t.by_org,
                                      'at', refgw_export_ts(t.at))
                                      ORDER BY t.at, t.id)
                             FROM referral_transitions t WHERE t.referral_id = r.id), '[]'),
                       'proposals', coalesce((
                           SELECT jsonb_agg(jsonb_build_object(
                                      'id', x.id,
                                      'unit_id', x.unit_id,
                                      'proposer_organisation_id', x.proposer_org,
                                      'operator_organisation_id', x.operator_org,
                                      'shared_categories', to_jsonb(x.shared_categories),
                                      'note', x.note,
                                      'status', x.status,
                                      'reason_code', x.reason_code,
                                      'decided_at', refgw_export_ts(x.decided_at),
                                      'created_at', refgw_export_ts(x.created_at))
                                      ORDER BY x.created_at, x.id)
                             FROM proposals x WHERE x.referral_id = r.id), '[]'),
                       'occupancies', coalesce((
                           SELECT jsonb_agg(jsonb_build_object(
                                      'id', oc.id,
                                      'kind', oc.kind,
                                      'unit_id', oc.unit_id,
                                      'proposal_id', oc.proposal_id,
                                      'operator_organisation_id', oc.operator_org,
                                      'referring_organisation_id', oc.referring_org,
                                      'start_date', oc.start_date,
                                      'planned_end_date', oc.planned_end_date,
                                      'end_date', oc.end_date,
                                      'outcome', oc.outcome,
                                      'note', oc.note,
                                      'referent', CASE WHEN oc.referent_org IS NOT NULL THEN
                                          jsonb_build_object('organisation_id', oc.referent_org,
                                                             'name', oc.referent_name,
                                                             'role', oc.referent_role) END,
                                      'convention', CASE WHEN oc.convention_kind IS NOT NULL THEN
                                          jsonb_build_object('kind', oc.convention_kind,
                                                             'reference', oc.convention_reference,
                                                             'signed_on', oc.convention_signed_on,
                                                             'signed_by', oc.convention_signed_by,
                                                             'end_date', oc.convention_end_date) END,
                                      'created_at', refgw_export_ts(oc.created_at))
                                      ORDER BY oc.start_date, oc.id)
                             FROM occupancies oc WHERE oc.referral_id = r.id), '[]'))
                       ORDER BY r.created_at, r.id)
              FROM referrals r LEFT JOIN referral_data d ON d.referral_id = r.id
             WHERE r.person_id = p_person), '[]'),
        'follow_ups', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', f.id,
                       'organisation_id', f.organisation_id,
                       'referral_id', f.referral_id,
                       'occupancy_id', f.occupancy_id,
                       'period_from', f.period_from,
                       'period_until', f.period_until,
                       'status', f.status,
                       'created_at', refgw_export_ts(f.created_at),
                       'updated_at', refgw_export_ts(f.updated_at),
                       'entries', coalesce((
                           SELECT jsonb_agg(jsonb_build_object(
                                      'id', e.id,
                                      'date', e.entry_date,
                                      'kind', e.kind,
                                      'text', e.text,
                                      'organisation_id', e.written_by,
                                      'created_at', refgw_export_ts(e.created_at))
                                      ORDER BY e.entry_date, e.created_at, e.id)
                             FROM follow_up_entries e WHERE e.follow_up_id = f.id), '[]'))
                       ORDER BY f.created_at, f.id)
              FROM follow_ups f WHERE f.id = ANY (fus)), '[]'),
        'journal', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'at', refgw_export_ts(a.at),
                       'organisation_id', a.organisation_id,
                       'action', a.action,
                       'resource_type', a.resource_type,
                       'resource_id', a.resource_id)
                       ORDER BY a.at, a.lane, a.seq)
              FROM audit_log a WHERE a.person_id = p_person), '[]'),
        'organisations', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', o.id, 'name', o.name, 'kind', o.kind)
                             ORDER BY o.name, o.id)
              FROM organisations o
             WHERE o.id = p.created_by
                OR o.id IN (SELECT c.created_by FROM consents c WHERE c.person_id = p_person)
                OR o.id IN (SELECT unnest(ARRAY[r.from_org, r.to_org]) FROM referrals r
                             WHERE r.id = ANY (refs))
                OR o.id IN (SELECT unnest(ARRAY[x.proposer_org, x.operator_org]) FROM proposals x
                             WHERE x.referral_id = ANY (refs))
                OR o.id IN (SELECT unnest(ARRAY[oc.operator_org, oc.referring_org, oc.referent_org])
                              FROM occupancies oc WHERE oc.referral_id = ANY (refs))
                OR o.id IN (SELECT f.organisation_id FROM follow_ups f WHERE f.id = ANY (fus))
                OR o.id IN (SELECT a.organisation_id FROM audit_log a
                             WHERE a.person_id = p_person)), '[]'));
END
$$;
REVOKE ALL ON FUNCTION refgw_person_export(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_person_export(uuid, integer) TO refgw_app;
