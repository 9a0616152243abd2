//! Synthetic counties (合成数据) on real region codes, for the demo, tests and benchmarks.
//! Deterministic: the same seed gives the same county on every machine and version.

use crate::codes::{
    Education, Health, HealthCondition, HouseholdType, LabourCapacity, Political, Relation,
    Schooling, Sex,
};
use crate::date::Date;
use crate::household::{Household, Member};
use crate::id_number::{make_id, IdKind};
use crate::region::RegionCode;
use std::collections::HashMap;

mod assistance;
pub mod department;
mod records;
pub use assistance::{
    assistance, SynthAssistance, SynthContact, SynthPairing, SynthPerson, SynthPlan, SynthPosition,
    SynthVisit,
};
pub use records::{records, SynthCheck, SynthRecords};

/// SplitMix64: tiny, fast, and stable across versions (unlike library RNGs whose streams may change).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5348_4f55_5741_4e47)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
    /// Picks from `(weight, item)` pairs.
    pub fn weighted<T: Copy>(&mut self, items: &[(u32, T)]) -> T {
        let total: u32 = items.iter().map(|(w, _)| w).sum();
        let mut r = (self.next_u64() % u64::from(total)) as u32;
        for (w, item) in items {
            if r < *w {
                return *item;
            }
            r -= w;
        }
        items[items.len() - 1].1
    }
}

/// A village to populate, with the resettlement site it hosts, if any.
#[derive(Clone, Debug)]
pub struct SynthVillage {
    pub code: RegionCode,
    /// 集中安置点 name when this village hosts a relocation site
    pub resettlement_site: Option<String>,
}

/// The generator's settings.
#[derive(Clone, Debug)]
pub struct SynthConfig {
    pub households: usize,
    pub seed: u64,
    /// The day the population is "as of"; ages and ID validity are relative to it.
    pub today: Date,
    /// The county code used as the ID numbers' area code.
    pub county: RegionCode,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "何", "罗", "苟", "向", "蒲", "杜",
    "谢", "唐", "冯", "邓", "任", "袁", "赵", "蒋", "母", "岳", "姚", "侯",
];
const GIVEN: &[&str] = &[
    "德", "明", "华", "秀", "英", "兰", "国", "建", "文", "玉", "芳", "军", "平", "志", "春", "桂",
    "海", "荣", "强", "林", "清", "光", "云", "红", "燕", "勇", "丽", "成", "福", "贵", "琴", "霞",
    "杰", "涛", "宇", "欣", "怡", "浩", "俊", "婷",
];
const WORK_PLACES: &[&str] = &[
    "浙江省宁波市",
    "广东省东莞市",
    "四川省成都市",
    "四川省广元市利州区",
    "江苏省苏州市",
    "福建省泉州市",
    "新疆维吾尔自治区乌鲁木齐市",
    "旺苍县城",
];
const DISABILITIES: &[&str] = &["肢体", "视力", "听力", "言语", "智力", "精神", "多重"];
const ETHNICITIES: &[(u32, &str)] = &[(97, "汉族"), (2, "羌族"), (1, "回族")];

struct People {
    rng: Rng,
    today: Date,
    area: String,
    /// next sequence per (birth day, sex), so that every generated ID number is unique
    sequences: HashMap<(i64, Sex), u16>,
}

impl People {
    fn name(&mut self, surname: &str) -> String {
        let mut n = surname.to_string();
        n.push_str(self.rng.pick::<&str>(GIVEN));
        if self.rng.chance(0.75) {
            n.push_str(self.rng.pick::<&str>(GIVEN));
        }
        n
    }

    fn birth(&mut self, age: i64) -> Date {
        let day = self.today.to_days() - age * 365 - self.rng.range(1, 364);
        Date::from_days(day)
    }

    fn id(&mut self, birth: Date, sex: Sex) -> String {
        let seq = self.sequences.entry((birth.to_days(), sex)).or_insert(0);
        let id = make_id(&self.area, birth, *seq, sex);
        *seq = (*seq + 1) % 500;
        id
    }

