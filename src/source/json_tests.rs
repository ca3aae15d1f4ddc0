//! Tests for the `json` source kind, with inline Chinese social-post fixtures.

use super::*;

fn page() -> Url {
    Url::parse("https://api.example.cn/v1/posts?channel=hot&page=1").unwrap()
}

fn social_fields() -> FieldPointers {
    FieldPointers {
        id: Some("/id".into()),
        title: Some("/title".into()),
        body: Some("/content".into()),
        url: Some("/url".into()),
        author: Some("/user/name".into()),
        published: Some("/created_at".into()),
        ..Default::default()
    }
}

fn parse(text: &str, next: Option<&str>) -> JsonPage {
    parse_page(
        text,
        &page(),
        "/data/list",
        next,
        &social_fields(),
        "weibo_hot",
    )
    .unwrap()
}

const SOCIAL: &str = r#"{
  "code": 0,
  "data": {
    "list": [
      {
        "id": 4981234567,
        "title": "小区停车难问题何时解决？",
        "content": "我们小区地下车库长期被占，物业不作为，希望相关部门关注。",
        "url": "/detail/4981234567",
        "user": {"name": "城南居民小王", "uid": 1001},
        "created_at": "2024-05-12 09:30:00",
        "images": ["https://img.example.cn/a.jpg", "https://img.example.cn/b.jpg"]
      },
      {
        "id": "abc-002",
        "content": ["地铁三号线早高峰太挤了", "建议加密班次"],
        "user": {"name": null},
        "created_at": 1715477400
      },
      "广告位招租",
      {"id": 3, "title": "只有标题没有正文", "user": {"name": "路人甲"}},
      {"id": 4, "content": "   "}
    ],
    "next": "https://api.example.cn/v1/posts?channel=hot&page=2"
  }
}"#;

#[test]
fn nested_pointers_and_numeric_ids() {
    let p = parse(SOCIAL, Some("/data/next"));
    assert_eq!(p.items.len(), 2);
    let first = &p.items[0];
    assert_eq!(first.id.as_deref(), Some("weibo_hot:4981234567"));
    assert_eq!(first.source.as_deref(), Some("weibo_hot"));
    assert_eq!(first.kind, None);
    assert_eq!(first.title.as_deref(), Some("小区停车难问题何时解决？"));
    assert_eq!(first.author.as_deref(), Some("城南居民小王"));
    assert_eq!(
        first.url.as_deref(),
        Some("https://api.example.cn/detail/4981234567")
    );
    assert_eq!(first.published_at.as_deref(), Some("2024-05-12 09:30:00"));
    assert!(first.text.as_deref().unwrap().starts_with("我们小区"));
}

#[test]
fn array_index_pointer() {
    let fields = FieldPointers {
        body: Some("/content".into()),
        url: Some("/images/0".into()),
        ..Default::default()
    };
    let p = parse_page(SOCIAL, &page(), "/data/list", None, &fields, "s").unwrap();
    assert_eq!(
        p.items[0].url.as_deref(),
        Some("https://img.example.cn/a.jpg")
    );
    assert_eq!(p.items[1].url, None);
}

#[test]
fn missing_optional_fields_and_string_arrays() {
    let p = parse(SOCIAL, None);
    let second = &p.items[1];
    assert_eq!(second.id.as_deref(), Some("weibo_hot:abc-002"));
    assert_eq!(
        second.text.as_deref(),
        Some("地铁三号线早高峰太挤了\n建议加密班次")
    );
    assert_eq!(second.title, None);
    assert_eq!(second.url, None);
    assert_eq!(second.author, None, "null author is None");
    assert_eq!(second.published_at.as_deref(), Some("1715477400"));
    assert_eq!(second.status, None);
    assert_eq!(second.reply, None);
}

