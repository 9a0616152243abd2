//! The household ledger end to end: real xlsx files built with rust_xlsxwriter (the library
//! users' files often come from), CSV in its three encodings, read back through the reader.

use rust_xlsxwriter::{Formula, Workbook};
use shouwang_core::codes::{Relation, Sex};
use shouwang_core::date::YearMonth;
use shouwang_core::id_number::make_id;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, ProblemCode, RegionCode};
use shouwang_io::ledger::{
    read_ledger, read_ledger_all, write_error_workbook, write_ledger_csv, write_ledger_xlsx,
    Grouping, LedgerContents, LedgerError, LedgerGuarantees, LedgerHousehold, LedgerItem,
    LedgerXlsxWriter, PlaceNames, ReadError, ReadOptions,
};
use std::path::{Path, PathBuf};

fn today() -> Date {
    Date::new(2025, 11, 23).unwrap()
}

fn options() -> ReadOptions {
    ReadOptions::new(today())
}

fn id(year: i32, seq: u16, sex: Sex) -> String {
    make_id("510821", Date::new(year, 3, 4).unwrap(), seq, sex)
}

const HEADER: &[&str] = &[
    "县(市、区、旗)",
    "乡（镇）",
    "行政村",
    "户编号",
    "姓名",
    "性别",
    "证件号码",
    "出生日期",
    "与户主关系",
    "文化程度",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "户类型",
    "户主姓名",
    "户主证件号码",
    "年度",
    "监测对象类别",
    "识别监测时间",
    "致贫/返贫风险1",
    "致贫/返贫风险2",
    "风险是否已消除",
    "风险消除方式",
    "风险消除时间",
    "是否危房户",
    "是否解决安全饮用水",
    "工资性收入",
    "生产经营性收入",
    "生产经营性支出",
    "家庭纯收入",
    "人均纯收入（元）",
    "备注",
];

/// One person row of the national-style test workbook, keyed by header.
fn person(
    household: &str,
    name: &str,
    id_number: &str,
    relation: &str,
    head: (&str, &str),
) -> Vec<(&'static str, String)> {
    vec![
        ("县(市、区、旗)", "旺苍县".into()),
        ("乡（镇）", "东河镇".into()),
        ("行政村", "桃红村村民委员会".into()),
        ("户编号", household.into()),
        ("姓名", name.into()),
        ("证件号码", id_number.into()),
        ("与户主关系", relation.into()),
        ("文化程度", "初中".into()),
        ("健康状况", "健康".into()),
        ("劳动技能", "普通劳动力".into()),
        ("户类型", "脱贫户".into()),
        ("户主姓名", head.0.into()),
        ("户主证件号码", head.1.into()),
        ("年度", "2025".into()),
    ]
}

fn col(name: &str) -> u16 {
    HEADER.iter().position(|h| *h == name).unwrap() as u16
}

