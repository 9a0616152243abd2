-- 0002 the ledger's yearly data: incomes, 三保障 and water flags, monitoring cases with their dated steps.
CREATE TABLE incomes (
    county               TEXT NOT NULL,
    household_no         TEXT NOT NULL,
    year                 INTEGER NOT NULL,
    quarter              INTEGER NOT NULL DEFAULT 0, -- 0 = the whole year, 1–4 = a quarter
    wages                INTEGER NOT NULL DEFAULT 0, -- all amounts in 分
    business             INTEGER NOT NULL DEFAULT 0,
    property             INTEGER NOT NULL DEFAULT 0,
    transfers            INTEGER NOT NULL DEFAULT 0,
    production_costs     INTEGER NOT NULL DEFAULT 0,
    insurance_payouts    INTEGER NOT NULL DEFAULT 0,
    out_of_pocket_medical INTEGER NOT NULL DEFAULT 0,
    updated_at           INTEGER NOT NULL,
    PRIMARY KEY (county, household_no, year, quarter),
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);

-- 两不愁三保障及饮水安全, as of a date; the newest row per household is the current state.
CREATE TABLE guarantees (
    county          TEXT NOT NULL,
    household_no    TEXT NOT NULL,
    as_of           TEXT NOT NULL,
    unsafe_housing  INTEGER NOT NULL DEFAULT 0,
    dropout         INTEGER NOT NULL DEFAULT 0,
    uninsured       INTEGER NOT NULL DEFAULT 0,
    unsafe_water    INTEGER NOT NULL DEFAULT 0,
    food_clothing   INTEGER NOT NULL DEFAULT 0,
    source          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, household_no, as_of),
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);

-- 监测对象: at most one case per household at a time; closed cases stay for history.
CREATE TABLE monitoring_cases (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    county            TEXT NOT NULL,
    household_no      TEXT NOT NULL,
    case_type         INTEGER NOT NULL,
    risks             TEXT NOT NULL DEFAULT '', -- comma-separated RiskType codes, at most five
    identified        TEXT NOT NULL,            -- YYYY-MM
    status            INTEGER NOT NULL,         -- CaseStatus code
    elimination_kind  INTEGER,
    eliminated        TEXT,                     -- YYYY-MM
    whole_household_without_labour INTEGER NOT NULL DEFAULT 0,
    warning_level     TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX monitoring_cases_household ON monitoring_cases (county, household_no);
CREATE INDEX monitoring_cases_status ON monitoring_cases (county, status);

-- every dated step of identification and elimination, who did it and with what outcome
CREATE TABLE case_steps (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    county     TEXT NOT NULL,
    case_id    INTEGER NOT NULL REFERENCES monitoring_cases (id) ON DELETE CASCADE,
    step       TEXT NOT NULL,
    on_date    TEXT NOT NULL,
    actor      TEXT NOT NULL,
    outcome    TEXT NOT NULL DEFAULT '',
    comment    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_steps_case ON case_steps (case_id, id);
