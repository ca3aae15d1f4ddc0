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

/// Decodes a byte stream to UTF-8 as it is read, a buffer at a time: no
/// more than [`DECODE_BUFFER`] bytes of input and of output are held. Bytes
/// that do not decode become U+FFFD (as a whole-file lossy decode would);
/// a leading byte order mark (UTF-8's, or GB18030's `84 31 95 33`) is
/// dropped. The encoding is the one [`sniff`] chose: no BOM sniffing here
/// may override it. (A few lines over `encoding_rs` rather than the
/// `encoding_rs_io` crate: one dependency fewer, and the exact decoding the
/// whole-file read did.)
struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Box<[u8]>,
    input_start: usize,
    input_end: usize,
    input_done: bool,
    finished: bool,
    output: Box<[u8]>,
    output_start: usize,
    output_end: usize,
    bom_checked: bool,
}

/// Size of each of [`Decoding`]'s two buffers.
const DECODE_BUFFER: usize = 64 * 1024;

impl<R: Read> Decoding<R> {
    fn new(inner: R, encoding: Encoding) -> Decoding<R> {
        let encoding = match encoding {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Gb18030 => GB18030,
        };
        Decoding {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; DECODE_BUFFER].into_boxed_slice(),
            input_start: 0,
            input_end: 0,
            input_done: false,
            finished: false,
            output: vec![0; DECODE_BUFFER].into_boxed_slice(),
            output_start: 0,
            output_end: 0,
            bom_checked: false,
        }
    }

    /// Refills the (consumed) output buffer; it stays empty only at the end.
    fn decode_more(&mut self) -> std::io::Result<()> {
        self.output_start = 0;
        self.output_end = 0;
        // At the start, enough output to see a whole BOM (3 bytes in UTF-8).
        while (self.output_end == 0 || (!self.bom_checked && self.output_end < 3)) && !self.finished
        {
            if self.input_start == self.input_end && !self.input_done {
                self.input_start = 0;
                self.input_end = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(error) => return Err(error),
                    }
                };
                self.input_done = self.input_end == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.input_start..self.input_end],
                &mut self.output[self.output_end..],
                self.input_done,
            );
            self.input_start += read;
            self.output_end += written;
            if self.input_done && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        if !self.bom_checked {
            self.bom_checked = true;
            if self.output[..self.output_end].starts_with("\u{FEFF}".as_bytes()) {
                self.output_start = 3;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Decoding<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.output_start == self.output_end && !self.finished {
            self.decode_more()?;
        }
        Ok(&self.output[self.output_start..self.output_end])
    }

    fn consume(&mut self, amount: usize) {
        self.output_start = (self.output_start + amount).min(self.output_end);
    }
}

/// Largest CSV record read (its fields' bytes, decoded); a larger one is
/// rejected and skipped to its end without being held in memory, as a
/// JSON Lines line over [`MAX_LINE_BYTES`] is.
pub const MAX_RECORD_BYTES: usize = MAX_LINE_BYTES;

/// Most fields in one CSV record (a row of 16 MiB of commas would otherwise
/// hold millions of field ends); a record with more is rejected.
pub const MAX_FIELDS: usize = 1 << 16;

/// The records of a CSV input, read one at a time (see [`csv_records`]).
pub struct CsvRecords<R> {
    input: Decoding<R>,
    parser: csv_core::Reader,
    encoding: Encoding,
    header_len: usize,
    text_column: usize,
    /// Columns of id, source, kind, url, title, author, published_at,
    /// status, reply, reply_unit, replied_at.
    columns: [Option<usize>; 11],
    fields: Vec<u8>,
    ends: Vec<usize>,
    done: bool,
}

impl<R> std::fmt::Debug for CsvRecords<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvRecords")
            .field("encoding", &self.encoding)
            .field("header_len", &self.header_len)
            .field("line", &self.parser.line())
            .finish_non_exhaustive()
    }
}

/// How reading one raw CSV record ended.
enum RawRecord {
    /// A record of this many fields is in `fields`/`ends`.
    Fields(usize),
    /// The record was over [`MAX_RECORD_BYTES`] or [`MAX_FIELDS`]: skipped.
    TooLarge,
    /// No more records.
    End,
}

