-- 0018 leads from outside (部门筛查预警, 农户自主申报): the county's edits of the department column
-- profiles, department batches (a file or a push) with the records they matched, the rows they
-- could not match, the alerts they raised, the API tokens departments push with, and the
-- households' self-reports. The kinds and codes are core's `department` code lists.

-- A county's edits of a kind's built-in profile: extra header names and thresholds, as JSON
CREATE TABLE dept_profiles (
    county       TEXT NOT NULL,
    kind         INTEGER NOT NULL,           -- DeptKind code
    body         TEXT NOT NULL,              -- ProfileEdits JSON
    version      INTEGER NOT NULL DEFAULT 1,
    updated_by   TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (county, kind)
);

-- 部门数据批次: one delivered file or one push
CREATE TABLE dept_batches (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county       TEXT NOT NULL,
    region       TEXT NOT NULL,              -- the region it covers: the county, or a token's region
    kind         INTEGER NOT NULL,           -- DeptKind code
    channel      INTEGER NOT NULL,           -- BatchChannel code
    file_name    TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL,              -- of the file's bytes or the push's body
    client_batch_id TEXT,                    -- a push's own batch id (the same id twice is one batch)
    period       TEXT,                       -- YYYY-MM
    rows_total   INTEGER NOT NULL DEFAULT 0,
    matched      INTEGER NOT NULL DEFAULT 0,
    unmatched    INTEGER NOT NULL DEFAULT 0,
    invalid      INTEGER NOT NULL DEFAULT 0,
    alerts       INTEGER NOT NULL DEFAULT 0,
    leads        INTEGER NOT NULL DEFAULT 0,
    status       INTEGER NOT NULL,           -- BatchStatus code
    token_id     INTEGER,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    rolled_back_by TEXT,
    rolled_back_at INTEGER,
    rollback_reason TEXT
);
-- the same file (or push id) twice is one batch, unless the first was rolled back
CREATE UNIQUE INDEX dept_batches_file ON dept_batches (county, kind, sha256) WHERE status = 1;
CREATE UNIQUE INDEX dept_batches_client ON dept_batches (county, kind, client_batch_id) WHERE status = 1 AND client_batch_id IS NOT NULL;
CREATE INDEX dept_batches_county ON dept_batches (county, id);

