//! What keeps the public self-report page (`/report`) usable by households and useless to
//! scripts, without any outside service and without JavaScript:
//!
//! - a **challenge**: a small sum in words ("3 加 4 等于几？") and a hidden token, a keyed
//!   BLAKE2 MAC of the answer, an expiry and a nonce under the server's secret. The server keeps
//!   nothing until the answer comes back; then the MAC must match the answer given, the expiry
//!   must not have passed (30 minutes), and the nonce must not have been used before (kept in
//!   memory until it expires). The same token is the form's anti-forgery token: the public
//!   forms carry no session's authority (their handlers never read the session), so the
//!   session CSRF check is skipped for exactly `/report` and `/report/status`
//!   ([`csrf_exempt`]), and a forged cross-site post would still need a fresh token from this
//!   site and its answer;
//! - the sender's **address key**: a keyed BLAKE2 hash of the client's IP under the same
//!   secret, the only thing stored of the address, by which the store counts the limits;
//! - the **status page's limiter**: failed look-ups per address key, in memory, like the
//!   sign-in throttle.

use blake2::digest::{KeyInit, Mac};
use blake2::Blake2sMac256;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a challenge may be answered, in seconds.
pub const CHALLENGE_SECONDS: i64 = 30 * 60;
/// Failed status look-ups from one address before it must wait, and the window they count in.
pub const STATUS_FAILURES: usize = 10;
pub const STATUS_WINDOW: i64 = 15 * 60;

/// The routes whose posts skip the session's CSRF check (see the module's docs).
pub fn csrf_exempt(path: &str) -> bool {
    path == "/report" || path == "/report/status"
}

/// The server's secret for the challenge and the address keys: 32 bytes, never printed.
#[derive(Clone)]
pub struct ReportSecret(pub [u8; 32]);

impl ReportSecret {
    /// A new random secret (the default: a process of its own; `serve` keeps one in a file of
    /// the installation so that restarts keep the limits and the challenges).
    pub fn random() -> ReportSecret {
        let mut b = [0u8; 32];
        if getrandom::fill(&mut b).is_err() {
            panic!("no system random source");
        }
        ReportSecret(b)
    }

    fn mac(&self, parts: &[&str]) -> String {
        // a key of 32 bytes is always accepted
        let mut m = <Blake2sMac256 as KeyInit>::new_from_slice(&self.0).expect("32-byte key");
        for p in parts {
            m.update(p.as_bytes());
            m.update(&[0x1f]);
        }
        m.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The key the limits count a client address by.
    pub fn address_key(&self, address: &str) -> String {
        self.mac(&["address", address])[..32].to_string()
    }
}

impl std::fmt::Debug for ReportSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReportSecret(…)")
    }
}

/// A question to ask and the token that goes with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub zh: String,
    pub en: String,
    pub token: String,
}

/// Why an answer was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeError {
    Wrong,
    Expired,
    Used,
}

/// The challenge's memory (nonces used) and the status page's failures.
#[derive(Default)]
pub struct Guard {
    used: Mutex<HashMap<String, i64>>,
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        panic!("no system random source");
    }
    u64::from_le_bytes(b)
}

impl Guard {
    /// A new question: the sum or difference of two numbers below ten.
    pub fn challenge(&self, secret: &ReportSecret, now: i64) -> Challenge {
        let r = random_u64();
        let a = (r % 9 + 1) as i64;
        let b = ((r >> 8) % 9 + 1) as i64;
        let (zh, en, answer) = if (r >> 16).is_multiple_of(2) || a == b {
            (
                format!("{a} 加 {b} 等于几？"),
                format!("What is {a} plus {b}?"),
                a + b,
            )
        } else {
            let (x, y) = if a > b { (a, b) } else { (b, a) };
            (
                format!("{x} 减 {y} 等于几？"),
                format!("What is {x} minus {y}?"),
                x - y,
            )
        };
        let expiry = now + CHALLENGE_SECONDS;
        let nonce = format!("{:016x}", random_u64());
        let mac = secret.mac(&[
            "challenge",
            &answer.to_string(),
            &expiry.to_string(),
            &nonce,
        ]);
        Challenge {
            zh,
            en,
            token: format!("{expiry}.{nonce}.{mac}"),
        }
    }

