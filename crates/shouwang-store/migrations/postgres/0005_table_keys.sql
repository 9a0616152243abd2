-- 0005 changes how SQLite stores households, members, incomes and guarantees (see the SQLite
-- script). PostgreSQL keeps its heap tables, primary keys and indexes (incomes_screening allows
-- index-only scans there; a first import drops and adds back the keys itself); the schema
-- version stays the same on both backends.
SELECT 1;
