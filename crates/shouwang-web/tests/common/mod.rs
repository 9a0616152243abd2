//! What the web test suites share: the two villages of the scope tests, signed-in users, and
//! running store calls off the async thread.
#![allow(dead_code)] // each test crate uses its own part

use shouwang_core::{Date, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_store::Store;
use shouwang_web::auth::token_hash;
use shouwang_web::hash_password;

/// 三江镇桃红村: the village cadre's own village.
pub const TAOHONG: &str = "510821108212";
/// 龙凤镇龙凤村: a village outside the cadre's region.
pub const LONGFENG: &str = "510821115200";
pub const CSRF: &str = "test-csrf-token";

pub fn today() -> Date {
    Date::from_unix_seconds_china(shouwang_store::now())
}

/// PostgreSQL's sync client must not run (or be dropped) on an async thread.
pub fn outside<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// The two townships and villages the scope tests need, on top of the county.
pub fn with_two_villages(db: TestDb) -> TestDb {
    db.with_regions(&[
        ("510821108", "三江镇"),
        (TAOHONG, "桃红村村民委员会"),
        ("510821115", "龙凤镇"),
        (LONGFENG, "龙凤村村民委员会"),
    ])
}

/// Adds the users, each signed in with the session cookie `token-{name}` and [`CSRF`]; returns
/// their ids in the same order.
pub fn signed_in_users(store: &Store, users: &[(&str, Role, &str)]) -> Vec<i64> {
    let hash = hash_password("correct horse").unwrap();
    users
        .iter()
        .map(|&(name, role, region)| {
            let region = RegionCode::parse(region).unwrap();
            let id = store
                .add_user(
                    &Actor::system("test"),
                    NewUser {
                        username: name,
                        display_name: name,
                        password_hash: &hash,
                        role,
                        region: &region,
                        must_change_password: false,
                    },
                )
                .unwrap();
            let user = store.user_by_name(name).unwrap().unwrap();
            store
                .login_succeeded(&user, &token_hash(&format!("token-{name}")), CSRF)
                .unwrap();
            id
        })
        .collect()
}
