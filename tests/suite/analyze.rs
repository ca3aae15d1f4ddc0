//! `yuqing analyze` (the DESIGN.md stdin → stdout contract) and `yuqing eval`.

use super::common::{run, yuqing};
use std::io::Write;
use std::process::Stdio;

fn analyze(input: &str) -> (i32, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = yuqing(dir.path())
        .arg("analyze")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let lines = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (output.status.code().unwrap(), lines)
}

#[test]
fn one_output_line_per_input_line_in_order() {
    let mut input = String::new();
    for i in 0..150 {
        let text = if i % 3 == 0 {
            "我报警三次，派出所一直没人出警，民警态度还很差。"
        } else {
            "今天天气很好，江边散步的人很多。"
        };
        input.push_str(&serde_json::json!({ "id": format!("a{i}"), "text": text }).to_string());
        input.push('\n');
    }
    let (code, lines) = analyze(&input);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 150);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["id"], format!("a{i}"));
        assert_eq!(line["flagged"], i % 3 == 0, "line {i}: {line}");
    }
    let flagged = &lines[0];
    let keys: Vec<&str> = flagged
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "flagged",
        "categories",
        "severity",
        "level",
        "sentiment",
        "evidence",
        "units",
        "keywords",
        "about_police",
    ] {
        assert!(keys.contains(&key), "missing {key}: {flagged}");
    }
    assert_eq!(flagged["categories"][0], "inaction");
    assert_eq!(flagged["about_police"], true);
    assert_eq!(lines[1]["about_police"], false, "{}", lines[1]);
    let text: Vec<char> = "我报警三次，派出所一直没人出警，民警态度还很差。"
        .chars()
        .collect();
    for evidence in flagged["evidence"].as_array().unwrap() {
        let (start, end) = (
            evidence["start"].as_u64().unwrap() as usize,
            evidence["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            text[start..end].iter().collect::<String>(),
            evidence["text"].as_str().unwrap()
        );
    }
}

#[test]
fn bad_lines_are_reported_in_place_and_exit_is_1() {
    let input =
        "{\"id\":1,\"text\":\"民警态度恶劣\"}\nnot json\n{\"id\":3}\n{\"id\":4,\"text\":\"\"}\n";
    let (code, lines) = analyze(input);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["line"], 3, "a line without text is an error");
    assert_eq!(lines[3]["flagged"], false);
}

#[test]
fn eval_reports_precision_recall_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let items = [
        (
            "e1",
            "派出所民警态度恶劣，对报警的老人大声呵斥。",
            true,
            Some("attitude"),
        ),
        (
            "e2",
            "感谢民警帮我找回了走失的孩子，特送锦旗一面。",
            false,
            None,
        ),
        ("e3", "城管把我的摊子掀了，还骂人。", false, None),
        (
            "e4",
            "我去派出所报案，民警推诿说不归他们管，拒绝立案。",
            true,
            Some("inaction"),
        ),
    ];
    let lines: String = items
        .iter()
        .map(|(id, text, complaint, category)| {
            serde_json::json!({"id": id, "text": text, "label": {"police_complaint": complaint, "category": category}})
                .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("gold.jsonl"), lines).unwrap();
    let (code, stdout, stderr) = run(yuqing(dir.path()).args(["eval", "gold.jsonl", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["items"], 4);
    assert_eq!(report["tp"], 2);
    assert_eq!(report["fp"], 0);
    assert_eq!(report["f1"], 1.0);
    assert_eq!(report["category_accuracy"], 1.0);
    let (code, stdout, _) = run(yuqing(dir.path()).args(["eval", "gold.jsonl"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("precision 1.000  recall 1.000  F1 1.000"),
        "{stdout}"
    );
}

/// The demo data set carries the authors' labels (`demo/labels.jsonl`); the
/// detector is held to its current quality there, so a lexicon or rule
/// change that breaks it shows. (The real development set lives outside the
/// repository; its figures are in BENCHMARKS.md.)
#[test]
fn quality_on_the_labelled_demo_set_does_not_regress() {
    use yuqing::analyze::eval::{LabelledItem, evaluate};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let labels: std::collections::HashMap<String, serde_json::Value> =
        std::fs::read_to_string(root.join("demo/labels.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (v["id"].as_str().unwrap().to_string(), v)
            })
            .collect();
    let items: Vec<LabelledItem> = std::fs::read_to_string(root.join("demo/items.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let item: serde_json::Value = serde_json::from_str(l).unwrap();
            let label = &labels[item["id"].as_str().unwrap()];
            let complaint = label["complaint"].as_bool().unwrap();
            serde_json::from_value(serde_json::json!({
                "id": item["id"], "title": item["title"], "text": item["text"], "kind": item["kind"],
                "label": {"police_complaint": complaint, "category": if complaint { label["label"].clone() } else { serde_json::Value::Null }},
            }))
            .unwrap()
        })
        .collect();
    let analyzer = yuqing::analyze::Analyzer::new(yuqing::text::Segmenter::embedded());
    let report = evaluate(&analyzer, &items);
    assert!(
        report.precision >= 0.97,
        "precision {:.3}",
        report.precision
    );
    assert!(report.recall >= 0.88, "recall {:.3}", report.recall);
    assert!(
        report.category_accuracy >= 0.92,
        "category accuracy {:.3}",
        report.category_accuracy
    );
}
