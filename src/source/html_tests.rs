//! Tests of the `html` source extraction, on inline fixtures written for
//! these tests.

use super::*;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn selectors(spec: SelectorSpec) -> PageSelectors {
    PageSelectors::compile(&spec).unwrap()
}

const LIST_PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>本地要闻 - 第1页</title></head>
<body>
<div class="nav"><a href="/">首页</a><a href="/news/">要闻</a></div>
<ul class="news-list">
  <li><a href="2026/11/28/a1001.html">市区新增三条公交线路 方便居民出行</a><span>11-28</span></li>
  <li><a href="/news/2026/11/27/a1000.html#comments">老旧小区改造工程进入收尾阶段</a><span>11-27</span></li>
  <li><a href="javascript:void(0)" onclick="openAd()">【广告】点击领取优惠</a></li>
  <li><a href=" 2026/11/28/a1001.html ">市区新增三条公交线路 方便居民出行</a></li>
  <li><a href="https://other.example.cn/news/991.html">兄弟媒体：江边步道夜间开放</a></li>
  <li><a href="mailto:tips@news.example.cn">报料邮箱</a></li>
  <li><a href="/news/2026/11/27/a1000.html">老旧小区改造工程进入收尾阶段</a></li>
  <li class="broken"><a href="2026/11/26/a0999.html">菜市场价格平稳 蔬菜供应充足
</ul>
<div class="pager"><a href="index.html">首页</a><span>1</span><a href="index_2.html">2</a><a class="next" href="index_2.html">下一页</a></div>
</body></html>"#;

#[test]
fn list_page_resolves_dedupes_and_drops_javascript_links() {
    let sel = selectors(SelectorSpec {
        link: "ul.news-list li a",
        next: Some("div.pager a.next"),
        ..Default::default()
    });
    let base = url("https://news.example.cn/news/index.html");
    let (links, next) = list_page(LIST_PAGE, &base, &sel);
    let links: Vec<&str> = links.iter().map(Url::as_str).collect();
    assert_eq!(
        links,
        vec![
            "https://news.example.cn/news/2026/11/28/a1001.html",
            "https://news.example.cn/news/2026/11/27/a1000.html",
            "https://other.example.cn/news/991.html",
            "https://news.example.cn/news/2026/11/26/a0999.html",
        ]
    );
    assert_eq!(
        next.as_ref().map(Url::as_str),
        Some("https://news.example.cn/news/index_2.html")
    );
}

#[test]
fn list_page_link_selector_may_match_containers() {
    let sel = selectors(SelectorSpec {
        link: "ul.news-list li",
        ..Default::default()
    });
    let base = url("https://news.example.cn/news/index.html");
    let (links, next) = list_page(LIST_PAGE, &base, &sel);
    assert_eq!(links.len(), 4);
    assert_eq!(
        links[0].as_str(),
        "https://news.example.cn/news/2026/11/28/a1001.html"
    );
    assert_eq!(next, None, "no next selector configured");
}

#[test]
fn list_page_honours_base_element() {
    let html = r#"<html><head><base href="/bbs/"></head><body>
        <table class="threads"><tr><td><a href="thread-42-1-1.html">楼盘交房延期 业主维权</a></td></tr></table>
        </body></html>"#;
    let sel = selectors(SelectorSpec {
        link: "table.threads a",
        ..Default::default()
    });
    let (links, _) = list_page(html, &url("http://bbs.example.cn/forum.php?fid=3"), &sel);
    assert_eq!(
        links[0].as_str(),
        "http://bbs.example.cn/bbs/thread-42-1-1.html"
    );
}

#[test]
fn last_list_page_has_no_next() {
    let sel = selectors(SelectorSpec {
        link: "ul.news-list li a",
        next: Some("div.pager a.next"),
        ..Default::default()
    });
    let base = url("https://news.example.cn/news/index_9.html");
    // No "next" element at all.
    let last = r#"<ul class="news-list"><li><a href="2026/01/02/a1.html">年终盘点</a></li></ul>
        <div class="pager"><a href="index_8.html">上一页</a><span>9</span></div>"#;
    let (links, next) = list_page(last, &base, &sel);
    assert_eq!(links.len(), 1);
    assert_eq!(next, None);
    // A disabled "next" that points at the page itself or at javascript:.
    let self_link =
        r#"<div class="pager"><a class="next" href="index_9.html#top">下一页</a></div>"#;
    assert_eq!(list_page(self_link, &base, &sel).1, None);
    let js = r#"<div class="pager"><a class="next" href="javascript:;">下一页</a></div>"#;
    assert_eq!(list_page(js, &base, &sel), (vec![], None));
}

