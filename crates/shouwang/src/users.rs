//! `shouwang user list|disable|enable|reset-password|set-role|unlock`: account administration
//! from the command line, run by the operator of the installation. Every change is audited as
//! done by `system:cli`.

use crate::cli::UserCommand;
use anyhow::{bail, Context, Result};
use shouwang_core::Role;
use shouwang_store::audit::Actor;
use shouwang_store::users::User;
use shouwang_store::Store;

fn find(store: &Store, username: &str) -> Result<User> {
    store
        .user_by_name(username.trim())?
        .with_context(|| format!("没有用户“{username}” / no user '{username}'"))
}

pub fn run(store: &Store, command: UserCommand) -> Result<()> {
    let actor = Actor::system("cli");
    match command {
        UserCommand::Add { .. } => unreachable!("handled in main"),
        UserCommand::List => {
            println!(
                "{:<16} {:<11} {:<13} {:<10} 显示名 / name",
                "用户名 / user", "角色 / role", "区划 / region", "状态 / state"
            );
            for u in store.users()? {
                let state = if u.disabled {
                    "停用 disabled"
                } else if u.must_change_password {
                    "待改密 change"
                } else {
                    "正常 active"
                };
                println!(
                    "{:<16} {:<11} {:<13} {:<10} {}",
                    u.username,
                    u.role.as_str(),
                    u.region,
                    state,
                    u.display_name
                );
            }
        }
        UserCommand::Disable { username } => {
            let u = find(store, &username)?;
            store.set_disabled(&actor, &u, true)?;
            println!("已停用 / disabled {}", u.username);
        }
        UserCommand::Enable { username } => {
            let u = find(store, &username)?;
            store.set_disabled(&actor, &u, false)?;
            println!("已启用 / enabled {}", u.username);
        }
        UserCommand::ResetPassword { username } => {
            let u = find(store, &username)?;
            let password = shouwang_web::auth::generate_password();
            let hash = shouwang_web::hash_password(&password).map_err(anyhow::Error::msg)?;
            store.set_password(&actor, &u, &hash, true, None)?;
            println!("已重置 / reset {}", u.username);
            println!("新密码（只显示这一次，下次登录须修改）/ new password (shown once, to be changed at the next sign-in): {password}");
        }
        UserCommand::SetRole {
            username,
            role,
            region,
        } => {
            let u = find(store, &username)?;
            let Some(role) = Role::parse(&role) else {
                bail!(
                    "角色“{role}”无效 / unknown role; use one of: {}",
                    Role::ALL.map(|r| r.as_str()).join(", ")
                );
            };
            let region = crate::parse_region(&region)?;
            store
                .set_role(&actor, &u, role, &region)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "已修改 / changed {}: {} {region}",
                u.username,
                role.as_str()
            );
        }
        UserCommand::Unlock { username } => {
            let n = store.lift_login_delay(&actor, username.trim())?;
            println!("已解除登录限制 / lifted the sign-in delays of {username} ({n})");
        }
    }
    Ok(())
}