/// Writes the rows of [`workbook`] as CSV, on the same row numbers.
fn csv_file(path: &Path, rows: &[Vec<(&'static str, String)>]) {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap();
    w.write_record(["（自定义）监测对象信息"]).unwrap();
    w.write_record(["导出时间：2025-11-20 10:00:00"]).unwrap();
    w.write_record(HEADER).unwrap();
    for row in rows {
        let mut line = vec![String::new(); HEADER.len()];
        for (h, v) in row {
            line[col(h) as usize] = v.clone();
        }
        w.write_record(&line).unwrap();
    }
    w.flush().unwrap();
}

/// Writes a workbook: two title rows, the header on row 3, then the rows.
fn workbook(path: &Path, rows: &[Vec<(&'static str, String)>]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("监测对象").unwrap();
    ws.merge_range(
        0,
        0,
        0,
        8,
        "（自定义）监测对象信息",
        &rust_xlsxwriter::Format::new(),
    )
    .unwrap();
    ws.write_string(1, 0, "导出时间：2025-11-20 10:00:00")
        .unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (h, v) in row {
            ws.write_string(3 + r as u32, col(h), v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

fn read(path: &Path) -> LedgerContents {
    read_ledger_all(path, &options()).unwrap()
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

fn family() -> Vec<Vec<(&'static str, String)>> {
    let head_id = id(1970, 1, Sex::Male);
    let head = ("王德明", head_id.as_str());
    let mut a = person("510821001", "王德明", &head_id, "户主", head);
    a.extend([
        ("监测对象类别", "脱贫不稳定户".to_string()),
        ("识别监测时间", "202403".into()),
        ("致贫/返贫风险1", "因病".into()),
        ("致贫/返贫风险2", "因学".into()),
        ("风险是否已消除", "是".into()),
        ("风险消除方式", "帮扶消除".into()),
        ("风险消除时间", "2025-06".into()),
        ("是否危房户", "否".into()),
        ("是否解决安全饮用水", "是".into()),
        ("工资性收入", "24000".into()),
        ("生产经营性收入", "6000.5".into()),
        ("生产经营性支出", "2000".into()),
        ("家庭纯收入", "28000.5".into()),
        ("人均纯收入（元）", "14000.25".into()),
        ("备注", "已走访".into()),
    ]);
    let mut b = person(
        "510821001",
        "李秀英",
        &id(1972, 2, Sex::Female),
        "配偶",
        head,
    );
    b.extend(a[14..].iter().cloned());
    vec![a, b]
}

#[test]
fn a_national_style_workbook_with_title_rows_imports_its_household_with_monitoring_and_income() {
    let dir = Dir::new();
    let path = dir.file("台账.xlsx");
    workbook(&path, &family());
    let got = read(&path);
    assert_eq!(got.errors(), Vec::<&shouwang_io::ledger::RowError>::new());
    assert_eq!(got.summary.header.row, 3);
    assert_eq!(got.summary.unknown_columns(), ["备注"]);
    assert_eq!(got.households.len(), 1);
    let h = &got.households[0];
    assert_eq!(h.row_numbers(), [4, 5]);
    assert_eq!(h.members.len(), 2);
    assert_eq!(
        h.members[1].sex,
        Sex::Female,
        "sex derived from the ID number"
    );
    assert_eq!(h.place.village, "桃红村村民委员会");
    assert_eq!(h.place.county, "旺苍县");
    assert!(!h.village_resolved());
    assert_eq!(h.year, Some(2025));
    let case = h.monitoring.as_ref().unwrap();
    assert_eq!(case.case_type, CaseType::UnstablePostPoverty);
    assert_eq!(case.risks, [RiskType::Illness, RiskType::Schooling]);
    assert_eq!(case.status, CaseStatus::Eliminated);
    assert_eq!(
        case.elimination,
        Some((
            EliminationKind::AfterAssistance,
            YearMonth::new(2025, 6).unwrap()
        ))
    );
    let income = h.income.unwrap();
    assert_eq!(income.business, Fen(600_050));
    assert_eq!(income.net_income(), Fen(2_800_050));
    assert_eq!(
        h.guarantees,
        LedgerGuarantees {
            unsafe_housing: Some(false),
            out_of_school: None,
            uninsured_member: None,
            unsafe_water: Some(false)
        }
    );
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
}

#[test]
fn an_eighteen_digit_id_number_stored_as_a_number_is_rejected_with_its_row_and_column() {
    let dir = Dir::new();
    let path = dir.file("numbers.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "户编号",
        "姓名",
        "证件号码",
        "与户主关系",
        "村",
        "文化程度",
        "健康状况",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let good = id(1980, 5, Sex::Male);
    ws.write_number(1, 0, 510821002.0).unwrap();
    ws.write_string(1, 1, "张三").unwrap();
    ws.write_number(1, 2, good.parse::<f64>().unwrap()).unwrap();
    ws.write_string(1, 3, "户主").unwrap();
    ws.write_string(1, 4, "桃红村").unwrap();
    ws.write_string(1, 5, "小学").unwrap();
    ws.write_string(1, 6, "健康").unwrap();
    wb.save(&path).unwrap();
    let got = read(&path);
    assert!(got.households.is_empty());
    let errors = got.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].row, errors[0].column.as_str()), (2, "证件号码"));
    assert!(
        errors[0].problem.zh.contains("15位有效数字"),
        "{}",
        errors[0].problem.zh
    );
}

#[test]
fn a_household_column_that_differs_between_rows_names_both_rows() {
    let dir = Dir::new();
    let path = dir.file("conflict.xlsx");
    let mut rows = family();
    rows[1].push(("户类型", "一般农户".into()));
    workbook(&path, &rows);
    let got = read(&path);
    assert_eq!(got.rejected.len(), 1);
    let e = got.errors()[0];
    assert_eq!((e.row, e.column.as_str()), (5, "户类型"));
    assert!(
        e.problem.zh.contains("第4行") && e.problem.zh.contains("第5行"),
        "{}",
        e.problem.zh
    );
    assert_eq!(
        got.rejected[0].rows.len(),
        2,
        "the whole household is rejected"
    );
}

#[test]
fn a_head_name_that_disagrees_with_the_head_row_is_an_error() {
    let dir = Dir::new();
    let path = dir.file("head.xlsx");
    let mut rows = family();
    for r in &mut rows {
        r.push(("户主姓名", "王得明".into()));
    }
    workbook(&path, &rows);
    let got = read(&path);
    let e = got.errors()[0];
    assert_eq!(e.column, "户主姓名");
    assert!(
        e.problem.zh.contains("王得明") && e.problem.zh.contains("第4行"),
        "{}",
        e.problem.zh
    );
}

#[test]
fn a_person_twice_in_the_file_rejects_the_later_household_naming_the_first_row() {
    let dir = Dir::new();
    let path = dir.file("dup.xlsx");
    let mut rows = family();
    let twin_id = id(1972, 2, Sex::Female);
    rows.push(person(
        "510821009",
        "李秀英",
        &twin_id,
        "户主",
        ("李秀英", &twin_id),
    ));
    workbook(&path, &rows);
    let got = read(&path);
    assert_eq!(got.households.len(), 1);
    assert_eq!(got.rejected.len(), 1);
    let e = got.errors()[0];
    assert_eq!((e.row, e.column.as_str()), (6, "证件号码"));
    assert!(e.problem.zh.contains("第5行"), "{}", e.problem.zh);
}

/// The test family (510821001, rows 4–5 of [`workbook`]) and a one-person household 510821003,
/// with the family's second row moved after it when `apart`.
fn two_households(apart: bool) -> Vec<Vec<(&'static str, String)>> {
    let mut rows = family();
    let other = id(1960, 7, Sex::Male);
    let head = ("赵国强", other.as_str());
    let single = person("510821003", "赵国强", &other, "户主", head);
    if apart {
        let spouse = rows.remove(1);
        rows.push(single);
        rows.push(spouse);
    } else {
        rows.push(single);
    }
    rows
}

#[test]
fn rows_of_a_household_scattered_through_the_file_are_grouped() {
    let dir = Dir::new();
    let path = dir.file("scattered.xlsx");
    let rows = two_households(true);
    workbook(&path, &rows);
    let got = read(&path);
    assert_eq!(got.errors(), Vec::<&shouwang_io::ledger::RowError>::new());
    assert_eq!(got.households.len(), 2);
    let first = got
        .households
        .iter()
        .find(|h| h.household.household_no == "510821001")
        .unwrap();
    assert_eq!(first.row_numbers(), [4, 6]);
}

/// Households (by 户编号) in the order a one-pass read hands them over, and how it ended.
fn read_once(path: &Path) -> (Vec<String>, Result<usize, LedgerError>) {
    let mut got = Vec::new();
    let r = read_ledger(path, &options().grouping(Grouping::OnePass), |item| {
        got.push(match item {
            LedgerItem::Household(h) => h.household.household_no,
            LedgerItem::Rejected(r) => r.household_no,
        });
        Ok::<(), std::convert::Infallible>(())
    });
    let r = r.map(|s| s.households).map_err(|e| match e {
        ReadError::Ledger(e) => e,
        ReadError::Sink(never) => match never {},
    });
    (got, r)
}

#[test]
fn one_pass_stops_at_the_first_household_whose_rows_are_apart() {
    let dir = Dir::new();
    let path = dir.file("scattered.csv");
    let rows = two_households(true);
    csv_file(&path, &rows);
    let (handed, end) = read_once(&path);
    // 510821001 ended where 510821003 began, then came back on row 6
    assert_eq!(handed, ["510821001"]);
    match end {
        Err(LedgerError::NotGrouped { row, household }) => {
            assert_eq!((row, household.as_str()), (6, "510821001"))
        }
        other => panic!("expected NotGrouped, got {other:?}"),
    }
    // two passes group it
    assert_eq!(read(&path).households.len(), 2);
}

#[test]
fn one_pass_of_a_grouped_file_gives_what_two_passes_give() {
    let dir = Dir::new();
    for name in ["grouped.csv", "grouped.xlsx"] {
        let path = dir.file(name);
        let rows = two_households(false);
        if name.ends_with(".csv") {
            csv_file(&path, &rows);
        } else {
            workbook(&path, &rows);
        }
        let (handed, end) = read_once(&path);
        let twice = read(&path);
        let expected: Vec<String> = twice
            .households
            .iter()
            .map(|h| h.household.household_no.clone())
            .collect();
        assert_eq!(handed, expected, "{name}");
        assert_eq!(end.unwrap(), 2, "{name}");
    }
}

#[test]
fn an_eliminated_case_without_its_month_is_rejected_at_that_column() {
    let dir = Dir::new();
    let path = dir.file("elim.xlsx");
    let mut rows = family();
    for r in &mut rows {
        r.retain(|(h, _)| *h != "风险消除时间");
    }
    workbook(&path, &rows);
    let got = read(&path);
    let e = got.errors()[0];
    assert_eq!(e.column, "风险消除时间");
    assert!(e.problem.zh.contains("风险已消除"), "{}", e.problem.zh);
}

#[test]
fn a_derived_income_that_disagrees_is_a_warning_and_the_household_still_imports() {
    let dir = Dir::new();
    let path = dir.file("derived.xlsx");
    let mut rows = family();
    for r in &mut rows {
        r.push(("家庭纯收入", "30000".into()));
    }
    workbook(&path, &rows);
    let got = read(&path);
    assert_eq!(got.households.len(), 1);
    let w = &got.households[0].warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!((w[0].row, w[0].column.as_str()), (4, "家庭纯收入"));
    assert!(w[0].problem.zh.contains("28000.5"), "{}", w[0].problem.zh);
}

#[test]
fn formulas_give_the_value_excel_cached_for_them() {
    let dir = Dir::new();
    let path = dir.file("formula.xlsx");
    // GB 11643's worked example, a woman born 1949-12-31
    let head_id = "11010519491231002X".to_string();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "户编号",
        "姓名",
        "证件号码",
        "与户主关系",
        "村",
        "文化程度",
        "健康状况",
        "工资性收入",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, no) in [(1u32, "H1"), (2, "H2")] {
        ws.write_string(r, 0, no).unwrap();
        ws.write_string(r, 1, "王德明").unwrap();
        ws.write_string(r, 3, "户主").unwrap();
        ws.write_string(r, 4, "桃红村").unwrap();
        ws.write_string(r, 5, "小学").unwrap();
        ws.write_string(r, 6, "健康").unwrap();
    }
    // ="…" typed in Excel is a formula whose cached value is the text
    ws.write_formula(
        1,
        2,
        Formula::new(format!("=\"{head_id}\"")).set_result(&head_id),
    )
    .unwrap();
    ws.write_formula(1, 7, Formula::new("=1000+200").set_result("1200"))
        .unwrap();
    ws.write_string(2, 2, id(1971, 1, Sex::Male)).unwrap();
    ws.write_formula(2, 7, Formula::new("=NA()").set_result("#N/A"))
        .unwrap();
    wb.save(&path).unwrap();
    let got = read(&path);
    assert_eq!(got.households.len(), 1, "{:?}", got.errors());
    assert_eq!(got.households[0].members[0].id_number, head_id);
    assert_eq!(got.households[0].income.unwrap().wages, Fen(120_000));
    let e = got.errors()[0];
    assert_eq!((e.row, e.column.as_str()), (3, "工资性收入"));
    assert!(e.problem.zh.contains("#N/A"), "{}", e.problem.zh);
}

#[test]
fn a_cell_of_more_than_ten_thousand_characters_is_refused_with_its_row() {
    let dir = Dir::new();
    let path = dir.file("long.xlsx");
    let mut rows = family();
    rows[1].push(("姓名", "长".repeat(10_001)));
    workbook(&path, &rows);
    let got = read(&path);
    let e = got.errors()[0];
    assert_eq!((e.row, e.column.as_str()), (5, "姓名"));
    assert!(e.problem.zh.contains("10001"), "{}", e.problem.zh);
}

#[test]
fn a_wrong_sheet_name_is_refused_listing_the_sheets() {
    let dir = Dir::new();
    let path = dir.file("sheets.xlsx");
    workbook(&path, &family());
    let err = read_ledger_all(&path, &options().sheet("Sheet9")).unwrap_err();
    assert!(
        matches!(&err, LedgerError::WrongSheet { available, .. } if available == &["监测对象".to_string()]),
        "{err}"
    );
    assert!(err.to_string().contains("监测对象"));
    assert_eq!(
        read_ledger_all(&path, &options().sheet("监测对象"))
            .unwrap()
            .households
            .len(),
        1
    );
}

#[test]
fn files_that_are_not_spreadsheets_are_refused_clearly() {
    let dir = Dir::new();
    let cases: [(&str, &[u8], ProblemCode); 4] = [
        (
            "a.pdf",
            b"%PDF-1.4 binary",
            ProblemCode::LedgerNotSpreadsheet,
        ),
        (
            "b.xls",
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            ProblemCode::LedgerLegacyXls,
        ),
        (
            "c.xlsx",
            b"PK\x03\x04 not really a zip",
            ProblemCode::LedgerNotSpreadsheet,
        ),
        ("d.csv", b"", ProblemCode::LedgerEmpty),
    ];
    for (name, bytes, code) in cases {
        let path = dir.file(name);
        std::fs::write(&path, bytes).unwrap();
        let err = read_ledger_all(&path, &options()).unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
    }
    let path = dir.file("notes.csv");
    std::fs::write(&path, "会议纪要\n今天天气很好\n").unwrap();
    assert_eq!(
        read_ledger_all(&path, &options()).unwrap_err().code(),
        ProblemCode::LedgerNoHeader
    );
}

#[test]
fn a_missing_required_column_is_named_before_any_row_is_read() {
    let dir = Dir::new();
    let path = dir.file("missing.csv");
    std::fs::write(
        &path,
        "户编号,姓名,证件号码,村\nH1,王德明,510821197003040011,桃红村\n",
    )
    .unwrap();
    let err = read_ledger_all(&path, &options()).unwrap_err();
    assert_eq!(
        err,
        LedgerError::MissingColumn {
            column: "与户主关系".into()
        }
    );
}

fn csv_text() -> String {
    let head = id(1970, 1, Sex::Male);
    format!(
        "户人台账\n户编号,姓名,证件号码,与户主关系,行政村,文化程度,健康状况,出生日期,识别监测时间,监测对象类别\n\
         H1,王德明,=\"{head}\",户主,桃红村,初中,\"残疾,长期慢性病\",19700304,２０２４－０３,边缘易致贫户\n"
    )
}

#[test]
fn csv_in_utf8_with_or_without_bom_and_in_gb18030_reads_the_same() {
    let dir = Dir::new();
    let text = csv_text();
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let files = [
        ("utf8.csv", text.as_bytes().to_vec()),
        (
            "bom.csv",
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ),
        ("gb.csv", gb.to_vec()),
    ];
    let mut seen = Vec::new();
    for (name, bytes) in files {
        let path = dir.file(name);
        std::fs::write(&path, bytes).unwrap();
        let got = read(&path);
        assert_eq!(
            got.errors(),
            Vec::<&shouwang_io::ledger::RowError>::new(),
            "{name}"
        );
        let mut h = got.households.into_iter().next().unwrap();
        h.source_rows.clear();
        seen.push(h);
    }
    assert_eq!(seen[0].members[0].name, "王德明");
    assert_eq!(
        seen[0].monitoring.as_ref().unwrap().identified,
        YearMonth::new(2024, 3).unwrap()
    );
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2]);
}

/// A county of synthetic households as the store would hand them to the writers.
fn synthetic(n: usize) -> Vec<LedgerHousehold> {
    let village = RegionCode::parse("510821108212").unwrap();
    let config = SynthConfig {
        households: n,
        seed: 7,
        today: today(),
        county: RegionCode::parse("510821").unwrap(),
    };
    let villages = [SynthVillage {
        code: village.clone(),
        resettlement_site: Some("东河安置点".into()),
    }];
    generate(&config, &villages)
        .into_iter()
        .enumerate()
        .map(|(i, (mut household, members))| {
            household.address.clear();
            household.military_family = false;
            household.cultivated_land_centimu = None;
            household.housing_area_centim2 = None;
            household.house_grade.clear();
            household.dibao = members.iter().any(|m| m.dibao);
            household.tekun = members.iter().any(|m| m.tekun);
            let monitoring = match i % 4 {
                0 => None,
                k => Some(MonitoringCase {
                    household_no: household.household_no.clone(),
                    case_type: CaseType::ALL[k - 1],
                    risks: RiskType::ALL[..k + 1].to_vec(),
                    identified: YearMonth::new(2023, k as u8).unwrap(),
                    status: if k == 3 {
                        CaseStatus::Eliminated
                    } else {
                        CaseStatus::AtRisk
                    },
                    elimination: (k == 3)
                        .then(|| (EliminationKind::Natural, YearMonth::new(2024, 12).unwrap())),
                    whole_household_without_labour: k == 2,
                }),
            };
            LedgerHousehold {
                household,
                place: PlaceNames {
                    province: "四川省".into(),
                    city: "广元市".into(),
                    county: "旺苍县".into(),
                    township: "东河镇".into(),
                    village: "桃红村".into(),
                    village_code: Some(village.clone()),
                },
                members,
                monitoring,
                year: Some(2025),
                income: (i % 3 != 0).then_some(shouwang_core::income::Income {
                    period: shouwang_core::income::IncomePeriod::year(2025),
                    wages: Fen(1_234_567 + i as i64),
                    business: Fen(300_050),
                    property: Fen(0),
                    transfers: Fen(99),
                    production_costs: Fen(100_001),
                    insurance_payouts: Fen(5_000),
                    out_of_pocket_medical: Fen(70_010),
                }),
                guarantees: LedgerGuarantees {
                    unsafe_housing: Some(i % 5 == 0),
                    out_of_school: Some(false),
                    uninsured_member: None,
                    unsafe_water: Some(false),
                },
                warnings: Vec::new(),
                source_rows: Vec::new(),
            }
        })
        .collect()
}

fn without_rows(mut hs: Vec<LedgerHousehold>) -> Vec<LedgerHousehold> {
    for h in &mut hs {
        h.source_rows.clear();
    }
    hs
}

#[test]
fn export_to_xlsx_then_import_gives_back_exactly_the_same_households() {
    let dir = Dir::new();
    let path = dir.file("export.xlsx");
    let households = synthetic(60);
    let rows = write_ledger_xlsx(&path, &households).unwrap();
    assert_eq!(
        rows,
        households.iter().map(|h| h.members.len()).sum::<usize>()
    );
    let got = read(&path);
    assert_eq!(got.errors(), Vec::<&shouwang_io::ledger::RowError>::new());
    assert_eq!(without_rows(got.households), households);
}

#[test]
fn export_to_csv_then_import_gives_back_exactly_the_same_households() {
    let dir = Dir::new();
    let path = dir.file("export.csv");
    let households = synthetic(60);
    write_ledger_csv(std::fs::File::create(&path).unwrap(), &households).unwrap();
    let got = read(&path);
    assert_eq!(got.errors(), Vec::<&shouwang_io::ledger::RowError>::new());
    assert!(got.summary.unknown_columns().is_empty());
    assert_eq!(without_rows(got.households), households);
}

#[test]
fn a_full_sheet_continues_on_a_new_sheet_without_splitting_a_household() {
    let dir = Dir::new();
    let path = dir.file("sheets.xlsx");
    let households = synthetic(20);
    let mut w = LedgerXlsxWriter::with_rows_per_sheet(30).unwrap();
    for h in &households {
        w.write_household(h).unwrap();
    }
    w.finish(&path).unwrap();
    use calamine::Reader;
    let book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let names = book.sheet_names();
    assert!(names.len() >= 2, "{names:?}");
    assert_eq!(names[1], "户人台账2");
    let mut back = Vec::new();
    for name in &names {
        back.extend(
            read_ledger_all(&path, &options().sheet(name.clone()))
                .unwrap()
                .households,
        );
    }
    assert_eq!(without_rows(back), households);
}

#[test]
fn the_error_workbook_has_the_original_columns_and_one_line_per_problem_and_reimports_after_fixing()
{
    let dir = Dir::new();
    let path = dir.file("bad.xlsx");
    let mut rows = family();
    rows[0].push(("文化程度", "博士".into()));
    for r in &mut rows {
        r.push(("识别监测时间", "2024-13".into()));
    }
    let extra = id(1990, 9, Sex::Male);
    rows.push(person(
        "510821004",
        "刘平",
        &extra,
        "户主",
        ("刘平", &extra),
    ));
    workbook(&path, &rows);
    let got = read(&path);
    assert_eq!(got.households.len(), 1);
    assert_eq!(got.rejected.len(), 1);
    let out = dir.file("errors.xlsx");
    let lines = write_error_workbook(&out, &got.summary.header, &got.rejected).unwrap();
    assert_eq!(
        lines, 3,
        "two problems on row 4, and row 5 rejected with it"
    );

    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let width = HEADER.len();
    assert_eq!(
        cells[0][..width],
        HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..]
    );
    assert_eq!(
        cells[0][width..],
        ["错误列".to_string(), "错误原因".to_string()]
    );
    let reasons: Vec<(&str, &str)> = cells[1..]
        .iter()
        .map(|r| (r[width].as_str(), r[width + 1].as_str()))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|(c, r)| *c == "识别监测时间" && r.contains("2024-13")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(c, r)| *c == "文化程度" && r.contains("博士")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(c, r)| c.is_empty() && r.contains("整户未导入")),
        "{reasons:?}"
    );

    // the user fixes the two cells in Excel and imports the error workbook as it is
    let fixed = dir.file("fixed.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in cells.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let v = match v.as_str() {
                "博士" => "高中",
                "2024-13" => "202403",
                v => v,
            };
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    wb.save(&fixed).unwrap();
    let again = read(&fixed);
    assert_eq!(again.errors(), Vec::<&shouwang_io::ledger::RowError>::new());
    assert_eq!(again.households.len(), 1);
    assert_eq!(again.households[0].members.len(), 2);
    assert_eq!(
        again.summary.unknown_columns(),
        ["备注", "错误列", "错误原因"]
    );
}

