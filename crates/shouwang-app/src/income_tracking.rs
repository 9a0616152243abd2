//! 促增收 use cases: the income report of a region and year (figures by group and kind, per
//! township or village, and the low-income ledger with each household's responsible person), the
//! ledger's refresh (households newly below the watch line are entered, once per year), and the
//! clearing of an entry (销号), checked against the household's facts and audited.

use shouwang_core::income_tracking::{
    check_clearing, figures, figures_by_subregion, ledger_candidates, ClearMethod, Clearing,
    GroupFigures, HouseholdYear, Thresholds,
};
use shouwang_core::region::RegionLevel;
use shouwang_core::standard::StandardDefaults;
use shouwang_core::{Date, Fen, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::income_tracking::{LowIncomeEntry, Responsible};
use shouwang_store::{Store, StoreError};
use std::collections::{BTreeMap, HashMap};

/// The thresholds of the standard in force for `region` in `year`; the built-in defaults where
/// no standard sets a line yet (the income figures do not need the monitoring line).
pub fn thresholds(store: &Store, region: &RegionCode, year: i32) -> Result<Thresholds, StoreError> {
    match store.resolved_standard(region, year) {
        Ok(s) => Ok(Thresholds::of(&s)),
        Err(StoreError::Invalid(_)) => {
            let d = StandardDefaults::DEFAULT;
            Ok(Thresholds {
                rural_growth_permille: d.rural_income_growth_permille,
                watch: d.low_income_watch,
                target: d.income_target,
            })
        }
        Err(e) => Err(e),
    }
}

/// One line of the ledger as shown: the entry, the household's responsible person today and
/// its per-capita income of the year now (it may have changed since the entry).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LedgerLine {
    pub entry: LowIncomeEntry,
    pub responsible: Option<Responsible>,
    pub per_capita_now: Option<Fen>,
}

/// The income report of a region and year.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct IncomeReport {
    pub region: RegionCode,
    pub year: i32,
    pub thresholds: Thresholds,
    /// the three groups of the whole region
    pub totals: Vec<GroupFigures>,
    /// the same a year earlier (the year before against the one before it), so that this
    /// year's share of falling incomes can be set against last year's ("低于上年占比")
    pub previous_totals: Vec<GroupFigures>,
    /// per township (of a county) or village (of a township), by code
    pub rows: Vec<(String, Vec<GroupFigures>)>,
    /// the ledger of the year, open entries first
    pub ledger: Vec<LedgerLine>,
}

impl IncomeReport {
    pub fn open_entries(&self) -> usize {
        self.ledger.iter().filter(|l| l.entry.is_open()).count()
    }
}

/// The sub-region code length of a region's rows: townships of a county or city, villages of a
/// township; none below.
pub fn child_len(region: &RegionCode) -> Option<usize> {
    match region.level() {
        RegionLevel::Province | RegionLevel::City => Some(RegionLevel::County.code_len()),
        RegionLevel::County => Some(RegionLevel::Township.code_len()),
        RegionLevel::Township => Some(RegionLevel::Village.code_len()),
        _ => None,
    }
}

/// Enters the households of `facts` newly below the watch line on their county's ledger for
/// `year` (as the system, once per household and year); returns how many were entered.
pub fn refresh_ledger(
    store: &Store,
    facts: &[HouseholdYear],
    year: i32,
    today: Date,
) -> Result<usize, StoreError> {
    // the counties' codes are the villages' first six digits; no household is copied
    let mut by_county: BTreeMap<&str, Vec<&HouseholdYear>> = BTreeMap::new();
    for h in facts {
        if let Some(c) = h.village.as_str().get(..6) {
            by_county.entry(c).or_default().push(h);
        }
    }
    let mut entered = 0;
    for (county, hs) in by_county {
        let Some(county) = RegionCode::parse(county) else {
            continue;
        };
        let t = thresholds(store, &county, year)?;
        let candidates = ledger_candidates(hs, &t);
        entered += store.enter_low_income(
            &Actor::system("income_tracking"),
            &county,
            year,
            &candidates,
            today,
        )?;
    }
    Ok(entered)
}

/// The income report of `region` for `year` as of `today`, after refreshing the ledger.
pub fn report(
    store: &Store,
    region: &RegionCode,
    year: i32,
    today: Date,
) -> Result<IncomeReport, StoreError> {
    let (facts, before) = if year > 2000 {
        store.income_two_year_facts(region, year)?
    } else {
        (store.income_year_facts(region, year)?, Vec::new())
    };
    refresh_ledger(store, &facts, year, today)?;
    let t = thresholds(store, region, year)?;
    let totals = figures(facts.iter());
    let previous_totals = if before.is_empty() {
        Vec::new()
    } else {
        figures(before.iter())
    };
    let rows = child_len(region)
        .map(|n| figures_by_subregion(&facts, n))
        .unwrap_or_default();
    let responsible = store.responsible_persons(region, today)?;
    let now: HashMap<&str, Option<Fen>> = facts
        .iter()
        .map(|h| (h.household_no.as_str(), h.per_capita()))
        .collect();
    let ledger = store
        .low_income_entries(region, year, false)?
        .into_iter()
        .map(|entry| LedgerLine {
            responsible: responsible.get(&entry.household_no).cloned(),
            per_capita_now: now.get(entry.household_no.as_str()).copied().flatten(),
            entry,
        })
        .collect();
    Ok(IncomeReport {
        region: region.clone(),
        year,
        thresholds: t,
        totals,
        previous_totals,
        rows,
        ledger,
    })
}

