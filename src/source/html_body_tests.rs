//! Tests of the main-content extraction's newer rules, on pages written for
//! these tests that imitate the templates that broke it: wrappers whose
//! class says header, one paragraph per `<div>`, hidden keyword spam,
//! summary boxes, credit lines and related boxes around the text.

use super::*;

const PARA_1: &str = "记者从市园林局获悉，江边步道自今日起夜间开放，开放时间为每日18时至22时，沿线新增路灯二百余盏，并在三处入口设置了安全提示牌。";
const PARA_2: &str = "市园林局相关负责人介绍，步道夜间开放期间将安排巡查人员，每隔一小时巡查一次，发现安全隐患及时处置，保障市民夜间出行安全。";
const PARA_3: &str = "市民王女士说，以前晚上只能在小区里散步，现在可以沿着江边走一走，吹吹江风，感觉很惬意，希望以后能开放到更晚。";

fn read(html: &str) -> Article {
    let url = Url::parse("https://news.example.cn/2026/11/28/a1001.html").unwrap();
    article(html, &url, &PageSelectors::heuristics_only()).unwrap()
}

fn body(html: &str) -> String {
    read(html).item.text.unwrap_or_default()
}

#[test]
fn a_wrapper_whose_class_says_header_does_not_hide_the_article() {
    // The whole page sits in <div class="page_header">; the real chrome is
    // still dropped.
    let html = format!(
        r#"<html><body><div class="page_header">
<div class="top-nav"><a href="/">首页</a><a href="/news/">新闻</a><a href="/money/">财经</a></div>
<div class="main_content"><h1>江边步道今起夜间开放</h1>
<div class="text_box"><p>{PARA_1}</p><p>{PARA_2}</p></div></div>
<div class="user_comment"><p>网友评论：太好了，终于可以晚上去江边散步了，希望多安排一些巡查人员，注意安全。</p></div>
</div></body></html>"#
    );
    assert_eq!(body(&html), format!("{PARA_1}\n{PARA_2}"));
}

#[test]
fn paragraphs_each_in_their_own_wrapper_are_all_kept() {
    let divs = format!(
        r#"<html><body><div class="nav"><a href="/">首页</a></div><div id="mainText">
<div><p>{PARA_1}</p></div><div><p>{PARA_2}</p></div><div><p>{PARA_3}</p><p><a href="/a/9.html">相关：滨江公园改造完工</a></p></div>
</div></body></html>"#
    );
    assert_eq!(body(&divs), format!("{PARA_1}\n{PARA_2}\n{PARA_3}"));
    let sections = format!(
        r#"<html><body><div id="rich_text">
<section style="margin:0 16px"><span>{PARA_1}</span></section>
<section style="margin:0 16px"><span>{PARA_2}</span></section>
<section style="margin:0 16px"><span>{PARA_3}</span></section>
</div></body></html>"#
    );
    assert_eq!(body(&sections), format!("{PARA_1}\n{PARA_2}\n{PARA_3}"));
}

#[test]
fn hidden_keyword_spam_is_not_the_article() {
    let spam = "热门搜索词 ".repeat(200);
    let html = format!(
        r#"<html><body><div style="display: none"><p>{spam}</p></div><div hidden><p>{spam}</p></div>
<div class="content"><p>{PARA_1}</p><p>{PARA_2}</p></div></body></html>"#
    );
    assert_eq!(body(&html), format!("{PARA_1}\n{PARA_2}"));
}

#[test]
fn a_class_word_inside_another_word_does_not_drop_the_article() {
    // `share` inside `xshare_box`: the article container is not a share box.
    let html = format!(
        r#"<html><body><div class="article xshare_box" id="story_body"><p>{PARA_1}</p><p>{PARA_2}</p></div>
<div class="share">分享到：微信 微博</div></body></html>"#
    );
    assert_eq!(body(&html), format!("{PARA_1}\n{PARA_2}"));
}

#[test]
fn a_short_article_beats_a_long_footer() {
    let footer = "违法和不良信息举报电话：010-00000000 客服电话：010-00000001 传真：010-00000002 邮箱：service@example.cn 地址：示例市示例区示例路1号 邮编：100000";
    let html = format!(
        r#"<html><body><div class="story"><p>{PARA_1}</p><div>（责任编辑：王芳）</div></div>
<div class="footer"><div class="foot-info">{footer}</div></div></body></html>"#
    );
    assert_eq!(body(&html), PARA_1);
}

#[test]
fn notes_bylines_summaries_credits_and_related_boxes_are_trimmed() {
    let html = format!(
        r#"<html><head><title>江边步道今起夜间开放_示例新闻网</title></head><body>
<h1>江边步道今起夜间开放</h1>
<div class="introduction">导读：江边步道今起夜间开放，市民可在每日18时至22时前往。</div>
<div class="article">
<p>江边步道今起夜间开放</p>
<p>（原标题：步道夜间开放 沿线增设照明）</p>
<p>示例日报记者 张晓明</p>
<p>{PARA_1}</p><p>{PARA_2}</p><p>{PARA_3}</p>
<p>为你推荐</p>
<p><a href="/a/1.html">滨江公园改造完工 市民休闲有了新去处</a></p>
<p>滨江公园改造工程日前完工，新增绿地三万平方米，园内设置了健身步道和儿童游乐区，市民可免费入园。</p>
<p>（资料来源：示例日报、示例网等）</p>
<p>编辑 刘芳 校对 李明</p>
<p>本文来源：示例日报 责任编辑：王芳_NB001</p>
<p>免责声明：本文来自自媒体，不代表本网的观点和立场。</p>
</div></body></html>"#
    );
    assert_eq!(body(&html), format!("{PARA_1}\n{PARA_2}\n{PARA_3}"));
}

#[test]
fn a_body_selector_still_wins_and_keeps_every_line() {
    let html = format!(
        r#"<html><body><div class="article"><p>（原标题：步道夜间开放）</p><p>{PARA_1}</p><p>责任编辑：王芳</p></div></body></html>"#
    );
    let selectors = PageSelectors::compile(&SelectorSpec {
        link: "a",
        body: Some("div.article"),
        ..SelectorSpec::default()
    })
    .unwrap();
    let url = Url::parse("https://news.example.cn/a.html").unwrap();
    let page = article(&html, &url, &selectors).unwrap();
    assert_eq!(
        page.item.text.as_deref(),
        Some(format!("（原标题：步道夜间开放）\n{PARA_1}\n责任编辑：王芳").as_str())
    );
    assert_eq!(page.text_rule, Some("body_selector"));
    assert_eq!(read(&html).item.text.as_deref(), Some(PARA_1));
}
