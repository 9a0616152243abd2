//! The columnar snapshot (筛查快照) the engine evaluates: one entry per household in each column
//! (a struct of `Vec`s), filled row by row with [`Snapshot::push`] from whatever the store reads.
//!
//! Everything a rule needs is reduced to numbers and bits when the row is pushed, so the hot loop
//! reads six small columns and never allocates. Amounts are clamped to ±10¹³ 分 (100 billion 元)
//! on the way in, so no rule's integer arithmetic can overflow whatever the store hands over.

use super::catalogue::SourceSlot;
use super::level::WarningLevel;
use crate::date::Date;
use crate::department::alert::DeptRule;
use crate::department::DeptKind;
use crate::household::Member;
use crate::money::Fen;
use crate::monitoring::RiskType;
use crate::problem::{Problem, ProblemCode};
use crate::region::RegionCode;
use serde::Serialize;
use std::collections::HashMap;

/// Amounts are clamped to this magnitude (分) when pushed.
pub const AMOUNT_CLAMP: i64 = 10_000_000_000_000;

// bits of the per-household flag word
pub(crate) const F_UNSAFE_HOUSING: u16 = 1 << 0;
pub(crate) const F_SCHOOL_DROPOUT: u16 = 1 << 1;
pub(crate) const F_MEMBER_UNINSURED: u16 = 1 << 2;
pub(crate) const F_UNSAFE_WATER: u16 = 1 << 3;
pub(crate) const F_ILL_UNINSURED: u16 = 1 << 4;
pub(crate) const F_DISABLED_UNINSURED: u16 = 1 << 5;
pub(crate) const F_NO_LABOUR: u16 = 1 << 6;
pub(crate) const F_DEPARTMENT_ALERT: u16 = 1 << 7;
pub(crate) const F_INCOME_KNOWN: u16 = 1 << 8;
pub(crate) const F_LAST_YEAR_KNOWN: u16 = 1 << 9;

/// A data source as evidence names it (数据来源): "2025年收入台账", "医保部门 2025年10月批次" …
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataSource {
    pub slot: SourceSlot,
    pub label_zh: String,
    pub label_en: String,
    /// The date the data is as of (数据日期)
    pub date: Date,
}

/// Indices into [`Snapshot::add_source`]'s table, per kind of data; `None` when unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowSources {
    pub income: Option<u16>,
    pub guarantees: Option<u16>,
    pub members: Option<u16>,
    pub department: Option<u16>,
}

/// What the registry says about a household's living members, reduced to counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemberCounts {
    /// 家庭人口: living members
    pub living: u16,
    /// living members who can work ([`LabourCapacity::can_work`](crate::codes::LabourCapacity::can_work))
    pub able_to_work: u16,
    /// living members without basic medical insurance (居民医保 or 职工医保)
    pub uninsured: u16,
    /// living members with 患有大病 and without basic medical insurance
    pub seriously_ill_uninsured: u16,
    /// living members with 残疾 and without basic medical insurance
    pub disabled_uninsured: u16,
    /// living members in non-compulsory education (高中, 中职, 高职, 本科 …)
    pub non_compulsory_students: u16,
}

impl MemberCounts {
    /// Counts the living members; the deceased are left out.
    pub fn of(members: &[Member]) -> MemberCounts {
        use crate::codes::HealthCondition;
        let mut c = MemberCounts::default();
        for m in members.iter().filter(|m| m.is_alive()) {
            let inc = |v: &mut u16, yes: bool| *v = v.saturating_add(u16::from(yes));
            let uninsured = !m.medically_insured();
            inc(&mut c.living, true);
            inc(&mut c.able_to_work, m.labour.is_some_and(|l| l.can_work()));
            inc(&mut c.uninsured, uninsured);
            inc(
                &mut c.seriously_ill_uninsured,
                uninsured && m.health.has(HealthCondition::SeriousIllness),
            );
            inc(
                &mut c.disabled_uninsured,
                uninsured && m.health.has(HealthCondition::Disabled),
            );
            inc(
                &mut c.non_compulsory_students,
                m.schooling.is_some_and(|s| s.is_non_compulsory()),
            );
        }
        c
    }
}

/// One household's inputs, as the store assembles them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HouseholdRow {
    /// The store's own key for the household (row id), returned in hits
    pub key: i64,
    /// Index from [`Snapshot::add_village`]
    pub village: u32,
    /// From the registry
    pub members: MemberCounts,
    /// 家庭纯收入 of the household's one figure for the year (see
    /// [`crate::income::household_income`]: the year's ledger row, else the last twelve months of
    /// quarterly records, else last year's row); `None` if none is recorded, in which case no
    /// income rule fires
    pub net_income: Option<Fen>,
    /// 人均纯收入 of the previous year, computed with that year's household size
    pub last_year_per_capita: Option<Fen>,
    /// 合规自付支出 of the same records
    pub out_of_pocket_medical: Fen,
    /// Self-paid non-compulsory schooling costs of the school year (教育部门 or household)
    pub schooling_cost: Fen,
    /// 住房出现安全问题
    pub unsafe_housing: bool,
    /// 义务教育阶段适龄儿童少年失学辍学
    pub school_dropout: bool,
    /// 家庭成员未参加基本医疗保险 (the 三保障 record; also set when the registry counts one)
    pub member_uninsured: bool,
    /// 饮水出现安全问题
    pub unsafe_water: bool,
    /// An open department alert (部门预警) for the household
    pub department_alert: bool,
    pub sources: RowSources,
}

