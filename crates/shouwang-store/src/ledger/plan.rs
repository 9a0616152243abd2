//! Each household of a batch compared with what is stored: unchanged, new, updated, waiting for
//! a person to be freed by a household later in the file, held back because it (or the household
//! it takes a person from) was edited after the file was exported, or rejected.

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
    /// persons who join from another household: (证件号码, name, the household they leave)
    pub(super) moved_in: Vec<(String, String, String)>,
    /// the 证件号码 of stored members the household no longer lists
    pub(super) left: Vec<String>,
}

/// A household of a batch that passed the checks, with the persons it takes from other
/// households: (member index, household).
pub(super) type Candidate<S> = (LedgerHousehold<S>, Vec<(usize, String)>);

/// Where a household of a batch stands before it is compared with what is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Standing {
    Ready,
    /// It takes a person from a household not written yet.
    Waiting,
    /// It takes a person from a household edited after the export (that household, and when).
    Held(String, i64),
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
    /// 证件号码 → the household written by this import that no longer lists the person (the
    /// person index entry is gone until the end: a later household taking the person is a move)
    pub(super) left: HashMap<String, String>,
    /// households not written for an edit newer than the file → when they were edited
    pub(super) held: HashMap<String, i64>,
    /// stored households the file does not rewrite that persons leave for a household of the
    /// file (decided at the end of the file, when every household of it has been seen)
    pub(super) outside: HashSet<String>,
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