const ARTICLE: &str = r#"<!DOCTYPE html>
<html><head><title>市区新增三条公交线路_本地要闻_示例新闻网</title>
<script>var pv = "不应出现的脚本文本";</script><style>.x{color:red}</style></head>
<body>
<div class="header">示例新闻网 | 登录 注册</div>
<div class="article">
  <h1 class="art-title">  市区新增三条公交线路
     方便居民出行 </h1>
  <div class="meta">
    <time class="pubtime" datetime="2026-11-28T08:00:00+08:00">2026年11月28日 08:00</time>
    <span class="author">记者&nbsp;张晓明</span>
  </div>
  <div class="content">
    <p>　　记者从市交通运输局获悉，自12月1日起，市区将新开通三条公交线路。</p>
    <p>新线路覆盖城东&amp;城西多个新建小区，
       首末班时间为6:00至22:00。</p>
    <script>document.write("广告");</script>
    <p>市民可通过<b>“掌上公交”</b>查询实时到站信息。<br>咨询电话：12345</p>
  </div>
</div>
<div class="footer">版权所有 © 示例新闻网</div>
</body></html>"#;

#[test]
fn article_with_all_selectors() {
    let sel = selectors(SelectorSpec {
        link: "a",
        title: Some("h1.art-title"),
        body: Some("div.content"),
        time: Some("time.pubtime"),
        author: Some("span.author"),
        ..Default::default()
    });
    let page = url("https://news.example.cn/news/2026/11/28/a1001.html#top");
    let item = article_page(ARTICLE, &page, &sel).unwrap();
    assert_eq!(item.url.as_deref(), Some(page.as_str()));
    assert_eq!(
        item.title.as_deref(),
        Some("市区新增三条公交线路 方便居民出行")
    );
    assert_eq!(
        item.published_at.as_deref(),
        Some("2026-11-28T08:00:00+08:00")
    );
    assert_eq!(item.author.as_deref(), Some("记者 张晓明"));
    assert_eq!(
        item.text.as_deref(),
        Some(
            "记者从市交通运输局获悉，自12月1日起，市区将新开通三条公交线路。\n\
             新线路覆盖城东&城西多个新建小区， 首末班时间为6:00至22:00。\n\
             市民可通过“掌上公交”查询实时到站信息。\n\
             咨询电话：12345"
        )
    );
    assert!(!item.text.unwrap().contains("广告"));
    assert_eq!(item.status, None);
    assert_eq!(item.reply, None);
    assert_eq!((item.id, item.source, item.kind), (None, None, None));
}

#[test]
fn time_without_datetime_uses_text() {
    let sel = selectors(SelectorSpec {
        link: "a",
        body: Some(".content"),
        time: Some(".info span.date"),
        ..Default::default()
    });
    let html = r#"<div class="info"><span class="date">发布时间：2026-11-27  17:30</span></div>
        <div class="content"><p>正文</p></div>"#;
    let item = article_page(html, &url("https://gov.example.cn/a.html"), &sel).unwrap();
    assert_eq!(
        item.published_at.as_deref(),
        Some("发布时间：2026-11-27 17:30")
    );
    assert_eq!(item.text.as_deref(), Some("正文"));
}

