-- 0017 工作提示单: how many of a saved list's items were already overdue when it was generated,
-- so that a township's or county's view of its villages sorts the overdue first without reading
-- every list's items.
ALTER TABLE task_lists ADD COLUMN overdue_count INTEGER NOT NULL DEFAULT 0;
