//! Reading import files: JSON Lines or CSV, UTF-8 or GB18030/GBK (detected),
//! one record at a time with its line number. A bad line becomes an error
//! for that line; reading goes on.

use crate::pipeline::RawItem;
use encoding_rs::GB18030;
use std::io::{BufRead, Read};
use thiserror::Error;

/// Bytes looked at to decide encoding and binary-ness.
const SNIFF_BYTES: usize = 64 * 1024;

/// Import file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object a line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

/// Text encodings recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without BOM).
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
}

/// The file as a whole cannot be read.
#[derive(Debug, Error)]
pub enum ReadError {
    /// I/O failed.
    #[error("cannot read {name}: {source}")]
    Io {
        /// File name (or `-`).
        name: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Nothing in it.
    #[error("{name} is empty: nothing to import")]
    Empty {
        /// File name.
        name: String,
    },
    /// NUL bytes: not a text file.
    #[error(
        "{name} looks like a binary file (it contains NUL bytes): expected JSON Lines or CSV text"
    )]
    Binary {
        /// File name.
        name: String,
    },
    /// Neither UTF-8 nor GB18030.
    #[error(
        "{name} is neither UTF-8 nor GBK/GB18030 text: convert it to UTF-8 (e.g. iconv -f <encoding> -t UTF-8)"
    )]
    UnknownEncoding {
        /// File name.
        name: String,
    },
    /// The CSV header lacks a text column.
    #[error(
        "{name}:1: CSV header has no `text` or `body` column (found: {found}); name the columns id,title,text,url,kind,source,author,published_at"
    )]
    CsvHeader {
        /// File name.
        name: String,
        /// The columns found.
        found: String,
    },
}

/// One record or the reason its line was rejected.
pub type LineResult = (usize, Result<RawItem, String>);

/// Reads the first bytes of `reader` to choose encoding and format.
pub struct Sniffed<R> {
    /// The bytes read so far, then the rest.
    pub reader: std::io::Chain<std::io::Cursor<Vec<u8>>, R>,
    /// Detected encoding.
    pub encoding: Encoding,
    /// Detected format (when the caller did not say).
    pub format: Format,
}

/// Looks at the start of the input: rejects empty and binary files, picks
/// UTF-8 or GB18030, and guesses JSONL (first non-blank byte `{`) or CSV.
pub fn sniff<R: Read>(mut reader: R, name: &str) -> Result<Sniffed<R>, ReadError> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut reader)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|source| ReadError::Io {
            name: name.to_string(),
            source,
        })?;
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty {
            name: name.to_string(),
        });
    }
    if head.contains(&0) {
        return Err(ReadError::Binary {
            name: name.to_string(),
        });
    }
    let encoding = detect_encoding(&head, head.len() == SNIFF_BYTES).ok_or_else(|| {
        ReadError::UnknownEncoding {
            name: name.to_string(),
        }
    })?;
    let first = head
        .iter()
        .skip(if head.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        })
        .find(|b| !b.is_ascii_whitespace());
    let format = if first == Some(&b'{') {
        Format::Jsonl
    } else {
        Format::Csv
    };
    Ok(Sniffed {
        reader: std::io::Cursor::new(head).chain(reader),
        encoding,
        format,
    })
}

/// UTF-8 when the sample is valid UTF-8 (allowing a character cut at the end
/// of a partial sample); else GB18030 when it decodes without errors and has
/// Chinese text; else `None`. A few bad UTF-8 lines in a UTF-8 file are not
/// misread as GBK: they make their own lines fail.
fn detect_encoding(sample: &[u8], partial: bool) -> Option<Encoding> {
    match std::str::from_utf8(sample) {
        Ok(_) => return Some(Encoding::Utf8),
        Err(error) if partial && error.error_len().is_none() => return Some(Encoding::Utf8),
        Err(_) => {}
    }
    let (decoded, had_errors) = GB18030.decode_without_bom_handling(sample);
    let cjk = decoded
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count();
    if !had_errors && cjk > 0 {
        return Some(Encoding::Gb18030);
    }
    let invalid_lines = sample
        .split(|&b| b == b'\n')
        .filter(|l| std::str::from_utf8(l).is_err())
        .count();
    let lines = sample.split(|&b| b == b'\n').count();
    // Mostly UTF-8 with a few broken lines: read as UTF-8, report those lines.
    (invalid_lines * 2 < lines).then_some(Encoding::Utf8)
}