impl<R: Read> CsvRecords<R> {
    /// Reads the next record into `fields`/`ends`, with the line it starts
    /// on.
    ///
    /// `csv::Reader` would hold a whole record, however long, before handing
    /// it over, and a reader under it that failed past a cap would end its
    /// reading for good (it stops at the first I/O error). So records are
    /// parsed here with `csv_core` (the csv crate's own parser, same
    /// defaults): its output buffer is ours, grown up to the cap; past it
    /// the rest of the record is parsed into the same buffer, overwritten,
    /// until the record ends, and reading goes on with the next record.
    fn read_raw(&mut self) -> (usize, std::io::Result<RawRecord>) {
        // Line breaks before a record are no part of it: the parser skips
        // blank lines, and the \n of the \r\n that ended the record before,
        // only once it reads on, so a record would be named by the line
        // before its own (every record of a Windows export, and the header's
        // line for the first). Stepped over here (the parser skips them
        // anyway), counted.
        loop {
            let input = match self.input.fill_buf() {
                Ok(input) => input,
                Err(error) => return (self.parser.line() as usize, Err(error)),
            };
            let skip = input
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            if skip == 0 {
                break;
            }
            let breaks = input[..skip].iter().filter(|&&b| b == b'\n').count();
            self.input.consume(skip);
            self.parser.set_line(self.parser.line() + breaks as u64);
        }
        // The line the record starts on, counting every line break before
        // it, those inside quoted fields included.
        let line = self.parser.line() as usize;
        let (mut out, mut ends) = (0, 0);
        let mut too_large = false;
        loop {
            let input = match self.input.fill_buf() {
                Ok(input) => input,
                Err(error) => return (line, Err(error)),
            };
            let (result, read, written, ended) =
                self.parser
                    .read_record(input, &mut self.fields[out..], &mut self.ends[ends..]);
            self.input.consume(read);
            out += written;
            ends += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    if too_large || self.fields.len() >= MAX_RECORD_BYTES {
                        too_large = true;
                        out = 0;
                    } else {
                        let len = (self.fields.len() * 2).min(MAX_RECORD_BYTES);
                        self.fields.resize(len, 0);
                    }
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if too_large || self.ends.len() >= MAX_FIELDS {
                        too_large = true;
                        ends = 0;
                    } else {
                        let len = (self.ends.len() * 2).min(MAX_FIELDS);
                        self.ends.resize(len, 0);
                    }
                }
                csv_core::ReadRecordResult::Record if too_large => {
                    return (line, Ok(RawRecord::TooLarge));
                }
                csv_core::ReadRecordResult::Record => return (line, Ok(RawRecord::Fields(ends))),
                csv_core::ReadRecordResult::End => return (line, Ok(RawRecord::End)),
            }
        }
    }

    /// Field `index` of the record just read (of `count` fields).
    fn field(&self, index: usize) -> &[u8] {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.fields[start..self.ends[index]]
    }

    /// The fields of the record just read as text.
    fn texts(&self, count: usize) -> Result<Vec<&str>, String> {
        (0..count)
            .map(|i| {
                // The input was decoded to UTF-8 and fields end at ASCII
                // bytes: this fails only if that promise is broken.
                std::str::from_utf8(self.field(i))
                    .map_err(|_| format!("invalid UTF-8 in field {}", i + 1))
            })
            .collect()
    }

    fn item(&self, count: usize) -> Result<RawItem, String> {
        if count != self.header_len {
            return Err(format!(
                "has {} fields, the header has {}: missing or extra columns",
                count, self.header_len
            ));
        }
        let record = self.texts(count)?;
        if record.iter().any(|f| f.contains('\u{FFFD}')) && self.encoding == Encoding::Utf8 {
            return Err("invalid UTF-8 in this row".to_string());
        }
        let get = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(|s| s.to_string())
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
        ] = self.columns;
        Ok(RawItem {
            id: get(id),
            source: get(source),
            kind: get(kind),
            url: get(url),
            title: get(title),
            text: get(Some(self.text_column)),
            author: get(author),
            published_at: get(published_at),
            status: get(status),
            reply: get(reply),
            reply_unit: get(reply_unit),
            replied_at: get(replied_at),
        })
    }
}

impl<R: Read> Iterator for CsvRecords<R> {
    type Item = LineResult;

    fn next(&mut self) -> Option<LineResult> {
        if self.done {
            return None;
        }
        let (line, raw) = self.read_raw();
        match raw {
            Ok(RawRecord::Fields(count)) => Some((line, self.item(count))),
            Ok(RawRecord::TooLarge) => Some((
                line,
                Err(format!(
                    "record longer than {} MiB or with more than {} fields: skipped; split the record or shorten its text",
                    MAX_RECORD_BYTES >> 20,
                    MAX_FIELDS
                )),
            )),
            Ok(RawRecord::End) => {
                self.done = true;
                None
            }
            Err(error) => {
                // The parser cannot resynchronise after input it did not
                // see: the rest of the file is not read.
                self.done = true;
                Some((
                    line,
                    Err(format!(
                        "read error: {error}; the rest of the file is not read"
                    )),
                ))
            }
        }
    }
}

