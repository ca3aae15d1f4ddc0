//! The Chinese text pipeline: HTML → plain text, Unicode normalisation,
//! optional traditional → simplified, whitespace, length cap, PII redaction
//! (`normalize`, `redact`), keyed hashing of author handles (`author`), and
//! jieba segmentation with the project's dictionaries (`segment`,
//! `dictionary`). Each step is its own small module with golden tests.

pub mod author;
pub mod dates;
pub mod dictionary;
pub mod escape;
pub mod fold;
pub mod normalize;
pub mod packed;
pub mod redact;
pub mod segment;

pub use author::AuthorHasher;
pub use dictionary::{Dictionaries, DictionaryError};
pub use normalize::Normalizer;
pub use redact::{RedactionCounts, redact};
pub use segment::Segmenter;

/// Text after the whole cleaning pipeline, ready to store and index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanText {
    /// Normalised, redacted text.
    pub text: String,
    /// What the redactor replaced.
    pub redactions: RedactionCounts,
    /// True when the input was longer than the cap and was cut.
    pub truncated: bool,
}

impl Normalizer {
    /// Normalises then redacts `raw`: what every stored text goes through.
    pub fn clean(&self, raw: &str) -> CleanText {
        let normalized = self.normalize(raw);
        let (text, redactions) = redact(&normalized.text);
        CleanText {
            text,
            redactions,
            truncated: normalized.truncated,
        }
    }
}
