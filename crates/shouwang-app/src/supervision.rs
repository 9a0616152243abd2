//! issue 16: supervision use cases — the tables of §2 as one grid each (the page, the CSV, the
//! xlsx and `shouwang report <table>` all render the same grid), the records behind a figure, and
//! the monthly supervision ranking (督导考核排序) with its weights and its frozen months.
//!
//! A month's ranking is frozen the first time it is read after the month ended (or when the
//! scheduler or `shouwang report ranking` asks for it): its inputs are taken on the month's last
//! day, scored under the weights of that moment, and stored whole; every later read returns the
//! stored ranking, whatever changed since. The current month is computed on every read.

use crate::visits::duty_periods;
use shouwang_core::assistance::MeasureCategory;
use shouwang_core::date::YearMonth;
use shouwang_core::department::DeptKind;
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::CaseType;
use shouwang_core::region::RegionLevel;
use shouwang_core::supervision::tables::{months, shift, OverdueKind, TableKind};
use shouwang_core::supervision::{self, month_end, Ranking, VillageFacts, Weights};
use shouwang_core::{Date, RegionCode};
use shouwang_io::table::{csv_bytes, report_xlsx_bytes, ReportHead, TableFormat};
use shouwang_store::audit::Actor;
use shouwang_store::supervision::{FigureRecord, FrozenRanking};
use shouwang_store::{Store, StoreError};
use std::collections::BTreeMap;

/// One cell of a grid: its text and, for a figure, the link to its records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            href: None,
        }
    }
    fn figure(n: i64, href: String) -> Cell {
        Cell {
            text: n.to_string(),
            href: (n > 0).then_some(href),
        }
    }
}

/// A table as shown and exported: title, what it counts, the period, the header and the rows
/// (the last a total where the table sums).
#[derive(Clone, Debug)]
pub struct Grid {
    /// the table (none: the ranking)
    pub kind: Option<TableKind>,
    pub title: String,
    pub about: String,
    /// "截至 2026-12-01" or the period
    pub as_of: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// columns from this one on are numbers
    pub numeric_from: usize,
    /// a line under the table (e.g. a list cut short)
    pub note: Option<String>,
}

impl Grid {
    /// The rows as text.
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.clone()).collect())
            .collect()
    }
}

/// What a table is asked for: the region, today, and the months of the tables that span
/// months (visits, alerts, leads).
#[derive(Clone, Debug)]
pub struct TableQuery {
    pub region: RegionCode,
    pub today: Date,
    pub from: Option<YearMonth>,
    pub to: Option<YearMonth>,
    pub en: bool,
}

impl TableQuery {
    fn period(&self, kind: TableKind) -> (YearMonth, YearMonth) {
        let to = self.to.unwrap_or_else(|| YearMonth::of(self.today));
        let from = self.from.unwrap_or_else(|| match kind {
            // the last three months of visits; the year so far of alerts and leads
            TableKind::Visits => shift(to, -2).unwrap_or(to),
            _ => YearMonth::new(to.year(), 1).unwrap_or(to),
        });
        (from, to)
    }
    fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en {
            en
        } else {
            zh
        }
    }
    /// The link to the records behind a figure of `kind`, with `extra` query pairs.
    fn records(&self, kind: TableKind, region: &str, extra: &str) -> String {
        format!(
            "/reports/tables/{}/records?region={region}{extra}",
            kind.slug()
        )
    }
}

/// The most rows a list table shows (the export holds them all up to this too).
pub const LIST_LIMIT: i64 = 20_000;

fn short(name: &str) -> String {
    shouwang_core::region::village_short_name(name).to_string()
}

/// Builds a table.
pub fn table(store: &Store, kind: TableKind, q: &TableQuery) -> Result<Grid, StoreError> {
    let mut g = Grid {
        kind: Some(kind),
        title: q.t(kind.title_zh(), kind.title_en()).to_string(),
        about: q.t(kind.about_zh(), kind.about_en()).to_string(),
        as_of: if q.en {
            format!("As of {}", q.today)
        } else {
            format!("截至 {}", q.today)
        },
        header: Vec::new(),
        rows: Vec::new(),
        numeric_from: 1,
        note: None,
    };
    match kind {
        TableKind::Measures => measures_grid(store, q, &mut g)?,
        TableKind::WithoutMeasures => without_grid(store, q, &mut g)?,
        TableKind::Overdue => overdue_grid(store, q, &mut g)?,
        TableKind::Visits => visits_grid(store, q, &mut g)?,
        TableKind::Alerts => alerts_grid(store, q, &mut g)?,
        TableKind::Leads => leads_grid(store, q, &mut g)?,
    }
    Ok(g)
}

