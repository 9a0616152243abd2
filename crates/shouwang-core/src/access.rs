//! Roles (角色) and scopes: who may read and write what, decided in one place.

use crate::region::RegionCode;
use serde::{Deserialize, Serialize};

/// The roles of PRODUCT.md §1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员
    Admin,
    /// 县级 (乡村振兴局)
    County,
    /// 乡镇 (乡村振兴办)
    Township,
    /// 村级 (village cadre, 监测核查员, 网格员)
    Village,
    /// 帮扶责任人
    AssistancePerson,
    /// 部门 (department data office)
    Department,
    /// 督导 (inspector, read-only)
    Inspector,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::County,
        Role::Township,
        Role::Village,
        Role::AssistancePerson,
        Role::Department,
        Role::Inspector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::County => "county",
            Role::Township => "township",
            Role::Village => "village",
            Role::AssistancePerson => "assistance",
            Role::Department => "department",
            Role::Inspector => "inspector",
        }
    }
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::County => "县级",
            Role::Township => "乡镇",
            Role::Village => "村级",
            Role::AssistancePerson => "帮扶责任人",
            Role::Department => "部门",
            Role::Inspector => "督导",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "administrator",
            Role::County => "county officer",
            Role::Township => "township officer",
            Role::Village => "village cadre",
            Role::AssistancePerson => "assistance person",
            Role::Department => "department",
            Role::Inspector => "inspector",
        }
    }
}

/// What a signed-in user may touch: a role bound to a region (a code prefix).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub role: Role,
    pub region: RegionCode,
}

impl Scope {
    /// May read records located in `region` (a canonical code at any level).
    /// Assistance persons see only their paired households; the store narrows that further.
    pub fn can_read(&self, region: &str) -> bool {
        !matches!(self.role, Role::Department) && self.region.contains_str(region)
    }
    /// May change the registry (households and members) in `region`.
    pub fn can_edit_registry(&self, region: &str) -> bool {
        matches!(
            self.role,
            Role::Admin | Role::County | Role::Township | Role::Village
        ) && self.region.contains_str(region)
    }
    /// May reveal full ID numbers in `region` (an audited act).
    pub fn can_reveal_id(&self, region: &str) -> bool {
        !matches!(self.role, Role::Department | Role::Inspector) && self.can_read(region)
    }
    /// May manage users.
    pub fn can_manage_users(&self) -> bool {
        matches!(self.role, Role::Admin)
    }
    /// Whether the scope's region is the same as or inside `region`: a township user can be
    /// shown the county's name in a breadcrumb without being able to open it.
    pub fn sits_inside(&self, region: &str) -> bool {
        self.region.as_str().starts_with(region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(role: Role, code: &str) -> Scope {
        Scope {
            role,
            region: RegionCode::parse(code).unwrap(),
        }
    }

    #[test]
    fn village_cadre_cannot_read_another_village() {
        let s = scope(Role::Village, "510821108212");
        assert!(s.can_read("510821108212"));
        assert!(!s.can_read("510821115200"));
        assert!(!s.can_read("510821108"));
    }

    #[test]
    fn inspector_reads_but_never_edits_or_reveals() {
        let s = scope(Role::Inspector, "510821");
        assert!(s.can_read("510821108212"));
        assert!(!s.can_edit_registry("510821108212"));
        assert!(!s.can_reveal_id("510821108212"));
    }

    #[test]
    fn departments_see_no_registry() {
        assert!(!scope(Role::Department, "510821").can_read("510821108212"));
    }
}
