-- 0002 (PostgreSQL) the ledger's yearly data: incomes, 三保障 and water flags, monitoring cases with their dated steps.
CREATE TABLE incomes (
    county               TEXT COLLATE "C" NOT NULL,
    household_no         TEXT COLLATE "C" NOT NULL,
    year                 BIGINT NOT NULL,
    quarter              BIGINT NOT NULL DEFAULT 0, -- 0 = the whole year, 1–4 = a quarter
    wages                BIGINT NOT NULL DEFAULT 0, -- all amounts in 分
    business             BIGINT NOT NULL DEFAULT 0,
    property             BIGINT NOT NULL DEFAULT 0,
    transfers            BIGINT NOT NULL DEFAULT 0,
    production_costs     BIGINT NOT NULL DEFAULT 0,
    insurance_payouts    BIGINT NOT NULL DEFAULT 0,
    out_of_pocket_medical BIGINT NOT NULL DEFAULT 0,
    updated_at           BIGINT NOT NULL,
    PRIMARY KEY (county, household_no, year, quarter),
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);

-- 两不愁三保障及饮水安全, as of a date; the newest row per household is the current state.
CREATE TABLE guarantees (
    county          TEXT COLLATE "C" NOT NULL,
    household_no    TEXT COLLATE "C" NOT NULL,
    as_of           TEXT NOT NULL,
    unsafe_housing  BIGINT NOT NULL DEFAULT 0,
    dropout         BIGINT NOT NULL DEFAULT 0,
    uninsured       BIGINT NOT NULL DEFAULT 0,
    unsafe_water    BIGINT NOT NULL DEFAULT 0,
    food_clothing   BIGINT NOT NULL DEFAULT 0,
    source          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, household_no, as_of),
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);

-- 监测对象: at most one case per household at a time; closed cases stay for history.
CREATE TABLE monitoring_cases (
    id                BIGSERIAL PRIMARY KEY,
    county            TEXT COLLATE "C" NOT NULL,
    household_no      TEXT COLLATE "C" NOT NULL,
    case_type         BIGINT NOT NULL,
    risks             TEXT NOT NULL DEFAULT '', -- comma-separated RiskType codes, at most five
    identified        TEXT NOT NULL,            -- YYYY-MM
    status            BIGINT NOT NULL,         -- CaseStatus code
    elimination_kind  BIGINT,
    eliminated        TEXT,                     -- YYYY-MM
    whole_household_without_labour BIGINT NOT NULL DEFAULT 0,
    warning_level     TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX monitoring_cases_household ON monitoring_cases (county, household_no);
CREATE INDEX monitoring_cases_status ON monitoring_cases (county, status);

-- every dated step of identification and elimination, who did it and with what outcome
CREATE TABLE case_steps (
    id         BIGSERIAL PRIMARY KEY,
    county     TEXT COLLATE "C" NOT NULL,
    case_id    BIGINT NOT NULL REFERENCES monitoring_cases (id) ON DELETE CASCADE,
    step       TEXT NOT NULL,
    on_date    TEXT NOT NULL,
    actor      TEXT NOT NULL,
    outcome    TEXT NOT NULL DEFAULT '',
    comment    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_steps_case ON case_steps (case_id, id);
