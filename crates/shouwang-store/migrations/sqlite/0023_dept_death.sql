-- 0023 公安 deaths confirmed by a cadre: a D09 alert records the village cadre's decision (the
-- member marked deceased on the alert's date, or the record rejected with a note).
ALTER TABLE dept_alerts ADD COLUMN decision INTEGER;          -- NULL pending, 1 confirmed, 2 rejected
ALTER TABLE dept_alerts ADD COLUMN decision_note TEXT;
ALTER TABLE dept_alerts ADD COLUMN decided_by TEXT;
ALTER TABLE dept_alerts ADD COLUMN decided_at INTEGER;
