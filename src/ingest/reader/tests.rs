//! Tests of the import readers (JSON Lines and CSV, UTF-8 and GB18030).

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
    let csv = "\r\nid,text,kind\r\na,一,post\r\nb,二\r\n\r\n\n\"c\",\"三\r\n行\",news\r\nd,四\r\n";
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
        error.starts_with("f.csv:1: CSV header has no `text` or `body` column (found: id,title)"),
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
