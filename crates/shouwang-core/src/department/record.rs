//! Reading one row of department data into a [`DeptRecord`], or refusing it with the column and
//! the reason. The same reader serves a file's rows (cells as text, mapped by the file's header)
//! and a pushed record (its JSON keys mapped by [`ColumnMap::for_names`]).
//!
//! An ID number that a spreadsheet turned into a number (`5.10821199001011E+17`, or 18 digits
//! ending in `000`) lost its last digits and is refused as such, never guessed.

use super::profile::{ColumnMap, Field};
use super::{
    AssetType, DeptKind, EmploymentStatus, HouseGrade, PoliceEvent, RollType, SchoolStatus,
    UnmatchedReason,
};
use crate::date::{Date, YearMonth};
use crate::id_number::IdNumber;
use crate::money::{parse_hundredths, Fen};
use crate::problem::{Problem, ProblemCode};
use serde::Serialize;

/// At most this many characters are kept of a free-text cell (school, note …).
pub const MAX_TEXT: usize = 100;

/// A row of department data, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeptRecord {
    /// The row in the file (1-based, header included), or the record's place in a push
    pub row: u64,
    /// 证件号码, checked
    pub id_number: String,
    pub name: String,
    /// The event's date: settlement, start of the roll, certificate, change, appraisal,
    /// disaster, death or move (a month is its first day)
    pub date: Option<Date>,
    /// 民政: the roll's end
    pub end: Option<Date>,
    /// The kind's amount: 合规自付, the roll's amount, the school cost, the loss, a monthly income
    pub amount: Option<Fen>,
    /// 医保: 医疗总费用
    pub total: Option<Fen>,
    /// The kind's own code: roll, disability grade (1–4), school status, house grade, employment
    /// status, police event, asset type
    pub category: Option<i64>,
    /// The rest in words: disability class, school and grade, disaster type, asset note
    pub detail: String,
}

/// Why a row was not read: the reason (an invalid ID number or another invalid value) and the
/// problem naming the column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub reason: UnmatchedReason,
    pub problem: Problem,
}

fn invalid(map: &ColumnMap, field: Field, zh: String, en: String) -> RowProblem {
    RowProblem {
        reason: if field == Field::IdNumber {
            UnmatchedReason::InvalidId
        } else {
            UnmatchedReason::InvalidRow
        },
        problem: Problem::new(
            if field == Field::IdNumber {
                ProblemCode::IdNumberInvalid
            } else {
                ProblemCode::DeptRowInvalid
            },
            map.header_of(field).to_string(),
            zh,
            en,
        ),
    }
}

/// Whether the text is a number as a spreadsheet writes a long one: `5.10821E+17`.
fn is_scientific(t: &str) -> bool {
    t.contains(['E', 'e'])
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'E' | 'e' | '+' | '-'))
}

/// Reads the ID number of a row: checked, upper-case X; a number in scientific notation is
/// refused as lossy.
pub fn id_number(map: &ColumnMap, cells: &[String], today: Date) -> Result<String, RowProblem> {
    let raw = map.cell(Field::IdNumber, cells).unwrap_or("");
    let t = raw.trim_start_matches('\'').trim_matches('"').trim();
    if t.is_empty() {
        return Err(invalid(
            map,
            Field::IdNumber,
            "证件号码为空".into(),
            "the ID number is empty".into(),
        ));
    }
    if is_scientific(t) {
        return Err(RowProblem {
            reason: UnmatchedReason::InvalidId,
            problem: Problem::new(
                ProblemCode::IdNumberLostPrecision,
                map.header_of(Field::IdNumber).to_string(),
                format!("证件号码“{}”是科学计数法，Excel已丢失后几位数字：请把该列设为文本后重新导出", cut(t)),
                format!(
                    "the ID number {} is in scientific notation and Excel lost its last digits: export the column as text",
                    cut(t)
                ),
            ),
        });
    }
    IdNumber::parse(t, today)
        .map(|id| id.as_str().to_string())
        .map_err(|e| {
            invalid(
                map,
                Field::IdNumber,
                format!("证件号码“{}”无效：{}", cut(t), e.zh()),
                format!("the ID number {} is invalid: {e}", cut(t)),
            )
        })
}