    /// Checks an answer against its token, and spends the token when it is right.
    pub fn answer(
        &self,
        secret: &ReportSecret,
        token: &str,
        answer: &str,
        now: i64,
    ) -> Result<(), ChallengeError> {
        let mut parts = token.trim().splitn(3, '.');
        let (Some(expiry), Some(nonce), Some(mac)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(ChallengeError::Wrong);
        };
        let Ok(expiry_at) = expiry.parse::<i64>() else {
            return Err(ChallengeError::Wrong);
        };
        let given: String = answer
            .trim()
            .chars()
            .map(|c| match c {
                // full-width digits typed on a Chinese keyboard
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                c => c,
            })
            .collect();
        let Ok(n) = given.parse::<i64>() else {
            return Err(ChallengeError::Wrong);
        };
        let expected = secret.mac(&["challenge", &n.to_string(), expiry, nonce]);
        if !crate::auth::constant_time_eq(&expected, mac) {
            return Err(ChallengeError::Wrong);
        }
        if expiry_at < now {
            return Err(ChallengeError::Expired);
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.retain(|_, until| *until >= now);
        if used.insert(nonce.to_string(), expiry_at).is_some() {
            return Err(ChallengeError::Used);
        }
        Ok(())
    }

    /// Whether the address must wait before another status look-up: the moment it may try
    /// again.
    pub fn status_blocked(&self, key: &str, now: i64) -> Option<i64> {
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let times = f.get_mut(key)?;
        times.retain(|t| *t > now - STATUS_WINDOW);
        (times.len() >= STATUS_FAILURES)
            .then(|| times[times.len() - STATUS_FAILURES] + STATUS_WINDOW)
    }

    /// Counts a failed status look-up of the address.
    pub fn status_failed(&self, key: &str, now: i64) {
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if f.len() > 100_000 {
            f.retain(|_, times| times.iter().any(|t| *t > now - STATUS_WINDOW));
        }
        f.entry(key.to_string()).or_default().push(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer_of(c: &Challenge) -> i64 {
        let n: Vec<i64> = c.zh.split(' ').filter_map(|w| w.parse().ok()).collect();
        if c.zh.contains('加') {
            n[0] + n[1]
        } else {
            n[0] - n[1]
        }
    }

    #[test]
    fn an_answer_counts_once_before_it_expires() {
        let secret = ReportSecret::random();
        let g = Guard::default();
        let c = g.challenge(&secret, 1000);
        let right = answer_of(&c).to_string();
        let wrong = (answer_of(&c) + 1).to_string();
        assert_eq!(
            g.answer(&secret, &c.token, &wrong, 1001),
            Err(ChallengeError::Wrong)
        );
        assert_eq!(
            g.answer(&secret, &c.token, "", 1001),
            Err(ChallengeError::Wrong)
        );
        assert_eq!(
            g.answer(&secret, "1.2", &right, 1001),
            Err(ChallengeError::Wrong)
        );
        let late = 1000 + CHALLENGE_SECONDS + 1;
        assert_eq!(
            g.answer(&secret, &c.token, &right, late),
            Err(ChallengeError::Expired)
        );
        assert_eq!(g.answer(&secret, &c.token, &right, 1001), Ok(()));
        assert_eq!(
            g.answer(&secret, &c.token, &right, 1002),
            Err(ChallengeError::Used)
        );
        // another server's secret does not know the token
        let c = g.challenge(&secret, 1000);
        let other = ReportSecret::random();
        assert_eq!(
            g.answer(&other, &c.token, &answer_of(&c).to_string(), 1001),
            Err(ChallengeError::Wrong)
        );
    }

    #[test]
    fn address_keys_hide_the_address() {
        let s = ReportSecret::random();
        let k = s.address_key("203.0.113.9");
        assert_eq!(k.len(), 32);
        assert!(!k.contains("203"));
        assert_eq!(k, s.address_key("203.0.113.9"));
        assert_ne!(k, s.address_key("203.0.113.10"));
    }

    #[test]
    fn the_status_limiter_waits_after_ten_failures() {
        let g = Guard::default();
        for i in 0..9 {
            g.status_failed("a", 100 + i);
        }
        assert_eq!(g.status_blocked("a", 120), None);
        g.status_failed("a", 120);
        assert_eq!(g.status_blocked("a", 121), Some(100 + STATUS_WINDOW));
        assert_eq!(g.status_blocked("b", 121), None);
        assert_eq!(g.status_blocked("a", 100 + STATUS_WINDOW + 1), None);
    }
}
