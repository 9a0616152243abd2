-- 0001 foundation: regions, registry, users, sessions, audit.
-- Codes and keys are TEXT; flags and money are INTEGER (0/1, 分); instants are Unix seconds;
-- dates are ISO text (YYYY-MM-DD), which sorts as dates do.
CREATE TABLE regions (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    parent TEXT,
    level  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX regions_parent ON regions (parent);

CREATE TABLE households (
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
);
CREATE UNIQUE INDEX households_no ON households (household_no);
CREATE INDEX households_village ON households (village, household_no);

CREATE TABLE members (
    county                    TEXT NOT NULL,
    id_number                 TEXT NOT NULL,
    household_no              TEXT NOT NULL,
    -- the household's village, repeated so that counts per region need no join
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
    PRIMARY KEY (county, id_number),
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX members_household ON members (county, household_no, position);
CREATE INDEX members_name ON members (county, name);
CREATE INDEX members_id ON members (id_number);
CREATE INDEX members_village ON members (village, deceased_on);

-- One person in one household nation-wide, whatever shard the member row lives on.
CREATE TABLE person_index (
    id_number    TEXT PRIMARY KEY,
    county       TEXT NOT NULL,
    household_no TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    region        TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) WITHOUT ROWID;

-- 帮扶责任人 pairing: which households an assistance person looks after.
CREATE TABLE pairings (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    county       TEXT NOT NULL,
    household_no TEXT NOT NULL,
    PRIMARY KEY (user_id, county, household_no),
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    county     TEXT,
    at         INTEGER NOT NULL,
    user_id    INTEGER,
    username   TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_entity ON audit_events (entity, entity_key, id);
