-- 0010 identification (识别认定): leads with pinned codes and their outcome, the procedure of each
-- household with its dated steps.
--
-- Leads: risk, level, source and status become the numbers of their core code lists (RiskType,
-- WarningLevel, LeadSource, LeadStatus); a lead gains its village (lists by region are range
-- scans on it), a description for leads entered by hand, who raised it, the identification that
-- gathered it, why it was closed (dismissed, merged into another) and the day the daily sweep
-- found it overdue. Existing rows keep their values under the new numbers; a closed lead of the
-- old text form had no other state than closed, so it reads as dismissed.
DROP INDEX leads_open_unique;
DROP INDEX leads_county;
ALTER TABLE leads ADD COLUMN village TEXT COLLATE "C";
UPDATE leads l SET village = h.village FROM households h WHERE h.county = l.county AND h.household_no = l.household_no;
ALTER TABLE leads ALTER COLUMN village SET NOT NULL;
ALTER TABLE leads ALTER COLUMN risk TYPE BIGINT USING (CASE risk WHEN '因病' THEN 0 WHEN '因学' THEN 1 WHEN '因残' THEN 2 WHEN '因自然灾害' THEN 3 WHEN '因意外事故' THEN 4 WHEN '因产业项目失败' THEN 5 WHEN '因务工就业不稳' THEN 6 WHEN '缺劳动力' THEN 7 WHEN '住房出现安全问题' THEN 8 WHEN '饮水安全问题' THEN 9 WHEN '其他' THEN 10 ELSE 10 END);
ALTER TABLE leads ALTER COLUMN level TYPE BIGINT USING (CASE level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END);
ALTER TABLE leads ALTER COLUMN source TYPE BIGINT USING (CASE source WHEN '系统筛查' THEN 1 WHEN '干部排查' THEN 2 WHEN '12317热线' THEN 3 WHEN '部门预警' THEN 4 WHEN '农户自主申报' THEN 5 ELSE 1 END);
ALTER TABLE leads ALTER COLUMN status DROP DEFAULT;
ALTER TABLE leads ALTER COLUMN status TYPE BIGINT USING (CASE status WHEN 'open' THEN 0 ELSE 4 END);
ALTER TABLE leads ALTER COLUMN status SET DEFAULT 0;
ALTER TABLE leads ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN identification_id BIGINT;
ALTER TABLE leads ADD COLUMN merged_into BIGINT;
ALTER TABLE leads ADD COLUMN closed_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN closed_by TEXT;
ALTER TABLE leads ADD COLUMN overdue_since TEXT;
DROP INDEX leads_household;
-- a lead waiting for an outcome (open 0, being identified 1): at most one per household and risk
CREATE UNIQUE INDEX leads_pending_unique ON leads (county, household_no, risk) WHERE status IN (0, 1);
CREATE INDEX leads_household ON leads (county, household_no, id);
-- the lists: a county's or a region's pending leads by due date
CREATE INDEX leads_county_due ON leads (county, status, due_on, id);
CREATE INDEX leads_village_due ON leads (village, status, due_on, id);

-- 识别认定: one procedure per household at a time. `body` is the core Identification as JSON
-- (what each step recorded); the columns beside it are what lists filter and sort on.
-- `version` guards against two users acting on the same step at once.
CREATE TABLE identifications (
    id             BIGSERIAL PRIMARY KEY,
    county         TEXT COLLATE "C" NOT NULL,
    household_no   TEXT COLLATE "C" NOT NULL,
    village        TEXT COLLATE "C" NOT NULL,
    stage          BIGINT NOT NULL,         -- identification Stage code
    found_on       TEXT NOT NULL,
    due_on         TEXT NOT NULL,            -- the whole procedure
    stage_due      TEXT NOT NULL,            -- the current stage
    green_channel  BIGINT NOT NULL DEFAULT 0,
    body           TEXT NOT NULL,
    case_id        BIGINT REFERENCES monitoring_cases (id),
    overdue_since  TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE UNIQUE INDEX identifications_open ON identifications (county, household_no) WHERE stage < 6;
CREATE INDEX identifications_household ON identifications (county, household_no, id);
CREATE INDEX identifications_county_due ON identifications (county, stage, stage_due);
CREATE INDEX identifications_village_due ON identifications (village, stage, stage_due);

-- every step of a procedure: what, at which stage, on which day, by whom, with what it recorded
CREATE TABLE identification_steps (
    id                BIGSERIAL PRIMARY KEY,
    county            TEXT COLLATE "C" NOT NULL,
    identification_id BIGINT NOT NULL REFERENCES identifications (id) ON DELETE CASCADE,
    kind              BIGINT NOT NULL,      -- StepKind code
    stage_before      BIGINT NOT NULL,
    stage_after       BIGINT NOT NULL,
    on_date           TEXT NOT NULL,
    actor             TEXT NOT NULL,
    role              TEXT NOT NULL,
    detail            TEXT NOT NULL,         -- the step as JSON
    recorded_at       BIGINT NOT NULL
);
CREATE INDEX identification_steps_of ON identification_steps (identification_id, id);
