-- 0013 assistance and risk elimination (精准帮扶, 风险消除): one plan per case with its measures,
-- the assistance persons and family doctors paired with households, the positions users hold
-- besides their role, visits, the monthly task lists, and what a closed case keeps.

-- 一户一策: one plan per monitoring case. `version` guards against two users saving at once.
CREATE TABLE assistance_plans (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    village      TEXT COLLATE "C" NOT NULL,
    case_id      BIGINT NOT NULL UNIQUE REFERENCES monitoring_cases (id) ON DELETE CASCADE,
    summary      TEXT NOT NULL DEFAULT '',   -- the plan in words (帮扶思路)
    version      BIGINT NOT NULL DEFAULT 1,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX assistance_plans_village ON assistance_plans (village);

-- 帮扶措施
CREATE TABLE measures (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    village      TEXT COLLATE "C" NOT NULL,
    case_id      BIGINT NOT NULL REFERENCES monitoring_cases (id) ON DELETE CASCADE,
    plan_id      BIGINT NOT NULL REFERENCES assistance_plans (id) ON DELETE CASCADE,
    category     BIGINT NOT NULL,           -- MeasureCategory code
    content      TEXT NOT NULL,
    risk         BIGINT,                    -- RiskType code of the risk it answers
    start_on     TEXT NOT NULL,
    end_on       TEXT,                       -- planned end; none: until further notice
    amount       BIGINT,                    -- fen
    unit         TEXT NOT NULL DEFAULT '',   -- 责任单位
    responsible  TEXT NOT NULL DEFAULT '',   -- 责任人
    state        BIGINT NOT NULL,           -- MeasureState code
    ended_on     TEXT,                       -- the day it actually ended
    version      BIGINT NOT NULL DEFAULT 1,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX measures_case ON measures (case_id, id);
CREATE INDEX measures_village ON measures (village, state, category);
CREATE INDEX measures_county ON measures (county, category, state);

-- 帮扶责任人 and 家庭签约医生: the people paired with households (the national form's fields)
CREATE TABLE assistance_persons (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    position     BIGINT NOT NULL,           -- Position code: 3 assistance person, 4 family doctor
    name         TEXT NOT NULL,
    sex          BIGINT,                    -- Sex code
    political    BIGINT,                    -- PoliticalStatus code
    unit         TEXT NOT NULL DEFAULT '',   -- 帮扶(选派)单位名称
    phone        TEXT NOT NULL DEFAULT '',
    username     TEXT COLLATE "C",                       -- the user account, when the person signs in
    active       BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX assistance_persons_county ON assistance_persons (county, position, name);
CREATE INDEX assistance_persons_user ON assistance_persons (username);

-- pairing of a person with a household, dated; a reassignment ends one pairing and starts another
CREATE TABLE assistance_pairings (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    person_id    BIGINT NOT NULL REFERENCES assistance_persons (id),
    household_no TEXT COLLATE "C" NOT NULL,
    village      TEXT COLLATE "C" NOT NULL,
    start_on     TEXT NOT NULL,
    end_on       TEXT,                       -- none while it lasts
    end_reason   TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX assistance_pairings_person ON assistance_pairings (person_id, start_on);
CREATE INDEX assistance_pairings_household ON assistance_pairings (county, household_no, start_on);
CREATE INDEX assistance_pairings_village ON assistance_pairings (village, end_on);

-- the pairings of user accounts kept since 0001 become dated pairings of assistance persons: one
-- person per paired user and county, named as the user, each pairing starting on the day of the
-- upgrade (the old table kept no dates)
INSERT INTO assistance_persons (county, position, name, unit, phone, username, active, created_at, updated_at)
    SELECT DISTINCT p.county, 3, u.display_name, '', '', u.username, 1, u.created_at, u.created_at
    FROM pairings p JOIN users u ON u.id = p.user_id;
INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, created_by, created_at)
    SELECT p.county, ap.id, p.household_no, h.village, to_char(CURRENT_DATE, 'YYYY-MM-DD'), 'upgrade', CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
    FROM pairings p
    JOIN users u ON u.id = p.user_id
    JOIN assistance_persons ap ON ap.username = u.username AND ap.county = p.county
    JOIN households h ON h.county = p.county AND h.household_no = p.household_no;
DROP TABLE pairings;

-- the positions a user holds besides the role (村党支部书记 of a village, 乡镇党委书记 of a
-- township, 帮扶责任人 or 家庭签约医生 as an assistance person)
CREATE TABLE user_positions (
    username     TEXT COLLATE "C" NOT NULL,
    position     BIGINT NOT NULL,           -- Position code
    region       TEXT COLLATE "C" NOT NULL,              -- the village or township the duty covers
    person_id    BIGINT REFERENCES assistance_persons (id),
    PRIMARY KEY (username, position)
);
CREATE INDEX user_positions_region ON user_positions (region, position);

-- 走访
CREATE TABLE visits (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    village      TEXT COLLATE "C" NOT NULL,
    on_date      TEXT NOT NULL,
    visitor      TEXT COLLATE "C" NOT NULL,              -- username
    visitor_name TEXT NOT NULL,
    position     BIGINT NOT NULL,           -- Position code the visit counts for
    person_id    BIGINT REFERENCES assistance_persons (id),
    findings     TEXT NOT NULL,
    follow_up    TEXT NOT NULL DEFAULT '',
    lead_id      BIGINT,                    -- a lead the visit raised
    created_at   BIGINT NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX visits_household ON visits (county, household_no, position, on_date);
CREATE INDEX visits_village ON visits (village, on_date);
CREATE INDEX visits_visitor ON visits (visitor, on_date);

-- 工作提示单: a village's tasks of a month, as generated (items as JSON), regenerated on demand
CREATE TABLE task_lists (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    village      TEXT COLLATE "C" NOT NULL,
    month        TEXT COLLATE "C" NOT NULL,              -- YYYY-MM
    items        TEXT NOT NULL,
    item_count   BIGINT NOT NULL,
    generated_by TEXT NOT NULL,
    generated_at BIGINT NOT NULL,
    UNIQUE (village, month)
);
CREATE INDEX task_lists_county ON task_lists (county, month);

-- a procedure is an identification (1) or an elimination (2) of a case; an identification
-- opened by re-flagging a closed case (风险再标注) names that case
ALTER TABLE identifications ADD COLUMN purpose BIGINT NOT NULL DEFAULT 1;
ALTER TABLE identifications ADD COLUMN reflag_of BIGINT REFERENCES monitoring_cases (id);
CREATE INDEX identifications_case ON identifications (case_id);

-- what a closed case keeps: the day, the snapshot of incomes and conditions at that date (JSON),
-- the 监测联系人 and phone; `version` guards the case against two users at once
ALTER TABLE monitoring_cases ADD COLUMN eliminated_on TEXT;
ALTER TABLE monitoring_cases ADD COLUMN elimination_snapshot TEXT;
ALTER TABLE monitoring_cases ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE monitoring_cases ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE monitoring_cases ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
