//! From rows to households (户): household-level columns agreed across rows, cells parsed into
//! core types, then validated with core's rules ([`validate_household`], [`validate_member`],
//! [`validate_family`]) plus the ledger's own:
//!
//! - household-level columns identical on all rows (an empty cell on one row is "not given", not a
//!   conflict: rows added by hand for a new member often leave them out);
//! - 户主姓名 / 户主证件号码 agreeing with the row whose 与户主关系 is 户主;
//! - 家庭纯收入 / 人均纯收入 agreeing with their components within 1 元 (a warning only);
//! - monitoring columns consistent: a type with an identification month, an eliminated case with
//!   its kind and month, no risk given twice;
//! - each 证件号码 once in the file.

use super::cell::{self, CellRef};
use super::columns::{Col, HeaderMap, Level};
use super::{
    unresolved_village, LedgerGuarantees, LedgerHousehold, LedgerItem, PlaceNames,
    RejectedHousehold, RowError, SourceRow,
};
use shouwang_core::codes::{
    Education, Health, HouseholdType, LabourCapacity, Political, Relation, Schooling, Sex,
};
use shouwang_core::date::YearMonth;
use shouwang_core::household::{validate_family, validate_household, validate_member};
use shouwang_core::id_number::{mask, PersonId};
use shouwang_core::income::{validate_income, Income, IncomePeriod};
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};
use shouwang_core::region::RegionLevel;
use shouwang_core::ProblemCode;
use shouwang_core::{Date, Fen, Household, IdKind, Member, Problem, RegionCode};
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::Hash;

/// The 1 元 tolerance of the derived incomes.
const DERIVED_TOLERANCE: Fen = Fen(100);

fn problem(code: ProblemCode, zh: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem::new(code, "", zh, en)
}

/// Turns rows into households, remembering the ID numbers seen in the file so far.
pub struct Assembler<'h> {
    header: &'h HeaderMap,
    today: Date,
    /// 证件号码 → the row it was first seen on: resident ID numbers by [`resident_key`], any
    /// other text as it is
    seen_resident: HashMap<u64, usize>,
    seen: HashMap<Box<str>, usize>,
}

/// Collects the errors of one household.
struct Errors<'h> {
    header: &'h HeaderMap,
    list: Vec<RowError>,
    warnings: Vec<RowError>,
}

impl Errors<'_> {
    fn row_error(&self, row: usize, col: Col, mut p: Problem) -> RowError {
        if p.field.is_empty() {
            p.field = col.name().to_string();
        }
        RowError {
            row,
            column: self.header.header_of(col),
            problem: p,
        }
    }
    fn push(&mut self, row: usize, col: Col, p: Problem) {
        let e = self.row_error(row, col, p);
        self.list.push(e);
    }
    fn warn(&mut self, row: usize, col: Col, p: Problem) {
        let e = self.row_error(row, col, p);
        self.warnings.push(e);
    }
    /// The value, or `default` after recording the problem.
    fn take<T>(&mut self, row: usize, col: Col, r: Result<T, Problem>, default: T) -> T {
        r.unwrap_or_else(|p| {
            self.push(row, col, p);
            default
        })
    }
}

/// One row's cell of a column (empty when the file lacks the column).
fn cell_of<'r>(header: &HeaderMap, row: &'r SourceRow, col: Col) -> CellRef<'r> {
    header
        .position(col)
        .and_then(|i| row.cell(i))
        .unwrap_or(CellRef::Empty)
}

/// The household-level values, each with the row it came from.
struct HouseholdCells<'r> {
    /// indexed by `Col as usize`
    values: Vec<Option<(usize, CellRef<'r>)>>,
    first_row: usize,
}

impl<'r> HouseholdCells<'r> {
    fn get(&self, col: Col) -> (usize, CellRef<'r>) {
        self.values
            .get(col as usize)
            .copied()
            .flatten()
            .unwrap_or((self.first_row, CellRef::Empty))
    }
}

fn code_values<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|v| label(*v)).collect::<Vec<_>>().join("、")
}

fn unknown_code(what: &str, what_en: &str, value: &str, allowed: String) -> Problem {
    problem(
        ProblemCode::CodeUnknown,
        format!("{what}“{value}”不在代码表中，可填：{allowed}"),
        format!("{what_en} '{value}' is not in the code list; allowed: {allowed}"),
    )
}

fn parse_risk(text: &str) -> Option<RiskType> {
    RiskType::parse_zh(text).or(match text {
        "住房安全" | "住房安全问题" => Some(RiskType::UnsafeHousing),
        "饮水安全" => Some(RiskType::UnsafeWater),
        "因灾" => Some(RiskType::NaturalDisaster),
        "因意外" => Some(RiskType::Accident),
        _ => None,
    })
}