/// At most 40 characters of a cell, for a message.
fn cut(t: &str) -> String {
    t.chars().take(40).collect()
}

/// A date as departments write it: `2026-10-05`, `2026/10/5`, `20261005`, `2026年10月5日`, or a
/// month (`2026-10`, `202610`, `2026年10月`) as its first day.
pub fn parse_date(text: &str) -> Option<Date> {
    let t = text.trim();
    let t = t
        .replace(['年', '月'], "-")
        .replace('日', "")
        .trim_end_matches('-')
        .to_string();
    // a date with a time: "2026-10-05 08:30:00"
    let t = t.split([' ', 'T']).next().unwrap_or("");
    if let Some(d) = Date::parse(t) {
        return Some(d);
    }
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        return YearMonth::new(t[..4].parse().ok()?, t[4..].parse().ok()?)
            .map(YearMonth::first_day);
    }
    YearMonth::parse(t).map(YearMonth::first_day)
}

/// An amount in 元 as departments write it (`1,234.50`, `1234.5元`, `￥300`), never negative.
pub fn parse_amount(text: &str) -> Option<Fen> {
    let t: String = text
        .trim()
        .trim_start_matches(['￥', '¥'])
        .trim_end_matches('元')
        .to_string();
    let v = parse_hundredths(&t).ok()?;
    (v >= 0).then_some(Fen(v))
}

/// A code of one of the kind's lists from its Chinese label, also when the label is within a
/// longer text ("农村低保" → 低保; "特困供养" → 特困); the longest label found wins, so
/// "低保边缘" is not 低保.
fn label_in<T: Copy>(text: &str, all: &[T], label: impl Fn(T) -> &'static str) -> Option<T> {
    let t = text.trim();
    all.iter()
        .copied()
        .filter(|v| {
            let l = label(*v).trim_end_matches('级');
            !l.is_empty() && t.contains(l)
        })
        .max_by_key(|v| label(*v).chars().count())
}

/// 残疾等级: 1–4 from "一级", "1级", "1", "二", "贰级" …
fn disability_grade(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches('级').trim_end_matches("残疾");
    let t = t.trim_start_matches("残疾").trim();
    match t {
        "1" | "一" | "壹" => Some(1),
        "2" | "二" | "贰" => Some(2),
        "3" | "三" | "叁" => Some(3),
        "4" | "四" | "肆" => Some(4),
        _ => None,
    }
}

fn house_grade(text: &str) -> Option<HouseGrade> {
    let t = text
        .trim()
        .trim_end_matches('级')
        .trim_end_matches("级危房")
        .trim();
    match t.to_ascii_uppercase().as_str() {
        "A" => Some(HouseGrade::A),
        "B" => Some(HouseGrade::B),
        "C" => Some(HouseGrade::C),
        "D" => Some(HouseGrade::D),
        _ => None,
    }
}

