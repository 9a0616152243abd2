-- 0008 member departures (成员减少): a member who leaves a household (death, moving away, a
-- household of their own, marriage) is kept with the reason and date, apart from the current
-- members, so counts, screening, search and the ledger see only those who still live there and
-- the person may be registered in another household.
CREATE TABLE member_departures (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    id_number    TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    reason       BIGINT NOT NULL,
    left_on      TEXT NOT NULL,
    -- the member as they were on leaving, as JSON
    member       TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE INDEX member_departures_household ON member_departures (county, household_no, id);