fn parse_relation(text: &str) -> Option<Relation> {
    Relation::parse_zh(text).or_else(|| {
        if text == "本人" {
            Some(Relation::Head)
        } else {
            Relation::parse_zh(&format!("之{text}"))
        }
    })
}

const RISK_COLUMNS: [Col; 5] = [Col::Risk1, Col::Risk2, Col::Risk3, Col::Risk4, Col::Risk5];

impl<'h> Assembler<'h> {
    pub fn new(header: &'h HeaderMap, today: Date) -> Assembler<'h> {
        Assembler {
            header,
            today,
            seen_resident: HashMap::new(),
            seen: HashMap::new(),
        }
    }

    /// Makes room for the ID numbers of `persons` rows up front (the first pass's count), so
    /// that the map of numbers seen does not grow step by step.
    pub fn reserve(&mut self, persons: usize) {
        self.seen_resident.reserve(persons);
    }

    /// Builds and validates one household from its rows (in file order).
    pub fn assemble(&mut self, key: String, rows: Vec<SourceRow>) -> LedgerItem {
        let header = self.header;
        let mut errs = Errors {
            header,
            list: Vec::new(),
            warnings: Vec::new(),
        };
        let first_row = rows.first().map(|r| r.number).unwrap_or(0);
        if key.is_empty() {
            errs.push(
                first_row,
                Col::HouseholdNo,
                problem(
                    ProblemCode::HouseholdNoMissing,
                    "户编号不能为空",
                    "the household number is required",
                ),
            );
        }
        let hh = self.household_cells(&rows, &mut errs);
        let built = self.build(&key, &rows, &hh, &mut errs);
        match built {
            Some(mut h) if errs.list.is_empty() => {
                h.warnings = errs.warnings;
                h.source_rows = rows;
                LedgerItem::Household(Box::new(h))
            }
            _ => {
                errs.list.sort_by_key(|e| e.row);
                LedgerItem::Rejected(Box::new(RejectedHousehold {
                    household_no: key,
                    errors: errs.list,
                    warnings: errs.warnings,
                    rows,
                }))
            }
        }
    }

    /// Picks each household-level value from the first row that has it; a different non-empty
    /// value on another row is a conflict naming both rows.
    fn household_cells<'r>(
        &self,
        rows: &'r [SourceRow],
        errs: &mut Errors<'_>,
    ) -> HouseholdCells<'r> {
        let mut values = vec![None; Col::ALL.len()];
        for col in Col::ALL
            .iter()
            .copied()
            .filter(|c| c.level() == Level::Household && self.header.has(*c))
        {
            let mut first: Option<(usize, CellRef<'_>, Cow<'_, str>)> = None;
            for row in rows {
                let c = cell_of(self.header, row, col);
                if c.is_empty() {
                    continue;
                }
                let (r0, c0, v0) = match &first {
                    None => {
                        first = Some((row.number, c, c.canonical()));
                        continue;
                    }
                    Some(f) => f,
                };
                // equal cells have equal canonical forms: only different ones are compared
                if *c0 == c {
                    continue;
                }
                let canon = c.canonical();
                if *v0 != canon {
                    let r0 = *r0;
                    errs.push(
                        row.number,
                        col,
                        problem(
                            ProblemCode::HouseholdConflict,
                            format!("同一户的“{}”在第{r0}行是“{v0}”，在第{}行是“{canon}”，应当相同", col.name(), row.number),
                            format!("'{}' of the same household is '{v0}' on row {r0} but '{canon}' on row {}; it must be the same", col.name(), row.number),
                        ),
                    );
                }
            }
            if let Some((r, c, _)) = first {
                values[col as usize] = Some((r, c));
            }
        }
        HouseholdCells {
            values,
            first_row: rows.first().map(|r| r.number).unwrap_or(0),
        }
    }

    fn text(&self, hh: &HouseholdCells<'_>, col: Col, errs: &mut Errors<'_>) -> String {
        let (row, c) = hh.get(col);
        errs.take(row, col, c.text().map(Cow::into_owned), String::new())
    }

    fn build(
        &mut self,
        key: &str,
        rows: &[SourceRow],
        hh: &HouseholdCells<'_>,
        errs: &mut Errors<'_>,
    ) -> Option<LedgerHousehold> {
        let header = self.header;
        // 户编号 must be exact, like an ID number
        let (no_row, no_cell) = hh.get(Col::HouseholdNo);
        let household_no = errs.take(
            no_row,
            Col::HouseholdNo,
            cell::id_text(no_cell).map(|_| key.to_string()),
            key.to_string(),
        );

        let place = self.place(hh, errs);
        let village = place
            .village_code
            .clone()
            .unwrap_or_else(unresolved_village);
        let group = self.text(hh, Col::Group, errs);

        let (type_row, type_cell) = hh.get(Col::HouseholdType);
        let household_type = if !header.has(Col::HouseholdType) {
            HouseholdType::Ordinary
        } else {
            let t = errs.take(
                type_row,
                Col::HouseholdType,
                type_cell.text(),
                Cow::Borrowed(""),
            );
            if t.is_empty() {
                errs.push(
                    type_row,
                    Col::HouseholdType,
                    problem(
                        ProblemCode::HouseholdTypeMissing,
                        "户类型不能为空",
                        "the household type is required",
                    ),
                );
                HouseholdType::Other
            } else {
                HouseholdType::parse_zh(&t).unwrap_or_else(|| {
                    errs.warn(
                        type_row,
                        Col::HouseholdType,
                        problem(
                            ProblemCode::HouseholdTypeOther,
                            format!("户类型“{t}”不在代码表中，按“其他”保存"),
                            format!("household type '{t}' is not in the code list and is kept as 其他 (other)"),
                        ),
                    );
                    HouseholdType::Other
                })
            }
        };
        let (phone_row, phone_cell) = hh.get(Col::HouseholdPhone);
        let phone = errs.take(
            phone_row,
            Col::HouseholdPhone,
            phone_cell.ascii_text().map(Cow::into_owned),
            String::new(),
        );
        let (rel_row, rel_cell) = hh.get(Col::Relocated);
        let relocated = errs
            .take(rel_row, Col::Relocated, cell::yes_no(rel_cell), None)
            .unwrap_or(false);
        let resettlement_site = self.text(hh, Col::ResettlementSite, errs);
        let (year_row, year_cell) = hh.get(Col::Year);
        let year = errs
            .take(
                year_row,
                Col::Year,
                cell::integer(year_cell, 1990..=2100),
                None,
            )
            .map(|y| y as i32);

        let guarantees = self.guarantees(hh, errs);
        let monitoring = self.monitoring(&household_no, hh, errs);

        // members
        let mut members = Vec::with_capacity(rows.len());
        let mut member_errors = false;
        for row in rows {
            let before = errs.list.len();
            let m = self.member(row, errs);
            if errs.list.len() > before {
                member_errors = true;
            } else {
                for p in validate_member(&m, self.today) {
                    let col = member_column(&p.field);
                    errs.push(row.number, col, p);
                }
            }
            members.push(m);
        }
        let income = self.income(hh, members.len(), year.unwrap_or(self.today.year()), errs);

        let household = Household {
            household_no,
            village,
            group,
            address: String::new(),
            phone,
            household_type,
            dibao: members.iter().any(|m| m.dibao),
            tekun: members.iter().any(|m| m.tekun),
            relocated,
            resettlement_site,
            military_family: false,
            cultivated_land_centimu: None,
            housing_area_centim2: None,
            house_grade: String::new(),
        };
        let resolved = household.village != unresolved_village();
        for p in validate_household(&household) {
            if p.code == ProblemCode::VillageLevel && !resolved {
                continue;
            }
            let (row, col) = match p.field.as_str() {
                "phone" => (hh.get(Col::HouseholdPhone).0, Col::HouseholdPhone),
                "group" => (hh.get(Col::Group).0, Col::Group),
                "resettlement_site" => (hh.get(Col::ResettlementSite).0, Col::ResettlementSite),
                "village" => (hh.get(Col::VillageCode).0, Col::VillageCode),
                _ => (no_row, Col::HouseholdNo),
            };
            errs.push(row, col, p);
        }
        if !member_errors {
            let head_row = members
                .iter()
                .position(|m| m.relation == Relation::Head)
                .and_then(|i| rows.get(i))
                .map(|r| r.number);
            for p in validate_family(&members) {
                if p.code == ProblemCode::IdNumberDuplicate {
                    continue; // reported below with both rows
                }
                errs.push(head_row.unwrap_or(hh.first_row), Col::Relation, p);
            }
            self.head_agreement(rows, &members, hh, errs);
        }
        self.duplicates(rows, &members, errs);

        Some(LedgerHousehold {
            household,
            place,
            members,
            monitoring,
            year,
            income,
            guarantees,
            warnings: Vec::new(),
            source_rows: Vec::new(),
        })
    }

    fn place(&self, hh: &HouseholdCells<'_>, errs: &mut Errors<'_>) -> PlaceNames {
        let mut place = PlaceNames {
            province: self.text(hh, Col::Province, errs),
            city: self.text(hh, Col::City, errs),
            county: self.text(hh, Col::County, errs),
            township: self.text(hh, Col::Township, errs),
            village: self.text(hh, Col::Village, errs),
            village_code: None,
        };
        let (code_row, code_cell) = hh.get(Col::VillageCode);
        let code_text = errs.take(
            code_row,
            Col::VillageCode,
            cell::id_text(code_cell),
            String::new(),
        );
        if !code_text.is_empty() {
            match RegionCode::parse(&code_text).filter(|c| c.level() == RegionLevel::Village) {
                Some(c) => place.village_code = Some(c),
                None => errs.push(
                    code_row,
                    Col::VillageCode,
                    problem(
                        ProblemCode::VillageCodeInvalid,
                        format!("村代码“{code_text}”无效：应为12位村级区划代码"),
                        format!("village code '{code_text}' is invalid: expected a 12-digit village code"),
                    ),
                ),
            }
        } else if place.village.is_empty() {
            let col = if self.header.has(Col::Village) {
                Col::Village
            } else {
                Col::VillageCode
            };
            errs.push(
                hh.get(col).0,
                col,
                problem(
                    ProblemCode::VillageMissing,
                    "村不能为空（填写村名或村代码）",
                    "the village is required (its name or code)",
                ),
            );
        }
        place
    }

    fn guarantees(&self, hh: &HouseholdCells<'_>, errs: &mut Errors<'_>) -> LedgerGuarantees {
        let mut flag = |col: Col| {
            let (row, c) = hh.get(col);
            errs.take(row, col, cell::yes_no(c), None)
        };
        let water = flag(Col::UnsafeWater).map(|v| v != self.header.water_inverted());
        LedgerGuarantees {
            unsafe_housing: flag(Col::UnsafeHousing),
            out_of_school: flag(Col::OutOfSchool),
            uninsured_member: flag(Col::Uninsured),
            unsafe_water: water,
        }
    }

    fn monitoring(
        &self,
        household_no: &str,
        hh: &HouseholdCells<'_>,
        errs: &mut Errors<'_>,
    ) -> Option<MonitoringCase> {
        let (type_row, type_cell) = hh.get(Col::CaseType);
        let type_text = errs.take(type_row, Col::CaseType, type_cell.text(), Cow::Borrowed(""));
        let (id_row, id_cell) = hh.get(Col::Identified);
        let identified = errs.take(id_row, Col::Identified, cell::month(id_cell), None);
        // a month that failed to parse is reported once, not again as missing
        let id_given = !id_cell.is_empty();
        let mut risks: Vec<(RiskType, Col)> = Vec::new();
        for col in RISK_COLUMNS {
            let (row, c) = hh.get(col);
            let t = errs.take(row, col, c.text(), Cow::Borrowed(""));
            if t.is_empty() {
                continue;
            }
            match parse_risk(&t) {
                None => errs.push(
                    row,
                    col,
                    unknown_code(
                        "致贫/返贫风险",
                        "risk type",
                        &t,
                        code_values(RiskType::ALL, RiskType::label_zh),
                    ),
                ),
                Some(r) => match risks.iter().find(|(o, _)| *o == r) {
                    Some((_, first)) => errs.push(
                        row,
                        col,
                        problem(
                            ProblemCode::RiskRepeated,
                            format!("风险“{}”重复填写（“{}”中已有）", r.label_zh(), first.name()),
                            format!(
                                "risk '{}' is given twice (already in '{}')",
                                r.label_zh(),
                                first.name()
                            ),
                        ),
                    ),
                    None => risks.push((r, col)),
                },
            }
        }
        let (el_row, el_cell) = hh.get(Col::RiskEliminated);
        let eliminated = errs.take(el_row, Col::RiskEliminated, cell::yes_no(el_cell), None);
        let (kind_row, kind_cell) = hh.get(Col::EliminationKind);
        let kind_text = errs.take(
            kind_row,
            Col::EliminationKind,
            kind_cell.text(),
            Cow::Borrowed(""),
        );
        let kind = if kind_text.is_empty() {
            None
        } else {
            let k = EliminationKind::parse_zh(&kind_text);
            if k.is_none() {
                errs.push(
                    kind_row,
                    Col::EliminationKind,
                    unknown_code(
                        "风险消除方式",
                        "elimination kind",
                        &kind_text,
                        code_values(EliminationKind::ALL, EliminationKind::label_zh),
                    ),
                );
            }
            k
        };
        let (on_row, on_cell) = hh.get(Col::EliminatedOn);
        let eliminated_on = errs.take(on_row, Col::EliminatedOn, cell::month(on_cell), None);
        let on_given = !on_cell.is_empty();
        let (nl_row, nl_cell) = hh.get(Col::NoLabourHousehold);
        let no_labour = errs
            .take(nl_row, Col::NoLabourHousehold, cell::yes_no(nl_cell), None)
            .unwrap_or(false);

        if type_text.is_empty() {
            let given: Vec<&str> = [
                (id_given, Col::Identified),
                (!risks.is_empty(), Col::Risk1),
                (eliminated == Some(true), Col::RiskEliminated),
                (!kind_text.is_empty(), Col::EliminationKind),
                (on_given, Col::EliminatedOn),
            ]
            .into_iter()
            .filter(|(g, _)| *g)
            .map(|(_, c)| c.name())
            .collect();
            if !given.is_empty() {
                errs.push(
                    type_row,
                    Col::CaseType,
                    problem(
                        ProblemCode::MonitoringTypeMissing,
                        format!("未填写监测对象类别，却填写了“{}”", given.join("”“")),
                        format!("no monitoring type, yet '{}' is filled", given.join("', '")),
                    ),
                );
            }
            return None;
        }
        let Some(case_type) = CaseType::parse_zh(&type_text) else {
            errs.push(
                type_row,
                Col::CaseType,
                unknown_code(
                    "监测对象类别",
                    "monitoring type",
                    &type_text,
                    code_values(CaseType::ALL, CaseType::label_zh),
                ),
            );
            return None;
        };
        let this_month = YearMonth::of(self.today);
        let Some(identified) = identified else {
            if id_given {
                return None;
            }
            errs.push(
                id_row,
                Col::Identified,
                problem(
                    ProblemCode::MonitoringIdentifiedMissing,
                    "监测对象必须填写识别监测时间（YYYYMM）",
                    "a monitored household needs its identification month (YYYYMM)",
                ),
            );
            return None;
        };
        if identified > this_month {
            errs.push(
                id_row,
                Col::Identified,
                problem(
                    ProblemCode::MonitoringIdentifiedFuture,
                    format!("识别监测时间{}晚于本月", identified.compact()),
                    format!(
                        "identification month {} lies in the future",
                        identified.compact()
                    ),
                ),
            );
        }
        let elimination = if eliminated == Some(true) {
            if kind.is_none() && kind_text.is_empty() {
                errs.push(
                    kind_row,
                    Col::EliminationKind,
                    problem(
                        ProblemCode::MonitoringKindMissing,
                        "风险已消除，必须填写风险消除方式（帮扶消除或自然消除）",
                        "the risk is eliminated: give the elimination kind (帮扶消除 or 自然消除)",
                    ),
                );
            }
            match eliminated_on {
                None => errs.push(
                    on_row,
                    Col::EliminatedOn,
                    problem(
                        ProblemCode::MonitoringEliminatedOnMissing,
                        "风险已消除，必须填写风险消除时间（YYYYMM）",
                        "the risk is eliminated: give the elimination month (YYYYMM)",
                    ),
                ),
                Some(m) if m < identified => errs.push(
                    on_row,
                    Col::EliminatedOn,
                    problem(
                        ProblemCode::MonitoringEliminatedBeforeIdentified,
                        format!(
                            "风险消除时间{}早于识别监测时间{}",
                            m.compact(),
                            identified.compact()
                        ),
                        format!(
                            "elimination month {} precedes identification month {}",
                            m.compact(),
                            identified.compact()
                        ),
                    ),
                ),
                Some(m) if m > this_month => errs.push(
                    on_row,
                    Col::EliminatedOn,
                    problem(
                        ProblemCode::MonitoringEliminatedFuture,
                        format!("风险消除时间{}晚于本月", m.compact()),
                        format!("elimination month {} lies in the future", m.compact()),
                    ),
                ),
                Some(_) => {}
            }
            kind.zip(eliminated_on)
        } else {
            if !kind_text.is_empty() || on_given {
                errs.push(
                    el_row,
                    Col::RiskEliminated,
                    problem(
                        ProblemCode::MonitoringNotEliminated,
                        "风险是否已消除不是“是”，却填写了风险消除方式或风险消除时间",
                        "the risk is not marked eliminated, yet an elimination kind or month is given",
                    ),
                );
            }
            None
        };
        Some(MonitoringCase {
            household_no: household_no.to_string(),
            case_type,
            risks: risks.into_iter().map(|(r, _)| r).collect(),
            identified,
            status: if elimination.is_some() {
                CaseStatus::Eliminated
            } else {
                CaseStatus::AtRisk
            },
            elimination,
            whole_household_without_labour: no_labour,
        })
    }

    fn income(
        &self,
        hh: &HouseholdCells<'_>,
        size: usize,
        year: i32,
        errs: &mut Errors<'_>,
    ) -> Option<Income> {
        let mut any = false;
        let mut amount = |col: Col| -> Fen {
            let (row, c) = hh.get(col);
            let v = errs.take(row, col, cell::money(c), None);
            any |= v.is_some();
            v.unwrap_or(Fen(0))
        };
        let income = Income {
            period: IncomePeriod::year(year),
            wages: amount(Col::Wages),
            business: amount(Col::Business),
            property: amount(Col::Property),
            transfers: amount(Col::Transfers),
            production_costs: amount(Col::ProductionCosts),
            insurance_payouts: amount(Col::InsurancePayouts),
            out_of_pocket_medical: amount(Col::OutOfPocket),
        };
        if !any {
            return None;
        }
        // core's rules: no negative or absurd amounts (the year is checked with 年度 itself)
        let size_i = i64::try_from(size).unwrap_or(i64::MAX);
        for p in validate_income(&income, size_i) {
            let col = match p.field.as_str() {
                "wages" => Col::Wages,
                "business" => Col::Business,
                "property" => Col::Property,
                "transfers" => Col::Transfers,
                "production_costs" => Col::ProductionCosts,
                "insurance_payouts" => Col::InsurancePayouts,
                "out_of_pocket_medical" => Col::OutOfPocket,
                "net_income_per_capita" => Col::NetPerCapita,
                _ => continue,
            };
            errs.push(hh.get(col).0, col, p);
        }
        // the derived columns: warnings only
        let (net_row, net_cell) = hh.get(Col::NetIncome);
        if let Ok(Some(given)) = cell::money(net_cell) {
            let net = income.net_income();
            if (given.0 - net.0).abs() > DERIVED_TOLERANCE.0 {
                errs.warn(
                    net_row,
                    Col::NetIncome,
                    problem(
                        ProblemCode::IncomeNetMismatch,
                        format!("家庭纯收入{given}元与各项收入计算结果{net}元不符（工资性+生产经营性+财产性+转移性−生产经营性支出），以计算结果为准"),
                        format!("net income {given} yuan disagrees with {net} yuan computed from its components; the computed value is kept"),
                    ),
                );
            }
        }
        let (pc_row, pc_cell) = hh.get(Col::NetPerCapita);
        if let (Ok(Some(given)), Some(pc)) =
            (cell::money(pc_cell), income.net_income_per_capita(size_i))
        {
            if (given.0 - pc.0).abs() > DERIVED_TOLERANCE.0 {
                errs.warn(
                    pc_row,
                    Col::NetPerCapita,
                    problem(
                        ProblemCode::IncomePerCapitaMismatch,
                        format!("人均纯收入{given}元与计算结果{pc}元（家庭纯收入÷{size}人）不符，以计算结果为准"),
                        format!("per-capita net income {given} yuan disagrees with {pc} yuan (net income ÷ {size} persons); the computed value is kept"),
                    ),
                );
            }
        }
        Some(income)
    }

    fn member(&self, row: &SourceRow, errs: &mut Errors<'_>) -> Member {
        let n = row.number;
        let h = self.header;
        let get = |col: Col| cell_of(h, row, col);
        let text = |errs: &mut Errors<'_>, col: Col| {
            errs.take(n, col, get(col).text().map(Cow::into_owned), String::new())
        };
        // for values that are only parsed, not kept
        let code_text =
            |errs: &mut Errors<'_>, col: Col| errs.take(n, col, get(col).text(), Cow::Borrowed(""));

        let kind_text = code_text(errs, Col::IdKind);
        let id_kind = IdKind::parse_zh(&kind_text).unwrap_or_else(|| {
            errs.push(
                n,
                Col::IdKind,
                unknown_code(
                    "证件类型",
                    "ID kind",
                    &kind_text,
                    "居民身份证、残疾人证、其他".into(),
                ),
            );
            IdKind::ResidentId
        });
        let id_number = errs.take(
            n,
            Col::IdNumber,
            cell::id_text(get(Col::IdNumber)),
            String::new(),
        );
        let resident = PersonId::parse(id_kind, &id_number, self.today)
            .ok()
            .and_then(|p| p.resident);

        let sex_text = code_text(errs, Col::Sex);
        let sex = if sex_text.is_empty() {
            match &resident {
                Some(id) => id.sex(),
                None => {
                    if id_kind == IdKind::Other {
                        errs.push(
                            n,
                            Col::Sex,
                            problem(ProblemCode::SexMissing, "性别不能为空", "sex is required"),
                        );
                    }
                    Sex::Male
                }
            }
        } else {
            Sex::parse_zh(&sex_text).unwrap_or_else(|| {
                errs.push(
                    n,
                    Col::Sex,
                    unknown_code("性别", "sex", &sex_text, "男、女".into()),
                );
                Sex::Male
            })
        };
        let birth = errs.take(n, Col::BirthDate, cell::date(get(Col::BirthDate)), None);
        let birth_date = match (birth, &resident) {
            (Some(d), _) => d,
            (None, Some(id)) => id.birth_date(),
            (None, None) => {
                if id_kind == IdKind::Other {
                    errs.push(
                        n,
                        Col::BirthDate,
                        problem(
                            ProblemCode::BirthDateMissing,
                            "出生日期不能为空",
                            "the birth date is required",
                        ),
                    );
                }
                self.today
            }
        };
        let rel_text = code_text(errs, Col::Relation);
        let relation = if rel_text.is_empty() {
            errs.push(
                n,
                Col::Relation,
                problem(
                    ProblemCode::RelationMissing,
                    "与户主关系不能为空",
                    "the relation to the head is required",
                ),
            );
            Relation::Other
        } else {
            parse_relation(&rel_text).unwrap_or_else(|| {
                errs.push(
                    n,
                    Col::Relation,
                    unknown_code(
                        "与户主关系",
                        "relation",
                        &rel_text,
                        code_values(Relation::ALL, Relation::label_zh),
                    ),
                );
                Relation::Other
            })
        };
        macro_rules! code {
            ($col:expr, $ty:ident, $zh:literal, $en:literal) => {{
                let t = code_text(errs, $col);
                if t.is_empty() {
                    None
                } else {
                    let v = $ty::parse_zh(&t);
                    if v.is_none() {
                        errs.push(
                            n,
                            $col,
                            unknown_code($zh, $en, &t, code_values($ty::ALL, $ty::label_zh)),
                        );
                    }
                    v
                }
            }};
        }
        let political = code!(Col::Political, Political, "政治面貌", "political status");
        let education = code!(Col::Education, Education, "文化程度", "education");
        let schooling = code!(Col::Schooling, Schooling, "在校生状况", "schooling");
        let labour = code!(Col::Labour, LabourCapacity, "劳动技能", "labour capacity");
        let health_text = code_text(errs, Col::Health);
        let health = Health::parse_zh(&health_text).unwrap_or_else(|| {
            errs.push(
                n,
                Col::Health,
                problem(
                    ProblemCode::HealthInvalid,
                    format!("健康状况“{health_text}”无效：可填健康、长期慢性病、患有大病、残疾，多项用逗号分隔，“健康”不能与其他项同时填写"),
                    format!("health '{health_text}' is invalid: 健康, 长期慢性病, 患有大病, 残疾, several separated by commas, 健康 alone"),
                ),
            );
            Health::default()
        });
        let months = |errs: &mut Errors<'_>, col: Col| {
            errs.take(n, col, cell::integer(get(col), 0..=12), None)
                .unwrap_or(0)
        };
        let flag = |errs: &mut Errors<'_>, col: Col| {
            errs.take(n, col, cell::yes_no(get(col)), None)
                .unwrap_or(false)
        };
        let phone = errs.take(
            n,
            Col::MemberPhone,
            get(Col::MemberPhone).ascii_text().map(Cow::into_owned),
            String::new(),
        );
        Member {
            id_kind,
            id_number,
            person_no: errs.take(
                n,
                Col::PersonNo,
                cell::id_text(get(Col::PersonNo)),
                String::new(),
            ),
            name: text(errs, Col::Name),
            sex,
            birth_date,
            relation,
            ethnicity: text(errs, Col::Ethnicity),
            political,
            phone,
            education,
            schooling,
            health,
            disability_category: text(errs, Col::DisabilityCategory),
            labour,
            migrant_months: months(errs, Col::MigrantMonths),
            migrant_place: text(errs, Col::MigrantPlace),
            migrant_employer: text(errs, Col::MigrantEmployer),
            welfare_job: text(errs, Col::WelfareJob),
            welfare_job_months: months(errs, Col::WelfareJobMonths),
            dibao: flag(errs, Col::Dibao),
            tekun: flag(errs, Col::Tekun),
            resident_medical: flag(errs, Col::ResidentMedical),
            employee_medical: flag(errs, Col::EmployeeMedical),
            serious_illness_insurance: flag(errs, Col::SeriousIllnessInsurance),
            resident_pension: flag(errs, Col::ResidentPension),
            employee_pension: flag(errs, Col::EmployeePension),
            deceased_on: None,
        }
    }

    /// 户主姓名 and 户主证件号码 must agree with the 户主 row.
    fn head_agreement(
        &self,
        rows: &[SourceRow],
        members: &[Member],
        hh: &HouseholdCells<'_>,
        errs: &mut Errors<'_>,
    ) {
        let Some((i, head)) = members
            .iter()
            .enumerate()
            .find(|(_, m)| m.relation == Relation::Head)
        else {
            return;
        };
        let head_row = rows.get(i).map(|r| r.number).unwrap_or(hh.first_row);
        let (name_row, name_cell) = hh.get(Col::HeadName);
        let name = errs.take(name_row, Col::HeadName, name_cell.text(), Cow::Borrowed(""));
        if !name.is_empty() && name != head.name.trim() {
            errs.push(
                name_row,
                Col::HeadName,
                problem(
                    ProblemCode::HeadNameMismatch,
                    format!(
                        "户主姓名“{name}”与户主行（第{head_row}行）的姓名“{}”不一致",
                        head.name
                    ),
                    format!(
                        "head's name '{name}' disagrees with the head's row (row {head_row}): '{}'",
                        head.name
                    ),
                ),
            );
        }
        let (id_row, id_cell) = hh.get(Col::HeadId);
        let id = errs.take(id_row, Col::HeadId, cell::id_text(id_cell), String::new());
        if !id.is_empty() && cell::normalise_id(&id) != head.id_number {
            errs.push(
                id_row,
                Col::HeadId,
                problem(
                    ProblemCode::HeadIdMismatch,
                    format!(
                        "户主证件号码{}与户主行（第{head_row}行）的证件号码{}不一致",
                        mask(&id),
                        mask(&head.id_number)
                    ),
                    format!(
                        "head's ID number {} disagrees with the head's row (row {head_row}): {}",
                        mask(&id),
                        mask(&head.id_number)
                    ),
                ),
            );
        }
    }

    /// Each 证件号码 once in the file: within the household and across households.
    fn duplicates(&mut self, rows: &[SourceRow], members: &[Member], errs: &mut Errors<'_>) {
        // Each number goes into `seen` at its first row, so a repeat finds that row whether
        // it is in this household or an earlier one.
        for (m, row) in members.iter().zip(rows) {
            if m.id_number.is_empty() {
                continue;
            }
            let first = match resident_key(&m.id_number) {
                Some(key) => first_row(&mut self.seen_resident, key, row.number),
                None => first_row(&mut self.seen, m.id_number.as_str().into(), row.number),
            };
            if let Some(r0) = first {
                errs.push(
                    row.number,
                    Col::IdNumber,
                    problem(
                        ProblemCode::IdNumberDuplicateInFile,
                        format!("证件号码{}与第{r0}行重复：同一人在文件中只能出现一次", mask(&m.id_number)),
                        format!("ID number {} repeats row {r0}: a person may appear only once in the file", mask(&m.id_number)),
                    ),
                );
            }
        }
    }
}

