-- 0010 identification (识别认定): leads with pinned codes and their outcome, the procedure of each
-- household with its dated steps.
--
-- Leads: risk, level, source and status become the numbers of their core code lists (RiskType,
-- WarningLevel, LeadSource, LeadStatus); a lead gains its village (lists by region are range
-- scans on it), a description for leads entered by hand, who raised it, the identification that
-- gathered it, why it was closed (dismissed, merged into another) and the day the daily sweep
-- found it overdue. Existing rows keep their values under the new numbers; a closed lead of the
-- old text form had no other state than closed, so it reads as dismissed.
CREATE TABLE leads_coded (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    county            TEXT NOT NULL,
    household_no      TEXT NOT NULL,
    village           TEXT NOT NULL,
    risk              INTEGER NOT NULL,         -- RiskType code
    level             INTEGER NOT NULL,         -- WarningLevel code
    rules             TEXT NOT NULL,            -- comma-separated rule codes (screening leads)
    source            INTEGER NOT NULL,         -- LeadSource code
    found_on          TEXT NOT NULL,
    due_on            TEXT NOT NULL,
    status            INTEGER NOT NULL DEFAULT 0, -- LeadStatus code
    run_id            INTEGER REFERENCES screening_runs (id),
    note              TEXT NOT NULL DEFAULT '', -- what was seen, for leads entered by hand
    created_by        TEXT NOT NULL DEFAULT '',
    identification_id INTEGER,
    merged_into       INTEGER,
    closed_reason     TEXT NOT NULL DEFAULT '',
    closed_by         TEXT,
    overdue_since     TEXT,
    created_at        INTEGER NOT NULL,
    closed_at         INTEGER,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
INSERT INTO leads_coded (id, county, household_no, village, risk, level, rules, source, found_on, due_on,
                         status, run_id, created_at, closed_at)
    SELECT l.id, l.county, l.household_no, h.village, CASE l.risk WHEN '因病' THEN 0 WHEN '因学' THEN 1 WHEN '因残' THEN 2 WHEN '因自然灾害' THEN 3 WHEN '因意外事故' THEN 4 WHEN '因产业项目失败' THEN 5 WHEN '因务工就业不稳' THEN 6 WHEN '缺劳动力' THEN 7 WHEN '住房出现安全问题' THEN 8 WHEN '饮水安全问题' THEN 9 WHEN '其他' THEN 10 ELSE 10 END, CASE l.level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, l.rules,
           CASE l.source WHEN '系统筛查' THEN 1 WHEN '干部排查' THEN 2 WHEN '12317热线' THEN 3 WHEN '部门预警' THEN 4 WHEN '农户自主申报' THEN 5 ELSE 1 END, l.found_on, l.due_on, CASE l.status WHEN 'open' THEN 0 ELSE 4 END, l.run_id, l.created_at, l.closed_at
    FROM leads l JOIN households h ON h.county = l.county AND h.household_no = l.household_no;
DROP TABLE leads;
ALTER TABLE leads_coded RENAME TO leads;
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
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    county         TEXT NOT NULL,
    household_no   TEXT NOT NULL,
    village        TEXT NOT NULL,
    stage          INTEGER NOT NULL,         -- identification Stage code
    found_on       TEXT NOT NULL,
    due_on         TEXT NOT NULL,            -- the whole procedure
    stage_due      TEXT NOT NULL,            -- the current stage
    green_channel  INTEGER NOT NULL DEFAULT 0,
    body           TEXT NOT NULL,
    case_id        INTEGER REFERENCES monitoring_cases (id),
    overdue_since  TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE UNIQUE INDEX identifications_open ON identifications (county, household_no) WHERE stage < 6;
CREATE INDEX identifications_household ON identifications (county, household_no, id);
CREATE INDEX identifications_county_due ON identifications (county, stage, stage_due);
CREATE INDEX identifications_village_due ON identifications (village, stage, stage_due);

-- every step of a procedure: what, at which stage, on which day, by whom, with what it recorded
CREATE TABLE identification_steps (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    county            TEXT NOT NULL,
    identification_id INTEGER NOT NULL REFERENCES identifications (id) ON DELETE CASCADE,
    kind              INTEGER NOT NULL,      -- StepKind code
    stage_before      INTEGER NOT NULL,
    stage_after       INTEGER NOT NULL,
    on_date           TEXT NOT NULL,
    actor             TEXT NOT NULL,
    role              TEXT NOT NULL,
    detail            TEXT NOT NULL,         -- the step as JSON
    recorded_at       INTEGER NOT NULL
);
CREATE INDEX identification_steps_of ON identification_steps (identification_id, id);