#[test]
fn excel_date_cells_and_serial_numbers_are_read_as_birth_dates() {
    let dir = Dir::new();
    let path = dir.file("dates.xlsx");
    let head_id = id(1970, 1, Sex::Male);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "户编号",
        "姓名",
        "证件号码",
        "与户主关系",
        "村",
        "文化程度",
        "健康状况",
        "出生日期",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let row = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, no: &str, id: &str, rel: &str| {
        for (c, v) in [no, "王德明", id, rel, "桃红村", "初中", "健康"]
            .iter()
            .enumerate()
        {
            ws.write_string(r, c as u16, *v).unwrap();
        }
    };
    row(ws, 1, "H1", &head_id, "户主");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1970, 3, 4).unwrap();
    ws.write_datetime_with_format(
        1,
        7,
        &date,
        &rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
    )
    .unwrap();
    let son = id(2001, 3, Sex::Male);
    row(ws, 2, "H1", &son, "之子");
    ws.write_number(2, 7, 36954.0).unwrap(); // 2001-03-04
    wb.save(&path).unwrap();
    let got = read(&path);
    assert_eq!(got.errors(), Vec::<&shouwang_io::ledger::RowError>::new());
    let m = &got.households[0].members;
    assert_eq!(m[0].birth_date, Date::new(1970, 3, 4).unwrap());
    assert_eq!(m[1].birth_date, Date::new(2001, 3, 4).unwrap());
    assert_eq!(m[1].relation, Relation::Son);
}