/// The row `key` was first seen on; `None` after noting `row` as its first.
fn first_row<K: Hash + Eq>(seen: &mut HashMap<K, usize>, key: K, row: usize) -> Option<usize> {
    match seen.entry(key) {
        Entry::Occupied(first) => Some(*first.get()),
        Entry::Vacant(first) => {
            first.insert(row);
            None
        }
    }
}

/// An 18-character resident ID number (17 digits, then a digit or `X`) as one number, so that
/// the numbers of a whole file are kept compactly; `None` for any other text.
fn resident_key(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.len() != 18 {
        return None;
    }
    let mut v: u64 = 0;
    for d in &b[..17] {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(d - b'0');
    }
    let last = match b[17] {
        d @ b'0'..=b'9' => u64::from(d - b'0'),
        b'X' => 10,
        _ => return None,
    };
    // below 11 × 10^17, well within u64, and one number for one text
    Some(v * 11 + last)
}

/// The column a core member problem concerns.
fn member_column(field: &str) -> Col {
    match field {
        "id_number" => Col::IdNumber,
        "sex" => Col::Sex,
        "birth_date" => Col::BirthDate,
        "name" => Col::Name,
        "education" => Col::Education,
        "migrant_months" => Col::MigrantMonths,
        "migrant_place" => Col::MigrantPlace,
        "migrant_employer" => Col::MigrantEmployer,
        "welfare_job" => Col::WelfareJob,
        "welfare_job_months" => Col::WelfareJobMonths,
        "health" => Col::Health,
        "phone" => Col::MemberPhone,
        "ethnicity" => Col::Ethnicity,
        "person_no" => Col::PersonNo,
        "disability_category" => Col::DisabilityCategory,
        _ => Col::IdNumber,
    }
}
