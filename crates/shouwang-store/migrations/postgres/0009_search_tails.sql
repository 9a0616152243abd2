-- 0009 search by the end of a number: the last 4–6 digits of an ID number, the last digits of a
-- phone. A suffix cannot use the keys (they sort by the beginning), so these index each number's
-- last four characters per county; a search looks up its own last four there and checks the
-- rest on the few rows found. The expressions are written the same in every query.
CREATE INDEX members_id_tail ON members (county, substr(id_number, length(id_number) - 3));
CREATE INDEX members_phone_tail ON members (county, substr(phone, length(phone) - 3)) WHERE phone <> '';
-- households: the last four alone (see the search's households query for why no county)
CREATE INDEX households_phone_tail ON households (substr(phone, length(phone) - 3)) WHERE phone <> '';
