//! Personal data never reaches the disk: ID, phone and bank numbers are
//! redacted before storage and indexing, author handles are stored only as
//! keyed hashes. Checked by reading every byte the data directory holds.

use super::common::{Fixture, id_number, luhn};
use serde_json::json;
use std::path::Path;

fn all_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn pii_and_author_handles_are_nowhere_in_the_data_directory() {
    let id = id_number("44030419880517301");
    let old_id = "440304880517301";
    let card = luhn("622202100112345678");
    let phone = "13912345678";
    let handle = "城西小王wx_20261128";
    let mut f = Fixture::new();
    let report = f.ingest(&[
        json!({"id": "a", "kind": "petition", "author": handle,
               "title": format!("投诉 联系电话{phone}"),
               "text": format!("本人身份证号：{id}，旧证{old_id}，银行卡{card}，手机 +86 139-1234-5678。派出所不受理。"),
               "reply": format!("已联系来信人（电话{phone}）")}),
        json!({"id": "b", "author": handle, "text": format!("全角号码１３９１２３４５６７８也要去掉，订单号2026112812345678901保留")}),
    ]);
    assert_eq!(report.redacted.id_numbers, 2);
    assert_eq!(report.redacted.phone_numbers, 4);
    assert_eq!(report.redacted.bank_cards, 1);

    let stored = f.writer.store.get_item("a").unwrap().unwrap().item;
    assert_eq!(
        stored.body,
        "本人身份证号：[身份证]，旧证[身份证]，银行卡[银行卡]，手机 [手机号]。派出所不受理。"
    );
    assert_eq!(stored.title, "投诉 联系电话[手机号]");
    assert_eq!(
        stored.petition.reply.as_deref(),
        Some("已联系来信人（电话[手机号]）")
    );
    let b = f.writer.store.get_item("b").unwrap().unwrap().item;
    assert!(
        b.body.contains("2026112812345678901"),
        "order numbers stay: {}",
        b.body
    );
    assert_eq!(stored.author, b.author, "same author, same keyed hash");

    for query in [phone, id.as_str(), card.as_str(), "1391234"] {
        assert_eq!(f.search(query).total, 0, "{query} must not be searchable");
    }
    let data = f.data();
    drop(f.writer);

    let mut files = Vec::new();
    all_files(&data, &mut files);
    assert!(files.iter().any(|p| p.ends_with("yuqing.db")));
    let secrets: [&[u8]; 6] = [
        phone.as_bytes(),
        id.as_bytes(),
        old_id.as_bytes(),
        card.as_bytes(),
        handle.as_bytes(),
        "wx_20261128".as_bytes(),
    ];
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for secret in secrets {
            assert!(
                !contains(&bytes, secret),
                "{} holds {}",
                file.display(),
                String::from_utf8_lossy(secret)
            );
        }
    }
}
