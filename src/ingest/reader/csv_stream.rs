//! CSV read record by record: a streaming decoder under `csv_core`, each
//! record with the line it starts on, a runaway record refused alone.

use super::*;

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
