-- 0026 促增收: the low-income ledger (低收入台账). A 脱贫 or monitored household whose per-capita
-- net income of a year is below the low-income watch line (10,000 元) is entered once for that
-- year, with its band (below the county target or only below the watch line), and stays until it
-- is cleared (销号) with the day, the method, a note and who cleared it. Cleared entries are kept:
-- the ledger's history.
CREATE TABLE low_income_entries (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    county             TEXT NOT NULL,
    household_no       TEXT NOT NULL,
    village            TEXT NOT NULL,
    year               INTEGER NOT NULL,
    band               INTEGER NOT NULL,           -- LowIncomeBand code: 1 below the target, 2 below the watch line
    per_capita         INTEGER NOT NULL,           -- 人均纯收入 when entered, 分
    entered_on         TEXT NOT NULL,
    cleared_on         TEXT,                       -- none while the entry is open
    cleared_method     INTEGER,                    -- ClearMethod code
    cleared_note       TEXT NOT NULL DEFAULT '',
    cleared_by         TEXT NOT NULL DEFAULT '',   -- username
    cleared_per_capita INTEGER,                    -- 人均纯收入 when cleared, 分
    FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE
);
CREATE UNIQUE INDEX low_income_entries_key ON low_income_entries (county, household_no, year);
CREATE INDEX low_income_entries_village ON low_income_entries (village, year);