fn measures_grid(store: &Store, q: &TableQuery, g: &mut Grid) -> Result<(), StoreError> {
    let cells = store.measures_in_place(&q.region)?;
    let r = q.region.as_str();
    g.header
        .push(q.t("措施类别", "Measure category").to_string());
    for t in CaseType::ALL {
        let label = q.t(t.label_zh(), t.label_en());
        g.header
            .push(format!("{label}{}", q.t("（户）", " (households)")));
        g.header
            .push(format!("{label}{}", q.t("（项）", " (measures)")));
    }
    g.header
        .push(q.t("合计（项）", "Total (measures)").to_string());
    let mut col_totals = vec![0i64; CaseType::ALL.len() * 2 + 1];
    for k in MeasureCategory::ALL {
        let mut row = vec![Cell::text(q.t(k.label_zh(), k.label_en()))];
        let mut total = 0;
        for (i, t) in CaseType::ALL.iter().enumerate() {
            let c = cells.iter().find(|c| c.category == *k && c.case_type == *t);
            let (h, m) = c.map_or((0, 0), |c| (c.households, c.measures));
            let href = q.records(
                TableKind::Measures,
                r,
                &format!("&category={}&case_type={}", k.code(), t.code()),
            );
            row.push(Cell::figure(h, href.clone()));
            row.push(Cell::figure(m, href));
            col_totals[i * 2] += h;
            col_totals[i * 2 + 1] += m;
            total += m;
        }
        col_totals[CaseType::ALL.len() * 2] += total;
        row.push(Cell::figure(
            total,
            q.records(TableKind::Measures, r, &format!("&category={}", k.code())),
        ));
        g.rows.push(row);
    }
    let mut last = vec![Cell::text(q.t("合计", "Total"))];
    for (i, n) in col_totals.iter().enumerate() {
        let href = if i < CaseType::ALL.len() * 2 {
            q.records(
                TableKind::Measures,
                r,
                &format!("&case_type={}", CaseType::ALL[i / 2].code()),
            )
        } else {
            q.records(TableKind::Measures, r, "")
        };
        last.push(Cell::figure(*n, href));
    }
    g.rows.push(last);
    Ok(())
}

fn without_grid(store: &Store, q: &TableQuery, g: &mut Grid) -> Result<(), StoreError> {
    let (rows, total) = store.households_without_measures(&q.region, LIST_LIMIT)?;
    let names: BTreeMap<String, String> = store.villages_named(&q.region)?.into_iter().collect();
    g.header = [
        q.t("村", "Village"),
        q.t("户主", "Head"),
        q.t("户编号", "Household number"),
        q.t("监测对象类别", "Monitoring type"),
        q.t("识别监测时间", "Identified"),
        q.t("计划中措施（项）", "Measures planned"),
    ]
    .map(String::from)
    .to_vec();
    g.numeric_from = 5;
    for u in &rows {
        g.rows.push(vec![
            Cell::text(
                names
                    .get(&u.village)
                    .map_or(u.village.clone(), |n| short(n)),
            ),
            Cell {
                text: u.head_name.clone(),
                href: Some(format!("/households/{}", u.household_no)),
            },
            Cell::text(u.household_no.clone()),
            Cell {
                text: q
                    .t(u.case_type.label_zh(), u.case_type.label_en())
                    .to_string(),
                href: Some(format!("/cases/{}", u.case_id)),
            },
            Cell::text(u.identified.clone()),
            Cell::text(u.planned.to_string()),
        ]);
    }
    g.note = Some(if (rows.len() as i64) < total {
        if q.en {
            format!("{total} households; the first {} are listed.", rows.len())
        } else {
            format!("共 {total} 户，列出前 {} 户。", rows.len())
        }
    } else if q.en {
        format!("{total} households.")
    } else {
        format!("共 {total} 户。")
    });
    Ok(())
}

