-- Issue 16, item 2: the free-text notes of a referral's steps are sealed
-- too (gateway/seal.c, label "note"): a transition's note, a proposal's
-- note, an occupancy's note (a placement recorded outside refgw).  Staff
-- write there what they think of the person as often as what they did.
-- Each row names its person (set from the referral on insert), whose key
-- opens the note when the row is rendered; erasure still clears the notes
-- (schema/047), and destroying the key makes every copy unreadable.

ALTER TABLE referral_transitions ADD COLUMN person_id uuid;
ALTER TABLE proposals ADD COLUMN person_id uuid;
ALTER TABLE occupancies ADD COLUMN person_id uuid;
UPDATE referral_transitions t SET person_id = r.person_id FROM referrals r WHERE r.id = t.referral_id;
UPDATE proposals p SET person_id = r.person_id FROM referrals r WHERE r.id = p.referral_id;
UPDATE occupancies o SET person_id = r.person_id FROM referrals r WHERE r.id = o.referral_id;

CREATE FUNCTION refgw_row_person() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    NEW.person_id := (SELECT person_id FROM referrals WHERE id = NEW.referral_id);
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION refgw_row_person() FROM PUBLIC;
CREATE TRIGGER referral_transitions_person BEFORE INSERT ON referral_transitions
    FOR EACH ROW EXECUTE FUNCTION refgw_row_person();
CREATE TRIGGER proposals_person BEFORE INSERT ON proposals
    FOR EACH ROW EXECUTE FUNCTION refgw_row_person();
CREATE TRIGGER occupancies_person BEFORE INSERT ON occupancies
    FOR EACH ROW EXECUTE FUNCTION refgw_row_person();

ALTER TABLE proposals DROP CONSTRAINT proposals_note_check;
ALTER TABLE occupancies DROP CONSTRAINT occupancies_note_check;
ALTER TABLE referral_transitions
    ADD CONSTRAINT referral_transitions_note_sealed CHECK (note LIKE 'rgw1.%') NOT VALID;
ALTER TABLE proposals ADD CONSTRAINT proposals_note_sealed CHECK (note LIKE 'rgw1.%') NOT VALID;
ALTER TABLE occupancies ADD CONSTRAINT occupancies_note_sealed CHECK (note LIKE 'rgw1.%') NOT VALID;