/// Clears (销号) ledger entry `id` on `today` with `method` and `note`, if the household's facts
/// now bear the method out; audited by the store.
pub fn clear(
    store: &Store,
    actor: &Actor,
    id: i64,
    method: ClearMethod,
    note: &str,
    today: Date,
) -> Result<LowIncomeEntry, StoreError> {
    let entry = store.low_income_entry(id)?.ok_or(StoreError::NotFound)?;
    let county = RegionCode::parse(&entry.county).ok_or(StoreError::NotFound)?;
    // an entry carried from an earlier year is judged on the newest income: this year's when
    // recorded, else the entry's own year's
    let mut year = today.year().max(entry.year);
    let mut facts = store.income_household_facts(&county, &entry.household_no, year)?;
    if facts.current.is_none() && year != entry.year {
        year = entry.year;
        facts = store.income_household_facts(&county, &entry.household_no, year)?;
    }
    let t = thresholds(store, &county, year)?;
    let clearing = Clearing {
        method,
        note: note.to_string(),
        on: today,
    };
    check_clearing(&clearing, &facts, &t).map_err(StoreError::invalid)?;
    store.clear_low_income(actor, id, &clearing, facts.per_capita())
}

/// The households of `region` in `group` behind a figure of the report, with their facts:
/// `which` is `all` (with an income of the year), `comparable` (both years) or `fell`.
pub fn households_behind(
    store: &Store,
    region: &RegionCode,
    year: i32,
    group: shouwang_core::income_tracking::Group,
    which: &str,
) -> Result<Vec<HouseholdYear>, StoreError> {
    Ok(store
        .income_year_facts(region, year)?
        .into_iter()
        .filter(|h| h.in_group(group))
        .filter(|h| match which {
            "comparable" => h.comparable(),
            "fell" => h.fell(),
            _ => h.current.is_some(),
        })
        .collect())
}

/// An amount as a sheet cell: 元 with two decimals, no separators (a number to the sheet).
fn yuan_cell(f: Option<Fen>) -> String {
    f.map(|f| f.to_string()).unwrap_or_default()
}

/// A permille as a percent cell with one decimal, `6.6` (a number to the sheet).
fn percent_cell(v: Option<i64>) -> String {
    v.map(|v| {
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        format!("{sign}{}.{}", a / 10, a % 10)
    })
    .unwrap_or_default()
}

/// A table of the report: title, header and rows, and the first numeric column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub numeric_from: usize,
}

fn t(en: bool, zh: &str, en_text: &str) -> String {
    if en { en_text } else { zh }.to_string()
}

/// The figures as one table: per area (the region, then each sub-region) and group, the
/// households and persons with an income of the year, per-capita net income and its kinds, last
/// year's on the same households, growth against the rural growth, and the households whose
/// income fell. `names` gives region names by code.
pub fn figures_table(r: &IncomeReport, names: &HashMap<String, String>, en: bool) -> Table {
    use shouwang_core::income_tracking::IncomeKind;
    let mut header = vec![
        t(en, "区划", "Region"),
        t(en, "区划代码", "Code"),
        t(en, "人群", "Group"),
        t(en, "户数", "Households"),
        t(en, "人数", "Persons"),
        t(en, "人均纯收入（元）", "Per-capita net income (yuan)"),
    ];
    for k in IncomeKind::ALL {
        header.push(if en {
            format!("of which {} (yuan)", k.label_en())
        } else {
            format!("其中{}（元）", k.label_zh())
        });
    }
    header.extend([
        t(en, "生产经营性支出（元）", "Production costs (yuan)"),
        t(en, "可比户数", "Comparable households"),
        t(
            en,
            "上年人均纯收入（可比，元）",
            "Last year per capita (comparable, yuan)",
        ),
        t(
            en,
            "本年人均纯收入（可比，元）",
            "This year per capita (comparable, yuan)",
        ),
        t(en, "增速（%）", "Growth (%)"),
        t(en, "农村居民增速（%）", "Rural growth (%)"),
        t(en, "高于农村居民增速", "Beats rural growth"),
    ]);
    for k in IncomeKind::ALL {
        header.push(if en {
            format!("{} growth (%)", k.label_en())
        } else {
            format!("{}增速（%）", k.label_zh())
        });
    }
    header.extend([
        t(en, "收入下降户数", "Households whose income fell"),
        t(en, "收入下降户占比（%）", "Share fell (%)"),
        t(en, "上年收入下降户占比（%）", "Share fell last year (%)"),
    ]);
    let rural = r.thresholds.rural_growth_permille;
    let mut rows = Vec::new();
    let mut area = |code: &str, groups: &[GroupFigures], previous: &[GroupFigures]| {
        let name = names.get(code).cloned().unwrap_or_else(|| code.to_string());
        for g in groups {
            let mut row = vec![
                name.clone(),
                code.to_string(),
                t(en, g.group.label_zh(), g.group.label_en()),
                g.current.households.to_string(),
                g.current.persons.to_string(),
                yuan_cell(g.current.net_per_capita()),
            ];
            for k in IncomeKind::ALL {
                row.push(yuan_cell(g.current.kind_per_capita(k)));
            }
            row.extend([
                yuan_cell(g.current.costs_per_capita()),
                g.comparable.households.to_string(),
                yuan_cell(g.comparable_previous.net_per_capita()),
                yuan_cell(g.comparable.net_per_capita()),
                percent_cell(g.growth_permille()),
                percent_cell(Some(rural)),
                match g.beats(rural) {
                    Some(true) => t(en, "是", "yes"),
                    Some(false) => t(en, "否", "no"),
                    None => String::new(),
                },
            ]);
            for k in IncomeKind::ALL {
                row.push(percent_cell(g.kind_growth_permille(k)));
            }
            row.extend([
                g.fell.to_string(),
                percent_cell(g.fell_permille()),
                percent_cell(
                    previous
                        .iter()
                        .find(|p| p.group == g.group)
                        .and_then(GroupFigures::fell_permille),
                ),
            ]);
            rows.push(row);
        }
    };
    area(r.region.as_str(), &r.totals, &r.previous_totals);
    for (code, groups) in &r.rows {
        area(code, groups, &[]);
    }
    Table {
        title: if en {
            format!("Income of post-poverty and monitored persons, {}", r.year)
        } else {
            format!("{}年脱贫人口和监测对象收入情况表", r.year)
        },
        header,
        rows,
        numeric_from: 3,
    }
}

