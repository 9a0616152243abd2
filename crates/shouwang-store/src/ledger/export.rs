//! The ledger export: a region's households with their members, latest income, flags and case,
//! read on a thread of its own and streamed page by page to the writer.

use super::*;

impl Store {
    /// The counties whose villages the database holds (for `--county` when there is only one).
    pub fn counties_with_villages(&self) -> Result<Vec<RegionCode>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT DISTINCT substr(code, 1, 6) FROM regions WHERE level = 12 ORDER BY 1",
                &[],
            )?;
            Ok(rows
                .iter()
                .filter_map(|r| RegionCode::from_canonical(&r.text(0)))
                .collect())
        })
    }

    /// The place names of a county's villages (省, 市, 县, 乡, 村 and 村代码), for writing ledgers.
    pub fn village_places(&self, county: &RegionCode) -> Result<Vec<PlaceNames>, StoreError> {
        self.with_conn(|c| {
            let names = Names::load(c, county)?;
            Ok(names
                .villages
                .iter()
                .filter_map(|code| RegionCode::from_canonical(code))
                .map(|code| names.place(&code))
                .collect())
        })
    }

    /// Streams the households of `region` (members, latest monitoring case, latest yearly
    /// income and flags) to `sink`, ordered by village and 户编号. Returns the number of
    /// households.
    ///
    /// The database is read on a thread of its own, a page at a time, while `sink` runs on the
    /// calling thread: formatting and writing the file overlaps with reading the next pages. At
    /// most [`EXPORT_QUEUE`] pages wait between the two, so memory stays bounded. The reader is a
    /// plain OS thread, never an async one, whichever thread calls this.
    pub fn export_ledger(
        &self,
        region: &RegionCode,
        mut sink: impl FnMut(LedgerHousehold) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let (pages, received) = std::sync::mpsc::sync_channel(EXPORT_QUEUE);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || self.read_for_export(region, &pages));
            let mut total = 0;
            let mut failed = None;
            'pages: for page in &received {
                for h in page {
                    if let Err(e) = sink(h) {
                        failed = Some(e);
                        break 'pages;
                    }
                    total += 1;
                }
            }
            // a reader still sending finds the queue closed and stops
            drop(received);
            let read = match reader.join() {
                Ok(read) => read,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            match failed {
                Some(e) => Err(e),
                None => read.map(|()| total),
            }
        })
    }

    /// The reading half of [`Store::export_ledger`]: pages of households, in order, into
    /// `pages`, until the region is done or nobody listens any more. SQLite reads each table in
    /// one ordered scan ([`sqlite_export`]); PostgreSQL reads a page of households at a time
    /// with `IN` lists for the rest.
    pub(super) fn read_for_export(
        &self,
        region: &RegionCode,
        pages: &Pages,
    ) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut c = pool.take()?;
                let r = sqlite_export(&mut c, pool, region, pages);
                pool.give_back(c);
                r
            }
            Backend::Postgres(_) => self.read_pages_for_export(region, pages),
        }
    }

    pub(super) fn read_pages_for_export(
        &self,
        region: &RegionCode,
        pages: &Pages,
    ) -> Result<(), StoreError> {
        self.with_conn(|c| {
            let lo = region.as_str().to_string();
            let hi = prefix_end(&lo);
            let mut names: HashMap<String, Names> = HashMap::new();
            let mut after = (String::new(), String::new());
            loop {
                let rows = c.query(
                    &format!(
                        "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE village >= $1 AND village < $2
                         AND (village > $3 OR (village = $3 AND household_no > $4)) ORDER BY village, household_no LIMIT $5"
                    ),
                    &params![lo.as_str(), hi.as_str(), after.0.as_str(), after.1.as_str(), PAGE],
                )?;
                if rows.is_empty() {
                    break;
                }
                let full = rows.len() as i64 == PAGE;
                if let Some(last) = rows.last() {
                    after = (last.text(2), last.text(1));
                }
                let page = rows
                    .into_iter()
                    .map(|mut r| {
                        let h = row_household(&r)?;
                        Ok((take_text(&mut r, 0), h))
                    })
                    .collect::<Result<Vec<(String, Household)>, StoreError>>()?;
                let mut by_county: HashMap<&str, Vec<&str>> = HashMap::new();
                for (county, h) in &page {
                    by_county.entry(county.as_str()).or_default().push(h.household_no.as_str());
                }
                let mut ex = ExportPage::default();
                for (county, nos) in &by_county {
                    for chunk in nos.chunks(IN_CHUNK) {
                        load_for_export(c, county, chunk, &mut ex)?;
                    }
                    if !names.contains_key(*county) {
                        if let Some(code) = RegionCode::from_canonical(county) {
                            names.insert(county.to_string(), Names::load(c, &code)?);
                        }
                    }
                }
                let mut out = Vec::with_capacity(page.len());
                for (county, h) in page {
                    let no = &h.household_no;
                    let members = ex.members.remove(no).unwrap_or_default();
                    let income = ex.incomes.remove(no);
                    let flags = ex.flags.remove(no);
                    let monitoring = ex.cases.remove(no);
                    out.push(ledger_household(h, &county, &names, members, income, flags, monitoring));
                }
                if pages.send(out).is_err() {
                    break; // the sink failed: it reports why
                }
                if !full {
                    break;
                }
            }
            Ok(())
        })
    }
}

