-- 0003 screening (监测预警): yearly standards, county rule sets, screening runs with their hits, leads.

-- 监测标准 per year and region (province, city or county; inherited downward). `body` is the core
-- Standard as JSON (line, thresholds, deadlines, the warning scheme 预警方案); the line is also a
-- column so that lists need not parse it.
CREATE TABLE standards (
    region          TEXT NOT NULL,
    year            INTEGER NOT NULL,
    monitoring_line INTEGER,
    body            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    updated_by      TEXT NOT NULL,
    PRIMARY KEY (region, year)
);

-- A county's rule set per year (规则集): levels, enabled rules and parameter overrides as JSON;
-- every saved edit is a new version.
CREATE TABLE rule_sets (
    county     TEXT NOT NULL,
    year       INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, year, version)
);

-- One screening run (筛查批次): when, who, on what, with which rule set, and its counts.
CREATE TABLE screening_runs (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    county             TEXT NOT NULL,
    region             TEXT NOT NULL,
    year               INTEGER NOT NULL,
    started_at         INTEGER NOT NULL,
    finished_at        INTEGER NOT NULL,
    actor              TEXT NOT NULL,
    catalogue_version  TEXT NOT NULL,
    rule_set_version   INTEGER NOT NULL,
    monitoring_line    INTEGER NOT NULL,
    households         INTEGER NOT NULL,
    persons            INTEGER NOT NULL,
    flagged_households INTEGER NOT NULL,
    flagged_persons    INTEGER NOT NULL,
    red                INTEGER NOT NULL,
    yellow             INTEGER NOT NULL,
    blue               INTEGER NOT NULL,
    hits               INTEGER NOT NULL,
    new_leads          INTEGER NOT NULL,
    fingerprint        TEXT NOT NULL
);
CREATE INDEX screening_runs_region ON screening_runs (county, region, year, id);

-- 预警命中: one row per household and rule of a run, with its evidence (JSON of core Evidence).
CREATE TABLE screening_hits (
    run_id       INTEGER NOT NULL REFERENCES screening_runs (id) ON DELETE CASCADE,
    county       TEXT NOT NULL,
    household_no TEXT NOT NULL,
    rule         TEXT NOT NULL,
    level        TEXT NOT NULL,
    risk         TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    PRIMARY KEY (run_id, household_no, rule)
);
CREATE INDEX screening_hits_household ON screening_hits (county, household_no, run_id);

-- 风险线索: at most one open lead per household and risk type.
CREATE TABLE leads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county       TEXT NOT NULL,
    household_no TEXT NOT NULL,
    risk         TEXT NOT NULL,
    level        TEXT NOT NULL,
    rules        TEXT NOT NULL,            -- comma-separated rule codes
    source       TEXT NOT NULL,            -- 系统筛查, 干部排查 …
    found_on     TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open',
    run_id       INTEGER REFERENCES screening_runs (id),
    created_at   INTEGER NOT NULL,
    closed_at    INTEGER,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE UNIQUE INDEX leads_open_unique ON leads (county, household_no, risk) WHERE status = 'open';
CREATE INDEX leads_county ON leads (county, status, found_on);

-- Covering indexes for the screening snapshot: members and incomes are read in household order
-- without touching the table rows.
CREATE INDEX members_screening ON members (county, household_no, deceased_on, labour, health, schooling, resident_medical, employee_medical);
CREATE INDEX incomes_screening ON incomes (county, household_no, year, quarter, wages, business, property, transfers, production_costs, insurance_payouts, out_of_pocket_medical);