#[test]
fn missing_id_left_for_caller() {
    let text =
        r#"{"data":{"list":[{"content":"今天的热搜是什么","url":"https://m.example.cn/p/9"}]}}"#;
    let p = parse(text, None);
    assert_eq!(p.items[0].id, None);
    assert_eq!(p.items[0].url.as_deref(), Some("https://m.example.cn/p/9"));
}

#[test]
fn non_object_and_bodyless_elements_are_skipped_and_counted() {
    let p = parse(SOCIAL, None);
    // "广告位招租" (not an object), no content, whitespace-only content.
    assert_eq!(p.skipped, 3);
    assert_eq!(p.items.len(), 2);
}

#[test]
fn root_array_with_empty_items_pointer() {
    let text = r#"[{"content":"评论一"}, 42, {"content":"评论二"}]"#;
    let p = parse_page(text, &page(), "", None, &social_fields(), "s").unwrap();
    assert_eq!(p.items.len(), 2);
    assert_eq!(p.skipped, 1);
}

fn next_of(next_json: &str) -> NextPage {
    let text = format!(r#"{{"data":{{"list":[{{"content":"正文"}}],"next":{next_json}}}}}"#);
    parse(&text, Some("/data/next")).next
}

#[test]
fn next_absolute_url() {
    let p = parse(SOCIAL, Some("/data/next"));
    assert_eq!(
        p.next,
        NextPage::Url(Url::parse("https://api.example.cn/v1/posts?channel=hot&page=2").unwrap())
    );
}

#[test]
fn next_relative_path() {
    assert_eq!(
        next_of(r#""/v1/posts?channel=hot&page=2""#),
        NextPage::Url(Url::parse("https://api.example.cn/v1/posts?channel=hot&page=2").unwrap())
    );
    assert_eq!(
        next_of(r#""?channel=hot&page=3""#),
        NextPage::Url(Url::parse("https://api.example.cn/v1/posts?channel=hot&page=3").unwrap())
    );
}

#[test]
fn next_numeric_cursor() {
    assert_eq!(
        next_of("1715477400123"),
        NextPage::Cursor("1715477400123".into())
    );
}

#[test]
fn next_string_cursor() {
    assert_eq!(
        next_of(r#""eyJvZmZzZXQiOjIwfQ==""#),
        NextPage::Cursor("eyJvZmZzZXQiOjIwfQ==".into())
    );
}

#[test]
fn next_null_missing_or_empty_is_none() {
    assert_eq!(next_of("null"), NextPage::None);
    assert_eq!(next_of(r#""""#), NextPage::None);
    assert_eq!(next_of("false"), NextPage::None);
    let text = r#"{"data":{"list":[{"content":"正文"}]}}"#;
    assert_eq!(parse(text, Some("/data/next")).next, NextPage::None);
    assert_eq!(parse(SOCIAL, None).next, NextPage::None);
}

#[test]
fn next_pointing_at_same_page_is_none() {
    assert_eq!(
        next_of(r#""https://api.example.cn/v1/posts?channel=hot&page=1""#),
        NextPage::None
    );
}

#[test]
fn items_pointer_to_non_array_is_no_items() {
    let text = r#"{"data":{"list":{"content":"不是数组"}}}"#;
    let err = parse_page(text, &page(), "/data/list", None, &social_fields(), "s").unwrap_err();
    assert!(matches!(&err, JsonSourceError::NoItems { pointer, .. } if pointer == "/data/list"));
    let err = parse_page(text, &page(), "/data/items", None, &social_fields(), "s").unwrap_err();
    assert!(matches!(err, JsonSourceError::NoItems { .. }));
}

#[test]
fn invalid_json_is_not_json_with_url() {
    let err = parse_page(
        "<html>系统繁忙，请稍后再试</html>",
        &page(),
        "/data/list",
        None,
        &social_fields(),
        "s",
    )
    .unwrap_err();
    assert!(matches!(&err, JsonSourceError::NotJson { url, .. } if url == page().as_str()));
    assert!(err.to_string().starts_with(page().as_str()));
}

#[test]
fn cursor_url_replaces_existing_cursor_and_keeps_others() {
    let u = Url::parse("https://api.example.cn/v1/posts?channel=hot&cursor=old&size=20").unwrap();
    let next = cursor_url(&u, "新的/游标 1");
    let pairs: Vec<(String, String)> = next.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        vec![
            ("channel".into(), "hot".into()),
            ("size".into(), "20".into()),
            ("cursor".into(), "新的/游标 1".into()),
        ]
    );
    assert_eq!(next.path(), "/v1/posts");
    let plain = cursor_url(
        &Url::parse("https://api.example.cn/v1/posts").unwrap(),
        "20",
    );
    assert_eq!(plain.as_str(), "https://api.example.cn/v1/posts?cursor=20");
}

#[test]
fn petition_mapping() {
    let text = r#"{
      "result": {
        "rows": [
          {
            "letterId": 20240512001,
            "subject": "关于幸福路路灯不亮的反映",
            "letterContent": "幸福路东段路灯已经坏了一个多月，夜间出行很不安全。",
            "state": "已办结",
            "answer": {"content": "经核实，已于5月15日完成维修。", "org": "市城市管理局", "time": "2024-05-16"}
          },
          {
            "letterId": 20240512002,
            "subject": "噪音扰民",
            "letterContent": "工地夜间施工噪音很大。",
            "state": "办理中",
            "answer": null
          }
        ],
        "nextPage": 2
      }
    }"#;
    let fields = FieldPointers {
        id: Some("/letterId".into()),
        title: Some("/subject".into()),
        body: Some("/letterContent".into()),
        status: Some("/state".into()),
        reply: Some("/answer/content".into()),
        reply_unit: Some("/answer/org".into()),
        replied_at: Some("/answer/time".into()),
        ..Default::default()
    };
    assert_eq!(fields.validate(), Ok(()));
    let u = Url::parse("https://zwfw.example.gov.cn/api/letters").unwrap();
    let p = parse_page(
        text,
        &u,
        "/result/rows",
        Some("/result/nextPage"),
        &fields,
        "mayor",
    )
    .unwrap();
    assert_eq!(p.items.len(), 2);
    let done = &p.items[0];
    assert_eq!(done.id.as_deref(), Some("mayor:20240512001"));
    assert_eq!(done.status.as_deref(), Some("已办结"));
    assert_eq!(done.reply.as_deref(), Some("经核实，已于5月15日完成维修。"));
    assert_eq!(done.reply_unit.as_deref(), Some("市城市管理局"));
    assert_eq!(done.replied_at.as_deref(), Some("2024-05-16"));
    let pending = &p.items[1];
    assert_eq!(pending.status.as_deref(), Some("办理中"));
    assert_eq!(
        (pending.reply.clone(), pending.reply_unit.clone()),
        (None, None)
    );
    assert_eq!(p.next, NextPage::Cursor("2".into()));
}

#[test]
fn validate_rejects_pointer_without_leading_slash() {
    let fields = FieldPointers {
        title: Some("data/list".into()),
        ..social_fields()
    };
    let (key, msg) = fields.validate().unwrap_err();
    assert_eq!(key, "title");
    assert!(msg.contains("data/list"));
}

#[test]
fn validate_requires_body() {
    let fields = FieldPointers {
        body: None,
        ..social_fields()
    };
    assert_eq!(fields.validate().unwrap_err().0, "body");
    let root = FieldPointers {
        body: Some(String::new()),
        ..Default::default()
    };
    assert_eq!(root.validate(), Ok(()));
}

#[test]
fn field_pointers_deny_unknown_fields() {
    let ok: FieldPointers =
        serde_json::from_str(r#"{"body":"/content","author":"/user/name"}"#).unwrap();
    assert_eq!(ok.author.as_deref(), Some("/user/name"));
    assert!(serde_json::from_str::<FieldPointers>(r#"{"body":"/c","text":"/t"}"#).is_err());
}
