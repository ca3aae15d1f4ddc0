//! Local accounts for the web UI and API: users with a role and an argon2
//! password hash, sessions (only a SHA-256 of the token is stored, so a
//! copy of the database opens no session), and login failures for
//! throttling. The rules — who may do what — are the web layer's.

use super::{QueryContext, Store, StoreError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use rand::RngCore;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Search and read.
    Analyst,
    /// + case actions.
    Reviewer,
    /// + users and sources.
    Admin,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "analyst" => Ok(Role::Analyst),
            "reviewer" => Ok(Role::Reviewer),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role `{other}`: use analyst, reviewer or admin"
            )),
        }
    }
}

/// A user, as the web layer sees one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// A session found by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose.
    pub user: User,
    /// The CSRF token every state-changing request must carry.
    pub csrf: String,
    /// When it ends (RFC 3339).
    pub expires_at: String,
}

/// Least length of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any password")
        .to_string()
}

/// True when `password` matches the PHC `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that an
/// unknown name costs the same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("no such user: constant-time decoy"));
    &DUMMY
}

impl Store {
    /// Adds a user or replaces its role and password; returns true when new.
    pub fn put_user(&mut self, name: &str, role: Role, password: &str) -> Result<bool, StoreError> {
        let existed = self.user(name)?.is_some();
        self.conn
            .execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash",
                params![name, role.as_str(), hash_password(password), Utc::now().to_rfc3339()],
            )
            .during("saving a user")?;
        // A new password ends the user's sessions.
        self.conn
            .execute("DELETE FROM sessions WHERE user_name = ?1", params![name])
            .during("ending a user's sessions")?;
        Ok(!existed)
    }

    /// Removes a user and ends its sessions; returns the role it had (`None`
    /// when there was no such user). Cases keep the name they were
    /// assigned to: they are the office's record.
    pub fn remove_user(&mut self, name: &str) -> Result<Option<Role>, StoreError> {
        let Some((user, _)) = self.user(name)? else {
            return Ok(None);
        };
        let tx = self.conn.transaction().during("starting a user removal")?;
        tx.execute("DELETE FROM sessions WHERE user_name = ?1", params![name])
            .during("ending a user's sessions")?;
        tx.execute("DELETE FROM users WHERE name = ?1", params![name])
            .during("removing a user")?;
        tx.commit().during("removing a user")?;
        Ok(Some(user.role))
    }

    /// A user and its password hash.
    pub fn user(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT role, password_hash FROM users WHERE name = ?1",
                params![name],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()
            .during("reading a user")
            .map(|found| {
                found.and_then(|(role, hash)| {
                    Some((
                        User {
                            name: name.to_string(),
                            role: role.parse().ok()?,
                        },
                        hash,
                    ))
                })
            })
    }

    /// All users, by name.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT name, role FROM users ORDER BY name")
            .during("preparing the user list")?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .during("listing users")?;
        let mut users = Vec::new();
        for row in rows {
            let (name, role) = row.during("listing users")?;
            if let Ok(role) = role.parse() {
                users.push(User { name, role });
            }
        }
        Ok(users)
    }

    /// Starts a session for `user`, lasting `hours`; returns the token for
    /// the cookie (only its hash is stored).
    pub fn create_session(&mut self, user: &str, hours: i64) -> Result<String, StoreError> {
        let token = random_token();
        let now = Utc::now();
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, user_name, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    token_hash(&token),
                    user,
                    random_token(),
                    now.to_rfc3339(),
                    (now + chrono::Duration::hours(hours)).to_rfc3339()
                ],
            )
            .during("starting a session")?;
        Ok(token)
    }

    /// The live session of a cookie token.
    pub fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Session>, StoreError> {
        let found: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT user_name, csrf, expires_at FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
                params![token_hash(token), now.to_rfc3339()],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .during("reading a session")?;
        let Some((name, csrf, expires_at)) = found else {
            return Ok(None);
        };
        Ok(self.user(&name)?.map(|(user, _)| Session {
            user,
            csrf,
            expires_at,
        }))
    }

    /// Ends a session (logout).
    pub fn end_session(&mut self, token: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                params![token_hash(token)],
            )
            .during("ending a session")?;
        Ok(())
    }

    /// Records a failed login for `name` (known or not).
    pub fn login_failed(&mut self, name: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO login_failures (user_name, at) VALUES (?1, ?2)",
                params![name, now.to_rfc3339()],
            )
            .during("recording a failed login")?;
        self.conn
            .execute(
                "DELETE FROM login_failures WHERE at < ?1",
                params![(now - chrono::Duration::hours(24)).to_rfc3339()],
            )
            .during("forgetting old failed logins")?;
        Ok(())
    }

    /// Failed logins for `name` since `since`, and the oldest of them.
    pub fn login_failures(
        &self,
        name: &str,
        since: DateTime<Utc>,
    ) -> Result<(u32, Option<String>), StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*), MIN(at) FROM login_failures WHERE user_name = ?1 AND at >= ?2",
                params![name, since.to_rfc3339()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .during("counting failed logins")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_sessions_and_failures() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        assert!(
            store
                .put_user("li", Role::Reviewer, "correct horse battery")
                .unwrap()
        );
        let (user, hash) = store.user("li").unwrap().unwrap();
        assert_eq!(user.role, Role::Reviewer);
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "wrong"));
        assert!(!verify_password(dummy_hash(), "anything"));

        let token = store.create_session("li", 8).unwrap();
        let now = Utc::now();
        let session = store.session(&token, now).unwrap().unwrap();
        assert_eq!(session.user.name, "li");
        assert_eq!(session.csrf.len(), 64);
        assert!(store.session("forged", now).unwrap().is_none());
        assert!(
            store
                .session(&token, now + chrono::Duration::hours(9))
                .unwrap()
                .is_none(),
            "expired"
        );
        let stored: String = store
            .conn
            .query_row("SELECT token_hash FROM sessions", [], |row| row.get(0))
            .unwrap();
        assert_ne!(stored, token, "only a hash of the token is stored");
        store.end_session(&token).unwrap();
        assert!(store.session(&token, now).unwrap().is_none(), "logged out");

        let other = store.create_session("li", 8).unwrap();
        store
            .put_user("li", Role::Admin, "another long one")
            .unwrap();
        assert!(
            store.session(&other, now).unwrap().is_none(),
            "a new password ends sessions"
        );

        for _ in 0..3 {
            store.login_failed("li", now).unwrap();
        }
        store.login_failed("nobody", now).unwrap();
        let (failures, _) = store
            .login_failures("li", now - chrono::Duration::hours(1))
            .unwrap();
        assert_eq!(failures, 3);
    }
}