#[test]
fn title_falls_back_to_h1_then_title_element() {
    let sel = selectors(SelectorSpec {
        link: "a",
        title: Some("div.no-such-title"),
        ..Default::default()
    });
    let page = url("https://news.example.cn/a.html");
    let with_h1 = r#"<html><head><title>网页标题_示例网</title></head><body>
        <h1>  江边步道夜间开放  </h1><div><p>步道全长五公里。</p></div></body></html>"#;
    let item = article_page(with_h1, &page, &sel).unwrap();
    assert_eq!(item.title.as_deref(), Some("江边步道夜间开放"));

    let no_h1 = r#"<html><head><title> 网页标题_示例网 </title></head><body>
        <h1>   </h1><div><p>步道全长五公里。</p></div></body></html>"#;
    let item = article_page(no_h1, &page, &sel).unwrap();
    assert_eq!(
        item.title.as_deref(),
        Some("网页标题"),
        "site suffix stripped"
    );
    assert_eq!(item.text.as_deref(), Some("步道全长五公里。"));

    let nothing = "<p>只有一句话</p>";
    let item = article_page(nothing, &page, &sel).unwrap();
    assert_eq!(item.title, None);
}

#[test]
fn body_selector_matching_nothing_is_missing_error() {
    let sel = selectors(SelectorSpec {
        link: "a",
        body: Some("div#zoom"),
        ..Default::default()
    });
    let err = article_page(ARTICLE, &url("https://news.example.cn/x.html"), &sel).unwrap_err();
    match &err {
        HtmlError::Missing { url, key, selector } => {
            assert_eq!(url, "https://news.example.cn/x.html");
            assert_eq!(*key, "body_selector");
            assert_eq!(selector, "div#zoom");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "https://news.example.cn/x.html: no element matches body_selector `div#zoom`"
    );
}

#[test]
fn optional_selectors_matching_nothing_leave_fields_empty() {
    let sel = selectors(SelectorSpec {
        link: "a",
        body: Some("div.content"),
        time: Some(".no-time"),
        author: Some(".no-author"),
        status: Some(".no-status"),
        reply: Some(".no-reply"),
        ..Default::default()
    });
    let item = article_page(ARTICLE, &url("https://news.example.cn/x.html"), &sel).unwrap();
    assert!(item.text.is_some());
    assert_eq!(item.published_at, None);
    assert_eq!(item.author, None);
    assert_eq!(item.status, None);
    assert_eq!(item.reply, None);
}

const BOILERPLATE_PAGE: &str = r#"<!DOCTYPE html>
<html><head><title>关于城区停车收费调整的说明</title>
<style>body{font-size:14px}</style><script>var a = "统计代码";</script></head>
<body class="page-header-fixed">
<header><div class="logo">示例市人民政府</div></header>
<div id="topnav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
  <li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 通知公告</div>
<div class="wrapper">
  <div class="sidebar">
    <h3>热门文章</h3>
    <p>市领导调研重点项目建设情况并召开现场推进会议</p>
    <p>全市安全生产工作会议召开 部署岁末年初安全防范</p>
  </div>
  <div class="main-content">
    <h2>关于城区停车收费调整的说明</h2>
    <div class="detail">
      <p>为进一步规范城区停车秩序，提高停车泊位周转率，经研究决定，自2027年1月1日起对城区道路停车收费标准进行调整。</p>
      <p>一、调整范围。本次调整涉及中心城区主次干道共计一千二百余个路内停车泊位，不含居民小区内部停车场。</p>
      <p>二、收费标准。白天首小时三元，之后每小时二元；夜间二十时至次日八时每次收费二元，新能源汽车首小时免费。</p>
      <p>三、监督方式。市民如对收费有异议，可拨打服务热线进行咨询和投诉，相关部门将在五个工作日内答复。</p>
      <div class="share">分享到：微信 微博 QQ空间</div>
    </div>
    <div class="comment-box"><p>网友评论：停车难的问题终于有人管了，希望收费透明公开，不要乱收费。支持支持支持！</p></div>
  </div>
</div>
<form class="search" action="/search"><input name="q"><button>搜索</button><p>热搜：停车 社保 公积金</p></form>
<footer><p>主办：示例市人民政府办公室 版权所有 联系我们 网站地图</p></footer>
<div class="copyright">备案号：示ICP备00000000号</div>
</body></html>"#;

#[test]
fn main_text_picks_body_and_drops_boilerplate() {
    let text = main_text(BOILERPLATE_PAGE);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("为进一步规范城区停车秩序"));
    assert!(lines[3].starts_with("三、监督方式"));
    for junk in [
        "首页",
        "当前位置",
        "热门文章",
        "分享到",
        "网友评论",
        "热搜",
        "备案号",
        "主办",
        "统计代码",
        "font-size",
        "示例市人民政府",
    ] {
        assert!(!text.contains(junk), "{junk:?} leaked into {text}");
    }
}

