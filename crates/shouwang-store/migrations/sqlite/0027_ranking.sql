-- 0027 督导考核排序 (issue 16): the weights a county or township ranks its villages by, and each
-- ended month's ranking as it was first read after the month ended, kept so that it reads the
-- same later whatever changes afterwards.

-- the weights of a county or a township (a township without its own uses its county's)
CREATE TABLE ranking_weights (
    region       TEXT PRIMARY KEY,           -- the county or township
    county       TEXT NOT NULL,
    deadline     INTEGER NOT NULL,           -- 按期办结
    visits       INTEGER NOT NULL,           -- 走访落实
    measures     INTEGER NOT NULL,           -- 措施覆盖
    quality      INTEGER NOT NULL,           -- 数据质量
    version      INTEGER NOT NULL DEFAULT 1,
    updated_by   TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- a month's ranking of a county or township, frozen: the weights and every village's and
-- township's inputs, scores and ranks as JSON
CREATE TABLE ranking_months (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county       TEXT NOT NULL,
    region       TEXT NOT NULL,
    month        TEXT NOT NULL,              -- YYYY-MM
    body         TEXT NOT NULL,              -- Ranking JSON
    frozen_by    TEXT NOT NULL,
    frozen_at    INTEGER NOT NULL,
    UNIQUE (region, month)
);
CREATE INDEX ranking_months_county ON ranking_months (county, month);