#[test]
fn csv_text_that_a_spreadsheet_would_run_is_written_as_text_and_reads_back_unchanged() {
    let dir = Dir::new();
    let path = dir.file("export.csv");
    let mut households = synthetic(12);
    let payloads = [
        "=CMD|' /C calc'!A0",
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
    ];
    households[0].household.resettlement_site = payloads[0].into();
    households[1].household.resettlement_site = payloads[1].into();
    households[2].household.resettlement_site = payloads[2].into();
    households[3].household.resettlement_site = payloads[3].into();
    households[4].household.resettlement_site = payloads[4].into();
    // a loss: the net income and the net income per person are negative amounts
    let income = households[1].income.as_mut().unwrap();
    income.production_costs = Fen(9_000_000);
    write_ledger_csv(std::fs::File::create(&path).unwrap(), &households).unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    for p in &payloads[..4] {
        assert!(text.contains(&format!("'{p}")), "{p} is neutralised");
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut negative_numbers = 0;
    for rec in r.records() {
        for field in rec.unwrap().iter() {
            if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                // only numbers may start so: amounts, written as numbers
                assert!(field.parse::<f64>().is_ok(), "{field:?} is left as it was");
                negative_numbers += 1;
            }
        }
    }
    assert!(
        negative_numbers > 0,
        "the loss is written as a negative number"
    );

    let got = read(&path);
    assert_eq!(got.errors(), Vec::<&shouwang_io::ledger::RowError>::new());
    // the tab in front of the last payload is trimmed on reading, as any cell's spaces are
    households[4].household.resettlement_site = "=1+1".into();
    assert_eq!(without_rows(got.households), households);
}