/// Pages of households an export keeps between reading the database and writing the file.
pub const EXPORT_QUEUE: usize = 4;

/// Households per page of an export.
pub(super) const PAGE: i64 = 1000;

/// Where the export's reader sends its pages.
pub(super) type Pages = std::sync::mpsc::SyncSender<Vec<LedgerHousehold>>;

/// A SQLite row read in place, from column `at` on, with [`Row`]'s conversions.
pub(super) struct SqliteCells<'a, 'r> {
    pub(super) row: &'a rusqlite::Row<'r>,
    pub(super) at: usize,
}

impl SqliteCells<'_, '_> {
    pub(super) fn get(&self, i: usize) -> rusqlite::types::ValueRef<'_> {
        self.row
            .get_ref(self.at + i)
            .unwrap_or(rusqlite::types::ValueRef::Null)
    }
}

impl Cells for SqliteCells<'_, '_> {
    fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }
    fn opt_text(&self, i: usize) -> Option<String> {
        use rusqlite::types::ValueRef;
        match self.get(i) {
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Integer(v) => Some(v.to_string()),
            ValueRef::Real(v) => Some((v as i64).to_string()),
            ValueRef::Null => None,
        }
    }
    fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or(0)
    }
    fn opt_int(&self, i: usize) -> Option<i64> {
        use rusqlite::types::ValueRef;
        match self.get(i) {
            ValueRef::Integer(v) => Some(v),
            ValueRef::Real(v) => Some(v as i64),
            ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).parse().ok(),
            ValueRef::Null => None,
        }
    }
}

/// One table of a SQLite export, scanned in (village, 户编号) order: the rows of each household
/// in turn. Every query selects the village and the 户编号 first.
pub(super) struct Scan<'s, T> {
    pub(super) rows: rusqlite::Rows<'s>,
    pub(super) decode: fn(&SqliteCells<'_, '_>) -> Result<T, StoreError>,
    /// the key and value of the row read ahead (the key buffers are reused)
    pub(super) village: String,
    pub(super) no: String,
    pub(super) next: Option<T>,
}

impl<'s, T> Scan<'s, T> {
    pub(super) fn new(
        rows: rusqlite::Rows<'s>,
        decode: fn(&SqliteCells<'_, '_>) -> Result<T, StoreError>,
    ) -> Result<Scan<'s, T>, StoreError> {
        let mut s = Scan {
            rows,
            decode,
            village: String::new(),
            no: String::new(),
            next: None,
        };
        s.advance()?;
        Ok(s)
    }

    pub(super) fn advance(&mut self) -> Result<(), StoreError> {
        self.next = match self.rows.next()? {
            Some(r) => {
                let key = SqliteCells { row: r, at: 0 };
                self.village.clear();
                self.village.push_str(&key.text(0));
                self.no.clear();
                self.no.push_str(&key.text(1));
                Some((self.decode)(&SqliteCells { row: r, at: 2 })?)
            }
            None => None,
        };
        Ok(())
    }

    /// Hands the decoded rows of household (`village`, `no`) to `f`, in the query's order.
    pub(super) fn each(
        &mut self,
        village: &str,
        no: &str,
        mut f: impl FnMut(T),
    ) -> Result<(), StoreError> {
        while self.next.is_some() {
            let key = (self.village.as_str(), self.no.as_str());
            if key > (village, no) {
                break;
            }
            let here = key == (village, no);
            if let Some(v) = self.next.take() {
                if here {
                    f(v);
                }
            }
            self.advance()?;
        }
        Ok(())
    }
}