    fn person(&mut self, relation: Relation, sex: Sex, age: i64, surname: &str) -> Member {
        let age = age.clamp(0, 99);
        let birth = self.birth(age);
        let name = self.name(surname);
        let id_number = self.id(birth, sex);
        let rng = &mut self.rng;
        let (education, schooling) = schooling_for(rng, age);
        let mut health = Health::default();
        let chronic_p = if age >= 60 {
            0.28
        } else if age >= 40 {
            0.10
        } else {
            0.03
        };
        if rng.chance(chronic_p) {
            health = health.with(HealthCondition::ChronicIllness);
        }
        if rng.chance(if age >= 50 { 0.05 } else { 0.015 }) {
            health = health.with(HealthCondition::SeriousIllness);
        }
        let disabled = rng.chance(if age >= 60 { 0.09 } else { 0.04 });
        if disabled {
            health = health.with(HealthCondition::Disabled);
        }
        if health.is_empty() {
            health = Health::HEALTHY;
        }
        let ill = !health.has(HealthCondition::Healthy);
        let labour = if age < 16 || schooling.is_some() {
            LabourCapacity::None
        } else if disabled && rng.chance(0.6) {
            *rng.pick(&[LabourCapacity::Lost, LabourCapacity::Weak])
        } else if age >= 70 {
            // most elders still work their fields (弱劳动力); the very old mostly no longer can
            let weak = if age >= 80 { 55 } else { 90 };
            rng.weighted(&[
                (weak, LabourCapacity::Weak),
                ((100 - weak) / 2, LabourCapacity::Lost),
                ((100 - weak) / 2, LabourCapacity::None),
            ])
        } else if age >= 60 || (ill && rng.chance(0.5)) {
            LabourCapacity::Weak
        } else if rng.chance(0.18) {
            LabourCapacity::Skilled
        } else {
            LabourCapacity::Ordinary
        };
        let working = matches!(labour, LabourCapacity::Ordinary | LabourCapacity::Skilled)
            && (18..=58).contains(&age);
        let (migrant_months, migrant_place) = if working && rng.chance(0.45) {
            (rng.range(3, 12), rng.pick(WORK_PLACES).to_string())
        } else {
            (0, String::new())
        };
        let employee_medical = working && migrant_months > 0 && rng.chance(0.06);
        // nearly everyone is insured (参保率 above 99.9 %)
        let resident_medical = !employee_medical && rng.chance(0.9993);
        let political = if age >= 18 && rng.chance(0.06) {
            Some(Political::PartyMember)
        } else if (14..=28).contains(&age) && rng.chance(0.3) {
            Some(Political::LeagueMember)
        } else {
            Some(Political::Masses)
        };
        let phone = if (18..=75).contains(&age) && rng.chance(0.7) {
            format!(
                "1{}{:09}",
                rng.pick(&[3, 5, 7, 8, 9]),
                rng.range(0, 999_999_999)
            )
        } else {
            String::new()
        };
        let ethnicity = rng.weighted(ETHNICITIES).to_string();
        let disability_category = if disabled {
            rng.pick(DISABILITIES).to_string()
        } else {
            String::new()
        };
        let welfare = working && migrant_months == 0 && rng.chance(0.04);
        Member {
            id_kind: IdKind::ResidentId,
            id_number,
            person_no: String::new(),
            name,
            sex,
            birth_date: birth,
            relation,
            ethnicity,
            political,
            phone,
            education,
            schooling,
            health,
            disability_category,
            labour: Some(labour),
            migrant_months,
            migrant_place,
            migrant_employer: String::new(),
            welfare_job: if welfare {
                "护林员".into()
            } else {
                String::new()
            },
            welfare_job_months: if welfare { 12 } else { 0 },
            dibao: false,
            tekun: false,
            resident_medical,
            employee_medical,
            serious_illness_insurance: resident_medical,
            resident_pension: age >= 16 && !employee_medical && rng.chance(0.93),
            employee_pension: employee_medical,
            deceased_on: None,
        }
    }
}

