-- 0025 data quality (issue 16): exemptions from a data-quality rule. A finding that is right as it
-- stands (a 15-year-old head after the parents died) is exempted with the reason, who and when;
-- an exemption is withdrawn, never deleted, so the list keeps who granted what.
CREATE TABLE quality_exemptions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    county          TEXT NOT NULL,
    village         TEXT NOT NULL,
    rule            INTEGER NOT NULL,            -- quality::Rule code
    household_no    TEXT NOT NULL,
    member          TEXT NOT NULL DEFAULT '',    -- a member's ID number, '' for the household
    reason          TEXT NOT NULL,
    granted_by      TEXT NOT NULL,
    granted_at      INTEGER NOT NULL,
    withdrawn_by    TEXT,
    withdrawn_at    INTEGER,
    withdraw_reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX quality_exemptions_active ON quality_exemptions (county, household_no, rule, member) WHERE withdrawn_at IS NULL;
CREATE INDEX quality_exemptions_village ON quality_exemptions (village, id);