fn overdue_grid(store: &Store, q: &TableQuery, g: &mut Grid) -> Result<(), StoreError> {
    let counts = store.overdue_by_village(&q.region, q.today)?;
    let periods = duty_periods(store, &q.region, q.today)?;
    let mut visits: BTreeMap<String, i64> = BTreeMap::new();
    for d in store.compliance_by_village(&q.region, &periods)? {
        *visits.entry(d.village).or_default() += d.overdue;
    }
    g.header.push(q.t("村", "Village").to_string());
    for k in OverdueKind::ALL {
        g.header.push(q.t(k.label_zh(), k.label_en()).to_string());
    }
    g.header.push(q.t("合计", "Total").to_string());
    let mut totals = [0i64; 6];
    for (code, name) in store.villages_named(&q.region)? {
        let c = counts.get(&code).cloned().unwrap_or_default();
        let v = visits.get(&code).copied().unwrap_or(0);
        let figures = [c.identifications, c.leads, c.measures, v, c.self_reports];
        let mut row = vec![Cell::text(short(&name))];
        for (i, (k, n)) in OverdueKind::ALL.iter().zip(figures).enumerate() {
            let href = match k {
                OverdueKind::Visit => {
                    format!("/visits/duties/households?region={code}&which=overdue")
                }
                _ => q.records(TableKind::Overdue, &code, &format!("&kind={}", k.slug())),
            };
            row.push(Cell::figure(n, href));
            totals[i] += n;
        }
        let sum: i64 = figures.iter().sum();
        totals[5] += sum;
        row.push(Cell::text(sum.to_string()));
        g.rows.push(row);
    }
    let r = q.region.as_str();
    let mut last = vec![Cell::text(q.t("合计", "Total"))];
    for (i, k) in OverdueKind::ALL.iter().enumerate() {
        let href = match k {
            OverdueKind::Visit => format!("/visits/duties/households?region={r}&which=overdue"),
            _ => q.records(TableKind::Overdue, r, &format!("&kind={}", k.slug())),
        };
        last.push(Cell::figure(totals[i], href));
    }
    last.push(Cell::text(totals[5].to_string()));
    g.rows.push(last);
    Ok(())
}

/// Visits owed and made per village in the duty periods holding `day`.
fn visits_on(
    store: &Store,
    region: &RegionCode,
    day: Date,
) -> Result<BTreeMap<String, (i64, i64, i64)>, StoreError> {
    let periods = duty_periods(store, region, day)?;
    let mut out: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for d in store.compliance_by_village(region, &periods)? {
        let e = out.entry(d.village).or_default();
        e.0 += d.due;
        e.1 += d.done;
        e.2 += d.overdue;
    }
    Ok(out)
}

fn rate(done: i64, due: i64) -> String {
    if due == 0 {
        "—".into()
    } else {
        let (share, _) = supervision::share(
            supervision::Component::Visits,
            done.max(0) as u64,
            due as u64,
        );
        supervision::percent(share)
    }
}

fn visits_grid(store: &Store, q: &TableQuery, g: &mut Grid) -> Result<(), StoreError> {
    let (from, to) = q.period(TableKind::Visits);
    let ms = months(from, to.min(YearMonth::of(q.today)));
    g.as_of = format!("{from} – {}", to.min(YearMonth::of(q.today)));
    g.header = [
        q.t("村", "Village"),
        q.t("月份", "Month"),
        q.t("应走访（户次）", "Owed"),
        q.t("已走访（户次）", "Made"),
        q.t("落实率", "Rate"),
        q.t("上一周期未走访", "Missed last period"),
    ]
    .map(String::from)
    .to_vec();
    g.numeric_from = 2;
    let names = store.villages_named(&q.region)?;
    let this_month = YearMonth::of(q.today);
    let mut per_month = Vec::new();
    for m in &ms {
        per_month.push((
            *m,
            visits_on(store, &q.region, supervision::as_of(*m, q.today))?,
        ));
    }
    for (code, name) in &names {
        for (m, by) in &per_month {
            let Some(&(due, done, overdue)) = by.get(code) else {
                continue;
            };
            let live = *m == this_month;
            let link = |which: &str, n: i64| {
                if live {
                    Cell::figure(
                        n,
                        format!("/visits/duties/households?region={code}&which={which}"),
                    )
                } else {
                    Cell::text(n.to_string())
                }
            };
            g.rows.push(vec![
                Cell::text(short(name)),
                Cell::text(m.to_string()),
                link("due", due),
                link("done", done),
                Cell::text(rate(done, due)),
                link("overdue", overdue),
            ]);
        }
    }
    for (m, by) in &per_month {
        let (due, done, overdue) = by
            .values()
            .fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2));
        g.rows.push(vec![
            Cell::text(q.t("合计", "Total")),
            Cell::text(m.to_string()),
            Cell::text(due.to_string()),
            Cell::text(done.to_string()),
            Cell::text(rate(done, due)),
            Cell::text(overdue.to_string()),
        ]);
    }
    Ok(())
}

