-- 0001 foundation (PostgreSQL): regions, registry, users, sessions, audit.
-- Codes and keys are TEXT; flags and money are BIGINT (0/1, 分); instants are Unix seconds;
-- dates are ISO text (YYYY-MM-DD), which sorts as dates do.
CREATE TABLE regions (
    code   TEXT COLLATE "C" PRIMARY KEY,
    name   TEXT NOT NULL,
    parent TEXT COLLATE "C",
    level  BIGINT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent);

CREATE TABLE households (
    county                  TEXT COLLATE "C" NOT NULL,
    household_no            TEXT COLLATE "C" NOT NULL,
    village                 TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    grp                     TEXT NOT NULL DEFAULT '',
    address                 TEXT NOT NULL DEFAULT '',
    phone                   TEXT NOT NULL DEFAULT '',
    household_type          BIGINT NOT NULL,
    dibao                   BIGINT NOT NULL DEFAULT 0,
    tekun                   BIGINT NOT NULL DEFAULT 0,
    relocated               BIGINT NOT NULL DEFAULT 0,
    resettlement_site       TEXT NOT NULL DEFAULT '',
    military_family         BIGINT NOT NULL DEFAULT 0,
    cultivated_land_centimu BIGINT,
    housing_area_centim2    BIGINT,
    house_grade             TEXT NOT NULL DEFAULT '',
    version                 BIGINT NOT NULL DEFAULT 1,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    PRIMARY KEY (county, household_no)
);
CREATE UNIQUE INDEX households_no ON households (household_no);
CREATE INDEX households_village ON households (village, household_no);

CREATE TABLE members (
    county                    TEXT COLLATE "C" NOT NULL,
    id_number                 TEXT COLLATE "C" NOT NULL,
    household_no              TEXT COLLATE "C" NOT NULL,
    -- the household's village, repeated so that counts per region need no join
    village                   TEXT COLLATE "C" NOT NULL DEFAULT '',
    position                  BIGINT NOT NULL,
    id_kind                   BIGINT NOT NULL,
    person_no                 TEXT NOT NULL DEFAULT '',
    name                      TEXT COLLATE "C" NOT NULL,
    sex                       BIGINT NOT NULL,
    birth_date                TEXT NOT NULL,
    relation                  BIGINT NOT NULL,
    ethnicity                 TEXT NOT NULL DEFAULT '',
    political                 BIGINT,
    phone                     TEXT NOT NULL DEFAULT '',
    education                 BIGINT,
    schooling                 BIGINT,
    health                    BIGINT NOT NULL,
    disability_category       TEXT NOT NULL DEFAULT '',
    labour                    BIGINT,
    migrant_months            BIGINT NOT NULL DEFAULT 0,
    migrant_place             TEXT NOT NULL DEFAULT '',
    migrant_employer          TEXT NOT NULL DEFAULT '',
    welfare_job               TEXT NOT NULL DEFAULT '',
    welfare_job_months        BIGINT NOT NULL DEFAULT 0,
    dibao                     BIGINT NOT NULL DEFAULT 0,
    tekun                     BIGINT NOT NULL DEFAULT 0,
    resident_medical          BIGINT NOT NULL DEFAULT 0,
    employee_medical          BIGINT NOT NULL DEFAULT 0,
    serious_illness_insurance BIGINT NOT NULL DEFAULT 0,
    resident_pension          BIGINT NOT NULL DEFAULT 0,
    employee_pension          BIGINT NOT NULL DEFAULT 0,
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
    id_number    TEXT COLLATE "C" PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL
);

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    region        TEXT COLLATE "C" NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL
);

-- 帮扶责任人 pairing: which households an assistance person looks after.
CREATE TABLE pairings (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    county       TEXT COLLATE "C" NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, county, household_no),
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);

CREATE TABLE audit_events (
    id         BIGSERIAL PRIMARY KEY,
    county     TEXT COLLATE "C",
    at         BIGINT NOT NULL,
    user_id    BIGINT,
    username   TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_key TEXT COLLATE "C" NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_entity ON audit_events (entity, entity_key, id);