const NO_SOURCE: u16 = u16::MAX;

/// An open department alert (部门预警) of a household, as R13's evidence names it: the
/// department, the rule, the record's date and amount, and the risk and level the alert carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeptAlertSummary {
    pub kind: DeptKind,
    pub rule: DeptRule,
    pub date: Option<Date>,
    /// 分: the cumulative 合规自付, the cost, the loss (none for a roll, a grade, an event)
    pub amount: Option<i64>,
    pub risk: RiskType,
    pub level: WarningLevel,
}

/// The snapshot: columns indexed by household position (the order of [`Snapshot::push`]).
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub(crate) keys: Vec<i64>,
    pub(crate) village: Vec<u32>,
    /// living members (persons, and the divisor of per-capita income)
    pub(crate) size: Vec<u16>,
    /// 人均纯收入 (0 when unknown; see `F_INCOME_KNOWN`)
    pub(crate) per_capita: Vec<i64>,
    pub(crate) last_per_capita: Vec<i64>,
    /// 家庭纯收入 (0 when unknown)
    pub(crate) net: Vec<i64>,
    pub(crate) out_of_pocket: Vec<i64>,
    pub(crate) schooling_cost: Vec<i64>,
    pub(crate) flags: Vec<u16>,
    /// (able to work, seriously ill uninsured, disabled uninsured), for evidence only
    pub(crate) counts: Vec<[u8; 3]>,
    pub(crate) sources: Vec<[u16; 4]>,
    pub(crate) villages: Vec<RegionCode>,
    village_index: HashMap<RegionCode, u32>,
    pub(crate) data_sources: Vec<DataSource>,
    /// The open department alerts of the few households that have any, by position (a sparse
    /// side table: the hot loop reads only the R13 flag bit)
    pub(crate) department: HashMap<u32, Vec<DeptAlertSummary>>,
}

fn clamp(v: i64) -> i64 {
    v.clamp(-AMOUNT_CLAMP, AMOUNT_CLAMP)
}

impl Snapshot {
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    /// An empty snapshot with room for `households` rows.
    pub fn with_capacity(households: usize) -> Snapshot {
        Snapshot {
            keys: Vec::with_capacity(households),
            village: Vec::with_capacity(households),
            size: Vec::with_capacity(households),
            per_capita: Vec::with_capacity(households),
            last_per_capita: Vec::with_capacity(households),
            net: Vec::with_capacity(households),
            out_of_pocket: Vec::with_capacity(households),
            schooling_cost: Vec::with_capacity(households),
            flags: Vec::with_capacity(households),
            counts: Vec::with_capacity(households),
            sources: Vec::with_capacity(households),
            ..Snapshot::default()
        }
    }

    /// The index of a village (a 12-digit code, or any region the households hang on), adding it
    /// the first time.
    pub fn add_village(&mut self, code: &RegionCode) -> u32 {
        if let Some(i) = self.village_index.get(code) {
            return *i;
        }
        let i = self.villages.len() as u32;
        self.villages.push(code.clone());
        self.village_index.insert(code.clone(), i);
        i
    }

    /// Registers a data source and returns its index for [`RowSources`]. Beyond 65,534 sources the
    /// last index is reused (a snapshot has a handful: one per ledger and department batch).
    pub fn add_source(&mut self, source: DataSource) -> u16 {
        if self.data_sources.len() >= usize::from(NO_SOURCE) {
            return NO_SOURCE - 1;
        }
        self.data_sources.push(source);
        (self.data_sources.len() - 1) as u16
    }

