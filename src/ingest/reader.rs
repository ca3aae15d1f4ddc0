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

/// 1-based line numbers of byte offsets into a text, asked in increasing
/// order (one pass over the text in all).
struct PhysicalLines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> PhysicalLines<'a> {
    fn new(text: &'a [u8]) -> PhysicalLines<'a> {
        PhysicalLines {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line holding byte `offset` (not before the last one asked).
    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len()).max(self.offset);
        self.line += self.text[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
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

/// Reads a whole CSV input (decoded to UTF-8 first) into records.
pub fn csv_records<R: Read>(
    mut reader: R,
    encoding: Encoding,
    name: &str,
) -> Result<Vec<LineResult>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|source| ReadError::Io {
            name: name.to_string(),
            source,
        })?;
    let text = match encoding {
        Encoding::Utf8 => String::from_utf8_lossy(&bytes).into_owned(),
        Encoding::Gb18030 => GB18030.decode_without_bom_handling(&bytes).0.into_owned(),
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| ReadError::Io {
            name: name.to_string(),
            source: std::io::Error::other(e),
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let column = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| headers.iter().position(|h| h == n))
    };
    let text_column = column(&["text", "body"]).ok_or_else(|| ReadError::CsvHeader {
        name: name.to_string(),
        found: headers.join(","),
    })?;
    let columns = [
        column(&["id"]),
        column(&["source"]),
        column(&["kind"]),
        column(&["url"]),
        column(&["title"]),
        column(&["author"]),
        column(&["published_at", "published"]),
        column(&["status"]),
        column(&["reply"]),
        column(&["reply_unit"]),
        column(&["replied_at"]),
    ];
    let mut out = Vec::new();
    // The line a record starts on, from its byte offset: the csv crate's own
    // line count skips the line breaks inside quoted fields, so every row
    // after a multi-line field was named a line too early.
    let mut lines = PhysicalLines::new(text.as_bytes());
    for record in csv.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| lines.at(p.byte() as usize));
                out.push((line, Err(format!("malformed CSV: {error}"))));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.at(p.byte() as usize));
        if record.len() != headers.len() {
            out.push((
                line,
                Err(format!(
                    "has {} fields, the header has {}: missing or extra columns",
                    record.len(),
                    headers.len()
                )),
            ));
            continue;
        }
        if record.iter().any(|f| f.contains('\u{FFFD}')) && encoding == Encoding::Utf8 {
            out.push((line, Err("invalid UTF-8 in this row".to_string())));
            continue;
        }
        let get = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let [
            id,
            source,
            kind,
            url,
            title,
            author,
            published_at,
            status,
            reply,
            reply_unit,
            replied_at,
        ] = columns;
        out.push((
            line,
            Ok(RawItem {
                id: get(id),
                source: get(source),
                kind: get(kind),
                url: get(url),
                title: get(title),
                text: get(Some(text_column)),
                author: get(author),
                published_at: get(published_at),
                status: get(status),
                reply: get(reply),
                reply_unit: get(reply_unit),
                replied_at: get(replied_at),
            }),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &[u8]) -> Vec<LineResult> {
        let sniffed = sniff(input, "t").unwrap();
        match sniffed.format {
            Format::Jsonl => {
                jsonl_records(std::io::BufReader::new(sniffed.reader), sniffed.encoding).collect()
            }
            Format::Csv => csv_records(sniffed.reader, sniffed.encoding, "t").unwrap(),
        }
    }

    #[test]
    fn jsonl_bad_lines_are_named_and_the_rest_read() {
        let input = "{\"id\":\"a\",\"text\":\"一\"}\n\n[1,2]\n{\"id\":1,\"body\":\"二\"}\n{broken\n{\"text\":{\"x\":1}}\n".as_bytes();
        let out = records(input);
        let summary: Vec<(usize, bool)> = out.iter().map(|(l, r)| (*l, r.is_ok())).collect();
        assert_eq!(
            summary,
            vec![(1, true), (3, false), (4, true), (5, false), (6, false)]
        );
        assert_eq!(
            out[1].1.as_ref().unwrap_err(),
            "expected a JSON object, found an array"
        );
        assert_eq!(out[2].1.as_ref().unwrap().id.as_deref(), Some("1"));
        assert_eq!(out[2].1.as_ref().unwrap().text.as_deref(), Some("二"));
        assert!(
            out[4]
                .1
                .as_ref()
                .unwrap_err()
                .contains("field `text` must be a string")
        );
    }

    #[test]
    fn a_runaway_line_fails_alone_without_being_held() {
        let mut input = b"{\"text\":\"one\"}\n{\"text\":\"".to_vec();
        input.resize(input.len() + MAX_LINE_BYTES + 10, b'x');
        input.extend_from_slice(b"\"}\n{\"text\":\"three\"}\n");
        let got: Vec<_> = jsonl_records(&input[..], Encoding::Utf8).collect();
        assert_eq!(got.len(), 3);
        assert!(got[0].1.is_ok());
        assert_eq!(got[1].0, 2);
        assert!(
            got[1]
                .1
                .as_ref()
                .unwrap_err()
                .contains("longer than 16 MiB")
        );
        assert_eq!(got[2].0, 3);
        assert_eq!(got[2].1.as_ref().unwrap().text.as_deref(), Some("three"));
    }

    #[test]
    fn invalid_utf8_line_fails_alone() {
        let mut input = b"{\"text\":\"\xE4\xB8\x80\"}\n".to_vec();
        input.extend_from_slice(b"{\"text\":\"\xFF\xFE\"}\n");
        input.extend_from_slice("{\"text\":\"三\"}\n{\"text\":\"四\"}\n".as_bytes());
        let out = records(&input);
        let ok: Vec<bool> = out.iter().map(|(_, r)| r.is_ok()).collect();
        assert_eq!(ok, vec![true, false, true, true]);
        assert!(out[1].1.as_ref().unwrap_err().contains("invalid UTF-8"));
    }

    #[test]
    fn gbk_csv_is_detected_and_decoded() {
        let text = "id,title,text\nc1,派出所,民警态度很差\nc2,户籍,办证来回跑\n";
        let (gbk, _, _) = GB18030.encode(text);
        let out = records(&gbk);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].0, 2);
        assert_eq!(
            out[0].1.as_ref().unwrap().text.as_deref(),
            Some("民警态度很差")
        );
    }

    #[test]
    fn csv_with_missing_columns_names_the_line() {
        let out = records("id,text,kind\na,一,post\nb,二\nc,三,news\n".as_bytes());
        let summary: Vec<(usize, bool)> = out.iter().map(|(l, r)| (*l, r.is_ok())).collect();
        assert_eq!(summary, vec![(2, true), (3, false), (4, true)]);
    }

    #[test]
    fn csv_lines_count_the_breaks_inside_quoted_fields() {
        let csv = "id,text,kind\na,\"第一行\n第二行\r\n第三行\",post\nb,二\nc,三,news\n";
        let out = records(csv.as_bytes());
        let summary: Vec<(usize, bool)> = out.iter().map(|(l, r)| (*l, r.is_ok())).collect();
        assert_eq!(summary, vec![(2, true), (5, false), (6, true)]);
    }

    #[test]
    fn csv_without_text_column_is_refused() {
        let sniffed = sniff("id,title\n1,x\n".as_bytes(), "f.csv").unwrap();
        let error = csv_records(sniffed.reader, sniffed.encoding, "f.csv")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(
                "f.csv:1: CSV header has no `text` or `body` column (found: id,title)"
            ),
            "{error}"
        );
    }

    #[test]
    fn empty_and_binary_inputs_are_refused() {
        assert!(matches!(
            sniff(" \n\n".as_bytes(), "e"),
            Err(ReadError::Empty { .. })
        ));
        assert!(matches!(
            sniff(&b"\x7fELF\x02\x01\x00\x00"[..], "b"),
            Err(ReadError::Binary { .. })
        ));
        let noise: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 254 + 1) as u8).collect();
        assert!(matches!(
            sniff(&noise[..], "n"),
            Err(ReadError::UnknownEncoding { .. })
        ));
    }
}