/// Reads one row of `map.kind` data. `today` bounds the ID number's birth date and refuses an
/// event dated in the future.
pub fn read(
    map: &ColumnMap,
    row: u64,
    cells: &[String],
    today: Date,
) -> Result<DeptRecord, RowProblem> {
    let id_number = id_number(map, cells, today)?;
    let text = |f: Field| map.cell(f, cells).unwrap_or("");
    let name: String = text(Field::Name).chars().take(MAX_TEXT).collect();
    let date_of = |f: Field| -> Result<Option<Date>, RowProblem> {
        let t = text(f);
        if t.is_empty() {
            return Ok(None);
        }
        match parse_date(t) {
            Some(d) if d > today => Err(invalid(
                map,
                f,
                format!("{}“{}”在今天之后", map.header_of(f), cut(t)),
                format!("{} {} is after today", f.label_en(), cut(t)),
            )),
            Some(d) => Ok(Some(d)),
            None => Err(invalid(
                map,
                f,
                format!(
                    "{}“{}”不是日期（应如2026-10-05或2026-10）",
                    map.header_of(f),
                    cut(t)
                ),
                format!(
                    "{} {} is not a date (like 2026-10-05 or 2026-10)",
                    f.label_en(),
                    cut(t)
                ),
            )),
        }
    };
    let amount_of = |f: Field, required: bool| -> Result<Option<Fen>, RowProblem> {
        let t = text(f);
        if t.is_empty() {
            return if required {
                Err(invalid(
                    map,
                    f,
                    format!("{}为空", map.header_of(f)),
                    format!("{} is empty", f.label_en()),
                ))
            } else {
                Ok(None)
            };
        }
        match parse_amount(t) {
            // 1 亿元: far beyond any household's figure, a unit or typing error
            Some(v) if v.0 <= 10_000_000_000 => Ok(Some(v)),
            _ => Err(invalid(
                map,
                f,
                format!("{}“{}”不是0至1亿之间的金额（元）", map.header_of(f), cut(t)),
                format!(
                    "{} {} is not an amount of 0 to 100 million yuan",
                    f.label_en(),
                    cut(t)
                ),
            )),
        }
    };
    let coded = |f: Field,
                 found: Option<i64>,
                 expected_zh: &str,
                 expected_en: &str|
     -> Result<Option<i64>, RowProblem> {
        let t = text(f);
        match found {
            Some(c) => Ok(Some(c)),
            None => Err(invalid(
                map,
                f,
                format!("{}“{}”不是{expected_zh}之一", map.header_of(f), cut(t)),
                format!("{} {} is not one of {expected_en}", f.label_en(), cut(t)),
            )),
        }
    };
    let mut r = DeptRecord {
        row,
        id_number,
        name,
        date: date_of(Field::Date)?,
        end: None,
        amount: None,
        total: None,
        category: None,
        detail: String::new(),
    };
    let words = |fields: &[Field]| -> String {
        let s: Vec<&str> = fields
            .iter()
            .map(|f| text(*f))
            .filter(|t| !t.is_empty())
            .collect();
        s.join(" ").chars().take(MAX_TEXT).collect()
    };
    match map.kind {
        DeptKind::Medical => {
            r.amount = amount_of(Field::SelfPaid, true)?;
            r.total = amount_of(Field::TotalCost, false)?;
        }
        DeptKind::Roster => {
            let roll =
                label_in(text(Field::Roll), RollType::ALL, RollType::label_zh).map(RollType::code);
            r.category = coded(
                Field::Roll,
                roll,
                "低保、特困、低保边缘、刚性支出困难、临时救助",
                "低保, 特困, 低保边缘, 刚性支出困难, 临时救助",
            )?;
            r.end = date_of(Field::EndDate)?;
            r.amount = amount_of(Field::Amount, false)?;
            if let (Some(s), Some(e)) = (r.date, r.end) {
                if e < s {
                    return Err(invalid(
                        map,
                        Field::EndDate,
                        format!("{}早于起始日期", map.header_of(Field::EndDate)),
                        "the end is before the start".into(),
                    ));
                }
            }
        }
        DeptKind::Disability => {
            let grade = disability_grade(text(Field::DisabilityGrade));
            r.category = coded(Field::DisabilityGrade, grade, "一级至四级", "grades 1 to 4")?;
            r.detail = words(&[Field::DisabilityClass]);
        }
        DeptKind::Education => {
            let s = label_in(
                text(Field::SchoolStatus),
                SchoolStatus::ALL,
                SchoolStatus::label_zh,
            )
            .map(SchoolStatus::code);
            r.category = coded(
                Field::SchoolStatus,
                s,
                "在读、辍学、休学",
                "在读, 辍学, 休学",
            )?;
            r.amount = amount_of(Field::Cost, false)?;
            r.detail = words(&[Field::School, Field::Grade]);
        }
        DeptKind::Housing => {
            let g = house_grade(text(Field::HouseGrade)).map(HouseGrade::code);
            r.category = coded(Field::HouseGrade, g, "A、B、C、D级", "grades A to D")?;
        }
        DeptKind::Disaster => {
            r.amount = amount_of(Field::Loss, true)?;
            r.detail = words(&[Field::DisasterType]);
        }
        DeptKind::Employment => {
            let s = label_in(
                text(Field::EmploymentStatus),
                EmploymentStatus::ALL,
                EmploymentStatus::label_zh,
            )
            .map(EmploymentStatus::code);
            r.category = coded(
                Field::EmploymentStatus,
                s,
                "失业、返乡、就业",
                "失业, 返乡, 就业",
            )?;
            r.amount = amount_of(Field::MonthlyIncome, false)?;
        }
        DeptKind::Police => {
            let t = text(Field::Event);
            let e = if t.is_empty() {
                // a file of deaths only: the date column says what it is
                Some(if map.header_of(Field::Date).contains("迁出") {
                    PoliceEvent::MoveOut
                } else {
                    PoliceEvent::Death
                })
            } else if t.contains("注销") && !t.contains("迁") {
                Some(PoliceEvent::Death)
            } else {
                label_in(t, PoliceEvent::ALL, PoliceEvent::label_zh)
            };
            r.category = coded(
                Field::Event,
                e.map(PoliceEvent::code),
                "死亡、迁出",
                "death, moved out",
            )?;
            if r.date.is_none() {
                return Err(invalid(
                    map,
                    Field::Date,
                    format!("{}为空", map.header_of(Field::Date)),
                    "the date is empty".into(),
                ));
            }
        }
        DeptKind::Assets => {
            let a = label_in(text(Field::AssetType), AssetType::ALL, AssetType::label_zh)
                .map(AssetType::code);
            r.category = coded(
                Field::AssetType,
                a,
                "车辆、房产、工商注册、财政供养",
                "vehicle, real estate, business, public payroll",
            )?;
            r.detail = words(&[Field::Note]);
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::department::profile::Profile;
    use proptest::prelude::*;

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap()
    }
    const ID: &str = "510821199001011235";

    fn map(kind: DeptKind, header: &[&str]) -> ColumnMap {
        let h: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        Profile::builtin(kind).map_header(&h).unwrap()
    }
    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_medical_row_reads_its_amounts_and_date() {
        let m = map(
            DeptKind::Medical,
            &["证件号码", "姓名", "结算日期", "医疗总费用", "个人自付"],
        );
        let r = read(
            &m,
            2,
            &row(&[ID, "张三", "2026年10月5日", "12,000.00", "3456.7元"]),
            today(),
        )
        .unwrap();
        assert_eq!(r.id_number, ID);
        assert_eq!(r.amount, Some(Fen(345_670)));
        assert_eq!(r.total, Some(Fen(1_200_000)));
        assert_eq!(r.date, Date::new(2026, 10, 5));
    }

    #[test]
    fn an_id_number_in_scientific_notation_is_refused_as_lost_digits() {
        let m = map(DeptKind::Medical, &["证件号码", "个人自付"]);
        let e = read(&m, 7, &row(&["5.10821199001011E+17", "10"]), today()).unwrap_err();
        assert_eq!(e.reason, UnmatchedReason::InvalidId);
        assert_eq!(e.problem.code, ProblemCode::IdNumberLostPrecision);
        assert!(e.problem.zh.contains("科学计数法"));
        let e = read(&m, 7, &row(&["510821199001011230", "10"]), today()).unwrap_err();
        assert_eq!(e.reason, UnmatchedReason::InvalidId, "a wrong check digit");
    }

    #[test]
    fn a_bad_value_names_its_column_and_reason() {
        let m = map(DeptKind::Medical, &["身份证号", "个人自付"]);
        let e = read(&m, 3, &row(&[ID, "abc"]), today()).unwrap_err();
        assert_eq!(e.reason, UnmatchedReason::InvalidRow);
        assert_eq!(e.problem.field, "个人自付");
        let e = read(&m, 3, &row(&[ID, "-5"]), today()).unwrap_err();
        assert_eq!(
            e.problem.code,
            ProblemCode::DeptRowInvalid,
            "a negative amount"
        );
        let m = map(DeptKind::Disaster, &["证件号码", "受灾日期", "损失金额"]);
        let e = read(&m, 3, &row(&[ID, "2027-01-01", "5"]), today()).unwrap_err();
        assert!(e.problem.zh.contains("今天之后"));
    }

    #[test]
    fn codes_are_read_from_the_words_departments_use() {
        let m = map(DeptKind::Roster, &["证件号码", "救助类型", "起始月份"]);
        let r = read(&m, 2, &row(&[ID, "农村低保", "2026-03"]), today()).unwrap();
        assert_eq!(r.category, Some(RollType::Dibao.code()));
        assert_eq!(r.date, Date::new(2026, 3, 1));
        let r = read(&m, 2, &row(&[ID, "低保边缘家庭", "202603"]), today()).unwrap();
        assert_eq!(r.category, Some(RollType::DibaoMarginal.code()));
        let m = map(DeptKind::Disability, &["证件号码", "残疾类别", "残疾等级"]);
        let r = read(&m, 2, &row(&[ID, "肢体", "二级"]), today()).unwrap();
        assert_eq!((r.category, r.detail.as_str()), (Some(2), "肢体"));
        let m = map(DeptKind::Housing, &["户主证件号码", "鉴定等级"]);
        assert_eq!(
            read(&m, 2, &row(&[ID, "D级"]), today()).unwrap().category,
            Some(HouseGrade::D.code())
        );
        assert!(read(&m, 2, &row(&[ID, "E"]), today()).is_err());
        let m = map(DeptKind::Police, &["证件号码", "死亡日期"]);
        let r = read(&m, 2, &row(&[ID, "2026-11-01"]), today()).unwrap();
        assert_eq!(r.category, Some(PoliceEvent::Death.code()));
    }

    #[test]
    fn dates_in_the_forms_departments_write() {
        for (t, d) in [
            ("2026-10-05", Date::new(2026, 10, 5)),
            ("2026/10/5", Date::new(2026, 10, 5)),
            ("20261005", Date::new(2026, 10, 5)),
            ("2026年10月5日", Date::new(2026, 10, 5)),
            ("2026年10月", Date::new(2026, 10, 1)),
            ("2026-10-05 08:30:00", Date::new(2026, 10, 5)),
            ("202610", Date::new(2026, 10, 1)),
            ("2026-13-01", None),
            ("十月", None),
        ] {
            assert_eq!(parse_date(t), d, "{t}");
        }
    }

    proptest! {
        // whatever a cell holds, reading a row answers a record or a problem, never panics, and
        // a record's amount is never negative
        #[test]
        fn any_cells_read_without_panic(cells in proptest::collection::vec(".{0,30}", 0..8), kind in 0usize..9) {
            let k = DeptKind::ALL[kind];
            let m = ColumnMap::for_names(k);
            if let Ok(r) = read(&m, 1, &cells, today()) {
                prop_assert!(r.amount.is_none_or(|a| a.0 >= 0));
                prop_assert_eq!(r.id_number.len(), 18);
            }
        }

        #[test]
        fn an_amount_reads_back_as_written(yuan in 0i64..100_000_000, fen in 0i64..100) {
            let text = format!("{yuan}.{fen:02}");
            prop_assert_eq!(parse_amount(&text), Some(Fen(yuan * 100 + fen)));
            prop_assert_eq!(parse_amount(&format!("{text}元")), Some(Fen(yuan * 100 + fen)));
        }
    }
}
