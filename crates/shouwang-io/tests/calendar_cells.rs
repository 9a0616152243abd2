//! The cells of a holiday file, for any input: every form of a date in the year reads back as
//! that date, and any other text is refused with a reason that quotes it; every name of a kind
//! reads as its kind however it is padded or cased, and nothing else is taken for a kind.

use proptest::prelude::*;
use shouwang_core::calendar::DayKind;
use shouwang_core::{Date, ProblemCode};
use shouwang_io::calendar::{date_cell, kind_cell};
use shouwang_io::ledger::cell::unwrap_text;
use shouwang_io::ledger::CellRef;

fn any_date() -> impl Strategy<Value = Date> {
    (2000i32..2100, 1u8..=12, 1u8..=31)
        .prop_filter_map("a real day", |(y, m, d)| Date::new(y, m, d))
}

/// The ways a spreadsheet or a person writes `d`.
fn written(d: Date, form: usize) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match form % 6 {
        0 => d.to_string(),
        1 => format!("{y:04}{m:02}{day:02}"),
        2 => format!("{y}/{m}/{day}"),
        3 => format!("{y}.{m}.{day}"),
        4 => format!("{y}年{m}月{day}日"),
        _ => format!("  {d} "),
    }
}

const HOLIDAY: &[&str] = &[
    "法定节假日",
    "节假日",
    "放假",
    "休",
    "holiday",
    "Public Holiday",
    "1",
];
const WORKDAY: &[&str] = &[
    "调休上班日",
    "调休",
    "上班",
    "补班",
    "班",
    "Workday",
    "make-up working day",
    "2",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_date_written_any_way_reads_back_in_its_year_and_is_refused_in_another(
        d in any_date(), form in 0usize..6, other in 2000i32..2100,
    ) {
        let text = written(d, form);
        prop_assert_eq!(date_cell(CellRef::Text(&text), d.year()), Ok(d));
        if other != d.year() {
            let p = date_cell(CellRef::Text(&text), other).unwrap_err();
            prop_assert_eq!(p.code, ProblemCode::CalendarDateOutsideYear);
            prop_assert!(p.zh.contains(&d.to_string()));
        }
        // a cell formatted as a date reads the same
        prop_assert_eq!(date_cell(CellRef::Date(d), d.year()), Ok(d));
    }

    #[test]
    fn any_text_is_a_date_in_the_year_or_refused_never_a_panic(text in "\\PC{0,24}") {
        match date_cell(CellRef::Text(&text), 2026) {
            Ok(d) => prop_assert_eq!(d.year(), 2026),
            Err(p) => prop_assert!(
                matches!(p.code, ProblemCode::DateInvalid | ProblemCode::CalendarDateOutsideYear),
                "{:?}", p.code
            ),
        }
    }

    #[test]
    fn every_name_of_a_kind_reads_as_that_kind_however_padded_or_cased(
        i in 0usize..8, upper in any::<bool>(), left in " {0,3}", right in "[ \t]{0,3}",
    ) {
        for (names, kind) in [(HOLIDAY, DayKind::Holiday), (WORKDAY, DayKind::MakeUpWorkday)] {
            let name = names[i % names.len()];
            let name = if upper { name.to_uppercase() } else { name.to_string() };
            let text = format!("{left}{name}{right}");
            prop_assert_eq!(kind_cell(CellRef::Text(&text)), Ok(kind), "{:?}", text);
        }
    }

    #[test]
    fn any_other_text_is_refused_as_a_kind_quoting_it(text in "\\PC{1,16}") {
        let known = HOLIDAY.iter().chain(WORKDAY).chain(["休息", "休息日", "假日", "调休上班", "上班日", "working day", "makeup workday"].iter());
        // what the cell says once a spreadsheet's text marker (' or ="…") is taken off
        let said = unwrap_text(&text).trim();
        let t = said.to_lowercase();
        prop_assume!(!known.into_iter().any(|k| k.to_lowercase() == t));
        let p = kind_cell(CellRef::Text(&text)).unwrap_err();
        prop_assert_eq!(p.code, ProblemCode::CodeUnknown);
        prop_assert!(p.zh.contains(if said.is_empty() { "为空" } else { said }), "{}", p.zh);
    }
}
