//! Tests of the headline, publish-time and author heuristics, on pages
//! written for these tests (imitating common Chinese news templates).

use super::strip_site_suffix;
use crate::source::html::{Article, PageSelectors, SelectorSpec, article};
use url::Url;

fn read(html: &str) -> Article {
    let url = Url::parse("https://news.example.cn/2026/11/28/a1001.html").unwrap();
    article(html, &url, &PageSelectors::heuristics_only()).unwrap()
}

/// A portal template: a site-name `<h1>` in the masthead, the headline in a
/// second `<h1>`, a byline with time and source, meta tags, a related list
/// and a footer with dates of their own.
fn portal(meta: &str, byline: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8">
<title>江边步道今起夜间开放 沿线增设照明_本地新闻_示例新闻网</title>
{meta}
</head><body>
<div class="top-bar"><h1 class="logo">示例新闻</h1><a href="/">首页</a></div>
<div class="article-wrap">
  <h1 class="main-title">江边步道今起夜间开放 沿线增设照明</h1>
  <div class="date-source">{byline}</div>
  <div class="article" id="story_body">
    <p>记者从市园林局获悉，2026年11月20日完成验收的江边步道自今日起夜间开放，开放时间为每日18时至22时，沿线新增路灯二百余盏。</p>
    <p>市园林局提醒市民夜间出行注意安全，携带儿童的家长请看护好孩子。</p>
  </div>
  <div class="related"><h3>相关新闻</h3>
    <ul><li><a href="/a/1.html">滨江公园改造完工</a> 2025-06-01 09:00</li>
        <li><a href="/a/2.html">城区新增三条公交线路</a> 2025-05-20 10:30</li></ul></div>
</div>
<div class="footer">Copyright © 2003-2026 示例新闻网 版权所有 2026-01-01</div>
</body></html>"#
    )
}

#[test]
fn headline_is_the_h1_that_matches_the_title_not_the_site_name() {
    let page = read(&portal("", "2026年11月28日 08:05 示例日报"));
    assert_eq!(
        page.item.title.as_deref(),
        Some("江边步道今起夜间开放 沿线增设照明")
    );
    assert_eq!(page.title_rule, Some("<h1> matching <title>"));
}

#[test]
fn headline_without_h1_is_the_title_element_matching_the_title() {
    let html = r#"<html><head><title>关于城区停车收费调整的说明 - 示例市人民政府门户网站</title></head>
<body><h1>示例市人民政府网站</h1>
<div class="detail-article-title"><h2>关于城区停车收费调整的说明</h2></div>
<div class="detail"><p>经研究决定，自2027年1月1日起对城区道路停车收费标准进行调整。</p></div>
</body></html>"#;
    let page = read(html);
    assert_eq!(
        page.item.title.as_deref(),
        Some("关于城区停车收费调整的说明")
    );
    assert_eq!(page.title_rule, Some("headline element matching <title>"));
}

#[test]
fn headline_falls_back_to_og_title_then_h1_then_stripped_title() {
    let og = r#"<html><head><title>首页</title><meta property="og:title" content="江边步道夜间开放"></head>
<body><p>步道全长五公里。</p></body></html>"#;
    let page = read(og);
    assert_eq!(page.item.title.as_deref(), Some("江边步道夜间开放"));
    assert_eq!(page.title_rule, Some("og:title"));

    let stripped = r#"<html><head><title>江边步道夜间开放_本地新闻_示例新闻网</title></head>
<body><div><p>步道全长五公里。</p></div></body></html>"#;
    let page = read(stripped);
    assert_eq!(page.item.title.as_deref(), Some("江边步道夜间开放"));
    assert_eq!(page.title_rule, Some("<title> without site suffix"));
}

