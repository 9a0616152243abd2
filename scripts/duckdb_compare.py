#!/usr/bin/env python3
"""The screening rule set written as SQL and run in DuckDB, against Shouwang's engine.

1. `shouwang bench screen` builds (or, with --reuse, keeps) a SQLite county of N households
   with incomes and 三保障 flags, times the engine and writes its hit masks to CSV;
2. the raw tables (households, members, incomes, guarantees) are exported to CSV with Python's
   sqlite3 module (not timed);
3. DuckDB loads the CSV files (timed) and evaluates the same 13 rules in one SQL query (timed);
4. both masks are compared household by household and rule by rule: they must be identical.

Usage: python3 scripts/duckdb_compare.py [--households 1000000] [--shouwang target/release/shouwang]
       [--dir /tmp/shouwang-duck] [--reuse]
Needs `pip install duckdb`.
"""

import argparse
import csv
import datetime
import json
import os
import re
import sqlite3
import subprocess
import sys
import time

import duckdb

COUNTY = "510821"

# Code lists as core stores them (the numbers pinned in shouwang-core/src/codes.rs, the bits of Health there)
LABOUR_CAN_WORK = (0, 1, 2)  # 普通劳动力, 技能劳动力, 弱劳动力或半劳动力
HEALTH_SERIOUS_ILLNESS_BIT = 1 << 2  # 患有大病
HEALTH_DISABLED_BIT = 1 << 3  # 残疾


def run_engine(args):
    masks = os.path.join(args.dir, "engine_masks.csv")
    cmd = [args.shouwang, "bench", "screen", "--households", str(args.households),
           "--dir", args.dir, "--masks", masks]
    if args.reuse:
        cmd.append("--reuse")
    print("$", " ".join(cmd), flush=True)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    print(out)
    load = float(re.search(r"snapshot load\s+([\d.]+) s", out).group(1))
    evaluate_ms = float(re.search(r"evaluation \(13 rules\)\s+([\d.]+) ms", out).group(1))
    return masks, load, evaluate_ms / 1000.0


def export(db_path, out_dir):
    con = sqlite3.connect(db_path)
    tables = {
        "households": "SELECT household_no, village FROM households WHERE county = ?",
        "members": "SELECT household_no, labour, health, schooling, resident_medical, employee_medical, "
                   "COALESCE(deceased_on, '') AS deceased_on FROM members WHERE county = ?",
        "incomes": "SELECT household_no, year, quarter, wages, business, property, transfers, "
                   "production_costs, insurance_payouts, out_of_pocket_medical FROM incomes WHERE county = ?",
        "guarantees": "SELECT household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water "
                      "FROM guarantees WHERE county = ?",
    }
    paths = {}
    for name, sql in tables.items():
        path = os.path.join(out_dir, f"{name}.csv")
        cur = con.execute(sql, (COUNTY,))
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([d[0] for d in cur.description])
            w.writerows(cur)
        paths[name] = path
    standard = None
    year = datetime.date.today().year
    for (body,) in con.execute("SELECT body FROM standards WHERE region = '51' AND year <= ? ORDER BY year DESC LIMIT 1", (year,)):
        standard = json.loads(body)
    con.close()
    return paths, standard, year


