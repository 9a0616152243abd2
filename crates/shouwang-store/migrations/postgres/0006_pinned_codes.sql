-- 0006 pinned codes: a code list stores the number written next to each value in the program
-- (shouwang-core codes.rs, monitoring.rs), no longer the value's position in its list, so that a
-- value added to a list leaves stored rows alone. Two lists take their national numbers; every
-- other list keeps its positions as its numbers and no row of it changes.
--   性别 (members.sex), GB/T 2261.1: 男 0 → 1, 女 1 → 2.
--   监测对象类别 (monitoring_cases.case_type), 100A03001–003: 脱贫不稳定户 0 → 1, 边缘易致贫户
--   1 → 2, 突发严重困难户 2 → 3.
-- Each column is changed by one UPDATE whose CASE maps every row from its old value, so that a
-- value moved onto another's old number is never moved twice. No index holds either column.
UPDATE members SET sex = CASE sex WHEN 0 THEN 1 WHEN 1 THEN 2 END
    WHERE sex IN (0, 1);
UPDATE monitoring_cases SET case_type = CASE case_type WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 3 END
    WHERE case_type IN (0, 1, 2);
