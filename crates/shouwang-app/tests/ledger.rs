//! Ledger import and export against the database, on SQLite and (with SHOUWANG_TEST_PG_URL)
//! PostgreSQL: a synthetic ledger for a county other than the demo one, a dozen damages with
//! exactly the expected rejections, the error workbook fixed and imported clean, round trips,
//! idempotence, all-or-nothing, moves (the next ledger of a county, chains, swaps) and scope,
//! and ledgers exported before an edit in Shouwang.

use shouwang_app::ledger::{import_file, ImportReport};
use shouwang_core::ledger::LedgerHousehold;
use shouwang_core::synth::SynthConfig;
use shouwang_core::{Date, Member, Region, RegionCode};
use shouwang_io::ledger::synth::synth_ledger;
use shouwang_io::ledger::{
    write_error_workbook, write_ledger_csv, write_ledger_xlsx, Col, ReadOptions,
};
use shouwang_store::audit::Actor;
use shouwang_store::income::Guarantees;
use shouwang_store::ledger::LedgerImport;
use shouwang_store::testing::TestDb;
use shouwang_store::Store;
use std::path::{Path, PathBuf};

const COUNTY: &str = "510812";

fn today() -> Date {
    Date::new(2026, 6, 30).unwrap()
}

fn county() -> RegionCode {
    RegionCode::parse(COUNTY).unwrap()
}

/// 朝天区 with two townships; 新华村 exists in both (resolved by township), names carry the
/// committee suffix as the NBS files do.
fn regions(store: &Store) {
    let list = [
        ("51", "四川省"),
        ("5108", "广元市"),
        ("510812", "朝天区"),
        ("510812100", "朝天镇"),
        ("510812101", "羊木镇"),
        ("510812100201", "新华村村民委员会"),
        ("510812100202", "石门村村民委员会"),
        ("510812100203", "东溪社区居民委员会"),
        ("510812101201", "新华村村民委员会"),
        ("510812101202", "龙洞村村民委员会"),
        ("510812101203", "柏林村委员会"),
    ];
    store
        .import_regions(list.iter().map(|(c, n)| Region {
            code: RegionCode::parse(c).unwrap(),
            name: n.to_string(),
        }))
        .unwrap();
}

fn dbs() -> Vec<TestDb> {
    let all = TestDb::all();
    for db in &all {
        regions(&db.store);
    }
    all
}

struct Dir(tempfile::TempDir);
impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn synth(store: &Store, n: usize, seed: u64) -> Vec<LedgerHousehold> {
    let places = store.village_places(&county()).unwrap();
    assert_eq!(places.len(), 6);
    synth_ledger(
        &SynthConfig {
            households: n,
            seed,
            today: today(),
            county: county(),
        },
        &places,
    )
}

fn opts(within: &str, all_or_nothing: bool) -> LedgerImport {
    LedgerImport {
        county: county(),
        within: RegionCode::parse(within).unwrap(),
        all_or_nothing,
        actor: Actor::system("test"),
        source: "test.csv".into(),
        today: today(),
        page_cache_mib: shouwang_store::ledger::IMPORT_CACHE_MIB,
        exclusive: true,
        exported_at: None,
        overwrite_newer: false,
    }
}

fn import(store: &Store, path: &Path, o: &LedgerImport) -> ImportReport {
    import_file(store, path, &ReadOptions::new(today()), o, None)
        .unwrap()
        .report
}

fn csv_file(path: &Path, hs: &[LedgerHousehold]) {
    write_ledger_csv(std::fs::File::create(path).unwrap(), hs).unwrap();
}

/// `n` synthetic households of the test county written to `ledger.csv` in `dir`.
fn synth_csv(store: &Store, dir: &Dir, n: usize, seed: u64) -> (Vec<LedgerHousehold>, PathBuf) {
    let hs = synth(store, n, seed);
    let path = dir.file("ledger.csv");
    csv_file(&path, &hs);
    (hs, path)
}

/// Households in 户编号 order, to compare an export with what was imported.
fn by_household_no(mut hs: Vec<LedgerHousehold>) -> Vec<LedgerHousehold> {
    hs.sort_by(|a, b| a.household.household_no.cmp(&b.household.household_no));
    hs
}

/// No row of the import was refused (the errors are shown when one was).
fn assert_clean(r: &ImportReport, backend: &str) {
    assert_eq!(
        r.errors(),
        Vec::<&shouwang_io::ledger::RowError>::new(),
        "{backend}"
    );
}

fn persons(hs: &[LedgerHousehold]) -> usize {
    hs.iter().map(|h| h.members.len()).sum()
}

