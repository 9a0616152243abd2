-- 0005 changes how SQLite stores households, members, incomes and guarantees (see the SQLite
-- script). PostgreSQL keeps its heap tables, primary keys and indexes (incomes_screening allows
-- index-only scans there; a first import drops and adds back the keys itself).
-- Both: a household's leads (its page) by index; the only index with household_no was the
-- partial one of open leads.
CREATE INDEX leads_household ON leads (county, household_no, id);