/// Education XOR schooling for an age, with realistic shares.
fn schooling_for(rng: &mut Rng, age: i64) -> (Option<Education>, Option<Schooling>) {
    let school = |s| (None, Some(s));
    let edu = |e| (Some(e), None);
    match age {
        0..=2 => school(Schooling::PreschoolAge),
        3..=5 => school(if rng.chance(0.85) {
            Schooling::Preschool
        } else {
            Schooling::PreschoolAge
        }),
        6..=11 => school(Schooling::Primary),
        12 => school(Schooling::Grade7),
        13 => school(Schooling::Grade8),
        14 => school(Schooling::Grade9),
        15..=17 => {
            let year = (age - 15) as usize;
            match rng.range(0, 9) {
                0..=5 => school(
                    [
                        Schooling::HighSchool1,
                        Schooling::HighSchool2,
                        Schooling::HighSchool3,
                    ][year],
                ),
                6..=8 => school(
                    [
                        Schooling::Vocational1,
                        Schooling::Vocational2,
                        Schooling::Vocational3,
                    ][year],
                ),
                _ => edu(Education::JuniorMiddle),
            }
        }
        18..=21 if rng.chance(0.45) => {
            let year = (age - 18) as usize;
            if rng.chance(0.5) {
                school(
                    [
                        Schooling::University1,
                        Schooling::University2,
                        Schooling::University3,
                        Schooling::University4,
                    ][year],
                )
            } else {
                school(
                    [
                        Schooling::HigherVocational1,
                        Schooling::HigherVocational2,
                        Schooling::HigherVocational3,
                        Schooling::HigherVocational3,
                    ][year],
                )
            }
        }
        18..=40 => edu(rng.weighted(&[
            (5, Education::Primary),
            (45, Education::JuniorMiddle),
            (30, Education::SeniorMiddle),
            (12, Education::College),
            (8, Education::Bachelor),
        ])),
        41..=60 => edu(rng.weighted(&[
            (8, Education::Illiterate),
            (40, Education::Primary),
            (42, Education::JuniorMiddle),
            (10, Education::SeniorMiddle),
        ])),
        _ => edu(rng.weighted(&[
            (35, Education::Illiterate),
            (50, Education::Primary),
            (15, Education::JuniorMiddle),
        ])),
    }
}

/// Generates `config.households` households spread over `villages`, each with its members.
/// Villages are filled round-robin in proportion, so every village has households.
pub fn generate(config: &SynthConfig, villages: &[SynthVillage]) -> Vec<(Household, Vec<Member>)> {
    let mut people = People {
        rng: Rng::new(config.seed),
        today: config.today,
        area: config.county.as_str().to_string(),
        sequences: HashMap::new(),
    };
    let mut per_village: HashMap<&str, u32> = HashMap::new();
    let mut out = Vec::with_capacity(config.households);
    if villages.is_empty() {
        return out;
    }
    for i in 0..config.households {
        let village = &villages[i % villages.len()];
        let n = per_village.entry(village.code.as_str()).or_insert(0);
        *n += 1;
        out.push(household(&mut people, village, *n));
    }
    out
}