/// The ledger column of a field [`MonitoringCase::history`] names.
pub(super) fn case_column(field: &str) -> Col {
    match field {
        "risks" => Col::Risk1,
        "identified" => Col::Identified,
        "eliminated" => Col::EliminatedOn,
        _ => Col::RiskEliminated,
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
                // the case's history is built by core: a case that breaks its rules is refused
                if let Some(Err(problems)) =
                    h.monitoring.as_ref().map(|c| c.history(self.opts.today))
                {
                    let errors = problems
                        .into_iter()
                        .map(|p| household_error(&h, case_column(&p.field), p))
                        .collect();
                    self.reject(h, errors);
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
        // the households that pass the checks, with the persons they take from others
        let mut candidates: Vec<Candidate<S>> = Vec::with_capacity(batch.len());
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
            // persons registered to another household: (member, household)
            let from: Vec<(usize, String)> = h
                .members
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    let other = ex
                        .persons
                        .get(&m.id_number)
                        .or_else(|| self.left.get(&m.id_number))?;
                    (*other != no).then(|| (i, other.clone()))
                })
                .collect();
            candidates.push((h, from));
        }
        if last {
            self.moves_from_outside(tx, &candidates)?;
        }
        let standing = self.standing(&candidates, &ex);
        // the households of this batch written now, which a person may come from (only needed
        // to name what a household still waits for at the end)
        let ready: HashSet<String> = if last {
            candidates
                .iter()
                .zip(&standing)
                .filter(|(_, s)| **s == Standing::Ready)
                .map(|((h, _), _)| h.household.household_no.clone())
                .collect()
        } else {
            HashSet::new()
        };
        let mut plans: Vec<Planned> = Vec::with_capacity(candidates.len());
        for ((h, from), standing) in candidates.into_iter().zip(standing) {
            match standing {
                Standing::Waiting if last => {
                    let mut errors = Vec::new();
                    for (i, o) in from
                        .iter()
                        .filter(|(_, o)| !self.seen.contains(o) && !ready.contains(o))
                    {
                        let shown =
                            crate::registry::household_within(tx, o, Some(&self.opts.within))?;
                        errors.push(person_elsewhere(
                            &h,
                            *i,
                            &h.members[*i],
                            shown.then_some(o.as_str()),
                        ));
                    }
                    self.reject(h, errors);
                }
                Standing::Waiting => self.deferred.push(h),
                Standing::Held(via, at) => {
                    let (no, row) = (h.household.household_no.clone(), h.first_row());
                    self.hold(no, row, at, Some(via));
                }
                Standing::Ready => {
                    let no = h.household.household_no.clone();
                    let plan = self.plan(h, &ex, from);
                    if !self.held.contains_key(&no) {
                        self.seen.insert(no);
                    }
                    plans.extend(plan);
                }
            }
        }
        self.write(tx, plans)
    }

    /// When household `no` was edited after the file was exported, unless the user confirmed
    /// overwriting such edits.
    pub(super) fn newer_than_file(&self, no: &str, ex: &Existing) -> Option<i64> {
        if self.opts.overwrite_newer {
            return None;
        }
        let exported = self.opts.exported_at?;
        ex.updated.get(no).copied().filter(|at| *at > exported)
    }

    /// At the end of the file: the households persons leave that the file does not rewrite (it
    /// is a township's ledger, say, and the person came from another village). The person moves
    /// when that household lies in the importer's region, the person is not its 户主 (which
    /// would leave it without one: import it too), and it was not edited after the file was
    /// exported (then the household taking the person is held, as a conflict).
    pub(super) fn moves_from_outside(
        &mut self,
        tx: &mut dyn Sql,
        candidates: &[Candidate<S>],
    ) -> Result<(), StoreError> {
        let in_batch: HashSet<&str> = candidates
            .iter()
            .map(|(h, _)| h.household.household_no.as_str())
            .collect();
        for (h, from) in candidates {
            for (i, other) in from {
                if self.seen.contains(other)
                    || self.outside.contains(other)
                    || self.held.contains_key(other)
                    || in_batch.contains(other.as_str())
                {
                    continue;
                }
                let Some(r) = tx.query_one(
                    "SELECT village, updated_at FROM households WHERE county = $1 AND household_no = $2",
                    &params![self.county.as_str(), other.as_str()],
                )?
                else {
                    continue;
                };
                let in_region = RegionCode::from_canonical(&r.text(0))
                    .is_some_and(|v| self.opts.within.contains(&v));
                let Some(m) = h.members.get(*i) else { continue };
                let head = tx
                    .query_one(
                        "SELECT relation FROM members WHERE county = $1 AND household_no = $2 AND id_number = $3",
                        &params![self.county.as_str(), other.as_str(), m.id_number.as_str()],
                    )?
                    .is_some_and(|r| r.int(0) == shouwang_core::codes::Relation::Head.code());
                if !in_region || head {
                    continue; // refused at the end as registered elsewhere
                }
                let edited = r.int(1);
                match self.opts.exported_at {
                    Some(at) if !self.opts.overwrite_newer && edited > at => {
                        self.held.insert(other.clone(), edited);
                    }
                    _ => {
                        self.outside.insert(other.clone());
                    }
                }
            }
        }
        Ok(())
    }

    /// Where each candidate of a batch stands, from the households it takes persons from: those
    /// written before, or ready in this batch, let it be written; one held back holds it back,
    /// as does one of this batch edited after the export (it would lose the person); any other
    /// makes it wait. Until nothing changes: a household waiting makes those that take a
    /// person from it wait too.
    pub(super) fn standing(&self, candidates: &[Candidate<S>], ex: &Existing) -> Vec<Standing> {
        let mut standing = vec![Standing::Ready; candidates.len()];
        if candidates.iter().all(|(_, from)| from.is_empty()) {
            return standing; // nobody moves (a first import)
        }
        let index: HashMap<&str, usize> = candidates
            .iter()
            .enumerate()
            .map(|(k, (h, _))| (h.household.household_no.as_str(), k))
            .collect();
        loop {
            let mut changed = false;
            for k in 0..candidates.len() {
                if standing[k] != Standing::Ready {
                    continue;
                }
                for (_, other) in &candidates[k].1 {
                    let next = if self.seen.contains(other) || self.outside.contains(other) {
                        None
                    } else if let Some(at) = self.held.get(other) {
                        Some(Standing::Held(other.clone(), *at))
                    } else if let Some(j) = index.get(other.as_str()) {
                        match (self.newer_than_file(other, ex), &standing[*j]) {
                            (Some(at), _) => Some(Standing::Held(other.clone(), at)),
                            (None, Standing::Ready) => None,
                            (None, s) => Some(s.clone()),
                        }
                    } else {
                        Some(Standing::Waiting)
                    };
                    if let Some(s) = next {
                        standing[k] = s;
                        changed = true;
                        break;
                    }
                }
            }
            if !changed {
                return standing;
            }
        }
    }

    /// Lists household `no` (first row `row`) as a conflict with an edit made at `at`, to
    /// household `via` when it is another one.
    pub(super) fn hold(&mut self, no: String, row: usize, at: i64, via: Option<String>) {
        let when = china_time(at);
        let problem = match &via {
            None => Problem::new(
                ProblemCode::LedgerNewerEdit,
                "household_no",
                format!("户{no}在{when}已在守望中修改，晚于台账导出时间，未覆盖；确认要用台账覆盖时，请勾选“覆盖导出后的修改”再次导入"),
                format!("household {no} was edited in Shouwang at {when}, after the ledger was exported, and was not overwritten; to overwrite it, import again with 'overwrite newer edits'"),
            ),
            Some(o) => Problem::new(
                ProblemCode::LedgerNewerEdit,
                "household_no",
                format!("户{no}要从户{o}迁入人员，而户{o}在{when}已在守望中修改，晚于台账导出时间，未覆盖；确认后请勾选“覆盖导出后的修改”再次导入"),
                format!("household {no} would take a person from household {o}, which was edited in Shouwang at {when}, after the ledger was exported; neither was overwritten (to overwrite them, import again with 'overwrite newer edits')"),
            ),
        };
        self.held.insert(no.clone(), at);
        self.report.conflicts.push(NewerEdit {
            household_no: no,
            row,
            edited_at: at,
            via,
            problem,
        });
    }

    /// Compares with what is stored; `None` when nothing changes, or when the household was
    /// edited after the file was exported (it is then listed as a conflict). `from`: the persons
    /// (by member index) who come from another household, and which.
    pub(super) fn plan(
        &mut self,
        h: LedgerHousehold<S>,
        ex: &Existing,
        from: Vec<(usize, String)>,
    ) -> Option<Planned> {
        let no = h.household.household_no.clone();
        let first_row = h.first_row();
        let moved_in: Vec<(String, String, String)> = from
            .into_iter()
            .filter_map(|(i, other)| {
                let m = h.members.get(i)?;
                Some((m.id_number.clone(), m.name.clone(), other))
            })
            .collect();
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
        let income = match (year, h.income) {
            (Some(y), Some(i)) if ex.incomes.get(&(no.clone(), i64::from(y))) != Some(&i) => {
                Some((i64::from(y), i))
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
        if let Some(at) = self.newer_than_file(&no, ex) {
            self.hold(no, first_row, at, None);
            return None;
        }
        let left: Vec<String> = old_members
            .iter()
            .filter(|o| !members.iter().any(|m| m.id_number == o.id_number))
            .map(|o| o.id_number.clone())
            .collect();
        self.report.persons_moved += moved_in.len();
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
            moved_in,
            left,
        })
    }
}

/// Unix seconds as China time, `YYYY-MM-DD HH:MM`, as the pages show times.
pub(super) fn china_time(secs: i64) -> String {
    let s = (secs + 8 * 3600).rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}",
        Date::from_unix_seconds_china(secs),
        s / 3600,
        s % 3600 / 60
    )
}