/// The low-income ledger as one table: each entry with its household, band, per-capita income
/// when entered and now, responsible person, and its clearing.
pub fn ledger_table(r: &IncomeReport, names: &HashMap<String, String>, en: bool) -> Table {
    let header = vec![
        t(en, "村", "Village"),
        t(en, "列入年度", "Year entered"),
        t(en, "户编号", "Household no."),
        t(en, "户主", "Head"),
        t(en, "类别", "Band"),
        t(en, "帮扶责任人", "Responsible person"),
        t(en, "责任人电话", "Phone"),
        t(en, "列入日期", "Entered"),
        t(en, "状态", "State"),
        t(en, "销号日期", "Cleared on"),
        t(en, "销号方式", "How"),
        t(en, "销号说明", "Note"),
        t(en, "销号人", "Cleared by"),
        t(
            en,
            "列入时人均纯收入（元）",
            "Per capita when entered (yuan)",
        ),
        t(en, "当前人均纯收入（元）", "Per capita now (yuan)"),
    ];
    let rows = r
        .ledger
        .iter()
        .map(|l| {
            let e = &l.entry;
            vec![
                names
                    .get(&e.village)
                    .cloned()
                    .unwrap_or_else(|| e.village.clone()),
                e.year.to_string(),
                e.household_no.clone(),
                e.head_name.clone(),
                t(en, e.band.label_zh(), e.band.label_en()),
                l.responsible
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                l.responsible
                    .as_ref()
                    .map(|p| p.phone.clone())
                    .unwrap_or_default(),
                e.entered_on.to_string(),
                if e.is_open() {
                    t(en, "未销号", "open")
                } else {
                    t(en, "已销号", "cleared")
                },
                e.cleared_on.map(|d| d.to_string()).unwrap_or_default(),
                e.cleared_method
                    .map(|m| t(en, m.label_zh(), m.label_en()))
                    .unwrap_or_default(),
                e.cleared_note.clone(),
                if e.cleared_by_name.is_empty() {
                    e.cleared_by.clone()
                } else {
                    e.cleared_by_name.clone()
                },
                yuan_cell(Some(e.per_capita)),
                yuan_cell(l.per_capita_now),
            ]
        })
        .collect();
    Table {
        title: if en {
            format!("Low-income ledger, {}", r.year)
        } else {
            format!("{}年低收入户工作台账", r.year)
        },
        header,
        rows,
        numeric_from: 13,
    }
}

/// The names of the report's region, its sub-regions and the ledger's villages.
pub fn region_names(
    store: &Store,
    r: &IncomeReport,
) -> Result<HashMap<String, String>, StoreError> {
    let mut codes: Vec<String> = vec![r.region.as_str().to_string()];
    codes.extend(r.rows.iter().map(|(c, _)| c.clone()));
    codes.extend(r.ledger.iter().map(|l| l.entry.village.clone()));
    codes.sort();
    codes.dedup();
    let mut out = HashMap::new();
    for c in codes {
        if let Some(code) = RegionCode::parse(&c) {
            if let Some(info) = store.region(&code)? {
                out.insert(c, info.name);
            }
        }
    }
    Ok(out)
}