fn alerts_grid(store: &Store, q: &TableQuery, g: &mut Grid) -> Result<(), StoreError> {
    let (from, to) = q.period(TableKind::Alerts);
    let ms = months(from, to);
    g.as_of = format!("{from} – {to}");
    let (Some(first), Some(last)) = (ms.first(), ms.last()) else {
        return Ok(());
    };
    let days = store.alert_days(&q.region, first.first_day(), month_end(*last))?;
    let r = q.region.as_str();
    g.header.push(q.t("部门", "Department").to_string());
    for m in &ms {
        g.header.push(m.to_string());
    }
    g.header.push(q.t("合计", "Total").to_string());
    g.header.push(q.t("其中已撤回", "Withdrawn").to_string());
    let mut col = vec![0i64; ms.len() + 2];
    for k in DeptKind::ALL {
        let mut row = vec![Cell::text(q.t(k.label_zh(), k.label_en()))];
        let mut total = 0;
        let mut withdrawn = 0;
        for (i, m) in ms.iter().enumerate() {
            let n: i64 = days
                .iter()
                .filter(|d| d.kind == *k && YearMonth::of(d.day) == *m)
                .map(|d| d.open + d.withdrawn)
                .sum();
            withdrawn += days
                .iter()
                .filter(|d| d.kind == *k && YearMonth::of(d.day) == *m)
                .map(|d| d.withdrawn)
                .sum::<i64>();
            total += n;
            col[i] += n;
            row.push(Cell::figure(
                n,
                q.records(
                    TableKind::Alerts,
                    r,
                    &format!("&kind={}&from={m}&to={m}", k.code()),
                ),
            ));
        }
        col[ms.len()] += total;
        col[ms.len() + 1] += withdrawn;
        row.push(Cell::figure(
            total,
            q.records(
                TableKind::Alerts,
                r,
                &format!("&kind={}&from={first}&to={last}", k.code()),
            ),
        ));
        row.push(Cell::text(withdrawn.to_string()));
        g.rows.push(row);
    }
    let mut total_row = vec![Cell::text(q.t("合计", "Total"))];
    for (i, n) in col.iter().enumerate() {
        if i < ms.len() {
            let m = ms[i];
            total_row.push(Cell::figure(
                *n,
                q.records(TableKind::Alerts, r, &format!("&from={m}&to={m}")),
            ));
        } else {
            total_row.push(Cell::text(n.to_string()));
        }
    }
    g.rows.push(total_row);
    Ok(())
}

