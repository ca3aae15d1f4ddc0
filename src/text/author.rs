//! Author handles are personal data: yuqing keeps only a keyed hash
//! (HMAC-SHA256) so that items by the same author can be grouped without the
//! handle ever being stored, indexed or logged. The key comes from an
//! environment variable or is generated once into the data directory.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// File in the data directory that holds the generated key (hex).
pub const AUTHOR_KEY_FILE: &str = "author.key";
/// Hex characters of the hash kept (128 bits: collisions are not a concern
/// for grouping, and shorter ids are kinder to the index).
const HASH_HEX_LEN: usize = 32;

/// The author key could not be read or created.
#[derive(Debug, Error)]
pub enum AuthorKeyError {
    /// The key file exists but cannot be read or is not usable.
    #[error("cannot read author key {path}: {reason}")]
    Read {
        /// The key file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The key file could not be written.
    #[error("cannot create author key {path}: {source}")]
    Write {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The environment variable holds too short a key.
    #[error("environment variable {var} holds a key of {len} bytes: use at least 16")]
    TooShort {
        /// Variable name.
        var: String,
        /// Its length.
        len: usize,
    },
}

/// Computes keyed hashes of author handles.
#[derive(Clone)]
pub struct AuthorHasher {
    key: Vec<u8>,
}

impl fmt::Debug for AuthorHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorHasher { key: <redacted> }")
    }
}

impl AuthorHasher {
    /// A hasher with an explicit key.
    pub fn with_key(key: impl Into<Vec<u8>>) -> AuthorHasher {
        AuthorHasher { key: key.into() }
    }

    /// The key from environment variable `env_var` when set, otherwise the
    /// key in `data_dir/author.key`, created (random, mode 0600) if absent.
    pub fn from_env_or_data_dir(env_var: &str, data_dir: &Path) -> Result<Self, AuthorKeyError> {
        if let Some(value) = std::env::var_os(env_var).filter(|v| !v.is_empty()) {
            let key = value.to_string_lossy().into_owned().into_bytes();
            if key.len() < 16 {
                return Err(AuthorKeyError::TooShort {
                    var: env_var.to_string(),
                    len: key.len(),
                });
            }
            return Ok(AuthorHasher { key });
        }
        let path = data_dir.join(AUTHOR_KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let key = hex::decode(text.trim()).map_err(|e| AuthorKeyError::Read {
                    path: path.clone(),
                    reason: format!("not hex: {e}"),
                })?;
                if key.len() < 16 {
                    return Err(AuthorKeyError::Read {
                        path,
                        reason: "key shorter than 16 bytes".into(),
                    });
                }
                Ok(AuthorHasher { key })
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut key = vec![0u8; 32];
                rand::rng().fill_bytes(&mut key);
                write_private(&path, hex::encode(&key).as_bytes())
                    .map_err(|source| AuthorKeyError::Write { path, source })?;
                Ok(AuthorHasher { key })
            }
            Err(error) => Err(AuthorKeyError::Read {
                path,
                reason: error.to_string(),
            }),
        }
    }

    /// The keyed hash of a handle (trimmed; case kept, handles are case-sensitive
    /// on most platforms). `None` for an empty handle.
    pub fn hash(&self, handle: &str) -> Option<String> {
        let handle = handle.trim();
        if handle.is_empty() {
            return None;
        }
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("hmac accepts keys of any length");
        mac.update(handle.as_bytes());
        let mut hex = hex::encode(mac.finalize().into_bytes());
        hex.truncate(HASH_HEX_LEN);
        Some(hex)
    }
}

/// Writes a new file readable only by its owner, without replacing an existing one.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_handle_same_hash_different_key_different_hash() {
        let a = AuthorHasher::with_key(b"0123456789abcdef".to_vec());
        let b = AuthorHasher::with_key(b"fedcba9876543210".to_vec());
        let h = a.hash("城西小王").unwrap();
        assert_eq!(h.len(), HASH_HEX_LEN);
        assert_eq!(a.hash(" 城西小王 ").unwrap(), h);
        assert_ne!(b.hash("城西小王").unwrap(), h);
        assert_ne!(a.hash("城西小李").unwrap(), h);
        assert!(!h.contains("城西"));
        assert_eq!(a.hash("  "), None);
    }

    #[test]
    fn generated_key_is_reused_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let var = "YUQING_TEST_AUTHOR_KEY_UNSET";
        let first = AuthorHasher::from_env_or_data_dir(var, dir.path()).unwrap();
        let second = AuthorHasher::from_env_or_data_dir(var, dir.path()).unwrap();
        assert_eq!(first.hash("x"), second.hash("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(AUTHOR_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{first:?}").contains(&hex::encode(&first.key)));
    }
}