#[test]
fn a_column_heading_or_site_logo_inside_the_title_is_not_the_headline() {
    let html = r#"<html><head><title>江边步道今起夜间开放 沿线增设照明_国内新闻_示例网</title></head>
<body><h1 class="logo">示例网</h1><div class="nav"><h2>国内新闻</h2></div>
<div class="art"><div class="big">江边步道今起夜间开放 沿线增设照明</div>
<p>记者从市园林局获悉，江边步道自今日起夜间开放。</p></div></body></html>"#;
    let page = read(html);
    assert_eq!(
        page.item.title.as_deref(),
        Some("江边步道今起夜间开放 沿线增设照明")
    );
    assert_eq!(page.title_rule, Some("<title> without site suffix"));
}

#[test]
fn site_suffixes_and_column_prefixes_are_stripped_from_title() {
    for (title, headline) in [
        ("江边步道夜间开放_本地新闻_示例新闻网", "江边步道夜间开放"),
        ("江边步道夜间开放|步道_示例新闻", "江边步道夜间开放"),
        (
            "江边步道夜间开放 - 示例市人民政府门户网站",
            "江边步道夜间开放",
        ),
        (
            "要闻--市区新增三条公交线路 方便居民出行",
            "市区新增三条公交线路 方便居民出行",
        ),
        (
            "全新开源项目发布 性能提升三倍-EXAMPLE.NET",
            "全新开源项目发布 性能提升三倍",
        ),
        (
            "3-5月全市新建绿地面积稳步增长",
            "3-5月全市新建绿地面积稳步增长",
        ),
        ("没有后缀的标题", "没有后缀的标题"),
    ] {
        assert_eq!(strip_site_suffix(title), headline, "{title}");
    }
}

#[test]
fn byline_time_near_the_headline_beats_a_different_meta_time() {
    // CMSs often put an indexing or update time in the meta tag.
    let meta = r#"<meta property="article:published_time" content="2026-11-28T09:10:42+08:00">"#;
    let page = read(&portal(meta, "2026年11月28日 08:05 示例日报"));
    assert_eq!(page.item.published_at.as_deref(), Some("2026-11-28 08:05"));
    assert_eq!(page.published_rule, Some("date line near the headline"));
}

#[test]
fn meta_time_is_used_when_the_byline_has_only_the_same_date() {
    let meta = r#"<meta name="PubDate" content="2026-11-28 08:05">"#;
    let page = read(&portal(
        meta,
        "发布日期：2026-11-28 信息来源：示例市发展改革委",
    ));
    assert_eq!(page.item.published_at.as_deref(), Some("2026-11-28 08:05"));
    assert_eq!(
        page.published_rule,
        Some("meta publish time (pubdate/publishdate/ptime…)")
    );
    // A meta time on another day than the byline shows is not believed.
    let meta = r#"<meta name="pubdate" content="2026-12-01 10:00">"#;
    let page = read(&portal(meta, "发布日期：2026-11-28"));
    assert_eq!(page.item.published_at.as_deref(), Some("2026-11-28"));
}