fn decode_line(bytes: &[u8], encoding: Encoding) -> Result<String, String> {
    match encoding {
        Encoding::Utf8 => String::from_utf8(bytes.to_vec()).map_err(|e| {
            format!(
                "invalid UTF-8 at byte {} of the line",
                e.utf8_error().valid_up_to()
            )
        }),
        Encoding::Gb18030 => {
            let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                Err("bytes that are not valid GB18030".to_string())
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

/// Longest JSON Lines line read; a longer one is rejected (and skipped to
/// its end without being held in memory), so one runaway line in an export
/// cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Iterates the records of a JSON Lines input. Blank lines are skipped; a
/// line over [`MAX_LINE_BYTES`] is an error for that line.
pub fn jsonl_records<R: BufRead>(
    mut reader: R,
    encoding: Encoding,
) -> impl Iterator<Item = LineResult> {
    let mut line_number = 0usize;
    let mut buffer = Vec::new();
    std::iter::from_fn(move || {
        loop {
            buffer.clear();
            let limit = MAX_LINE_BYTES as u64 + 1;
            match (&mut reader).take(limit).read_until(b'\n', &mut buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(error) => {
                    line_number += 1;
                    return Some((line_number, Err(format!("read error: {error}"))));
                }
            }
            line_number += 1;
            if buffer.len() > MAX_LINE_BYTES && buffer.last() != Some(&b'\n') {
                buffer.clear();
                if let Err(error) = reader.skip_until(b'\n') {
                    return Some((line_number, Err(format!("read error: {error}"))));
                }
                let error = format!(
                    "line longer than {} MiB: skipped; split the record or shorten its text",
                    MAX_LINE_BYTES >> 20
                );
                return Some((line_number, Err(error)));
            }
            let bytes = strip_bom(line_number, trim_newline(&buffer));
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let record = decode_line(bytes, encoding).and_then(|line| parse_json_record(&line));
            return Some((line_number, record));
        }
    })
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn strip_bom(line_number: usize, line: &[u8]) -> &[u8] {
    if line_number == 1 {
        line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
    } else {
        line
    }
}

/// Parses one JSON object into a record; strings and numbers are accepted
/// for every field.
pub fn parse_json_record(line: &str) -> Result<RawItem, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let serde_json::Value::Object(object) = value else {
        return Err(format!(
            "expected a JSON object, found {}",
            json_type(&value)
        ));
    };
    let field = |names: &[&str]| -> Result<Option<String>, String> {
        for name in names {
            match object.get(*name) {
                None | Some(serde_json::Value::Null) => continue,
                Some(serde_json::Value::String(s)) => return Ok(Some(s.clone())),
                Some(serde_json::Value::Number(n)) => return Ok(Some(n.to_string())),
                Some(other) => {
                    return Err(format!(
                        "field `{name}` must be a string, found {}",
                        json_type(other)
                    ));
                }
            }
        }
        Ok(None)
    };
    Ok(RawItem {
        id: field(&["id"])?,
        source: field(&["source"])?,
        kind: field(&["kind"])?,
        url: field(&["url"])?,
        title: field(&["title"])?,
        text: field(&["text", "body"])?,
        author: field(&["author"])?,
        published_at: field(&["published_at", "published"])?,
        status: field(&["status"])?,
        reply: field(&["reply"])?,
        reply_unit: field(&["reply_unit"])?,
        replied_at: field(&["replied_at"])?,
    })
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

mod csv_stream;
pub use csv_stream::{CsvRecords, MAX_FIELDS, MAX_RECORD_BYTES, csv_records};

#[cfg(test)]
mod tests;