fn leads_grid(store: &Store, q: &TableQuery, g: &mut Grid) -> Result<(), StoreError> {
    let (from, to) = q.period(TableKind::Leads);
    g.as_of = if q.en {
        format!("Found {from} – {to}")
    } else {
        format!("发现时间 {from} 至 {to}")
    };
    let cells = store.lead_outcomes(&q.region, from.first_day(), month_end(to))?;
    let r = q.region.as_str();
    let span = format!("&from={from}&to={to}");
    g.header.push(q.t("发现途径", "Source").to_string());
    for s in LeadStatus::ALL {
        g.header.push(q.t(s.label_zh(), s.label_en()).to_string());
    }
    g.header.push(q.t("合计", "Total").to_string());
    let mut col = vec![0i64; LeadStatus::ALL.len() + 1];
    for src in LeadSource::ALL {
        let mut row = vec![Cell::text(q.t(src.label_zh(), src.label_en()))];
        let mut total = 0;
        for (i, st) in LeadStatus::ALL.iter().enumerate() {
            let n = cells
                .iter()
                .find(|c| c.source == *src && c.status == *st)
                .map_or(0, |c| c.count);
            total += n;
            col[i] += n;
            row.push(Cell::figure(
                n,
                q.records(
                    TableKind::Leads,
                    r,
                    &format!("{span}&source={}&status={}", src.code(), st.code()),
                ),
            ));
        }
        col[LeadStatus::ALL.len()] += total;
        row.push(Cell::figure(
            total,
            q.records(
                TableKind::Leads,
                r,
                &format!("{span}&source={}", src.code()),
            ),
        ));
        g.rows.push(row);
    }
    let mut last = vec![Cell::text(q.t("合计", "Total"))];
    for (i, n) in col.iter().enumerate() {
        let extra = match LeadStatus::ALL.get(i) {
            Some(st) => format!("{span}&status={}", st.code()),
            None => span.clone(),
        };
        last.push(Cell::figure(*n, q.records(TableKind::Leads, r, &extra)));
    }
    g.rows.push(last);
    Ok(())
}

/// What a records page is asked for (the query of a figure's link).
#[derive(Clone, Debug, Default)]
pub struct RecordQuery {
    pub category: Option<MeasureCategory>,
    pub case_type: Option<CaseType>,
    pub overdue: Option<OverdueKind>,
    pub dept: Option<DeptKind>,
    pub source: Option<LeadSource>,
    pub status: Option<LeadStatus>,
    pub from: Option<YearMonth>,
    pub to: Option<YearMonth>,
}

/// The records behind a figure of a table (at most [`LIST_LIMIT`]).
pub fn records(
    store: &Store,
    kind: TableKind,
    region: &RegionCode,
    q: &RecordQuery,
    today: Date,
) -> Result<Vec<FigureRecord>, StoreError> {
    let this = YearMonth::of(today);
    let from = q
        .from
        .unwrap_or(YearMonth::new(this.year(), 1).unwrap_or(this));
    let to = q.to.unwrap_or(this);
    match kind {
        TableKind::Measures => store.measure_records(region, q.category, q.case_type, LIST_LIMIT),
        TableKind::Overdue => store.overdue_records(
            region,
            today,
            q.overdue.unwrap_or(OverdueKind::Lead),
            LIST_LIMIT,
        ),
        TableKind::Alerts => {
            store.alert_records(region, q.dept, from.first_day(), month_end(to), LIST_LIMIT)
        }
        TableKind::Leads => store.lead_records(
            region,
            from.first_day(),
            month_end(to),
            q.source,
            q.status,
            LIST_LIMIT,
        ),
        TableKind::WithoutMeasures | TableKind::Visits => Ok(Vec::new()),
    }
}

/// The head of an exported table.
pub fn head(
    grid: &Grid,
    region_name: &str,
    region: &RegionCode,
    exported: &str,
    en: bool,
) -> ReportHead {
    ReportHead {
        title: grid.title.clone(),
        region_line: if en {
            format!("Region: {region_name} ({region})")
        } else {
            format!("区划：{region_name}（{region}）")
        },
        as_of_line: grid.as_of.clone(),
        exported_line: if en {
            format!("Exported: {exported}")
        } else {
            format!("导出时间：{exported}")
        },
    }
}

/// A grid as a file: xlsx through the titled report sheet, or CSV.
pub fn export(grid: &Grid, head: &ReportHead, format: TableFormat) -> Result<Vec<u8>, String> {
    let header: Vec<&str> = grid.header.iter().map(String::as_str).collect();
    let rows = grid.text_rows();
    match format {
        TableFormat::Xlsx => report_xlsx_bytes(head, "报表", &header, &rows, grid.numeric_from),
        TableFormat::Csv => csv_bytes(&header, &rows),
    }
}

// ---------------------------------------------------------------- the ranking

