//! Each household of a batch compared with what is stored: unchanged, new, updated, waiting for
//! a person to be freed by a household later in the file, or rejected.

use super::*;

/// What to do with the case of one household.
pub(super) enum CaseWrite {
    Insert(MonitoringCase),
    Update {
        id: i64,
        case: MonitoringCase,
        eliminated_now: bool,
    },
}

/// One household ready to be written.
pub(super) struct Planned {
    pub(super) household: Household,
    pub(super) members: Vec<Member>,
    pub(super) is_new: bool,
    pub(super) income: Option<(i64, Income)>,
    pub(super) flags: Option<(String, Flags)>,
    pub(super) case: Option<CaseWrite>,
    pub(super) audit: Option<(serde_json::Value, serde_json::Value)>,
}

pub(super) struct Importer<'o, S> {
    pub(super) opts: &'o LedgerImport,
    pub(super) county: String,
    pub(super) villages: Villages,
    pub(super) batch: Vec<LedgerHousehold<S>>,
    /// [`BATCH_HOUSEHOLDS`], or [`BULK_BATCH_HOUSEHOLDS`] when nothing is looked up
    pub(super) batch_size: usize,
    pub(super) trash: Trash,
    /// The person index entries of the members written, inserted at the end in 证件号码 order:
    /// a B-tree takes keys in order many times faster than a million in random order. Nothing
    /// looks them up before: the reader refuses a 证件号码 given twice in the file, and the
    /// look-ups are for persons stored before the import.
    pub(super) persons: Vec<PersonKey>,
    pub(super) deferred: Vec<LedgerHousehold<S>>,
    /// households written (or found unchanged) by this import
    pub(super) seen: HashSet<String>,
    pub(super) report: ImportReport<S>,
    pub(super) now: i64,
    /// The database held no household and no person when the import began: nothing can be
    /// found, so the per-batch look-ups are skipped (the reader has already refused a 证件号码
    /// given twice in the file, it hands each 户编号 over once, and the keys would refuse both).
    pub(super) nothing_stored: bool,
}

/// A person registered to another household: named when it lies in the importer's region
/// (`other`), else only "elsewhere" (see [`crate::registry::household_within`]).
pub(super) fn person_elsewhere<S: SourceRows>(
    h: &LedgerHousehold<S>,
    i: usize,
    m: &Member,
    other: Option<&str>,
) -> RowError {
    let id = mask(&m.id_number);
    let problem = match other {
        Some(other) => Problem::new(
            ProblemCode::IdNumberElsewhere,
            "id_number",
            format!("证件号码{id}已登记在户{other}，一个人只能属于一户；如要迁户，请把两户放在同一文件中导入"),
            format!("ID number {id} is already registered in household {other}; a person belongs to one household (to move a person, import both households in one file)"),
        ),
        None => Problem::new(
            ProblemCode::IdNumberElsewhere,
            "id_number",
            format!("证件号码{id}已在别处登记，一个人只能属于一户"),
            format!("ID number {id} is already registered elsewhere; a person belongs to one household"),
        ),
    };
    RowError {
        row: h.row_of_member(i).unwrap_or(0),
        column: Col::IdNumber.name().to_string(),
        problem,
    }
}

pub(super) fn household_error<S: SourceRows>(
    h: &LedgerHousehold<S>,
    col: Col,
    problem: Problem,
) -> RowError {
    RowError {
        row: h.first_row(),
        column: col.name().to_string(),
        problem,
    }
}