def rules_sql(std, year, today):
    line = std["monitoring_line"]
    near = std["near_line_percent"]
    drop = std["income_drop_percent"]
    rigid_pct = std["rigid_expenditure_percent"]
    rigid_amt = std["rigid_expenditure_amount"]
    school = std["schooling_cost_threshold"]
    can_work = ", ".join(str(c) for c in LABOUR_CAN_WORK)
    uninsured = "resident_medical = 0 AND employee_medical = 0"
    net = "(wages + business + property + transfers - production_costs)"

    def per(n, d):  # rounded half away from zero, like Fen::per
        return (f"(CASE WHEN {n} >= 0 THEN (2 * {n} + {d}) // (2 * {d}) "
                f"ELSE -((2 * (-{n}) + {d}) // (2 * {d})) END)")

    return f"""
WITH m AS (
  SELECT household_no, COUNT(*) AS living,
         SUM(CASE WHEN labour IN ({can_work}) THEN 1 ELSE 0 END) AS able,
         SUM(CASE WHEN {uninsured} THEN 1 ELSE 0 END) AS unins,
         SUM(CASE WHEN {uninsured} AND (health & {HEALTH_SERIOUS_ILLNESS_BIT}) <> 0 THEN 1 ELSE 0 END) AS ill_unins,
         SUM(CASE WHEN {uninsured} AND (health & {HEALTH_DISABLED_BIT}) <> 0 THEN 1 ELSE 0 END) AS dis_unins
  FROM members WHERE deceased_on IS NULL OR deceased_on = '' GROUP BY household_no
),
-- the 12 months before January of next year: the four quarters of the year when all exist,
-- else the newest whole-year record
q AS (
  SELECT household_no, COUNT(DISTINCT quarter) AS nq, SUM({net}) AS net, SUM(out_of_pocket_medical) AS oop
  FROM incomes WHERE year = {year} AND quarter BETWEEN 1 AND 4 GROUP BY household_no
),
a AS (
  SELECT household_no, arg_max({net}, year) AS net, arg_max(out_of_pocket_medical, year) AS oop
  FROM incomes WHERE quarter = 0 AND year IN ({year - 1}, {year}) GROUP BY household_no
),
l AS (
  SELECT household_no, {net} AS net FROM incomes WHERE quarter = 0 AND year = {year - 1}
),
g AS (
  SELECT household_no, arg_max(unsafe_housing, as_of) AS housing, arg_max(dropout, as_of) AS dropout,
         arg_max(uninsured, as_of) AS uninsured, arg_max(unsafe_water, as_of) AS water
  FROM guarantees WHERE as_of <= '{today}' GROUP BY household_no
),
h AS (
  SELECT hh.household_no,
         COALESCE(m.living, 0) AS living, COALESCE(m.able, 0) AS able, COALESCE(m.unins, 0) AS unins,
         COALESCE(m.ill_unins, 0) AS ill_unins, COALESCE(m.dis_unins, 0) AS dis_unins,
         CASE WHEN q.nq = 4 THEN q.net ELSE a.net END AS net,
         GREATEST(COALESCE(CASE WHEN q.nq = 4 THEN q.oop ELSE a.oop END, 0), 0) AS oop,
         l.net AS last_net,
         COALESCE(g.housing, 0) AS housing, COALESCE(g.dropout, 0) AS dropout,
         COALESCE(g.uninsured, 0) AS g_unins, COALESCE(g.water, 0) AS water
  FROM households hh
  LEFT JOIN m USING (household_no) LEFT JOIN q USING (household_no) LEFT JOIN a USING (household_no)
  LEFT JOIN l USING (household_no) LEFT JOIN g USING (household_no)
),
p AS (
  SELECT *, (net IS NOT NULL AND living > 0) AS known,
         CASE WHEN net IS NOT NULL AND living > 0 THEN {per('net', 'living')} END AS pc,
         (last_net IS NOT NULL AND living > 0) AS last_known,
         CASE WHEN last_net IS NOT NULL AND living > 0 THEN {per('last_net', 'living')} END AS last
  FROM h
),
r AS (
  SELECT household_no,
    (known AND pc < {line}) AS r01,
    (known AND pc >= {line} AND pc * 100 <= {line} * (100 + {near})) AS r02,
    (known AND last_known AND last > 0 AND (last - pc) * 100 > {drop} * last) AS r03,
    (oop > 0 AND ((known AND oop * 100 > {rigid_pct} * net) OR oop > {rigid_amt})) AS r04,
    (housing <> 0) AS r05, (dropout <> 0) AS r06, (g_unins <> 0 OR unins > 0) AS r07, (water <> 0) AS r08,
    (ill_unins > 0) AS r09, (dis_unins > 0) AS r10, (living > 0 AND able = 0) AS r11,
    (0 > {school}) AS r12,  -- no schooling-cost source is loaded yet (the engine reads 0)
    FALSE AS r13            -- department alerts arrive with the department issue
  FROM p
)
SELECT household_no,
  (r01::INT) | (r02::INT << 1) | (r03::INT << 2) | (r04::INT << 3) | (r05::INT << 4) | (r06::INT << 5)
  | (r07::INT << 6) | (r08::INT << 7) | (r09::INT << 8) | (r10::INT << 9) | (r11::INT << 10)
  | (r12::INT << 11) | (r13::INT << 12) AS mask
FROM r
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--shouwang", default=os.environ.get("SHOUWANG_BIN", "target/release/shouwang"))
    ap.add_argument("--dir", default="/tmp/shouwang-duckdb-compare")
    ap.add_argument("--reuse", action="store_true", help="reuse the database in --dir")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    masks_path, engine_load, engine_eval = run_engine(args)
    db = os.path.join(args.dir, "bench-screen.sqlite")
    t = time.perf_counter()
    paths, std, year = export(db, args.dir)
    print(f"exported CSV in {time.perf_counter() - t:.1f} s (not timed)")
    today = datetime.date.today().isoformat()

    con = duckdb.connect()
    con.execute("PRAGMA threads=1")  # one core, like the engine's evaluation
    t = time.perf_counter()
    for name, path in paths.items():
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv_auto('{path}', header=true, all_varchar=false)")
    duck_load = time.perf_counter() - t
    sql = rules_sql(std, year, today)
    t = time.perf_counter()
    con.execute(f"CREATE TABLE duck_masks AS {sql}")
    duck_eval = time.perf_counter() - t
    con.execute(f"CREATE TABLE engine_masks AS SELECT * FROM read_csv_auto('{masks_path}', header=true, "
                f"types={{'household_no': 'VARCHAR', 'mask': 'INTEGER'}})")
    con.execute("CREATE OR REPLACE TABLE duck_masks AS SELECT CAST(household_no AS VARCHAR) AS household_no, mask FROM duck_masks")
    n_engine = con.execute("SELECT COUNT(*) FROM engine_masks").fetchone()[0]
    n_duck = con.execute("SELECT COUNT(*) FROM duck_masks").fetchone()[0]
    diff = con.execute("""
        SELECT COALESCE(e.household_no, d.household_no), e.mask, d.mask
        FROM engine_masks e FULL OUTER JOIN duck_masks d ON e.household_no = d.household_no
        WHERE e.mask IS DISTINCT FROM d.mask LIMIT 20""").fetchall()
    flagged = con.execute("SELECT COUNT(*) FROM engine_masks WHERE mask <> 0").fetchone()[0]
    per_rule = con.execute("SELECT " + ", ".join(
        f"SUM(CASE WHEN mask & {1 << b} <> 0 THEN 1 ELSE 0 END)" for b in range(13)) + " FROM duck_masks").fetchone()

    print(f"households: engine {n_engine}, DuckDB {n_duck}; flagged by the engine: {flagged}")
    print("hits per rule R01..R13 (DuckDB):", list(per_rule))
    if diff or n_engine != n_duck:
        print("MISMATCH: the engine and the SQL disagree, e.g.:")
        for row in diff:
            print("  ", row)
        sys.exit(1)
    print("OK: the engine and the DuckDB SQL flag exactly the same households with the same rules")
    print()
    print(f"{'':32}{'Shouwang':>12}{'DuckDB (1 thread)':>20}{'ratio DuckDB/Shouwang':>24}")
    print(f"{'rules only':32}{engine_eval:>11.3f}s{duck_eval:>19.3f}s{duck_eval / max(engine_eval, 1e-9):>23.1f}x")
    print(f"{'load + rules':32}{engine_load + engine_eval:>11.2f}s{duck_load + duck_eval:>19.2f}s"
          f"{(duck_load + duck_eval) / max(engine_load + engine_eval, 1e-9):>23.1f}x")
    print("(Shouwang loads from SQLite with member counts aggregated by SQLite; DuckDB loads the CSV export)")


if __name__ == "__main__":
    main()