#[test]
fn machine_readable_times_when_no_byline_has_a_date() {
    let meta = r#"<meta property="article:published_time" content="2026-11-28T08:05:00+08:00">"#;
    let page = read(&portal(meta, "示例日报"));
    assert_eq!(
        page.item.published_at.as_deref(),
        Some("2026-11-28T08:05:00+08:00")
    );
    assert_eq!(page.published_rule, Some("meta article:published_time"));

    let ld = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
        "headline":"江边步道今起夜间开放","datePublished":"2026-11-28T08:05:00+08:00"}</script>"#;
    let page = read(&portal(ld, "示例日报"));
    assert_eq!(page.published_rule, Some("JSON-LD datePublished"));
    assert_eq!(
        page.item.published_at.as_deref(),
        Some("2026-11-28T08:05:00+08:00")
    );

    let time = portal(
        "",
        r#"<time datetime="2026-11-28T08:05:00+08:00">今天 08:05</time>"#,
    );
    assert_eq!(read(&time).published_rule, Some("<time datetime>"));

    let unix = read(&portal(r#"<meta name="ptime" content="1795831500">"#, ""));
    assert_eq!(
        unix.item.published_at.as_deref(),
        Some("2026-11-28T02:05:00+00:00")
    );
}

#[test]
fn no_date_from_body_text_related_lists_or_footer() {
    // The byline has no date; the body's first paragraph mentions one, the
    // related list and the footer carry others: none is the publish time.
    let page = read(&portal("", "示例日报 记者 张晓明"));
    assert_eq!(page.item.published_at, None, "{:?}", page.published_rule);
}

#[test]
fn labelled_date_line_below_the_text_is_found() {
    // Old government templates put 发布日期 after the text.
    let html = r#"<html><head><title>图书馆延长周末开放时间</title></head><body>
<table><tr><td><div>图书馆延长周末开放时间</div><div>来源于：市文化馆</div>
<div>2026年11月20日起，市图书馆周六、周日的闭馆时间由17时推迟到21时，自习区同步延长开放，读者可在官方网站预约座位。</div>
<div>图书馆表示，将根据读者反馈继续调整开放安排，并在寒假期间增加少儿阅览区的开放时段。</div>
<div>发布日期：2026-11-22 责任编辑：王芳</div></td></tr></table></body></html>"#;
    let page = read(html);
    assert_eq!(page.item.published_at.as_deref(), Some("2026-11-22"));
}

#[test]
fn a_comment_box_date_is_not_the_publish_time() {
    let html = r#"<html><head><title>图书馆延长周末开放时间</title></head><body>
<div class="art"><p>市图书馆周六、周日的闭馆时间由17时推迟到21时，自习区同步延长开放，读者可在官方网站预约座位。</p></div>
<div class="comment-list"><div class="item">网友甲 发表于 2026-11-25 10:00</div><p>讲得很好，支持。</p></div>
</body></html>"#;
    assert_eq!(read(html).item.published_at, None);
}

#[test]
fn modification_time_is_the_last_resort() {
    let html = r#"<html><head><title>社区医院开展周末义诊</title>
<meta itemprop="dateUpdate" content="2026-06-12 09:30:10"></head><body>
<h2 class="article-title">社区医院开展周末义诊</h2><div class="time">发布时间：06-12 09:30</div>
<div class="content"><p>医生为居民免费测量血压，讲解慢性病的日常管理。</p></div></body></html>"#;
    let page = read(html);
    assert_eq!(
        page.item.published_at.as_deref(),
        Some("2026-06-12 09:30:10")
    );
    assert_eq!(
        page.published_rule,
        Some("meta modification time (no publish time found)")
    );
}

#[test]
fn configured_selectors_win_over_the_heuristics() {
    let meta = r#"<meta property="article:published_time" content="2026-11-28T08:05:00+08:00">
<meta name="author" content="示例新闻网">"#;
    let html = portal(
        meta,
        r#"<span class="pub">2026-11-27 20:00</span> <span class="by">记者 李明</span>"#,
    );
    let selectors = PageSelectors::compile(&SelectorSpec {
        link: "a",
        title: Some("div.article p"),
        time: Some("span.pub"),
        author: Some("span.by"),
        ..SelectorSpec::default()
    })
    .unwrap();
    let url = Url::parse("https://news.example.cn/a.html").unwrap();
    let page = article(&html, &url, &selectors).unwrap();
    assert_eq!(page.item.published_at.as_deref(), Some("2026-11-27 20:00"));
    assert_eq!(page.published_rule, Some("time_selector"));
    assert_eq!(page.item.author.as_deref(), Some("记者 李明"));
    assert_eq!(page.title_rule, Some("title_selector"));
    // Without selectors: the byline near the headline, the meta author.
    let page = read(&html);
    assert_eq!(page.item.published_at.as_deref(), Some("2026-11-27 20:00"));
    assert_eq!(page.item.author.as_deref(), Some("示例新闻网"));
    assert_eq!(page.author_rule, Some("meta author"));
}

#[test]
fn author_from_a_byline_near_the_headline() {
    let page = read(&portal("", "2026-11-28 08:05 | 作者：张晓明 | 阅读 1200"));
    assert_eq!(page.item.author.as_deref(), Some("张晓明"));
}
