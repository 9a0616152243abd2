-- 0024 监测统计 (issue 16): what the monitoring statistics need to count a past date exactly.
-- 识别监测日期: the day the county included the household (the month's first day for cases the
-- ledger brought, which gives months only).
ALTER TABLE monitoring_cases ADD COLUMN identified_on TEXT COLLATE "C";
UPDATE monitoring_cases SET identified_on = identified || '-01';
-- 监测对象类别 changes: the type a case had before each change and the day it changed, written
-- by the database itself whatever path changes the type, so a past date reads the type it had.
CREATE TABLE case_type_changes (
    id               BIGSERIAL PRIMARY KEY,
    county           TEXT COLLATE "C" NOT NULL,
    case_id          BIGINT NOT NULL REFERENCES monitoring_cases (id) ON DELETE CASCADE,
    changed_on       TEXT COLLATE "C" NOT NULL,
    case_type_before BIGINT NOT NULL,
    case_type_after  BIGINT NOT NULL
);
CREATE INDEX case_type_changes_case ON case_type_changes (case_id, changed_on);
CREATE FUNCTION monitoring_cases_type_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_type_changes (county, case_id, changed_on, case_type_before, case_type_after)
    VALUES (NEW.county, NEW.id, to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), OLD.case_type, NEW.case_type);
    RETURN NULL;
END $$;
CREATE TRIGGER monitoring_cases_type_change AFTER UPDATE OF case_type ON monitoring_cases
FOR EACH ROW WHEN (OLD.case_type <> NEW.case_type) EXECUTE FUNCTION monitoring_cases_type_change();
-- 成员增加: the day a person joined a household that was already registered. Kept beside the
-- members, whose rows every household edit rewrites; a member without a row here was in the
-- household from its registration (or the ledger), which counts as always.
CREATE TABLE member_joins (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    id_number    TEXT COLLATE "C" NOT NULL,
    joined_on    TEXT COLLATE "C" NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX member_joins_household ON member_joins (county, household_no, id_number, joined_on);