fn export(store: &Store, region: &str) -> Vec<LedgerHousehold> {
    let mut out = Vec::new();
    store
        .export_ledger(&RegionCode::parse(region).unwrap(), |h| {
            out.push(h);
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn a_synthetic_ledger_imports_whole_and_a_second_import_changes_nothing() {
    for db in dbs() {
        let dir = Dir::new();
        let (hs, path) = synth_csv(&db.store, &dir, 240, 1);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_clean(&r, db.name);
        assert_eq!(
            (r.households_added, r.persons_added),
            (240, persons(&hs)),
            "{}",
            db.name
        );
        assert!(r.committed);
        let (h, p) = db.store.count_in(&county()).unwrap();
        assert_eq!((h as usize, p as usize), (240, persons(&hs)));

        let again = import(&db.store, &path, &opts(COUNTY, false));
        assert_eq!(
            (
                again.households_unchanged,
                again.households_added,
                again.households_updated
            ),
            (240, 0, 0),
            "{}",
            db.name
        );
        assert_eq!(again.persons_unchanged, persons(&hs));
        assert_eq!(db.store.count_events("household.import").unwrap(), 0);
    }
}

fn journal_mode(path: &Path) -> String {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap()
}

/// A first import into an empty SQLite database writes straight into the file when nothing else
/// has the database open, and through the WAL when something does (a web server's readers):
/// either way everything lands, the other connection keeps reading, and the database is left in
/// WAL mode for the readers that follow.
#[test]
fn a_first_import_into_sqlite_lands_whole_whether_or_not_another_connection_reads() {
    for other_reader in [false, true] {
        let db = TestDb::sqlite().unwrap();
        regions(&db.store);
        let file = db.sqlite_path().unwrap();
        let reader = other_reader.then(|| rusqlite::Connection::open(&file).unwrap());
        let regions_seen = |c: &rusqlite::Connection| -> i64 {
            c.query_row("SELECT COUNT(*) FROM regions", [], |r| r.get(0))
                .unwrap()
        };
        if let Some(c) = &reader {
            assert_eq!(regions_seen(c), 11);
        }
        let dir = Dir::new();
        let (hs, path) = synth_csv(&db.store, &dir, 120, 4);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert!(r.committed, "other reader: {other_reader}");
        // before the store opens anything else: left in WAL mode, and written through the WAL
        // only when the other reader was there
        assert_eq!(journal_mode(&file), "wal", "other reader: {other_reader}");
        let wal_bytes = std::fs::metadata(file.with_extension("sqlite-wal")).map_or(0, |m| m.len());
        assert_eq!(wal_bytes > 0, other_reader, "WAL of {wal_bytes} bytes");
        assert_eq!((r.households_added, r.persons_added), (120, persons(&hs)));
        let (h, p) = db.store.count_in(&county()).unwrap();
        assert_eq!((h as usize, p as usize), (120, persons(&hs)));
        if let Some(c) = &reader {
            let households: i64 = c
                .query_row("SELECT COUNT(*) FROM households", [], |r| r.get(0))
                .unwrap();
            assert_eq!(households, 120, "the other connection sees the import");
        }
        drop(reader);
        // and the next import, into a database that is no longer empty, goes as usual
        let again = import(&db.store, &path, &opts(COUNTY, false));
        assert_eq!(again.households_unchanged, 120);
    }
}

#[test]
fn export_then_import_changes_nothing_in_xlsx_and_csv() {
    for db in dbs() {
        let dir = Dir::new();
        let (hs, path) = synth_csv(&db.store, &dir, 120, 2);
        import(&db.store, &path, &opts(COUNTY, false));
        let out = export(&db.store, COUNTY);
        assert_eq!(out.len(), 120);
        assert!(out.iter().any(|h| h
            .monitoring
            .as_ref()
            .is_some_and(|c| c.elimination.is_some())));
        let xlsx = dir.file("export.xlsx");
        write_ledger_xlsx(&xlsx, &out).unwrap();
        let r = import(&db.store, &xlsx, &opts(COUNTY, false));
        assert_eq!(
            (r.households_unchanged, r.households_rejected),
            (120, 0),
            "{} {:?}",
            db.name,
            r.errors()
        );
        let csv = dir.file("export.csv");
        csv_file(&csv, &out);
        let r = import(&db.store, &csv, &opts(COUNTY, false));
        assert_eq!(
            (r.households_unchanged, r.households_rejected),
            (120, 0),
            "{}",
            db.name
        );
        // the export gives back what was imported
        let (hs, out) = (by_household_no(hs), by_household_no(out));
        for (a, b) in hs.iter().zip(&out) {
            assert_eq!(a.members, b.members);
            assert_eq!(a.monitoring, b.monitoring);
            assert_eq!(a.income, b.income);
            assert_eq!(a.guarantees, b.guarantees);
            assert_eq!(a.household.household_no, b.household.household_no);
        }
    }
}

#[test]
fn a_ledger_sorted_by_name_imports_like_one_sorted_by_household() {
    for db in dbs() {
        let dir = Dir::new();
        let (hs, path) = synth_csv(&db.store, &dir, 120, 3);
        // sorted by 姓名 in Excel: the rows of most households are now apart
        let mut rows = csv_rows(&path);
        let name = col(&rows, Col::Name);
        rows[1..].sort_by(|a, b| a[name].cmp(&b[name]));
        let no = col(&rows, Col::HouseholdNo);
        let apart = (2..rows.len())
            .filter(|r| rows[*r][no] != rows[r - 1][no])
            .count();
        assert!(apart > 120, "the sort should scatter households");
        write_rows(&path, &rows);

        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_clean(&r, db.name);
        assert_eq!(
            (r.households_added, r.persons_added, r.households_rejected),
            (120, persons(&hs), 0),
            "{}",
            db.name
        );
        // one import, once: the one-pass attempt left nothing behind
        assert_eq!(
            db.store.count_events("ledger.import").unwrap(),
            1,
            "{}",
            db.name
        );
        // every person is found by 证件号码 (through the person index), in the right household
        for h in hs.iter().step_by(7) {
            for m in &h.members {
                let hits = db.store.search(&county(), &m.id_number, 5).unwrap();
                assert!(
                    hits.iter()
                        .any(|x| x.household_no == h.household.household_no),
                    "{}: a person of {} not found by ID",
                    db.name,
                    h.household.household_no
                );
            }
        }
        // the same ledger sorted by household, as exported, finds nothing changed: the order
        // of a family's rows is not a change
        csv_file(&path, &hs);
        let again = import(&db.store, &path, &opts(COUNTY, false));
        assert_eq!(
            (again.households_unchanged, again.households_updated),
            (120, 0),
            "{}",
            db.name
        );
        let out = by_household_no(export(&db.store, COUNTY));
        let hs = by_household_no(hs);
        assert_eq!(out.len(), hs.len());
        for (a, b) in hs.iter().zip(&out) {
            let ids = |h: &LedgerHousehold| {
                let mut v: Vec<String> = h.members.iter().map(|m| m.id_number.clone()).collect();
                v.sort();
                v
            };
            assert_eq!(ids(a), ids(b), "{}", db.name);
            assert_eq!(a.monitoring, b.monitoring);
            assert_eq!(a.income, b.income);
        }
    }
}

#[test]
fn households_kept_in_shouwang_go_out_and_come_back_unchanged() {
    for db in dbs() {
        // entered in Shouwang, not from a ledger: a village cadre's 三保障 check in September
        let hs: Vec<LedgerHousehold> = synth(&db.store, 40, 10)
            .into_iter()
            .filter(|h| h.monitoring.is_none())
            .collect();
        let places = db.store.village_places(&county()).unwrap();
        let entered: Vec<_> = hs
            .iter()
            .map(|h| {
                let place = places
                    .iter()
                    .find(|p| (&p.township, &p.village) == (&h.place.township, &h.place.village))
                    .unwrap();
                let mut household = h.household.clone();
                household.village = place.village_code.clone().unwrap();
                (household, h.members.clone())
            })
            .collect();
        db.store
            .bulk_load(&Actor::system("test"), &entered, "test")
            .unwrap();
        for h in &hs {
            let g = &h.guarantees;
            let check = Guarantees {
                as_of: Date::new(h.year.unwrap(), 9, 27).unwrap(),
                unsafe_housing: g.unsafe_housing.unwrap_or(false),
                dropout: g.out_of_school.unwrap_or(false),
                uninsured: g.uninsured_member.unwrap_or(false),
                unsafe_water: g.unsafe_water.unwrap_or(false),
                food_clothing: false,
                source: "村级核查".into(),
            };
            db.store
                .save_guarantees(&Actor::system("test"), &h.household.household_no, &check)
                .unwrap();
        }
        // the export carries the September check; importing it back changes nothing
        let mut out = export(&db.store, COUNTY);
        for h in &mut out {
            h.income = None; // none was entered
        }
        assert_eq!(out.len(), hs.len());
        let dir = Dir::new();
        let path = dir.file("export.csv");
        csv_file(&path, &out);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_eq!(
            (
                r.households_unchanged,
                r.households_updated,
                r.households_added
            ),
            (hs.len(), 0, 0),
            "{}",
            db.name
        );
        let no = &hs[0].household.household_no;
        assert_eq!(db.store.guarantees(no).unwrap().len(), 1, "{}", db.name);
    }
}

#[test]
fn a_changed_value_updates_the_household_and_appears_in_its_history() {
    for db in dbs() {
        let dir = Dir::new();
        let mut hs = synth(&db.store, 30, 3);
        let path = dir.file("ledger.csv");
        csv_file(&path, &hs);
        import(&db.store, &path, &opts(COUNTY, false));
        let no = hs[4].household.household_no.clone();
        hs[4].members[0].phone = "13900001111".into();
        if let Some(i) = hs[4].income.as_mut() {
            i.wages.0 += 100;
        }
        csv_file(&path, &hs);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_eq!(
            (r.households_updated, r.households_unchanged),
            (1, 29),
            "{}",
            db.name
        );
        assert_eq!(r.persons_updated, 1);
        let record = db.store.household(&no).unwrap().unwrap();
        assert_eq!(record.members[0].phone, "13900001111");
        assert_eq!(record.version, 2);
        let history = db.store.history("household", &no, 10).unwrap();
        let event = history
            .iter()
            .find(|e| e.action == "household.import")
            .unwrap();
        let before = event.before.as_ref().unwrap();
        let after = event.after.as_ref().unwrap();
        assert_ne!(before["members"][0]["phone"], after["members"][0]["phone"]);
        assert_eq!(after["members"][0]["phone"], "13900001111");
        assert!(after["household"].is_object());
    }
}

/// The CSV as rows of text, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write_rows(path: &Path, rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

fn col(rows: &[Vec<String>], c: Col) -> usize {
    rows[0].iter().position(|h| h == c.name()).unwrap()
}

/// The index of the data rows of household `k` (in file order) in `rows`.
fn rows_of(rows: &[Vec<String>], no: &str) -> Vec<usize> {
    let i = col(rows, Col::HouseholdNo);
    (1..rows.len()).filter(|r| rows[*r][i] == no).collect()
}

/// Which rows of a household a damage touches.
#[derive(Clone, Copy)]
enum Rows {
    Member(usize),
    All,
}

#[test]
fn a_dozen_damages_give_exactly_the_expected_rejections_and_the_fixed_error_workbook_imports_clean()
{
    use shouwang_core::codes::Relation;
    for db in dbs() {
        let dir = Dir::new();
        let hs = synth(&db.store, 40, 4);
        // households 0–2 are in the database already, not in the damaged file
        let first = dir.file("first.csv");
        csv_file(&first, &hs[..3]);
        assert_eq!(
            import(&db.store, &first, &opts(COUNTY, false)).households_added,
            3
        );
        let rest = &hs[3..];
        let path = dir.file("ledger.csv");
        csv_file(&path, rest);
        let original = csv_rows(&path);

        let mut used: Vec<usize> = vec![0]; // rest[0] lends its head to a duplicate
        let mut pick = |pred: &dyn Fn(&LedgerHousehold) -> bool| -> usize {
            let k = (0..rest.len())
                .find(|k| !used.contains(k) && pred(&rest[*k]))
                .unwrap();
            used.push(k);
            k
        };
        let two = |h: &LedgerHousehold| h.members.len() >= 2;
        let any = |_: &LedgerHousehold| true;
        let with_case = |h: &LedgerHousehold| h.monitoring.is_some();
        // persons added to a household: one registered in the database to hs[0], one
        // already in the file (rest[0]'s head)
        let mut damaged_hs = rest.to_vec();
        let k_db = pick(&any);
        let k_dup = pick(&any);
        for (k, mut p) in [
            (k_db, hs[0].members[0].clone()),
            (k_dup, rest[0].members[0].clone()),
        ] {
            p.relation = Relation::Other;
            damaged_hs[k].members.push(p);
        }
        csv_file(&path, &damaged_hs);
        let mut rows = csv_rows(&path);
        let bad_id = {
            let k = pick(&two);
            let mut id = rest[k].members[1].id_number.clone();
            let last = if id.ends_with('0') { "1" } else { "0" };
            id.replace_range(17.., last);
            (k, id)
        };
        // (household in `rest`, rows, column, damaged value); the error is expected on the
        // member's row, or on the household's first row for household columns
        let damages: Vec<(usize, Rows, Col, String)> = vec![
            (bad_id.0, Rows::Member(1), Col::IdNumber, bad_id.1),
            (pick(&two), Rows::Member(1), Col::Name, String::new()),
            (pick(&two), Rows::Member(1), Col::Relation, "邻居".into()),
            (pick(&two), Rows::Member(1), Col::Sex, "未知".into()),
            (pick(&any), Rows::All, Col::Village, "不存在村".into()),
            (
                pick(&with_case),
                Rows::All,
                Col::Identified,
                "2023-13".into(),
            ),
            (pick(&any), Rows::All, Col::Wages, "abc".into()),
            (pick(&any), Rows::All, Col::HouseholdPhone, "12".into()),
            (
                pick(&two),
                Rows::Member(1),
                Col::HouseholdType,
                "其他户".into(),
            ),
            (pick(&any), Rows::All, Col::HeadName, "不对".into()),
        ];
        for (k, which, c, value) in &damages {
            let of = rows_of(&rows, &rest[*k].household.household_no);
            let i = col(&rows, *c);
            let targets = match which {
                Rows::Member(m) => vec![of[*m]],
                Rows::All => of,
            };
            for r in targets {
                rows[r][i] = value.clone();
            }
        }
        write_rows(&path, &rows);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        let mut got: Vec<(String, usize, String)> = r
            .errors()
            .iter()
            .map(|e| {
                let no = &rows[e.row - 1][col(&rows, Col::HouseholdNo)];
                (no.clone(), e.row, e.column.clone())
            })
            .collect();
        got.sort();
        let mut want: Vec<(String, usize, String)> = damages
            .iter()
            .map(|(k, which, c, _)| {
                let no = rest[*k].household.household_no.clone();
                let m = match which {
                    Rows::Member(m) => *m,
                    Rows::All => 0,
                };
                (no.clone(), rows_of(&rows, &no)[m] + 1, c.name().to_string())
            })
            .chain([k_db, k_dup].map(|k| {
                let no = rest[k].household.household_no.clone();
                let last = *rows_of(&rows, &no).last().unwrap();
                (no, last + 1, Col::IdNumber.name().to_string())
            }))
            .collect();
        want.sort();
        assert_eq!(
            got,
            want,
            "{}: {:#?}",
            db.name,
            r.errors().iter().map(|e| e.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(r.households_rejected, 12, "{}", db.name);
        assert_eq!(r.households_added, rest.len() - 12);

        // the error workbook, fixed cell by cell in the columns it names (and without the
        // persons that belong elsewhere), imports clean
        let book = dir.file("errors.xlsx");
        let header = shouwang_io::ledger::read_ledger_all(&path, &ReadOptions::new(today()))
            .unwrap()
            .summary
            .header;
        write_error_workbook(&book, &header, &r.rejected).unwrap();
        let fixed = fix_error_workbook(&book, &original);
        assert_eq!(
            fixed.len(),
            1 + r.rejected.iter().map(|h| h.rows.len()).sum::<usize>() - 2
        );
        let fixed_path = dir.file("fixed.csv");
        write_rows(&fixed_path, &fixed);
        let again = import(&db.store, &fixed_path, &opts(COUNTY, false));
        assert_clean(&again, db.name);
        assert_eq!(again.households_added, 12);
        let (h, _) = db.store.count_in(&county()).unwrap();
        assert_eq!(h as usize, hs.len());
    }
}

/// Reads the error workbook and corrects, in each household, the columns it names (what a user
/// does in Excel: the value as the original file had it, on every row of the household), drops
/// the persons that belong elsewhere, and leaves out 错误列/错误原因.
fn fix_error_workbook(book: &Path, original: &[Vec<String>]) -> Vec<Vec<String>> {
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(book).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let text = |d: &Data| match d {
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    let lines: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    let head = &lines[0];
    let width = original[0].len();
    assert_eq!(&head[..width], &original[0][..]);
    let err_col = head.iter().position(|h| h == "错误列").unwrap();
    let no = original[0].iter().position(|h| h == "户编号").unwrap();
    // (household, column) named by an error line
    let mut named: std::collections::HashSet<(String, String)> = Default::default();
    let mut current = String::new();
    for line in &lines[1..] {
        if !line[no].is_empty() {
            current = line[no].clone();
        }
        if let Some(c) = line.get(err_col).filter(|c| !c.is_empty()) {
            named.insert((current.clone(), c.clone()));
        }
    }
    let mut out = vec![original[0].clone()];
    let mut seen_of: std::collections::HashMap<String, usize> = Default::default();
    for line in &lines[1..] {
        if line[no].is_empty() {
            continue;
        }
        let k = seen_of.entry(line[no].clone()).or_insert(0);
        let orig = rows_of(original, &line[no]).get(*k).copied();
        *k += 1;
        let Some(orig) = orig else {
            continue; // a person added to the household who belongs elsewhere: removed
        };
        let mut row = line[..width].to_vec();
        row.resize(width, String::new());
        for (i, h) in original[0].iter().enumerate() {
            if named.contains(&(line[no].clone(), h.clone())) {
                row[i] = original[orig][i].clone();
            }
        }
        out.push(row);
    }
    out
}

#[test]
fn all_or_nothing_commits_nothing_when_any_household_fails() {
    for db in dbs() {
        let dir = Dir::new();
        let (_, path) = synth_csv(&db.store, &dir, 50, 5);
        let mut rows = csv_rows(&path);
        let i = col(&rows, Col::Name);
        let last = rows.len() - 1;
        rows[last][i] = String::new();
        write_rows(&path, &rows);
        let r = import(&db.store, &path, &opts(COUNTY, true));
        assert!(!r.committed);
        assert_eq!(r.households_rejected, 1);
        assert_eq!(db.store.count_in(&county()).unwrap(), (0, 0), "{}", db.name);
        assert_eq!(db.store.count_events("ledger.import").unwrap(), 0);
        // without the option the good households commit
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert!(r.committed);
        assert_eq!(r.households_added, 49);
    }
}

#[test]
fn a_person_moves_between_households_when_both_are_in_the_file() {
    for db in dbs() {
        let dir = Dir::new();
        let mut hs = synth(&db.store, 20, 6);
        let path = dir.file("ledger.csv");
        csv_file(&path, &hs);
        import(&db.store, &path, &opts(COUNTY, false));
        // a child of a household early in the file moves to a household later in the file
        let from = (0..hs.len()).find(|k| hs[*k].members.len() >= 3).unwrap();
        let to = hs.len() - 1;
        let moved = hs[from].members.pop().unwrap();
        let mut m = moved.clone();
        m.relation = shouwang_core::codes::Relation::Other;
        hs[to].members.push(m);
        // written in the other order too: the later household first
        hs.swap(from, to);
        csv_file(&path, &hs);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_clean(&r, db.name);
        assert_eq!(r.households_updated, 2, "{}", db.name);
        let record = db
            .store
            .household(&hs[from].household.household_no)
            .unwrap()
            .unwrap();
        assert!(record
            .members
            .iter()
            .any(|x| x.id_number == moved.id_number));
        // the same person back, with the household they leave not in the file: they move all
        // the same, and that household's history says so
        let mut back = vec![hs[to].clone()];
        back[0].members.push(moved.clone());
        csv_file(&path, &back);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_clean(&r, db.name);
        assert_eq!(r.households_updated, 1, "{}", db.name);
        let left = db
            .store
            .household(&hs[from].household.household_no)
            .unwrap()
            .unwrap();
        assert!(
            !left.members.iter().any(|x| x.id_number == moved.id_number),
            "{}: the person left the household not in the file",
            db.name
        );
        assert_eq!(left.version, record.version + 1, "{}", db.name);
        let took = db
            .store
            .household(&hs[to].household.household_no)
            .unwrap()
            .unwrap();
        assert!(took.members.iter().any(|x| x.id_number == moved.id_number));
        let history = db
            .store
            .history("household", &hs[from].household.household_no, 50)
            .unwrap();
        assert!(
            history.iter().any(|e| e.action == "household.move_out"),
            "{}: {history:?}",
            db.name
        );

        // the 户主 of a household not in the file does not move: it would be left without one
        let head = left
            .members
            .iter()
            .find(|x| x.relation == shouwang_core::codes::Relation::Head)
            .unwrap()
            .clone();
        let mut taking = vec![hs[to].clone()];
        let mut h = head.clone();
        h.relation = shouwang_core::codes::Relation::Other;
        taking[0].members.push(h);
        csv_file(&path, &taking);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_eq!(r.households_rejected, 1, "{}", db.name);
        assert_eq!(r.errors()[0].column, "证件号码");
        assert!(r.errors()[0].problem.zh.contains("已登记在户"));
        assert!(db
            .store
            .household(&hs[from].household.household_no)
            .unwrap()
            .unwrap()
            .members
            .iter()
            .any(|x| x.id_number == head.id_number));
    }
}

#[test]
fn a_township_user_cannot_import_into_or_export_another_township() {
    for db in dbs() {
        let dir = Dir::new();
        let (hs, path) = synth_csv(&db.store, &dir, 60, 7);
        let r = import(&db.store, &path, &opts("510812100", false));
        let mine = hs
            .iter()
            .filter(|h| h.household.household_no.starts_with("510812100"))
            .count();
        assert!(mine > 0 && mine < 60);
        assert_eq!(r.households_added, mine, "{}", db.name);
        assert_eq!(r.households_rejected, 60 - mine);
        assert!(r
            .errors()
            .iter()
            .all(|e| e.column == "村" && e.problem.en.contains("outside")));
        assert_eq!(export(&db.store, "510812101").len(), 0);
        assert_eq!(export(&db.store, "510812100").len(), mine);
    }
}

#[test]
fn libreoffice_reads_the_exported_workbook() {
    let Ok(bin) = which_libreoffice() else {
        if std::env::var("SHOUWANG_REQUIRE_LIBREOFFICE").is_ok() {
            panic!("SHOUWANG_REQUIRE_LIBREOFFICE is set but libreoffice is not installed");
        }
        eprintln!("skipped: libreoffice is not installed (set SHOUWANG_REQUIRE_LIBREOFFICE to require it)");
        return;
    };
    let db = TestDb::sqlite().unwrap();
    regions(&db.store);
    let dir = Dir::new();
    let (hs, path) = synth_csv(&db.store, &dir, 25, 8);
    import(&db.store, &path, &opts(COUNTY, false));
    let xlsx = dir.file("export.xlsx");
    write_ledger_xlsx(&xlsx, export(&db.store, COUNTY)).unwrap();
    let out = dir.file("lo");
    let status = std::process::Command::new(bin)
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
        ])
        .arg(&out)
        .arg(&xlsx)
        .env("HOME", dir.0.path())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(out.join("export.csv")).unwrap();
    assert_eq!(text.lines().count(), 1 + persons(&hs));
    assert!(text.lines().next().unwrap().contains("证件号码"));
    for h in &hs {
        assert!(text.contains(&h.members[0].id_number));
    }
}

fn which_libreoffice() -> Result<String, ()> {
    for name in ["libreoffice", "soffice"] {
        let ok = std::process::Command::new(name)
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if ok {
            return Ok(name.to_string());
        }
    }
    Err(())
}

/// The ID numbers of a stored household's members, sorted.
fn stored_ids(store: &Store, no: &str) -> Vec<String> {
    let mut ids: Vec<String> = store
        .household(no)
        .unwrap()
        .map(|r| r.members.into_iter().map(|m| m.id_number).collect())
        .unwrap_or_default();
    ids.sort();
    ids
}

/// The ID numbers of a household of the file, sorted.
fn file_ids(h: &LedgerHousehold) -> Vec<String> {
    let mut ids: Vec<String> = h.members.iter().map(|m| m.id_number.clone()).collect();
    ids.sort();
    ids
}

/// Whether the history of `no` has a move event `action` naming the person and the other
/// household.
fn has_move(store: &Store, no: &str, action: &str, id: &str, other: &str) -> bool {
    let (list, key) = match action {
        "household.move_in" => ("moved_in", "from"),
        _ => ("moved_out", "to"),
    };
    store
        .history("household", no, 100)
        .unwrap()
        .iter()
        .any(|e| {
            e.action == action
                && e.after.as_ref().is_some_and(|after| {
                    after[list]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|m| m["id_number"] == id && m[key] == other)
                })
        })
}

#[test]
fn the_next_ledger_of_a_county_imports_with_people_moved_between_households_across_batches() {
    use std::collections::HashMap;
    for db in dbs() {
        let dir = Dir::new();
        // more households than a batch: moves go forward and back between batches, in chains
        let (first, path) = synth_csv(&db.store, &dir, 1200, 7);
        assert_clean(&import(&db.store, &path, &opts(COUNTY, false)), db.name);
        let was_in: HashMap<String, String> = first
            .iter()
            .flat_map(|h| {
                h.members
                    .iter()
                    .map(|m| (m.id_number.clone(), h.household.household_no.clone()))
            })
            .collect();
        let next = synth(&db.store, 1200, 8);
        csv_file(&path, &next);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert!(r.committed, "{}", db.name);
        // the seed-8 ledger reuses ID numbers of seed 7 in other households
        assert!(r.persons_moved > 10, "{}: {}", db.name, r.persons_moved);
        // what was refused is a person whose household is not in the file, and nothing else
        for e in r.errors() {
            assert_eq!(
                e.problem.code,
                shouwang_core::ProblemCode::IdNumberElsewhere,
                "{}: {e}",
                db.name
            );
        }
        let refused: std::collections::HashSet<&str> =
            r.rejected.iter().map(|x| x.household_no.as_str()).collect();
        let mut checked_move = false;
        for h in &next {
            let no = &h.household.household_no;
            if refused.contains(no.as_str()) {
                continue;
            }
            assert_eq!(stored_ids(&db.store, no), file_ids(h), "{}: {no}", db.name);
            for m in &h.members {
                match was_in.get(&m.id_number) {
                    Some(from) if from != no && !checked_move => {
                        assert!(has_move(
                            &db.store,
                            no,
                            "household.move_in",
                            &m.id_number,
                            from
                        ));
                        assert!(has_move(
                            &db.store,
                            from,
                            "household.move_out",
                            &m.id_number,
                            no
                        ));
                        checked_move = true;
                    }
                    _ => {}
                }
            }
        }
        assert!(checked_move, "{}", db.name);
        // and the same file again changes nothing
        let again = import(&db.store, &path, &opts(COUNTY, false));
        assert_eq!(
            (
                again.households_added,
                again.households_updated,
                again.persons_moved
            ),
            (0, 0, 0),
            "{}",
            db.name
        );
    }
}

/// Four households of one member or two: X = [x1, x2], Y = [y1], W = [w1, z].
fn four_households(store: &Store) -> Vec<LedgerHousehold> {
    let hs = synth(store, 60, 11);
    let two: Vec<&LedgerHousehold> = hs.iter().filter(|h| h.members.len() >= 2).collect();
    let mut out: Vec<LedgerHousehold> = two[..3].iter().map(|h| (*h).clone()).collect();
    for h in &mut out {
        h.members.truncate(2);
    }
    out[1].members.truncate(1);
    out
}

#[test]
fn a_person_joining_a_household_whose_member_joins_another_moves_even_from_a_household_not_in_the_file(
) {
    use shouwang_core::codes::Relation;
    for db in dbs() {
        let dir = Dir::new();
        let hs = four_households(&db.store);
        let path = dir.file("ledger.csv");
        csv_file(&path, &hs);
        assert_clean(&import(&db.store, &path, &opts(COUNTY, false)), db.name);
        let (x, y, w) = (&hs[0], &hs[1], &hs[2]);
        let z = w.members[1].clone();
        let x2 = x.members[1].clone();
        // four rows: z joins X (from W, not in the file) while X's x2 joins Y
        let mut x_new = x.clone();
        x_new.members[1] = Member {
            relation: Relation::Other,
            ..z.clone()
        };
        let mut y_new = y.clone();
        y_new.members.push(Member {
            relation: Relation::Other,
            ..x2.clone()
        });
        csv_file(&path, &[x_new.clone(), y_new.clone()]);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        // z leaves W, which the file does not list, and x2 leaves X: both move, in one import
        assert_clean(&r, db.name);
        assert_eq!(
            (r.households_updated, r.persons_moved),
            (2, 2),
            "{}",
            db.name
        );
        for h in [&x_new, &y_new] {
            assert_eq!(
                stored_ids(&db.store, &h.household.household_no),
                file_ids(h)
            );
        }
        let mut w_left: Vec<String> = w
            .members
            .iter()
            .filter(|m| m.id_number != z.id_number)
            .map(|m| m.id_number.clone())
            .collect();
        w_left.sort();
        assert_eq!(stored_ids(&db.store, &w.household.household_no), w_left);
        // the first ledger again puts everyone back
        csv_file(&path, &hs);
        assert_clean(&import(&db.store, &path, &opts(COUNTY, false)), db.name);
        for h in &hs {
            assert_eq!(
                stored_ids(&db.store, &h.household.household_no),
                file_ids(h)
            );
        }

        // with W in the file, last, the chain moves: Y ← X ← W, in one import
        let mut w_new = w.clone();
        w_new.members.truncate(1);
        csv_file(&path, &[y_new.clone(), x_new.clone(), w_new.clone()]);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_clean(&r, db.name);
        assert_eq!(
            (r.households_updated, r.persons_moved),
            (3, 2),
            "{}",
            db.name
        );
        for h in [&x_new, &y_new, &w_new] {
            assert_eq!(
                stored_ids(&db.store, &h.household.household_no),
                file_ids(h)
            );
        }
        let (xn, yn, wn) = (
            &x.household.household_no,
            &y.household.household_no,
            &w.household.household_no,
        );
        assert!(has_move(
            &db.store,
            xn,
            "household.move_in",
            &z.id_number,
            wn
        ));
        assert!(has_move(
            &db.store,
            wn,
            "household.move_out",
            &z.id_number,
            xn
        ));
        assert!(has_move(
            &db.store,
            yn,
            "household.move_in",
            &x2.id_number,
            xn
        ));
        assert!(has_move(
            &db.store,
            xn,
            "household.move_out",
            &x2.id_number,
            yn
        ));

        // two households swapping members, in one file, also move
        let mut a = x_new.clone();
        let mut b = y_new.clone();
        let (pa, pb) = (a.members[1].clone(), b.members[1].clone());
        a.members[1] = pb.clone();
        b.members[1] = pa.clone();
        csv_file(&path, &[a.clone(), b.clone()]);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_clean(&r, db.name);
        assert_eq!(r.persons_moved, 2, "{}", db.name);
        assert_eq!(stored_ids(&db.store, xn), file_ids(&a));
        assert_eq!(stored_ids(&db.store, yn), file_ids(&b));
    }
}

#[test]
fn the_same_id_number_twice_in_the_file_is_a_row_error_naming_both_rows() {
    for db in dbs() {
        let dir = Dir::new();
        let mut hs = four_households(&db.store);
        let mut twin = hs[0].members[0].clone();
        twin.relation = shouwang_core::codes::Relation::Other;
        hs[2].members.push(twin);
        let path = dir.file("ledger.csv");
        csv_file(&path, &hs);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_eq!(r.households_rejected, 1, "{}", db.name);
        let e = r.errors()[0];
        // rows 2–3 are hs[0], 4 hs[1], 5–7 hs[2]: the repeat on row 7, naming row 2
        assert_eq!((e.row, e.column.as_str()), (7, "证件号码"));
        assert!(e.problem.zh.contains("第2行"), "{}", e.problem.zh);
    }
}

#[test]
fn a_ledger_exported_before_an_edit_in_shouwang_lists_the_household_as_a_conflict_until_confirmed()
{
    use shouwang_io::ledger::LedgerCsvWriter;
    for db in dbs() {
        let dir = Dir::new();
        let mut hs = four_households(&db.store);
        let path = dir.file("ledger.csv");
        csv_file(&path, &hs);
        import(&db.store, &path, &opts(COUNTY, false));
        let (x, y, w) = (
            hs[0].household.household_no.clone(),
            hs[1].household.household_no.clone(),
            hs[2].household.household_no.clone(),
        );
        // everything last changed at 1000, the ledger exported at 2000, then X edited at 3000
        db.execute_unchecked("UPDATE households SET updated_at = 1000")
            .unwrap();
        db.execute_unchecked(&format!(
            "UPDATE households SET updated_at = 3000 WHERE household_no = '{x}'"
        ))
        .unwrap();
        // in the ledger, X's phone changes, Y takes X's second member, W's phone changes
        hs[0].household.phone = "13900000001".into();
        let moved = hs[0].members.pop().unwrap();
        hs[1].members.push(Member {
            relation: shouwang_core::codes::Relation::Other,
            ..moved.clone()
        });
        hs[2].household.phone = "13900000003".into();
        let write = || {
            let mut out =
                LedgerCsvWriter::exported(std::fs::File::create(&path).unwrap(), 2000).unwrap();
            for h in &hs {
                out.write_household(h).unwrap();
            }
            out.finish().unwrap();
        };
        write();
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_clean(&r, db.name);
        // X was edited after the export; Y would take a person from X: both left as they are
        let listed: Vec<(&str, Option<&str>)> = r
            .conflicts
            .iter()
            .map(|c| (c.household_no.as_str(), c.via.as_deref()))
            .collect();
        assert_eq!(
            listed,
            vec![(x.as_str(), None), (y.as_str(), Some(x.as_str()))],
            "{}",
            db.name
        );
        assert!(r.conflicts[0].problem.zh.contains("已在守望中修改"));
        assert_eq!(r.conflicts[0].edited_at, 3000);
        assert_eq!(r.households_updated, 1, "{}", db.name);
        assert_eq!(
            db.store.household(&w).unwrap().unwrap().household.phone,
            "13900000003"
        );
        // all or nothing: a conflict commits nothing either
        let r = import(&db.store, &path, &opts(COUNTY, true));
        assert!(!r.committed && r.conflicts.len() == 2, "{}", db.name);
        let stored_x = db.store.household(&x).unwrap().unwrap();
        assert_ne!(stored_x.household.phone, "13900000001");
        assert!(stored_x
            .members
            .iter()
            .any(|m| m.id_number == moved.id_number));

        // confirmed: both are overwritten, the move in both histories
        let mut confirmed = opts(COUNTY, false);
        confirmed.overwrite_newer = true;
        let r = import(&db.store, &path, &confirmed);
        assert_clean(&r, db.name);
        assert!(r.conflicts.is_empty());
        assert_eq!(
            (r.households_updated, r.persons_moved),
            (2, 1),
            "{}",
            db.name
        );
        assert_eq!(
            db.store.household(&x).unwrap().unwrap().household.phone,
            "13900000001"
        );
        assert_eq!(stored_ids(&db.store, &y), file_ids(&hs[1]));
        assert!(has_move(
            &db.store,
            &y,
            "household.move_in",
            &moved.id_number,
            &x
        ));
        assert!(has_move(
            &db.store,
            &x,
            "household.move_out",
            &moved.id_number,
            &y
        ));

        // a ledger without an export time (the national system's) cannot be checked
        db.execute_unchecked("UPDATE households SET updated_at = 9999999999")
            .unwrap();
        hs[2].household.phone = "13900000033".into();
        csv_file(&path, &hs);
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert!(r.conflicts.is_empty());
        assert_eq!(r.households_updated, 1, "{}", db.name);
    }
}

#[test]
fn a_person_leaving_a_household_not_in_the_file_that_was_edited_after_the_export_is_a_conflict() {
    use shouwang_io::ledger::LedgerCsvWriter;
    for db in dbs() {
        let dir = Dir::new();
        let hs = four_households(&db.store);
        let path = dir.file("ledger.csv");
        csv_file(&path, &hs);
        import(&db.store, &path, &opts(COUNTY, false));
        let (x, w) = (&hs[0], &hs[2]);
        // everything last changed at 1000, the ledger exported at 2000, then W edited at 3000
        db.execute_unchecked("UPDATE households SET updated_at = 1000")
            .unwrap();
        db.execute_unchecked(&format!(
            "UPDATE households SET updated_at = 3000 WHERE household_no = '{}'",
            w.household.household_no
        ))
        .unwrap();
        // the ledger lists X only, with W's second member joining it
        let mut x_new = x.clone();
        x_new.members.push(Member {
            relation: shouwang_core::codes::Relation::Other,
            ..w.members[1].clone()
        });
        let mut out =
            LedgerCsvWriter::exported(std::fs::File::create(&path).unwrap(), 2000).unwrap();
        out.write_household(&x_new).unwrap();
        out.finish().unwrap();
        let r = import(&db.store, &path, &opts(COUNTY, false));
        assert_clean(&r, db.name);
        let listed: Vec<(&str, Option<&str>)> = r
            .conflicts
            .iter()
            .map(|c| (c.household_no.as_str(), c.via.as_deref()))
            .collect();
        assert_eq!(
            listed,
            vec![(
                x.household.household_no.as_str(),
                Some(w.household.household_no.as_str())
            )],
            "{}",
            db.name
        );
        assert_eq!(
            stored_ids(&db.store, &w.household.household_no),
            file_ids(w)
        );
        assert_eq!(
            stored_ids(&db.store, &x.household.household_no),
            file_ids(x)
        );
        // confirmed: the person moves
        let mut confirmed = opts(COUNTY, false);
        confirmed.overwrite_newer = true;
        let r = import(&db.store, &path, &confirmed);
        assert_clean(&r, db.name);
        assert!(r.conflicts.is_empty(), "{}", db.name);
        assert_eq!(
            stored_ids(&db.store, &x.household.household_no),
            file_ids(&x_new)
        );
        assert!(!stored_ids(&db.store, &w.household.household_no).contains(&w.members[1].id_number));
    }
}