/// The region a ranking is of: a county or a township (a village's is its township's).
pub fn ranking_scope(region: &RegionCode) -> RegionCode {
    match region.level() {
        RegionLevel::Village => region
            .ancestor(RegionLevel::Township)
            .unwrap_or_else(|| region.clone()),
        RegionLevel::Township | RegionLevel::County => region.clone(),
        _ => region.county().unwrap_or_else(|| region.clone()),
    }
}

/// The weights a region ranks by: its own, else its county's, else the defaults; with the
/// region whose weights they are (`None`: the defaults).
pub fn weights_of(
    store: &Store,
    region: &RegionCode,
) -> Result<(Weights, Option<RegionCode>), StoreError> {
    if let Some(w) = store.ranking_weights(region)? {
        return Ok((w, Some(region.clone())));
    }
    if let Some(county) = region.county().filter(|c| c != region) {
        if let Some(w) = store.ranking_weights(&county)? {
            return Ok((w, Some(county)));
        }
    }
    Ok((Weights::default(), None))
}

/// Sets a county's or township's weights (the caller checked SetRankingWeights); refused with
/// the problems when out of range. Audited.
pub fn set_weights(
    store: &Store,
    actor: &Actor,
    region: &RegionCode,
    weights: &Weights,
) -> Result<(), StoreError> {
    let problems = weights.check();
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    store.set_ranking_weights(actor, region, weights)
}

/// The villages' facts of a county or township for a month, taken on `as_of`.
pub fn facts(
    store: &Store,
    scope: &RegionCode,
    month: YearMonth,
    as_of: Date,
) -> Result<Vec<VillageFacts>, StoreError> {
    let work = store.ranking_work(scope, month.first_day(), as_of)?;
    let visits = visits_on(store, scope, as_of)?;
    let quality: BTreeMap<String, (u64, u64)> =
        crate::quality::village_quality(store, scope, as_of)?
            .into_iter()
            .map(|q| (q.village, (q.households, q.findings)))
            .collect();
    let mut out = Vec::new();
    for (code, name) in store.villages_named(scope)? {
        let w = work.get(&code).cloned().unwrap_or_default();
        let v = visits.get(&code).copied().unwrap_or_default();
        let (households, findings) = quality.get(&code).copied().unwrap_or_default();
        let f = VillageFacts {
            code: code.clone(),
            name: short(&name),
            deadline_due: w.deadline_due.max(0) as u64,
            deadline_kept: w.deadline_kept.max(0) as u64,
            visits_due: v.0.max(0) as u64,
            visits_done: v.1.max(0) as u64,
            cases_at_risk: w.cases_at_risk.max(0) as u64,
            cases_covered: w.cases_covered.max(0) as u64,
            households,
            findings,
        };
        // a village without households or work is not ranked
        if households > 0 || f.deadline_due > 0 || f.visits_due > 0 || f.cases_at_risk > 0 {
            out.push(f);
        }
    }
    Ok(out)
}

/// Computes a month's ranking now (not stored).
pub fn compute_ranking(
    store: &Store,
    scope: &RegionCode,
    month: YearMonth,
    today: Date,
) -> Result<Ranking, StoreError> {
    let as_of = supervision::as_of(month, today);
    let (weights, _) = weights_of(store, scope)?;
    let villages = facts(store, scope, month, as_of)?;
    let townships = if scope.level() == RegionLevel::County {
        store
            .townships_named(scope)?
            .into_iter()
            .map(|(c, n)| (c, short(&n)))
            .collect()
    } else {
        Vec::new()
    };
    let name = store
        .region(scope)?
        .map_or_else(|| scope.to_string(), |r| r.name);
    Ok(supervision::build(
        scope.as_str(),
        &name,
        month,
        today,
        weights,
        villages,
        &townships,
    ))
}

/// A month's ranking as read: the frozen one of an ended month (frozen now, by `actor`, if
/// this is its first read), else the current month's computed now.
#[derive(Clone, Debug)]
pub struct RankingRead {
    pub ranking: Ranking,
    /// who froze it and when (Unix seconds); `None` for the current month
    pub frozen: Option<(String, i64)>,
}