/// `m.a, m.b, …` for `a, b, …`.
pub(super) fn qualified(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The SQLite reader of an export: one ordered scan per table, merged on (village, 户编号),
/// inside one read transaction so that all scans see the same data. Place names come through a
/// second connection of `pool`, as the scans hold this one.
pub(super) fn sqlite_export(
    c: &mut rusqlite::Connection,
    pool: &Pool<rusqlite::Connection>,
    region: &RegionCode,
    pages: &Pages,
) -> Result<(), StoreError> {
    let lo = region.as_str().to_string();
    let hi = prefix_end(&lo);
    let range = [lo.as_str(), hi.as_str()];
    // no memory map here (a pooled connection may carry the screening snapshot's): mapped pages
    // count as the process's memory, 600 MB for a million persons, for a gain of about 10%
    c.execute_batch("PRAGMA mmap_size = 0")?;
    let tx = c.transaction()?;
    let join = |table: &str, alias: &str, columns: &str, filter: &str, order: &str| {
        format!(
            "SELECT h.village, {alias}.household_no, {} FROM households h JOIN {table} {alias} \
             ON {alias}.county = h.county AND {alias}.household_no = h.household_no \
             WHERE h.village >= ?1 AND h.village < ?2{filter} ORDER BY h.village, h.household_no, {alias}.{order}",
            qualified(alias, columns)
        )
    };
    let mut households = tx.prepare(&format!(
        "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE village >= ?1 AND village < ?2 ORDER BY village, household_no"
    ))?;
    let mut members = tx.prepare(&join("members", "m", MEMBER_COLUMNS, "", "position"))?;
    let mut incomes = tx.prepare(&join(
        "incomes",
        "i",
        INCOME_COLUMNS,
        " AND i.quarter = 0",
        "year",
    ))?;
    let mut flags = tx.prepare(&join("guarantees", "g", FLAG_COLUMNS, "", "as_of"))?;
    let mut cases = tx.prepare(&join("monitoring_cases", "c", CASE_COLUMNS, "", "id"))?;
    let mut households = households.query(range)?;
    let mut members = Scan::new(members.query(range)?, |r| row_member(r, 0))?;
    let mut incomes = Scan::new(incomes.query(range)?, |r| {
        Ok((r.int(0), income_from_row(r, 0)?))
    })?;
    let mut flags = Scan::new(flags.query(range)?, |r| flags_from_row(r, 0))?;
    // the case's 户编号 is set below, where the household is known
    let mut cases = Scan::new(cases.query(range)?, |r| case_from_row("", r, 0))?;

    let mut names: HashMap<String, Names> = HashMap::new();
    let mut out = Vec::with_capacity(PAGE as usize);
    while let Some(r) = households.next()? {
        let r = SqliteCells { row: r, at: 0 };
        let h = row_household(&r)?;
        let county = r.text(0);
        let village = h.village.as_str();
        let no = h.household_no.as_str();
        let mut ms = Vec::new();
        members.each(village, no, |m| ms.push(m))?;
        let mut income = None;
        incomes.each(village, no, |i| income = Some(i))?;
        let mut flag = None;
        flags.each(village, no, |f| flag = Some(f))?;
        let mut monitoring = None;
        cases.each(village, no, |c| monitoring = Some(c))?;
        if let Some(c) = monitoring.as_mut() {
            c.household_no = h.household_no.clone();
        }
        if !names.contains_key(&county) {
            if let Some(code) = RegionCode::from_canonical(&county) {
                let mut nc = pool.take()?;
                let loaded = Names::load(&mut nc, &code);
                pool.give_back(nc);
                names.insert(county.clone(), loaded?);
            }
        }
        out.push(ledger_household(
            h, &county, &names, ms, income, flag, monitoring,
        ));
        if out.len() == PAGE as usize {
            let page = std::mem::replace(&mut out, Vec::with_capacity(PAGE as usize));
            if pages.send(page).is_err() {
                return Ok(()); // the sink failed: it reports why
            }
        }
    }
    if !out.is_empty() {
        let _ = pages.send(out);
    }
    Ok(())
}

/// A household of an export, with what goes with it.
pub(super) fn ledger_household(
    h: Household,
    county: &str,
    names: &HashMap<String, Names>,
    members: Vec<Member>,
    income: Option<(i64, Income)>,
    flags: Option<(String, Flags)>,
    monitoring: Option<MonitoringCase>,
) -> LedgerHousehold {
    let year = income
        .map(|(y, _)| y as i32)
        .or_else(|| flags.as_ref().and_then(|(a, _)| a.get(..4)?.parse().ok()));
    let guarantees = match &flags {
        Some((_, f)) => LedgerGuarantees {
            unsafe_housing: Some(f[0]),
            out_of_school: Some(f[1]),
            uninsured_member: Some(f[2]),
            unsafe_water: Some(f[3]),
        },
        None => LedgerGuarantees::default(),
    };
    let place = names
        .get(county)
        .map(|n| n.place(&h.village))
        .unwrap_or_else(|| PlaceNames {
            village_code: Some(h.village.clone()),
            ..PlaceNames::default()
        });
    LedgerHousehold {
        household: h,
        place,
        members,
        monitoring,
        year,
        income: income.map(|(_, i)| i),
        guarantees,
        warnings: Vec::new(),
        source_rows: (),
    }
}

/// Moves a text cell out of a row (instead of copying it); an empty string when there is none.
pub(super) fn take_text(r: &mut Row, i: usize) -> String {
    match r.0.get_mut(i) {
        Some(Value::Text(t)) => t.take().unwrap_or_default(),
        Some(Value::Int(Some(v))) => v.to_string(),
        _ => String::new(),
    }
}

/// One page of an export: what goes with the page's households.
#[derive(Default)]
pub(super) struct ExportPage {
    pub(super) members: HashMap<String, Vec<Member>>,
    /// the latest yearly income
    pub(super) incomes: HashMap<String, (i64, Income)>,
    /// the newest flags
    pub(super) flags: HashMap<String, (String, Flags)>,
    /// the latest case
    pub(super) cases: HashMap<String, MonitoringCase>,
}

pub(super) fn load_for_export(
    c: &mut dyn Sql,
    county: &str,
    nos: &[&str],
    ex: &mut ExportPage,
) -> Result<(), StoreError> {
    let mut values = vec![Value::from(county)];
    values.extend(nos.iter().map(|n| Value::from(*n)));
    let list = placeholders(2, nos.len());
    // household_no last, so that the row is a member row as it stands
    for mut r in c.query(
        &format!("SELECT {MEMBER_COLUMNS}, household_no FROM members WHERE county = $1 AND household_no IN ({list}) ORDER BY household_no, position"),
        &values,
    )? {
        let m = row_member(&r, 0)?;
        ex.members.entry(take_text(&mut r, MEMBER_COLUMN_COUNT)).or_default().push(m);
    }
    for r in c.query(
        &format!("SELECT household_no, {INCOME_COLUMNS} FROM incomes WHERE county = $1 AND quarter = 0 AND household_no IN ({list})"),
        &values,
    )? {
        let year = r.int(1);
        let income = income_from_row(&r, 1)?;
        let e = ex.incomes.entry(r.text(0)).or_insert((year, income));
        if year > e.0 {
            *e = (year, income);
        }
    }
    for r in c.query(
        &format!("SELECT household_no, {FLAG_COLUMNS} FROM guarantees WHERE county = $1 AND household_no IN ({list})"),
        &values,
    )? {
        let (as_of, f) = flags_from_row(&r, 1)?;
        let e = ex.flags.entry(r.text(0)).or_insert((as_of.clone(), f));
        if as_of > e.0 {
            *e = (as_of, f);
        }
    }
    for r in c.query(
        &format!("SELECT household_no, {CASE_COLUMNS} FROM monitoring_cases WHERE county = $1 AND household_no IN ({list}) ORDER BY id"),
        &values,
    )? {
        let no = r.text(0);
        let case = case_from_row(&no, &r, 1)?;
        ex.cases.insert(no, case);
    }
    Ok(())
}

/// Region names of a county, for the place columns.
pub(super) struct Names {
    pub(super) province: String,
    pub(super) city: String,
    pub(super) county: String,
    pub(super) by_code: HashMap<String, String>,
    pub(super) villages: Vec<String>,
}

impl Names {
    pub(super) fn load(c: &mut dyn Sql, county: &RegionCode) -> Result<Names, StoreError> {
        let lo = county.as_str();
        let mut by_code = HashMap::new();
        let mut villages = Vec::new();
        for r in c.query(
            "SELECT code, name, level FROM regions WHERE code >= $1 AND code < $2 ORDER BY code",
            &params![lo, prefix_end(lo)],
        )? {
            if r.int(2) == 12 {
                villages.push(r.text(0));
            }
            by_code.insert(r.text(0), r.text(1));
        }
        let mut name_of = |code: Option<RegionCode>| -> Result<String, StoreError> {
            let Some(code) = code else {
                return Ok(String::new());
            };
            Ok(c.query_one(
                "SELECT name FROM regions WHERE code = $1",
                &params![code.as_str()],
            )?
            .map(|r| r.text(0))
            .unwrap_or_default())
        };
        let province = name_of(county.ancestor(RegionLevel::Province))?;
        let city = name_of(county.ancestor(RegionLevel::City))?;
        let county_name = by_code.get(lo).cloned().unwrap_or_default();
        Ok(Names {
            province,
            city,
            county: county_name,
            by_code,
            villages,
        })
    }

    pub(super) fn place(&self, village: &RegionCode) -> PlaceNames {
        let name = |level: RegionLevel| {
            village
                .ancestor(level)
                .and_then(|c| self.by_code.get(c.as_str()).cloned())
                .unwrap_or_default()
        };
        PlaceNames {
            province: self.province.clone(),
            city: self.city.clone(),
            county: self.county.clone(),
            township: name(RegionLevel::Township),
            village: self
                .by_code
                .get(village.as_str())
                .cloned()
                .unwrap_or_default(),
            village_code: Some(village.clone()),
        }
    }
}