#[test]
fn main_text_handles_br_separated_table_layout_and_page_wide_form() {
    // An old ASP.NET-style page: everything inside one <form>, the body in a
    // <td> with <br> line breaks and full-width indentation.
    let long_para =
        "本次信访事项已按程序转交属地街道办理，街道已组织城管、住建等部门现场核查并约谈施工单位。";
    let html = format!(
        r#"<html><body><form id="form1" method="post">
        <table><tr><td class="menu"><a href="/">首页</a> | <a href="/xf/">信访</a></td></tr>
        <tr><td id="content">　　{long_para}<br>　　{long_para}<br><br>　　特此说明。</td></tr>
        <tr><td>Copyright 2026</td></tr></table>
        </form></body></html>"#
    );
    let text = main_text(&html);
    assert_eq!(text, format!("{long_para}\n{long_para}\n特此说明。"));

    // Long enough that the form itself counts as a layout wrapper.
    let html = html.replace("特此说明。", &long_para.repeat(3));
    let text = main_text(&html);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        !text.contains("首页") && !text.contains("Copyright"),
        "{text}"
    );
}

#[test]
fn main_text_is_robust_on_broken_and_empty_html() {
    assert_eq!(main_text(""), "");
    let broken = "<div><p>未闭合的段落一<p>段落二 &amp; 更多<div><b>加粗</i></span></div";
    let text = main_text(broken);
    assert!(text.contains("未闭合的段落一"));
    assert!(text.contains("段落二 & 更多"));
    // Deeply nested markup does not overflow the stack.
    let deep = format!(
        "{}深层文本{}",
        "<div>".repeat(5_000),
        "</div>".repeat(5_000)
    );
    assert_eq!(main_text(&deep), "深层文本");
}

#[test]
fn article_without_body_selector_uses_main_text() {
    let sel = selectors(SelectorSpec {
        link: "a",
        ..Default::default()
    });
    let item = article_page(
        BOILERPLATE_PAGE,
        &url("https://gov.example.cn/tz/1.html"),
        &sel,
    )
    .unwrap();
    assert_eq!(item.title.as_deref(), Some("关于城区停车收费调整的说明"));
    assert_eq!(
        item.text.as_deref(),
        Some(main_text(BOILERPLATE_PAGE).as_str())
    );
}

const PETITION_PAGE: &str = r#"<!DOCTYPE html>
<html><head><title>留言详情 - 书记市长信箱</title></head>
<body>
<div class="mail-detail">
  <table class="mail-info">
    <tr><th>留言标题</th><td class="m-title">小区门口道路长期积水 出行困难</td></tr>
    <tr><th>留言人</th><td class="m-author">王**</td></tr>
    <tr><th>留言时间</th><td class="m-time">2026-11-20 09:15:32</td></tr>
    <tr><th>办理状态</th><td class="m-status"><span class="tag green"> 已回复 </span></td></tr>
  </table>
  <div class="m-content">
    <p>我们是滨江花园小区的居民，小区南门外的道路每逢下雨就严重积水，最深处超过二十厘米。</p>
    <p>老人孩子出行非常不便，希望有关部门尽快疏通排水管道。</p>
  </div>
  <div class="reply-box">
    <div class="r-unit">答复单位：<span>市住房和城乡建设局</span></div>
    <div class="r-time">答复时间：<time datetime="2026-11-25T16:40:00+08:00">2026-11-25 16:40</time></div>
    <div class="r-content">
      <p>王先生（女士）：您好！</p>
      <p>经现场核查，该路段排水管道存在淤堵情况。我局已安排养护单位于11月24日完成清淤。</p>
      <p>感谢您对城市建设工作的关心和支持。</p>
    </div>
  </div>
</div>
</body></html>"#;

