//! The other tables of issue 16 §2, by name: what each counts and how it is addressed
//! (`/reports/tables/<slug>`, `shouwang report <slug>`).

/// The tables besides the monitoring statistics and income tracking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TableKind {
    /// 帮扶措施落实情况: measures in place by category and monitoring type
    Measures,
    /// 未落实帮扶措施的监测户: cases at risk without a measure in place
    WithoutMeasures,
    /// 逾期工作: overdue work by village
    Overdue,
    /// 走访落实情况: visit compliance by village and month
    Visits,
    /// 部门预警: department alerts by kind and month
    Alerts,
    /// 风险线索: leads by source and outcome
    Leads,
}

impl TableKind {
    pub const ALL: [TableKind; 6] = [
        TableKind::Measures,
        TableKind::WithoutMeasures,
        TableKind::Overdue,
        TableKind::Visits,
        TableKind::Alerts,
        TableKind::Leads,
    ];
    pub fn slug(self) -> &'static str {
        match self {
            TableKind::Measures => "measures",
            TableKind::WithoutMeasures => "without-measures",
            TableKind::Overdue => "overdue",
            TableKind::Visits => "visits",
            TableKind::Alerts => "alerts",
            TableKind::Leads => "leads",
        }
    }
    pub fn of_slug(slug: &str) -> Option<TableKind> {
        TableKind::ALL.into_iter().find(|k| k.slug() == slug)
    }
    pub fn title_zh(self) -> &'static str {
        match self {
            TableKind::Measures => "帮扶措施落实情况统计表",
            TableKind::WithoutMeasures => "未落实帮扶措施的监测户清单",
            TableKind::Overdue => "逾期工作统计表（按村）",
            TableKind::Visits => "走访落实情况统计表（按村按月）",
            TableKind::Alerts => "部门预警统计表（按种类按月）",
            TableKind::Leads => "风险线索统计表（按来源和结果）",
        }
    }
    pub fn title_en(self) -> &'static str {
        match self {
            TableKind::Measures => "Measures in place by category and monitoring type",
            TableKind::WithoutMeasures => "Monitored households without a measure in place",
            TableKind::Overdue => "Overdue work by village",
            TableKind::Visits => "Visit compliance by village and month",
            TableKind::Alerts => "Department alerts by kind and month",
            TableKind::Leads => "Leads by source and outcome",
        }
    }
    /// A line on what the table counts.
    pub fn about_zh(self) -> &'static str {
        match self {
            TableKind::Measures => {
                "状态为“已落实”的帮扶措施，按措施类别和监测对象类别统计户数和措施数。"
            }
            TableKind::WithoutMeasures => "风险未消除、没有一项“已落实”帮扶措施的监测户。",
            TableKind::Overdue => {
                "截至今日超过时限仍未办理的识别环节、待核实线索、帮扶措施、走访和农户自主申报。"
            }
            TableKind::Visits => "各月末（本月为今日）所在走访周期内应走访和已走访的户次。",
            TableKind::Alerts => "部门数据比对产生的预警，按部门种类和产生月份统计。",
            TableKind::Leads => "风险线索按发现途径和处理结果统计。",
        }
    }
    pub fn about_en(self) -> &'static str {
        match self {
            TableKind::Measures => "Measures whose state is “in place”, households and measures by measure category and monitoring type.",
            TableKind::WithoutMeasures => "Households with a case at risk and no measure in place.",
            TableKind::Overdue => "Identification stages, leads to verify, measures, visits and self-reports past their clock today.",
            TableKind::Visits => "Visits owed and made in the duty periods holding each month's last day (today in the current month).",
            TableKind::Alerts => "Alerts raised by department data, by department and the month they were raised.",
            TableKind::Leads => "Leads by how they were found and what became of them.",
        }
    }
}

/// The kinds of overdue work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OverdueKind {
    /// an identification or elimination procedure's stage past its stage clock
    Identification,
    /// a lead not verified by its due day
    Lead,
    /// a planned measure past its start, or one in place past its planned end
    Measure,
    /// a visit duty not met in the last completed period
    Visit,
    /// a self-report not accepted by its due day
    SelfReport,
}

impl OverdueKind {
    pub const ALL: [OverdueKind; 5] = [
        OverdueKind::Identification,
        OverdueKind::Lead,
        OverdueKind::Measure,
        OverdueKind::Visit,
        OverdueKind::SelfReport,
    ];
    pub fn slug(self) -> &'static str {
        match self {
            OverdueKind::Identification => "identification",
            OverdueKind::Lead => "lead",
            OverdueKind::Measure => "measure",
            OverdueKind::Visit => "visit",
            OverdueKind::SelfReport => "self-report",
        }
    }
    pub fn of_slug(slug: &str) -> Option<OverdueKind> {
        OverdueKind::ALL.into_iter().find(|k| k.slug() == slug)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            OverdueKind::Identification => "识别/消除环节",
            OverdueKind::Lead => "线索核实",
            OverdueKind::Measure => "帮扶措施",
            OverdueKind::Visit => "走访",
            OverdueKind::SelfReport => "自主申报受理",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            OverdueKind::Identification => "procedure stages",
            OverdueKind::Lead => "leads to verify",
            OverdueKind::Measure => "measures",
            OverdueKind::Visit => "visits",
            OverdueKind::SelfReport => "self-reports",
        }
    }
}

/// Months from `from` to `to`, both included (none when `to` is before `from`), at most 36.
pub fn months(
    from: crate::date::YearMonth,
    to: crate::date::YearMonth,
) -> Vec<crate::date::YearMonth> {
    let n = from.months_until(to);
    (0..=n.clamp(-1, 35))
        .filter_map(|i| shift(from, i))
        .collect()
}

/// The month `by` months after `m` (before, when negative).
pub fn shift(m: crate::date::YearMonth, by: i32) -> Option<crate::date::YearMonth> {
    let index = m.year() * 12 + i32::from(m.month()) - 1 + by;
    crate::date::YearMonth::new(index.div_euclid(12), (index.rem_euclid(12) + 1) as u8)
}