    /// Appends a household; its position is returned. Refused when the village index is unknown.
    pub fn push(&mut self, row: &HouseholdRow) -> Result<usize, Problem> {
        if row.village as usize >= self.villages.len() {
            return Err(Problem::new(
                ProblemCode::SnapshotVillage,
                "village",
                format!("村索引{}不存在", row.village),
                format!("village index {} does not exist", row.village),
            ));
        }
        let m = row.members;
        let size = m.living;
        let mut flags = 0u16;
        let mut set = |bit: u16, yes: bool| {
            if yes {
                flags |= bit;
            }
        };
        set(F_UNSAFE_HOUSING, row.unsafe_housing);
        set(F_SCHOOL_DROPOUT, row.school_dropout);
        set(F_MEMBER_UNINSURED, row.member_uninsured || m.uninsured > 0);
        set(F_UNSAFE_WATER, row.unsafe_water);
        set(F_ILL_UNINSURED, m.seriously_ill_uninsured > 0);
        set(F_DISABLED_UNINSURED, m.disabled_uninsured > 0);
        set(F_NO_LABOUR, m.living > 0 && m.able_to_work == 0);
        set(F_DEPARTMENT_ALERT, row.department_alert);
        let net = row.net_income.map(|n| Fen(clamp(n.0)));
        // per-capita income exactly as the household page shows it (Fen::per, half away from zero)
        let per_capita = net.and_then(|n| n.per(i64::from(size)));
        set(F_INCOME_KNOWN, per_capita.is_some());
        set(F_LAST_YEAR_KNOWN, row.last_year_per_capita.is_some());
        let source = |s: Option<u16>| {
            s.filter(|i| usize::from(*i) < self.data_sources.len())
                .unwrap_or(NO_SOURCE)
        };
        let sources = [
            source(row.sources.income),
            source(row.sources.guarantees),
            source(row.sources.members),
            source(row.sources.department),
        ];
        let small = |v: u16| u8::try_from(v).unwrap_or(u8::MAX);
        self.keys.push(row.key);
        self.village.push(row.village);
        self.size.push(size);
        self.per_capita.push(per_capita.map_or(0, |p| p.0));
        self.last_per_capita
            .push(row.last_year_per_capita.map_or(0, |p| clamp(p.0)));
        self.net.push(net.map_or(0, |n| n.0));
        self.out_of_pocket
            .push(clamp(row.out_of_pocket_medical.0).max(0));
        self.schooling_cost.push(clamp(row.schooling_cost.0).max(0));
        self.flags.push(flags);
        self.counts.push([
            small(m.able_to_work),
            small(m.seriously_ill_uninsured),
            small(m.disabled_uninsured),
        ]);
        self.sources.push(sources);
        Ok(self.keys.len() - 1)
    }

    /// Sets the open department alerts of the household at `index` (most urgent first: the
    /// first one's risk is R13's); a household with alerts hits R13. Ignored out of range.
    pub fn set_department_alerts(&mut self, index: usize, alerts: Vec<DeptAlertSummary>) {
        if index >= self.keys.len() || alerts.is_empty() {
            return;
        }
        self.flags[index] |= F_DEPARTMENT_ALERT;
        self.department.insert(index as u32, alerts);
    }

    /// The open department alerts of the household at `index` (empty when none are known).
    pub fn department_alerts(&self, index: usize) -> &[DeptAlertSummary] {
        u32::try_from(index)
            .ok()
            .and_then(|i| self.department.get(&i))
            .map_or(&[], Vec::as_slice)
    }

    /// Number of households.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    /// Number of persons (living members) over all households.
    pub fn persons(&self) -> u64 {
        self.size.iter().map(|s| u64::from(*s)).sum()
    }
    /// The store's key of the household at `index`.
    pub fn key(&self, index: usize) -> Option<i64> {
        self.keys.get(index).copied()
    }
    /// The village of the household at `index`.
    pub fn village_of(&self, index: usize) -> Option<&RegionCode> {
        self.village
            .get(index)
            .and_then(|v| self.villages.get(*v as usize))
    }
    /// The villages, by index.
    pub fn villages(&self) -> &[RegionCode] {
        &self.villages
    }
    /// The data source of a kind for the household at `index`.
    pub fn source(&self, index: usize, slot: SourceSlot) -> Option<&DataSource> {
        let i = self.sources.get(index)?[slot.index()];
        self.data_sources.get(usize::from(i))
    }
    /// 人均纯收入 as the engine sees it, `None` when unknown.
    pub fn per_capita(&self, index: usize) -> Option<Fen> {
        let known = self.flags.get(index)? & F_INCOME_KNOWN != 0;
        known.then(|| Fen(self.per_capita[index]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pushed_row_keeps_its_per_capita_income_and_village() {
        let mut s = Snapshot::new();
        let v = s.add_village(&RegionCode::parse("530129101201").unwrap());
        assert_eq!(
            s.add_village(&RegionCode::parse("530129101201").unwrap()),
            v
        );
        let row = HouseholdRow {
            key: 42,
            village: v,
            members: MemberCounts {
                living: 3,
                able_to_work: 1,
                ..MemberCounts::default()
            },
            net_income: Some(Fen(1000)),
            ..HouseholdRow::default()
        };
        assert_eq!(s.push(&row), Ok(0));
        assert_eq!(s.per_capita(0), Some(Fen(333)));
        assert_eq!(s.key(0), Some(42));
        assert_eq!(s.persons(), 3);
        assert_eq!(s.village_of(0).map(|c| c.as_str()), Some("530129101201"));
    }

    #[test]
    fn a_row_with_an_unknown_village_is_refused_and_size_zero_has_no_income() {
        let mut s = Snapshot::new();
        assert_eq!(
            s.push(&HouseholdRow::default()).unwrap_err().code,
            ProblemCode::SnapshotVillage
        );
        s.add_village(&RegionCode::parse("530129101201").unwrap());
        s.push(&HouseholdRow {
            net_income: Some(Fen(5)),
            ..HouseholdRow::default()
        })
        .unwrap();
        assert_eq!(s.per_capita(0), None);
    }
}