#[test]
fn petition_page_with_reply() {
    let sel = selectors(SelectorSpec {
        link: "a",
        title: Some("td.m-title"),
        body: Some("div.m-content"),
        time: Some("td.m-time"),
        author: Some("td.m-author"),
        status: Some("td.m-status"),
        reply: Some("div.r-content"),
        reply_unit: Some("div.r-unit span"),
        replied_at: Some("div.r-time"),
        ..Default::default()
    });
    let page = url("https://xinfang.example.gov.cn/mail/detail?id=20261120001");
    let item = article_page(PETITION_PAGE, &page, &sel).unwrap();
    assert_eq!(
        item,
        RawItem {
            url: Some(page.to_string()),
            title: Some("小区门口道路长期积水 出行困难".into()),
            text: Some(
                "我们是滨江花园小区的居民，小区南门外的道路每逢下雨就严重积水，最深处超过二十厘米。\n\
                 老人孩子出行非常不便，希望有关部门尽快疏通排水管道。"
                    .into()
            ),
            author: Some("王**".into()),
            published_at: Some("2026-11-20 09:15:32".into()),
            status: Some("已回复".into()),
            reply: Some(
                "王先生（女士）：您好！\n\
                 经现场核查，该路段排水管道存在淤堵情况。我局已安排养护单位于11月24日完成清淤。\n\
                 感谢您对城市建设工作的关心和支持。"
                    .into()
            ),
            reply_unit: Some("市住房和城乡建设局".into()),
            // The wrapper div has no datetime; the <time> inside it does.
            replied_at: Some("2026-11-25T16:40:00+08:00".into()),
            ..RawItem::default()
        }
    );
}

#[test]
fn invalid_selector_names_the_key() {
    let err = PageSelectors::compile(&SelectorSpec {
        link: "ul.list a",
        reply_unit: Some("div[class="),
        ..Default::default()
    })
    .expect_err("invalid selector must fail");
    match &err {
        HtmlError::Selector { key, selector, .. } => {
            assert_eq!(*key, "reply_unit_selector");
            assert_eq!(selector, "div[class=");
        }
        other => panic!("unexpected {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.starts_with("invalid CSS selector `div[class=` for reply_unit_selector: "),
        "{msg}"
    );

    let err = PageSelectors::compile(&SelectorSpec {
        link: "  ",
        ..Default::default()
    })
    .expect_err("empty link selector must fail");
    assert!(matches!(
        err,
        HtmlError::Selector {
            key: "link_selector",
            ..
        }
    ));

    let err = PageSelectors::compile(&SelectorSpec {
        link: "a",
        next: Some("a:::next"),
        ..Default::default()
    })
    .expect_err("invalid next selector must fail");
    assert!(matches!(
        err,
        HtmlError::Selector {
            key: "next_selector",
            ..
        }
    ));
}

/// QA: a bad selector was explained as "Unexpected error occurred. Please
/// report this to the developer ClassNeedsIdent". Every reason is in plain
/// words, and a valid selector has none.
#[test]
fn invalid_selectors_are_explained_in_plain_words() {
    let cases = [
        ("div. content", "`.` must be followed by a class name"),
        ("div.:hover", "`.` must be followed by a class name"),
        (".1", "`.` must be followed by a class name"),
        ("a#2", "`#` must be followed by an id name"),
        ("ul >> a", "a combinator"),
        ("a,,b", "a selector is missing"),
        (
            "a:foo",
            "pseudo-class or pseudo-element that is not supported",
        ),
        ("div[1]", "an attribute test is malformed"),
        ("div[class=", "it ends too early"),
        ("a{", "a character CSS does not expect there"),
        ("ns|a", "namespaces"),
        ("  ", "it is empty"),
    ];
    for (css, expected) in cases {
        let reason = super::selector_problem(css).unwrap_or_else(|| panic!("{css} is invalid"));
        assert!(reason.contains(expected), "{css}: {reason}");
        assert!(!reason.contains("report this"), "{css}: {reason}");
    }
    for css in [
        "ul.news a",
        "div#main > p",
        "a[href$=\".pdf\"]",
        "li:nth-child(2n+1)",
        "a._x, a.-y",
    ] {
        assert_eq!(super::selector_problem(css), None, "{css}");
    }
}
