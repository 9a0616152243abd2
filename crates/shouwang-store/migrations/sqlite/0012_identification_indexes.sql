-- 0012 identification indexes: a county's waiting leads (open 0, being identified 1) filtered by
-- source or by risk, in due order. Without them a filtered list reads every waiting lead of the
-- county to find its page (100,000 in a county of a million households); with them it reads
-- the page. `shouwang bench identification` times both lists.
CREATE INDEX leads_pending_source ON leads (county, source, due_on, id) WHERE status IN (0, 1);
CREATE INDEX leads_pending_risk ON leads (county, risk, due_on, id) WHERE status IN (0, 1);