fn household(p: &mut People, village: &SynthVillage, n: u32) -> (Household, Vec<Member>) {
    let size = p
        .rng
        .weighted(&[(10, 1), (22, 2), (21, 3), (21, 4), (14, 5), (9, 6), (3, 7)]);
    let surname = p.rng.pick(SURNAMES).to_string();
    let head_age = if size == 1 {
        p.rng.range(35, 85)
    } else {
        p.rng.range(28, 80)
    };
    let head_sex = if p.rng.chance(0.82) {
        Sex::Male
    } else {
        Sex::Female
    };
    let other = |s: Sex| {
        if s == Sex::Male {
            Sex::Female
        } else {
            Sex::Male
        }
    };
    let mut members = vec![p.person(Relation::Head, head_sex, head_age, &surname)];
    if size >= 2 && p.rng.chance(0.85) {
        let age = head_age + p.rng.range(-5, 4);
        let spouse_surname = p.rng.pick(SURNAMES).to_string();
        members.push(p.person(Relation::Spouse, other(head_sex), age, &spouse_surname));
    }
    // an old parent lives with younger heads
    if members.len() < size && head_age < 52 && p.rng.chance(0.4) {
        let (rel, sex) = if p.rng.chance(0.6) {
            (Relation::Mother, Sex::Female)
        } else {
            (Relation::Father, Sex::Male)
        };
        let age = head_age + p.rng.range(22, 32);
        members.push(p.person(rel, sex, age, &surname));
    }
    while members.len() < size {
        let child_age = head_age - p.rng.range(22, 34);
        if child_age >= 0 {
            let (rel, sex) = if p.rng.chance(0.52) {
                (Relation::Son, Sex::Male)
            } else {
                (Relation::Daughter, Sex::Female)
            };
            members.push(p.person(rel, sex, child_age, &surname));
        } else {
            let (rel, sex) = if p.rng.chance(0.5) {
                (Relation::Sibling, Sex::Male)
            } else {
                (Relation::Sibling, Sex::Female)
            };
            let age = head_age + p.rng.range(-6, 6);
            members.push(p.person(rel, sex, age, &surname));
        }
        // grandchildren for old heads with adult children
        if members.len() < size && head_age >= 55 && p.rng.chance(0.5) {
            let (rel, sex) = if p.rng.chance(0.5) {
                (Relation::Grandson, Sex::Male)
            } else {
                (Relation::Granddaughter, Sex::Female)
            };
            let age = head_age - p.rng.range(45, 60);
            members.push(p.person(rel, sex, age, &surname));
        }
    }
    members.truncate(size);

    let rng = &mut p.rng;
    let household_type = rng.weighted(&[
        (30, HouseholdType::PostPoverty),
        (67, HouseholdType::Ordinary),
        (3, HouseholdType::PostPovertyNoPolicy),
    ]);
    let poor = household_type == HouseholdType::PostPoverty;
    let without_labour = members
        .iter()
        .all(|m| !m.labour.is_some_and(LabourCapacity::can_work));
    // 兜底保障: most households nobody in which can work get 特困供养 or 低保
    let tekun = size == 1 && head_age >= 60 && without_labour && rng.chance(0.8);
    let dibao = !tekun
        && rng.chance(if without_labour {
            0.75
        } else if poor {
            0.22
        } else {
            0.03
        });
    for m in &mut members {
        m.dibao = dibao;
        m.tekun = tekun;
    }
    let relocated = match &village.resettlement_site {
        Some(_) => rng.chance(0.7),
        None => poor && rng.chance(0.05),
    };
    let resettlement_site = if relocated {
        village
            .resettlement_site
            .clone()
            .unwrap_or_else(|| "分散安置".to_string())
    } else {
        String::new()
    };
    let group = format!("{}组", rng.range(1, 9));
    let phone = members
        .iter()
        .find(|m| !m.phone.is_empty())
        .map(|m| m.phone.clone())
        .unwrap_or_default();
    // After 脱贫攻坚 nearly every rural house was rebuilt or made safe (A or B); a C house is rare
    // and then its 住房安全 flag lags (data quality rule 0_00_033 finds it). One draw either way,
    // so the rest of the county comes out the same.
    let house_grade = if relocated {
        "A"
    } else {
        match rng.range(0, 599) {
            0..=299 => "A",
            300..=597 => "B",
            _ => "C",
        }
    };
    let household = Household {
        household_no: format!("{}{:05}", village.code, n),
        village: village.code.clone(),
        group: group.clone(),
        address: format!("{group}{}号", rng.range(1, 120)),
        phone,
        household_type,
        dibao,
        tekun,
        relocated,
        resettlement_site,
        military_family: rng.chance(0.02),
        cultivated_land_centimu: Some(rng.range(0, 800) * 5),
        housing_area_centim2: Some(rng.range(40, 220) * 100),
        house_grade: house_grade.to_string(),
    };
    (household, members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::validate_household_with_members;
    use std::collections::HashSet;

    fn config(n: usize) -> SynthConfig {
        SynthConfig {
            households: n,
            seed: 7,
            today: Date::new(2026, 11, 23).unwrap(),
            county: RegionCode::parse("510821").unwrap(),
        }
    }

    fn villages() -> Vec<SynthVillage> {
        vec![
            SynthVillage {
                code: RegionCode::parse("510821108212").unwrap(),
                resettlement_site: Some("三江镇桃红安置点".into()),
            },
            SynthVillage {
                code: RegionCode::parse("510821115200").unwrap(),
                resettlement_site: None,
            },
        ]
    }

    #[test]
    fn every_generated_household_passes_validation_and_ids_are_unique() {
        let c = config(3000);
        let data = generate(&c, &villages());
        let mut ids = HashSet::new();
        let mut persons = 0;
        for (h, members) in &data {
            let problems = validate_household_with_members(h, members, c.today);
            assert!(problems.is_empty(), "{}: {problems:?}", h.household_no);
            for m in members {
                assert!(m.id_number.starts_with("510821"));
                assert!(ids.insert(m.id_number.clone()), "duplicate {}", m.id_number);
                persons += 1;
            }
        }
        // rural households average about three persons
        let avg = persons as f64 / data.len() as f64;
        assert!((2.3..3.8).contains(&avg), "average size {avg}");
        assert!(data
            .iter()
            .any(|(h, _)| h.relocated && h.resettlement_site == "三江镇桃红安置点"));
        assert!(data.iter().any(|(h, _)| h.dibao));
        assert!(data
            .iter()
            .any(|(h, _)| h.household_type == HouseholdType::PostPoverty));
    }

    #[test]
    fn the_same_seed_gives_the_same_county() {
        let a = generate(&config(50), &villages());
        let b = generate(&config(50), &villages());
        assert_eq!(a, b);
        let mut other = config(50);
        other.seed = 8;
        assert_ne!(a, generate(&other, &villages()));
    }
}
