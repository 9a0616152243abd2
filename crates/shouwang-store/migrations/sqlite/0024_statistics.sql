-- 0024 监测统计 (issue 16): what the monitoring statistics need to count a past date exactly.
-- 识别监测日期: the day the county included the household (the month's first day for cases the
-- ledger brought, which gives months only).
ALTER TABLE monitoring_cases ADD COLUMN identified_on TEXT;
UPDATE monitoring_cases SET identified_on = identified || '-01';
-- 监测对象类别 changes: the type a case had before each change and the day it changed, written
-- by the database itself whatever path changes the type, so a past date reads the type it had.
CREATE TABLE case_type_changes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    county           TEXT NOT NULL,
    case_id          INTEGER NOT NULL REFERENCES monitoring_cases (id) ON DELETE CASCADE,
    changed_on       TEXT NOT NULL,
    case_type_before INTEGER NOT NULL,
    case_type_after  INTEGER NOT NULL
);
CREATE INDEX case_type_changes_case ON case_type_changes (case_id, changed_on);
CREATE TRIGGER monitoring_cases_type_change AFTER UPDATE OF case_type ON monitoring_cases
WHEN OLD.case_type <> NEW.case_type
BEGIN
    INSERT INTO case_type_changes (county, case_id, changed_on, case_type_before, case_type_after)
    VALUES (NEW.county, NEW.id, date('now', '+8 hours'), OLD.case_type, NEW.case_type);
END;
-- 成员增加: the day a person joined a household that was already registered. Kept beside the
-- members, whose rows every household edit rewrites; a member without a row here was in the
-- household from its registration (or the ledger), which counts as always.
CREATE TABLE member_joins (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county       TEXT NOT NULL,
    household_no TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    joined_on    TEXT NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX member_joins_household ON member_joins (county, household_no, id_number, joined_on);