-- A record matched to a member. A 医保 file's settlements of one person in one batch are one
-- record (their sum, their count, the latest date), so a 5-million-row file writes a row per
-- person. No foreign key to households: a department's record stays what it said.
CREATE TABLE dept_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id     INTEGER NOT NULL REFERENCES dept_batches (id) ON DELETE CASCADE,
    county       TEXT NOT NULL,
    kind         INTEGER NOT NULL,
    year         INTEGER NOT NULL,           -- the year it counts in (its date's, else the period's)
    household_no TEXT NOT NULL,
    village      TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    row_no       INTEGER NOT NULL,           -- its (first) row in the file
    rows_count   INTEGER NOT NULL DEFAULT 1,
    on_date      TEXT,
    end_date     TEXT,
    amount       INTEGER,                    -- fen
    category     INTEGER,                    -- the kind's own code (roll, school status, grade …)
    detail       TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1  -- 0 once its batch is rolled back
);
CREATE INDEX dept_records_batch ON dept_records (batch_id);
CREATE INDEX dept_records_household ON dept_records (county, household_no, kind);
-- covering the earlier facts an import reads (the year's sums, the rolls): a rolled-back batch's rows
-- are skipped by the index, and no row is read from the table
CREATE INDEX dept_records_person ON dept_records (county, kind, active, id_number, year, amount, category);

-- 未匹配队列: rows that matched no member in the batch's region, or could not be read
CREATE TABLE dept_unmatched (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id     INTEGER NOT NULL REFERENCES dept_batches (id) ON DELETE CASCADE,
    county       TEXT NOT NULL,
    kind         INTEGER NOT NULL,
    row_no       INTEGER NOT NULL,
    reason       INTEGER NOT NULL,           -- UnmatchedReason code
    field        TEXT NOT NULL DEFAULT '',
    message_zh   TEXT NOT NULL,
    message_en   TEXT NOT NULL,
    id_number    TEXT NOT NULL DEFAULT '',   -- as the row gave it (cut to 40 characters)
    name         TEXT NOT NULL DEFAULT '',
    cells        TEXT NOT NULL DEFAULT '',   -- the row as JSON, bounded
    status       INTEGER NOT NULL DEFAULT 0, -- QueueStatus code
    household_no TEXT,                       -- the household it was resolved to
    note         TEXT,
    resolved_by  TEXT,
    resolved_at  INTEGER
);
CREATE INDEX dept_unmatched_batch ON dept_unmatched (batch_id, row_no);
CREATE INDEX dept_unmatched_open ON dept_unmatched (county, status, id);

-- 部门预警: an alert a record raised, with its evidence and the lead it raised or joined
CREATE TABLE dept_alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id     INTEGER NOT NULL REFERENCES dept_batches (id) ON DELETE CASCADE,
    record_id    INTEGER REFERENCES dept_records (id) ON DELETE CASCADE,
    county       TEXT NOT NULL,
    kind         INTEGER NOT NULL,
    rule         TEXT NOT NULL,              -- DeptRule code (D01 …)
    household_no TEXT NOT NULL,
    village      TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    person_name  TEXT NOT NULL DEFAULT '',
    level        INTEGER NOT NULL,           -- WarningLevel code
    risk         INTEGER NOT NULL,           -- RiskType code
    year         INTEGER NOT NULL,
    on_date      TEXT,
    amount       INTEGER,
    threshold    INTEGER,
    evidence     TEXT NOT NULL,              -- AlertEvidence JSON
    lead_id      INTEGER REFERENCES leads (id),
    raised_lead  INTEGER NOT NULL DEFAULT 0, -- 1 when this alert's batch raised the lead
    status       INTEGER NOT NULL DEFAULT 0, -- AlertStatus code
    created_at   INTEGER NOT NULL
);
CREATE INDEX dept_alerts_batch ON dept_alerts (batch_id);
CREATE INDEX dept_alerts_county ON dept_alerts (county, status, kind, level, id);
CREATE INDEX dept_alerts_household ON dept_alerts (county, household_no);
CREATE INDEX dept_alerts_person ON dept_alerts (county, id_number, rule, year);
CREATE INDEX dept_alerts_lead ON dept_alerts (lead_id);
CREATE INDEX dept_alerts_record ON dept_alerts (record_id); -- a batch's records deleted (a county removed) find their alerts

-- API tokens a department pushes with, bound to one kind and one region; only a hash is kept
CREATE TABLE dept_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county       TEXT NOT NULL,
    region       TEXT NOT NULL,
    kind         INTEGER NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,       -- SHA-256 of the token, hex
    hint         TEXT NOT NULL,              -- the token's first characters, to tell tokens apart
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_by   TEXT,
    revoked_at   INTEGER
);
CREATE INDEX dept_tokens_county ON dept_tokens (county, id);

-- 农户自主申报: a household's own report from the public page
CREATE TABLE self_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt      TEXT NOT NULL UNIQUE,       -- the number the household keeps
    county       TEXT NOT NULL,
    village      TEXT NOT NULL,
    head_name    TEXT NOT NULL,
    mobile       TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    risk         INTEGER NOT NULL,           -- RiskType code
    description  TEXT NOT NULL,
    household_no TEXT,                       -- the household the ID number names in the village
    lead_id      INTEGER REFERENCES leads (id),
    status       INTEGER NOT NULL DEFAULT 0, -- SelfReportStatus code
    due_on       TEXT NOT NULL,              -- the acceptance clock
    address      TEXT NOT NULL,              -- a keyed hash of the sender's address, for the limits
    created_at   INTEGER NOT NULL,
    handled_by   TEXT,
    handled_at   INTEGER,
    note         TEXT
);
CREATE INDEX self_reports_id_number ON self_reports (id_number, created_at);
CREATE INDEX self_reports_address ON self_reports (address, created_at);
CREATE INDEX self_reports_village ON self_reports (county, village, status, created_at);

-- the kind of data a department user delivers (DeptKind code); none for other roles
ALTER TABLE users ADD COLUMN dept_kind INTEGER;