/// Reads a CSV input (decoded to UTF-8 as it is read) one record at a
/// time: its header row now (the returned error when it lacks a text
/// column or cannot be read), the records as the iterator is advanced,
/// each with the line it starts on. Memory stays bounded by the largest
/// record, itself capped at [`MAX_RECORD_BYTES`].
pub fn csv_records<R: Read>(
    reader: R,
    encoding: Encoding,
    name: &str,
) -> Result<CsvRecords<R>, ReadError> {
    let mut records = CsvRecords {
        input: Decoding::new(reader, encoding),
        // The csv crate's defaults: `,`, `"` doubled inside quotes, any of
        // \r, \n, \r\n ending a record; records may differ in length.
        parser: csv_core::Reader::new(),
        encoding,
        header_len: 0,
        text_column: 0,
        columns: [None; 11],
        fields: vec![0; 4096],
        ends: vec![0; 64],
        done: false,
    };
    let io_error = |source| ReadError::Io {
        name: name.to_string(),
        source,
    };
    let headers: Vec<String> = match records.read_raw().1.map_err(io_error)? {
        RawRecord::Fields(count) => records
            .texts(count)
            .map_err(|e| io_error(std::io::Error::other(e)))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        RawRecord::TooLarge => {
            return Err(io_error(std::io::Error::other(format!(
                "the CSV header is longer than {} MiB or has more than {} columns",
                MAX_RECORD_BYTES >> 20,
                MAX_FIELDS
            ))));
        }
        RawRecord::End => Vec::new(),
    };
    let column = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| headers.iter().position(|h| h == n))
    };
    records.text_column = column(&["text", "body"]).ok_or_else(|| ReadError::CsvHeader {
        name: name.to_string(),
        found: headers.join(","),
    })?;
    records.columns = [
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
    records.header_len = headers.len();
    Ok(records)
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
            Format::Csv => csv_records(sniffed.reader, sniffed.encoding, "t")
                .unwrap()
                .collect(),
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

    /// The (line, id or error) of each record.
    fn summary(out: &[LineResult]) -> Vec<(usize, String)> {
        out.iter()
            .map(|(line, result)| match result {
                Ok(item) => (*line, item.id.clone().unwrap_or_default()),
                Err(error) => (*line, format!("error: {error}")),
            })
            .collect()
    }

    #[test]
    fn a_runaway_csv_record_fails_alone_without_being_held() {
        let mut input = "id,text\na,一\nb,\"第一行\n".as_bytes().to_vec();
        input.resize(input.len() + MAX_RECORD_BYTES + 10, b'x');
        input.extend_from_slice("\n最后一行\"\nc,三\nd".as_bytes());
        // A row of more columns than any export has: its field ends alone
        // would take memory.
        input.extend_from_slice(&vec![b','; MAX_FIELDS + 1]);
        input.extend_from_slice("\ne,五\n".as_bytes());
        let out = records(&input);
        let got = summary(&out);
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0], (2, "a".to_string()));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.contains("record longer than 16 MiB"), "{got:?}");
        // The lines inside the skipped record are still counted.
        assert_eq!(got[2], (6, "c".to_string()));
        assert_eq!(got[3].0, 7);
        assert!(got[3].1.contains("more than 65536 fields"), "{got:?}");
        assert_eq!(got[4], (8, "e".to_string()));
        assert_eq!(out[4].1.as_ref().unwrap().text.as_deref(), Some("五"));
    }

    #[test]
    fn a_record_just_under_the_cap_is_read() {
        let text = "长".repeat((MAX_RECORD_BYTES - 16) / 3);
        let input = format!("id,text\na,{text}\nb,二\n");
        let out = records(input.as_bytes());
        assert_eq!(summary(&out), [(2, "a".into()), (3, "b".into())]);
        assert_eq!(out[0].1.as_ref().unwrap().text.as_deref(), Some(&*text));
    }

    #[test]
    fn csv_with_a_bom_is_read_in_either_encoding() {
        let text = "text,id\n派出所,a\n\"民警\r\n态度\",b\n";
        let mut utf8 = b"\xEF\xBB\xBF".to_vec();
        utf8.extend_from_slice(text.as_bytes());
        // GB18030's own BOM (U+FEFF) is 84 31 95 33.
        let gb18030 = GB18030.encode(&format!("\u{FEFF}{text}")).0.into_owned();
        assert!(gb18030.starts_with(b"\x84\x31\x95\x33"));
        for input in [utf8, gb18030] {
            let out = records(&input);
            assert_eq!(summary(&out), [(2, "a".into()), (3, "b".into())]);
            assert_eq!(out[0].1.as_ref().unwrap().text.as_deref(), Some("派出所"));
            assert_eq!(
                out[1].1.as_ref().unwrap().text.as_deref(),
                Some("民警\r\n态度")
            );
        }
    }

    /// Hands out its input a few bytes at a time, then fails if told to.
    struct Trickle<'a> {
        input: &'a [u8],
        step: usize,
        fail_at_end: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.input.is_empty() && self.fail_at_end {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = self.step.min(buf.len()).min(self.input.len());
            buf[..n].copy_from_slice(&self.input[..n]);
            self.input = &self.input[n..];
            Ok(n)
        }
    }

    #[test]
    fn characters_and_the_bom_split_across_reads_decode_whole() {
        let text = "\u{FEFF}id,text\nc1,民警态度很差\nc2,\"办证\n来回跑\"\nc3,𠮷字\n";
        let gb18030 = GB18030.encode(text).0.into_owned();
        for (input, encoding) in [
            (text.as_bytes(), Encoding::Utf8),
            (&gb18030[..], Encoding::Gb18030),
        ] {
            for step in [1, 2, 3, 5] {
                let trickle = Trickle {
                    input,
                    step,
                    fail_at_end: false,
                };
                let out: Vec<_> = csv_records(trickle, encoding, "t").unwrap().collect();
                let texts: Vec<_> = out
                    .iter()
                    .map(|(line, r)| (*line, r.as_ref().unwrap().text.clone().unwrap()))
                    .collect();
                assert_eq!(
                    texts,
                    [
                        (2, "民警态度很差".to_string()),
                        (3, "办证\n来回跑".to_string()),
                        (5, "𠮷字".to_string())
                    ],
                    "{encoding:?}, {step} bytes a read"
                );
            }
        }
    }

    #[test]
    fn a_read_error_ends_the_csv_with_an_error_for_its_record() {
        let trickle = Trickle {
            input: "id,text\na,一\nb,二".as_bytes(),
            step: 4,
            fail_at_end: true,
        };
        let out: Vec<_> = csv_records(trickle, Encoding::Utf8, "t").unwrap().collect();
        let got = summary(&out);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], (2, "a".to_string()));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.contains("read error: disk on fire"), "{got:?}");
    }

    #[test]
    fn a_large_gbk_csv_is_read_record_by_record() {
        // 200k rows (some spanning two lines, some short of a column) in a
        // file: every record read, with its own line and text.
        const ROWS: usize = 200_000;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let mut expected = Vec::with_capacity(ROWS);
        {
            let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            std::io::Write::write_all(&mut file, b"id,title,text\n").unwrap();
            let mut line = 2;
            for i in 0..ROWS {
                let row = match i % 7 {
                    0 => format!("r{i},标题{i},\"第{i}条\n派出所民警\"\n"),
                    3 => format!("r{i},缺一列\n"),
                    _ => format!("r{i},标题{i},第{i}条：窗口办证来回跑\n"),
                };
                let (gbk, _, _) = GB18030.encode(&row);
                std::io::Write::write_all(&mut file, &gbk).unwrap();
                expected.push((line, i % 7 != 3));
                line += 1 + usize::from(i % 7 == 0);
            }
        }
        let sniffed = sniff(std::fs::File::open(&path).unwrap(), "big.csv").unwrap();
        assert_eq!(sniffed.encoding, Encoding::Gb18030);
        let mut count = 0;
        for (i, (line, result)) in csv_records(sniffed.reader, sniffed.encoding, "big.csv")
            .unwrap()
            .enumerate()
        {
            assert_eq!((line, result.is_ok()), expected[i], "row {i}");
            if let Ok(item) = result {
                let text = item.text.unwrap();
                assert!(text.starts_with(&format!("第{i}条")), "row {i}: {text}");
                assert_eq!(item.id.unwrap(), format!("r{i}"));
            }
            count += 1;
        }
        assert_eq!(count, ROWS);
    }

    #[test]
    fn csv_records_after_crlf_and_blank_lines_are_named_by_their_own_line() {
        let csv =
            "\r\nid,text,kind\r\na,一,post\r\nb,二\r\n\r\n\n\"c\",\"三\r\n行\",news\r\nd,四\r\n";
        let out = records(csv.as_bytes());
        assert_eq!(
            summary(&out),
            [
                (3, "a".into()),
                (
                    4,
                    "error: has 2 fields, the header has 3: missing or extra columns".into()
                ),
                (7, "c".into()),
                (
                    9,
                    "error: has 2 fields, the header has 3: missing or extra columns".into()
                ),
            ]
        );
        assert_eq!(out[2].1.as_ref().unwrap().text.as_deref(), Some("三\r\n行"));
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
