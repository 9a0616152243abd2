-- 0005 keys that cost less to write, found by a million-person ledger import (docs/benchmarks.md).
--
-- households, incomes and guarantees are kept in the order of their primary key (WITHOUT ROWID):
-- one B-tree each, where a rowid table kept the rows and their key apart, and incomes a third
-- copy (incomes_screening, the whole row for the screening snapshot, which now reads the table).
--
-- members, the largest table, keeps its rows in insertion order and its key (county, 证件号码)
-- as a unique index, members_key, instead of a PRIMARY KEY: an index can be dropped and built
-- again by one sort, which a first ledger import does (persons come in random 证件号码 order,
-- and a million random insertions into the key cost three times the rows themselves).
--
-- Each table is rebuilt by SQLite's procedure: new table, copy, drop, rename, indexes again.
-- Migrations run with foreign-key enforcement off (dropping households would otherwise
-- delete every row that references it) and end with PRAGMA foreign_key_check.
CREATE TABLE incomes_keyed (
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
) WITHOUT ROWID;
INSERT INTO incomes_keyed (county, household_no, year, quarter, wages, business, property, transfers,
        production_costs, insurance_payouts, out_of_pocket_medical, updated_at)
    SELECT county, household_no, year, quarter, wages, business, property, transfers,
        production_costs, insurance_payouts, out_of_pocket_medical, updated_at
    FROM incomes;
DROP TABLE incomes; -- and incomes_screening with it
ALTER TABLE incomes_keyed RENAME TO incomes;

CREATE TABLE guarantees_keyed (
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
) WITHOUT ROWID;
INSERT INTO guarantees_keyed (county, household_no, as_of, unsafe_housing, dropout, uninsured,
        unsafe_water, food_clothing, source)
    SELECT county, household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water,
        food_clothing, source
    FROM guarantees;
DROP TABLE guarantees;
ALTER TABLE guarantees_keyed RENAME TO guarantees;

CREATE TABLE households_keyed (
    county                  TEXT NOT NULL,
    household_no            TEXT NOT NULL,
    village                 TEXT NOT NULL REFERENCES regions (code),
    grp                     TEXT NOT NULL DEFAULT '',
    address                 TEXT NOT NULL DEFAULT '',
    phone                   TEXT NOT NULL DEFAULT '',
    household_type          INTEGER NOT NULL,
    dibao                   INTEGER NOT NULL DEFAULT 0,
    tekun                   INTEGER NOT NULL DEFAULT 0,
    relocated               INTEGER NOT NULL DEFAULT 0,
    resettlement_site       TEXT NOT NULL DEFAULT '',
    military_family         INTEGER NOT NULL DEFAULT 0,
    cultivated_land_centimu INTEGER,
    housing_area_centim2    INTEGER,
    house_grade             TEXT NOT NULL DEFAULT '',
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    PRIMARY KEY (county, household_no)
) WITHOUT ROWID;
INSERT INTO households_keyed SELECT county, household_no, village, grp, address, phone, household_type,
        dibao, tekun, relocated, resettlement_site, military_family, cultivated_land_centimu,
        housing_area_centim2, house_grade, version, created_at, updated_at
    FROM households;
DROP TABLE households;
ALTER TABLE households_keyed RENAME TO households;
CREATE UNIQUE INDEX households_no ON households (household_no);
CREATE INDEX households_village ON households (village, household_no);

CREATE TABLE members_unkeyed (
    county                    TEXT NOT NULL,
    id_number                 TEXT NOT NULL,
    household_no              TEXT NOT NULL,
    village                   TEXT NOT NULL DEFAULT '',
    position                  INTEGER NOT NULL,
    id_kind                   INTEGER NOT NULL,
    person_no                 TEXT NOT NULL DEFAULT '',
    name                      TEXT NOT NULL,
    sex                       INTEGER NOT NULL,
    birth_date                TEXT NOT NULL,
    relation                  INTEGER NOT NULL,
    ethnicity                 TEXT NOT NULL DEFAULT '',
    political                 INTEGER,
    phone                     TEXT NOT NULL DEFAULT '',
    education                 INTEGER,
    schooling                 INTEGER,
    health                    INTEGER NOT NULL,
    disability_category       TEXT NOT NULL DEFAULT '',
    labour                    INTEGER,
    migrant_months            INTEGER NOT NULL DEFAULT 0,
    migrant_place             TEXT NOT NULL DEFAULT '',
    migrant_employer          TEXT NOT NULL DEFAULT '',
    welfare_job               TEXT NOT NULL DEFAULT '',
    welfare_job_months        INTEGER NOT NULL DEFAULT 0,
    dibao                     INTEGER NOT NULL DEFAULT 0,
    tekun                     INTEGER NOT NULL DEFAULT 0,
    resident_medical          INTEGER NOT NULL DEFAULT 0,
    employee_medical          INTEGER NOT NULL DEFAULT 0,
    serious_illness_insurance INTEGER NOT NULL DEFAULT 0,
    resident_pension          INTEGER NOT NULL DEFAULT 0,
    employee_pension          INTEGER NOT NULL DEFAULT 0,
    deceased_on               TEXT,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
INSERT INTO members_unkeyed SELECT county, id_number, household_no, village, position, id_kind, person_no,
        name, sex, birth_date, relation, ethnicity, political, phone, education, schooling, health,
        disability_category, labour, migrant_months, migrant_place, migrant_employer, welfare_job,
        welfare_job_months, dibao, tekun, resident_medical, employee_medical,
        serious_illness_insurance, resident_pension, employee_pension, deceased_on
    FROM members;
DROP TABLE members;
ALTER TABLE members_unkeyed RENAME TO members;
CREATE UNIQUE INDEX members_key ON members (county, id_number);
CREATE INDEX members_household ON members (county, household_no, position, deceased_on, labour, health, schooling, resident_medical, employee_medical);
CREATE INDEX members_name ON members (county, name);
CREATE INDEX members_village ON members (village, deceased_on);

-- a household's leads (its page) by index: the only index with household_no was the partial
-- one of open leads
CREATE INDEX leads_household ON leads (county, household_no, id);