#[test]
fn a_masked_export_shows_masked_id_numbers_and_cannot_be_imported_again() {
    use shouwang_core::id_number::mask;
    use shouwang_io::ledger::{Ids, LedgerCsvWriter};
    let dir = Dir::new();
    let households = synthetic(10);
    let csv_path = dir.file("masked.csv");
    let mut w = LedgerCsvWriter::new(std::fs::File::create(&csv_path).unwrap())
        .unwrap()
        .ids(Ids::Masked);
    for h in &households {
        w.write_household(h).unwrap();
    }
    w.finish().unwrap();
    let xlsx_path = dir.file("masked.xlsx");
    let mut w = LedgerXlsxWriter::new().unwrap().ids(Ids::Masked);
    for h in &households {
        w.write_household(h).unwrap();
    }
    w.finish(&xlsx_path).unwrap();

    let text = std::fs::read_to_string(&csv_path).unwrap();
    let head = households[0].members[0].id_number.clone();
    assert!(!text.contains(&head), "no full ID number in the masked CSV");
    assert!(
        text.contains(&mask(&head)),
        "the masked number is there to read"
    );
    for path in [&csv_path, &xlsx_path] {
        let got = read(path);
        assert!(got.households.is_empty(), "{}", path.display());
        let errors = got.errors();
        assert!(!errors.is_empty());
        assert!(
            errors.iter().any(|e| e.column == "证件号码"
                && e.problem.zh.contains("打码")
                && e.problem.en.contains("masked")),
            "{errors:?}"
        );
    }
}
