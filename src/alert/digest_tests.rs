//! Tests of `digest`: snippets, escaping, the empty period, the Chinese labels.
use super::*;
use crate::model::Evidence;

#[test]
fn the_snippet_marks_the_evidence() {
    let body = "昨天晚上我打了三次110都没人来，最后自己报的警。";
    let evidence = vec![Evidence {
        category: "inaction".into(),
        text: "都没人来".into(),
        start: 12,
        end: 16,
    }];
    let runs = evidence_snippet(body, &evidence);
    assert!(runs.contains(&("都没人来".to_string(), true)), "{runs:?}");
    let joined: String = runs.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(joined, body);
}

fn empty_data() -> DigestData {
    let to = Utc::now();
    DigestData {
        from: to - chrono::Duration::hours(24),
        to,
        kinds: vec![],
        sources: vec![],
        flagged: Change {
            key: "flagged".into(),
            now: 0,
            before: 0,
        },
        categories: vec![],
        levels: vec![],
        top: vec![],
        trends: vec![],
        backlog: Backlog::default(),
        audit_head: None,
        source_problems: vec![],
    }
}

#[test]
fn an_empty_period_is_one_line() {
    let rendered = render(&empty_data(), chrono_tz::Asia::Shanghai);
    assert_eq!(rendered.text.lines().count(), 1, "{}", rendered.text);
    assert!(rendered.subject.contains("无新增"));
}

#[test]
fn crawled_text_is_escaped() {
    let mut data = empty_data();
    data.kinds.push(Change {
        key: "post".into(),
        now: 1,
        before: 0,
    });
    data.top.push(TopItem {
        id: "x".into(),
        title: "<script>alert(1)</script>".into(),
        snippet: vec![("<img src=http://evil.example/a.png>".into(), true)],
        category: Some("attitude".into()),
        level: "high".into(),
        severity: 70,
        unit: None,
        source: "s".into(),
        url: Some("javascript:alert(1)".into()),
        copies: 1,
        case_status: None,
        published_at: String::new(),
    });
    let rendered = render(&data, chrono_tz::Asia::Shanghai);
    assert!(!rendered.html.contains("<script>"));
    assert!(!rendered.html.contains("<img src=http"));
    assert!(!rendered.html.contains("javascript:"));
    assert!(rendered.html.contains("&lt;script&gt;"));
    assert!(rendered.text.contains("无转载"), "one copy is no repost");
}

#[test]
fn the_audit_log_head_is_printed_for_leadership_to_keep() {
    let mut data = empty_data();
    data.kinds.push(Change {
        key: "post".into(),
        now: 3,
        before: 1,
    });
    data.audit_head = Some((42, "0123456789abcdef0123456789abcdef".into()));
    let rendered = render(&data, chrono_tz::Asia::Shanghai);
    for copy in [&rendered.text, &rendered.html] {
        assert!(copy.contains("审计日志链尾 42:0123456789abcdef"), "{copy}");
        assert!(copy.contains("yuqing audit verify --head 42:0123456789abcdef"));
    }
}

#[test]
fn failing_sources_are_named_with_their_health_in_chinese() {
    let mut data = empty_data();
    data.source_problems.push(SourceProblem {
        name: "metro-daily".into(),
        health: "unreachable".into(),
        failures: 3,
        error: None,
    });
    let rendered = render(&data, chrono_tz::Asia::Shanghai);
    assert!(
        rendered
            .text
            .contains("metro-daily：无法访问（连续失败 3 次）"),
        "{}",
        rendered.text
    );
}
