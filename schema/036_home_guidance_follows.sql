-- 036: home-guidance services follow people (issue 15).  The follow-up
-- actions (030) and the home_guidance kind (031) were built side by side:
-- the kind got the other social kinds' rules as 031 knew them, without
-- follow_up.manage and follow_up.read.  A home-guidance service is the one
-- DIOGENES relays a person to after move-in, to follow them at home.
INSERT INTO access_rules (kind, action, allowed)
SELECT 'home_guidance', a, true
  FROM unnest(ARRAY['follow_up.manage', 'follow_up.read']) a
 WHERE NOT EXISTS (SELECT 1 FROM access_rules r
                    WHERE r.kind = 'home_guidance' AND r.action = a);