impl<S: SourceRows> Importer<'_, S> {
    pub(super) fn reject(&mut self, h: LedgerHousehold<S>, errors: Vec<RowError>) {
        self.report.households_rejected += 1;
        self.report.persons_rejected += h.source_rows.count().max(h.members.len());
        self.report.rejected.push(h.reject(errors));
    }

    pub(super) fn push(&mut self, tx: &mut dyn Sql, item: LedgerItem<S>) -> Result<(), StoreError> {
        match item {
            LedgerItem::Rejected(r) => {
                self.report.households_rejected += 1;
                self.report.persons_rejected += r.rows.count();
                self.report.rejected.push(*r);
            }
            LedgerItem::Household(h) => {
                let mut h = *h;
                match self.villages.resolve(&h, &self.opts.county) {
                    Err((col, p)) => {
                        let e = household_error(&h, col, p);
                        self.reject(h, vec![e]);
                        return Ok(());
                    }
                    Ok(code) => h.set_village(code),
                }
                if !self.opts.within.contains(&h.household.village) {
                    let p = outside_scope(&h.household.village, &self.opts.within);
                    let e = household_error(&h, Col::Village, p);
                    self.reject(h, vec![e]);
                    return Ok(());
                }
                h.household = tidy_household(h.household);
                h.members = std::mem::take(&mut h.members)
                    .into_iter()
                    .map(tidy_member)
                    .collect();
                self.batch.push(h);
                if self.batch.len() >= self.batch_size {
                    self.flush(tx, false)?;
                }
            }
        }
        Ok(())
    }

    /// Writes the batch. `last`: deferred households are decided now instead of waiting.
    pub(super) fn flush(&mut self, tx: &mut dyn Sql, last: bool) -> Result<(), StoreError> {
        let batch = std::mem::take(&mut self.batch);
        if batch.is_empty() {
            return Ok(());
        }
        let ex = if self.nothing_stored {
            Existing::default()
        } else {
            load_existing(tx, &self.county, &batch)?
        };
        // households of this batch, for persons the database places elsewhere (none when the
        // look-ups found nobody, as in a first import)
        let in_batch: HashSet<String> = if ex.persons.is_empty() {
            HashSet::new()
        } else {
            batch
                .iter()
                .map(|h| h.household.household_no.clone())
                .collect()
        };
        let mut plans: Vec<Planned> = Vec::with_capacity(batch.len());
        for h in batch {
            let no = h.household.household_no.clone();
            let stored = ex.households.get(&no);
            if let Some((county, old)) = stored {
                if *county != self.county {
                    let p = Problem::new(
                        ProblemCode::HouseholdNoOtherCounty,
                        "household_no",
                        // the other county lies outside every importer's region: not named
                        format!("户编号{no}已在其他县登记，不能导入到县{}", self.county),
                        format!(
                            "household number {no} is registered in another county, not {}",
                            self.county
                        ),
                    );
                    let e = household_error(&h, Col::HouseholdNo, p);
                    self.reject(h, vec![e]);
                    continue;
                }
                if !self.opts.within.contains(&old.village) {
                    // stored in a village outside the importer's region: which one is not said
                    let p = Problem::new(
                        ProblemCode::HouseholdNoTaken,
                        "household_no",
                        format!("户编号{no}已在别处登记，不在您的管辖范围内，不能导入"),
                        format!("household number {no} is already registered elsewhere, outside your region"),
                    );
                    let e = household_error(&h, Col::HouseholdNo, p);
                    self.reject(h, vec![e]);
                    continue;
                }
            }
            // persons registered to another household
            let mut wait = false;
            let mut errors = Vec::new();
            for (i, m) in h.members.iter().enumerate() {
                let Some(other) = ex.persons.get(&m.id_number) else {
                    continue;
                };
                if *other == no || self.seen.contains(other) || in_batch.contains(other) {
                    continue; // the other household is rewritten by this file first
                }
                if last {
                    let shown =
                        crate::registry::household_within(tx, other, Some(&self.opts.within))?;
                    errors.push(person_elsewhere(&h, i, m, shown.then_some(other.as_str())));
                } else {
                    wait = true;
                }
            }
            if !errors.is_empty() {
                self.reject(h, errors);
                continue;
            }
            if wait {
                self.deferred.push(h);
                continue;
            }
            self.seen.insert(no.clone());
            if let Some(p) = self.plan(h, &ex) {
                plans.push(p);
            }
        }
        // a household of this batch that another one takes a person from must be rewritten
        // (it is, when it is in the file: it lists its members without the person)
        self.write(tx, plans)
    }

    /// Compares with what is stored; `None` when nothing changes.
    pub(super) fn plan(&mut self, h: LedgerHousehold<S>, ex: &Existing) -> Option<Planned> {
        let no = h.household.household_no.clone();
        let old = ex.households.get(&no).map(|(_, hh)| hh);
        let old_members: &[Member] = ex.members.get(&no).map(Vec::as_slice).unwrap_or(&[]);
        let mut household = h.household;
        if let Some(old) = old {
            household.address = old.address.clone();
            household.military_family = old.military_family;
            household.cultivated_land_centimu = old.cultivated_land_centimu;
            household.housing_area_centim2 = old.housing_area_centim2;
            household.house_grade = old.house_grade.clone();
        }
        let old_by_id: HashMap<&str, &Member> = old_members
            .iter()
            .map(|m| (m.id_number.as_str(), m))
            .collect();
        // members keep their stored order, new ones after them in the file's: a ledger re-sorted
        // in Excel (by name, say) lists a family in another order without changing anyone
        let old_position: HashMap<&str, usize> = old_members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id_number.as_str(), i))
            .collect();
        let mut members = h.members;
        members.sort_by_key(|m| {
            old_position
                .get(m.id_number.as_str())
                .copied()
                .unwrap_or(usize::MAX)
        });
        let (mut added, mut updated, mut unchanged) = (0, 0, 0);
        for m in &mut members {
            match old_by_id.get(m.id_number.as_str()) {
                Some(o) => {
                    m.deceased_on = o.deceased_on;
                    if *o == m {
                        unchanged += 1;
                    } else {
                        updated += 1;
                    }
                }
                None => added += 1,
            }
        }
        let year = h.year;
        let data_year = i64::from(year.unwrap_or(self.opts.today.year()));
        // the year's income is the ledger's amounts for 年度, whatever period the reader gave it
        let income = match (year, h.income) {
            (Some(y), Some(mut i)) => {
                i.period = IncomePeriod::year(y);
                (ex.incomes.get(&(no.clone(), i64::from(y))) != Some(&i))
                    .then_some((i64::from(y), i))
            }
            _ => None,
        };
        // the year's flags: the latest check of the ledger's year, whatever recorded it (a ledger,
        // a village cadre, a department's data); a new year's ledger records its own check
        let flags = flags_of(&h.guarantees).and_then(|f| {
            let key = as_of(data_year as i32);
            let year = format!("{data_year:04}-");
            let in_force = ex.flags.get(&no).and_then(|checks| {
                checks
                    .iter()
                    .filter(|(on, _)| on.starts_with(&year) && *on <= key)
                    .max_by(|a, b| a.0.cmp(&b.0))
                    .map(|(_, f)| f)
            });
            (in_force != Some(&f)).then_some((key, f))
        });
        let stored_case = ex.cases.get(&no);
        let case = match (h.monitoring, stored_case) {
            (None, _) => None,
            (Some(mut c), None) => {
                c.household_no = no.clone();
                Some(CaseWrite::Insert(c))
            }
            (Some(mut c), Some(s)) => {
                c.household_no = no.clone();
                if c == s.case {
                    None
                } else if s.case.elimination.is_some_and(|(_, m)| m < c.identified) {
                    Some(CaseWrite::Insert(c))
                } else {
                    let eliminated_now = s.case.elimination.is_none() && c.elimination.is_some();
                    Some(CaseWrite::Update {
                        id: s.id,
                        case: c,
                        eliminated_now,
                    })
                }
            }
        };
        let household_same = old == Some(&household) && old_members == members.as_slice();
        if household_same && income.is_none() && flags.is_none() && case.is_none() {
            self.report.households_unchanged += 1;
            self.report.persons_unchanged += members.len();
            self.report.warnings.extend(h.warnings);
            return None;
        }
        self.report.warnings.extend(h.warnings);
        let is_new = old.is_none();
        if is_new {
            self.report.households_added += 1;
        } else {
            self.report.households_updated += 1;
        }
        self.report.persons_added += added;
        self.report.persons_updated += updated;
        self.report.persons_unchanged += unchanged;
        let audit = old.map(|o| {
            let ledger_before = serde_json::json!({
                "income": ex.incomes.get(&(no.clone(), data_year)).map(income_json),
                "case": stored_case.map(|s| json(&s.case)),
            });
            let ledger_after = serde_json::json!({
                "income": h.income.as_ref().map(income_json),
                "case": match &case { Some(CaseWrite::Insert(c)) | Some(CaseWrite::Update { case: c, .. }) => json(c), None => stored_case.map(|s| json(&s.case)).unwrap_or(serde_json::Value::Null) },
            });
            (
                serde_json::json!({ "household": json(o), "members": json(&old_members), "ledger": ledger_before }),
                serde_json::json!({ "household": json(&household), "members": json(&members), "ledger": ledger_after }),
            )
        });
        Some(Planned {
            household,
            members,
            is_new,
            income,
            flags,
            case,
            audit,
        })
    }
}
