-- Issue 16, item 2: personal fields encrypted at rest.  Each is sealed by
-- the gateway under its person's data key (gateway/seal.c: "rgw1." and
-- base64url of AES-256-GCM), the data key wrapped under a master key that
-- PostgreSQL never sees (gateway/keyring.c, keystore.c).  PostgreSQL keeps
-- what it decides on in clear (ids, statuses, dates of the workflow, the
-- categories a referral's data holds: the keys of `data`), and stores the
-- values as sealed text it cannot read.  Sealed here:
--   persons.external_ref, persons.birth_year      (the creator's)
--   referral_data.data's values (one per category), referral_data.reason
--   consents.evidence, consents.withdrawal_reason (and the audit detail's)
--   follow_up_entries.text
-- Lengths are checked by the gateway on the plaintext (categories.c,
-- validate.c); the CHECKs below say only that what is stored is sealed.
-- They are NOT VALID for rows written before: refgw has no such rows in
-- production, and a development database holding clear personal data
-- stops this migration (below) rather than keep it unreadable or clear.

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM persons WHERE external_ref IS NOT NULL OR birth_year IS NOT NULL)
       OR EXISTS (SELECT 1 FROM referral_data) OR EXISTS (SELECT 1 FROM consents)
       OR EXISTS (SELECT 1 FROM follow_up_entries) THEN
        RAISE EXCEPTION 'personal data written in clear before migration 045: this development '
                        'database must be recreated (make run: remove var/pg)';
    END IF;
END
$$;

-- An erased person (DELETE /v1/persons/{id}): the row stays, for the ids
-- that the audit and the aggregate reports refer to, with nothing personal.
ALTER TABLE persons ADD COLUMN erased_at timestamptz;

ALTER TABLE persons DROP CONSTRAINT persons_birth_year_check,
                    DROP CONSTRAINT persons_external_ref_check,
                    ALTER COLUMN birth_year TYPE text USING NULL;
ALTER TABLE persons
    ADD CONSTRAINT persons_external_ref_sealed CHECK (external_ref LIKE 'rgw1.%') NOT VALID,
    ADD CONSTRAINT persons_birth_year_sealed CHECK (birth_year LIKE 'rgw1.%') NOT VALID;

ALTER TABLE referral_data DROP CONSTRAINT referral_data_reason_check;
ALTER TABLE referral_data
    ADD CONSTRAINT referral_data_reason_sealed CHECK (reason LIKE 'rgw1.%') NOT VALID,
    ADD CONSTRAINT referral_data_data_sealed
        CHECK (jsonb_typeof(data) = 'object'
               AND NOT jsonb_path_exists(data, '$.* ? (@.type() != "string" || !(@ starts with "rgw1."))'))
        NOT VALID;

ALTER TABLE consents ALTER COLUMN evidence TYPE text USING evidence::text;
ALTER TABLE consents
    ADD CONSTRAINT consents_evidence_sealed CHECK (evidence LIKE 'rgw1.%') NOT VALID,
    ADD CONSTRAINT consents_withdrawal_reason_sealed CHECK (withdrawal_reason LIKE 'rgw1.%') NOT VALID;

ALTER TABLE follow_up_entries DROP CONSTRAINT follow_up_entries_text_check;
ALTER TABLE follow_up_entries
    ADD CONSTRAINT follow_up_entries_text_sealed CHECK (text LIKE 'rgw1.%') NOT VALID;