/// Reads a month's ranking of a county or township (see the module's docs).
pub fn ranking(
    store: &Store,
    actor: &Actor,
    scope: &RegionCode,
    month: YearMonth,
    today: Date,
) -> Result<RankingRead, StoreError> {
    if !supervision::ended(month, today) {
        return Ok(RankingRead {
            ranking: compute_ranking(store, scope, month, today)?,
            frozen: None,
        });
    }
    let FrozenRanking {
        ranking,
        frozen_by,
        frozen_at,
    } = match store.frozen_ranking(scope, month)? {
        Some(f) => f,
        None => {
            let r = compute_ranking(store, scope, month, today)?;
            store.freeze_ranking(actor, &r)?
        }
    };
    Ok(RankingRead {
        ranking,
        frozen: Some((frozen_by, frozen_at)),
    })
}

/// Freezes last month's ranking of every township and of the county (the scheduler's job on
/// the first day of a month); returns how many were frozen now.
pub fn freeze_last_month(
    store: &Store,
    county: &RegionCode,
    today: Date,
) -> Result<usize, StoreError> {
    let Some(last) = shift(YearMonth::of(today), -1) else {
        return Ok(0);
    };
    let actor = Actor::system("ranking");
    let mut n = 0;
    let mut scopes = vec![county.clone()];
    scopes.extend(
        store
            .townships_named(county)?
            .into_iter()
            .filter_map(|(c, _)| RegionCode::parse(&c)),
    );
    for scope in scopes {
        if store.frozen_ranking(&scope, last)?.is_none() {
            ranking(store, &actor, &scope, last, today)?;
            n += 1;
        }
    }
    Ok(n)
}

/// A ranking as a grid for export: rank, village, total, then each component's inputs, share
/// and points.
pub fn ranking_grid(r: &Ranking, townships: bool, en: bool) -> Grid {
    let t = |zh: &'static str, e: &'static str| if en { e } else { zh };
    let mut header = vec![
        t("名次", "Rank").to_string(),
        t("名称", "Name").to_string(),
        t("代码", "Code").to_string(),
        t("总分", "Score").to_string(),
    ];
    for c in supervision::Component::ALL {
        let label = if en { c.label_en() } else { c.label_zh() };
        let (num, den) = if en { c.inputs_en() } else { c.inputs_zh() };
        header.push(format!("{label}·{num}"));
        header.push(format!("{label}·{den}"));
        header.push(format!("{label}·{}", t("得分率", "rate")));
        header.push(format!("{label}·{}", t("得分", "points")));
    }
    let list = if townships { &r.townships } else { &r.villages };
    let rows = list
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::text(s.rank.to_string()),
                Cell::text(s.facts.name.clone()),
                Cell::text(s.facts.code.clone()),
                Cell::text(supervision::points(s.total)),
            ];
            for p in &s.parts {
                row.push(Cell::text(p.numerator.to_string()));
                row.push(Cell::text(p.denominator.to_string()));
                row.push(Cell::text(format!("{}.{}", p.share / 10, p.share % 10)));
                row.push(Cell::text(supervision::points(p.points)));
            }
            row
        })
        .collect();
    let w = &r.weights;
    Grid {
        kind: None,
        title: if en {
            format!("Supervision ranking of {}, {}", r.region_name, r.month)
        } else {
            format!("{}{}督导考核排序", r.region_name, r.month)
        },
        about: if en {
            format!(
                "Weights: deadlines {}, visits {}, measures {}, quality {}",
                w.deadline, w.visits, w.measures, w.quality
            )
        } else {
            format!(
                "权重：按期办结 {}，走访落实 {}，措施覆盖 {}，数据质量 {}",
                w.deadline, w.visits, w.measures, w.quality
            )
        },
        as_of: if en {
            format!("As of {}", r.as_of)
        } else {
            format!("截至 {}", r.as_of)
        },
        header,
        rows,
        numeric_from: 3,
        note: None,
    }
}

/// The scheduler's month-end job: last month's ranking of every county with households and of
/// its townships, frozen if not yet read; returns how many were frozen.
pub fn monthly(store: &Store, today: Date) -> Result<usize, StoreError> {
    let mut n = 0;
    for county in store.counties_with_households()? {
        if let Some(region) = RegionCode::from_canonical(&county) {
            n += freeze_last_month(store, &region, today)?;
        }
    }
    Ok(n)
}
