-- Fewer indexes on members, the largest table (each costs every write and a sort in a first
-- ledger import):
-- a household's members in order, covering what the screening snapshot counts (this folds the
-- former members_screening into members_household);
DROP INDEX members_screening;
DROP INDEX members_household;
CREATE INDEX members_household ON members (county, household_no, position, deceased_on, labour, health, schooling, resident_medical, employee_medical);
-- a person is found by 证件号码 through person_index, whose key it is, and then by the members
-- key (county, id_number): members_id repeated both.
DROP INDEX members_id;
