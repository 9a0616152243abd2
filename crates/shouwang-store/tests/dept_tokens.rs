//! The department API tokens as stored, on every configured backend: a token is kept by its
//! SHA-256 and hint only, found again by the token, listed per county, refused without a name
//! or outside the county (nothing written), revoked once with its audit event (a second revoke
//! changes nothing), and another county's token is not found.

use shouwang_core::department::DeptKind;
use shouwang_core::{ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::dept_tokens::{hash, NewToken};
use shouwang_store::testing::TestDb;
use shouwang_store::StoreError;

const TAOHONG: &str = "510821108212";
const TOKEN: &str = "swd_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn code(c: &str) -> RegionCode {
    RegionCode::parse(c).unwrap()
}

#[test]
fn a_token_is_stored_by_its_hash_found_listed_and_revoked_once() {
    for db in TestDb::all() {
        let name = db.name.to_string();
        let st = &db.store;
        let actor = Actor::system("test");
        let county = code("510821");
        let village = code(TAOHONG);
        let made = st
            .create_dept_token(
                &actor,
                &NewToken {
                    county: &county,
                    region: &village,
                    kind: DeptKind::Medical,
                    name: " 县医保局 ",
                    token: TOKEN,
                },
            )
            .unwrap();
        assert_eq!(made.name, "县医保局", "{name}");
        assert_eq!(made.hint, "swd_0123", "{name}");
        assert_eq!(made.region, village, "{name}");
        assert!(!made.revoked && made.last_used_at.is_none(), "{name}");
        assert_eq!(
            db.count_rows(&format!("dept_tokens WHERE token_hash = '{}'", hash(TOKEN))),
            1,
            "{name}"
        );
        assert_eq!(
            db.count_rows(&format!(
                "dept_tokens WHERE token_hash LIKE '%{}%'",
                &TOKEN[4..]
            )),
            0,
            "{name}: the token itself is not stored"
        );
        assert_eq!(
            db.count_rows(&format!(
                "audit_events WHERE action = 'dept.token.create' AND after NOT LIKE '%{}%'",
                &TOKEN[8..]
            )),
            1,
            "{name}: audited without the token"
        );
        // found by the token, its use noted; an unknown token is nobody's
        let found = st.authenticate_dept_token(TOKEN).unwrap().unwrap();
        assert_eq!(found.id, made.id, "{name}");
        assert!(found.last_used_at.is_some(), "{name}");
        assert_eq!(
            st.dept_token(&county, made.id)
                .unwrap()
                .unwrap()
                .last_used_at,
            found.last_used_at,
            "{name}"
        );
        assert!(st.authenticate_dept_token("swd_nope").unwrap().is_none());
        assert_eq!(st.dept_tokens(&county).unwrap().len(), 1, "{name}");
        assert!(st.dept_tokens(&code("510822")).unwrap().is_empty());
        // refusals write nothing
        for (county_, region, token_name) in [
            (&county, &village, "  "),
            (&county, &code("510822001001"), "x"),
            (&code("510821108"), &village, "x"),
        ] {
            let e = st
                .create_dept_token(
                    &actor,
                    &NewToken {
                        county: county_,
                        region,
                        kind: DeptKind::Housing,
                        name: token_name,
                        token: "swd_another_token_of_enough_length_000000000000",
                    },
                )
                .unwrap_err();
            match e {
                StoreError::Invalid(p) => assert_eq!(p[0].code, ProblemCode::Invalid, "{name}"),
                e => panic!("{name}: {e}"),
            }
        }
        assert_eq!(db.count_rows("dept_tokens"), 1, "{name}");
        // another county cannot revoke it; its own revokes it once
        assert!(matches!(
            st.revoke_dept_token(&actor, &code("510822"), made.id),
            Err(StoreError::NotFound)
        ));
        let revoked = st.revoke_dept_token(&actor, &county, made.id).unwrap();
        assert!(revoked.revoked && revoked.revoked_by.is_some(), "{name}");
        let again = st.revoke_dept_token(&actor, &county, made.id).unwrap();
        assert_eq!(again.revoked_at, revoked.revoked_at, "{name}");
        assert_eq!(
            db.count_rows("audit_events WHERE action = 'dept.token.revoke'"),
            1,
            "{name}"
        );
        let found = st.authenticate_dept_token(TOKEN).unwrap().unwrap();
        assert!(found.revoked, "{name}: a revoked token comes back revoked");
    }
}
