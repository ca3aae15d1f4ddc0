//! The pages of the demo sites (see [`super::site`]): each site's list pages,
//! article pages and API answers, rendered from the demo records with the
//! boilerplate real Chinese sites carry (menus, breadcrumbs, sidebars,
//! footers). All text from the records is HTML-escaped; UI strings are in
//! Simplified Chinese.

use super::site::DemoRecord;
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Articles per list page of the news site.
const METRO_PER_PAGE: usize = 10;
/// Threads per list page of the forum.
const TIEBA_PER_PAGE: usize = 25;
/// Messages per list page of the HTML board.
const POLICE_PER_PAGE: usize = 15;
/// The forum's name, percent-encoded, as its list URLs carry it (江城).
const TIEBA_KW: &str = "%E6%B1%9F%E5%9F%8E";

/// The records of each source, newest first, and how to print times.
pub(super) struct Site {
    pub(super) tz: Tz,
    base: String,
    sources: HashMap<String, Vec<DemoRecord>>,
}

impl Site {
    pub(super) fn new(records: Vec<DemoRecord>, tz: Tz, base: String) -> Site {
        let mut sources: HashMap<String, Vec<DemoRecord>> = HashMap::new();
        for record in records {
            sources
                .entry(record.source.clone())
                .or_default()
                .push(record);
        }
        for list in sources.values_mut() {
            list.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.id.cmp(&a.id)));
        }
        Site { tz, base, sources }
    }

    pub(super) fn list(&self, source: &str) -> &[DemoRecord] {
        self.sources
            .get(source)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub(super) fn find(&self, source: &str, number: &str) -> Option<&DemoRecord> {
        self.list(source).iter().find(|r| r.number == number)
    }

    pub(super) fn time(&self, at: DateTime<FixedOffset>, pattern: &str) -> String {
        at.with_timezone(&self.tz).format(pattern).to_string()
    }

    /// A forum's time: `今天 10:20`, `昨天 10:20`, `前天 10:20`, else `11-28 10:20`.
    pub(super) fn forum_time(&self, at: DateTime<FixedOffset>, now: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        let days = (now.with_timezone(&self.tz).date_naive() - local.date_naive()).num_days();
        let clock = local.format("%H:%M");
        match days {
            0 => format!("今天 {clock}"),
            1 => format!("昨天 {clock}"),
            2 => format!("前天 {clock}"),
            _ => local.format("%m-%d %H:%M").to_string(),
        }
    }
}

/// HTML-escapes text (also safe inside XML and attribute values).
fn esc(text: &str) -> String {
    crate::text::escape::escape_html(text)
}

/// One `<p>` per non-empty line of `text`, escaped.
fn paragraphs(text: &str, open: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("{open}{}</p>", esc(l)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The boilerplate of one site: brand, home link, menu and footer.
struct Chrome {
    brand: &'static str,
    home: &'static str,
    menu: &'static [&'static str],
    footer: &'static str,
}

const CITY: Chrome = Chrome {
    brand: "江城新闻网",
    home: "/city-news/rss.xml",
    menu: &["首页", "本地", "民生", "法治", "财经", "视频"],
    footer: "江城新闻网 版权所有 © 2026 ｜ 违法和不良信息举报电话：12345",
};
const METRO: Chrome = Chrome {
    brand: "江城都市报",
    home: "/metro-daily/news/index.htm",
    menu: &["首页", "要闻", "社会", "城事", "数字报", "专题"],
    footer: "江城都市报社主办 ｜ 本网站所刊登的各种新闻、信息，未经协议授权，禁止下载使用",
};
const PORTAL: Chrome = Chrome {
    brand: "江城网站导航",
    home: "/",
    menu: &["首页", "新闻", "论坛", "政务"],
    footer: "江城网站导航 ｜ 收录本地新闻、论坛与政务留言网站",
};
const WEIBO: Chrome = Chrome {
    brand: "江城微博",
    home: "/",
    menu: &["首页", "热门", "同城"],
    footer: "江城微博 ｜ 用户发布内容仅代表其本人观点",
};
const TIEBA: Chrome = Chrome {
    brand: "江城吧",
    home: "/tieba-forum/f?kw=%E6%B1%9F%E5%9F%8E&ie=utf-8&pn=0",
    menu: &["看贴", "图片", "精品", "视频"],
    footer: "©2026 江城吧 ｜ 吧规 ｜ 发贴请遵守法律法规",
};
const MAYOR: Chrome = Chrome {
    brand: "江城市人民政府 · 市长信箱",
    home: "/mayor-board/api/letters?pageNo=1&pageSize=20",
    menu: &["首页", "写信", "来信选登", "办理结果"],
    footer: "江城市人民政府办公室 主办 ｜ 网站标识码 0000000000",
};
const POLICE: Chrome = Chrome {
    brand: "江城市公安局 · 网上留言",
    home: "/police-board/msg/list_1.html",
    menu: &["首页", "警务公开", "办事服务", "网上留言", "互动交流"],
    footer: "江城市公安局 主办 ｜ 紧急报警请拨打110，网上留言不受理报警求助",
};

/// A whole page: head, header with menu and search, `main`, sidebar, footer.
fn layout(charset: &str, title: &str, chrome: &Chrome, main: &str, aside: &str) -> String {
    let menu: String = chrome
        .menu
        .iter()
        .map(|m| format!("<li><a href=\"{}\">{m}</a></li>", esc(chrome.home)))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"{charset}\">\n\
         <title>{title}_{brand}</title>\n<meta name=\"keywords\" content=\"江城,{brand}\">\n</head>\n\
         <body>\n<div class=\"top-bar\">欢迎访问{brand} ｜ <a href=\"/admin/login\">登录</a></div>\n\
         <div class=\"header\"><div class=\"logo\"><a href=\"{home}\">{brand}</a></div>\n\
         <ul class=\"nav\">{menu}</ul>\n<form class=\"search-form\" action=\"/search\">\
         <input name=\"q\" placeholder=\"请输入关键词\"><button type=\"submit\">搜索</button></form></div>\n\
         <div class=\"container\">\n<div class=\"main\">\n{main}\n</div>\n\
         <div class=\"sidebar\">{aside}</div>\n</div>\n\
         <div class=\"footer\"><p>{footer}</p><p>本站为 yuqing 演示站点，所载人物、事件均为虚构。</p></div>\n\
         <script>var _hmt = _hmt || [];</script>\n</body></html>\n",
        brand = chrome.brand,
        home = esc(chrome.home),
        footer = chrome.footer,
    )
}

/// A sidebar list of the first records of `list`, linked by `href`.
fn hot_list(heading: &str, list: &[DemoRecord], href: impl Fn(&DemoRecord) -> String) -> String {
    let items: String = list
        .iter()
        .take(5)
        .map(|r| {
            format!(
                "<li><a href=\"{}\">{}</a></li>",
                esc(&href(r)),
                esc(&r.title)
            )
        })
        .collect();
    format!("<div class=\"hot\"><h3>{heading}</h3><ul class=\"hot-list\">{items}</ul></div>")
}

/// 江城新闻网's RSS 2.0 feed: every article, full text in `description`.
pub(super) fn feed(site: &Site) -> String {
    let list = site.list("city-news");
    let items: String = list
        .iter()
        .map(|r| {
            let link = format!("{}/city-news/article/{}.html", site.base, r.number);
            format!(
                "<item>\n<title>{}</title>\n<link>{link}</link>\n<guid isPermaLink=\"true\">{link}</guid>\n\
                 <description>{}</description>\n<category>本地新闻</category>\n<pubDate>{}</pubDate>\n</item>\n",
                esc(&r.title),
                esc(&paragraphs(&r.text, "<p>")),
                r.published_at.with_timezone(&site.tz).to_rfc2822(),
            )
        })
        .collect();
    let built = list
        .first()
        .map(|r| r.published_at.to_rfc2822())
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\">\n<channel>\n\
         <title>江城新闻网 · 本地新闻</title>\n<link>{}/</link>\n\
         <description>江城本地新闻、民生、法治资讯</description>\n<language>zh-cn</language>\n\
         <lastBuildDate>{built}</lastBuildDate>\n<ttl>15</ttl>\n{items}</channel>\n</rss>\n",
        site.base
    )
}

/// An article page of 江城新闻网 (the feed links to it).
pub(super) fn city_article(site: &Site, r: &DemoRecord) -> String {
    let main = format!(
        "<div class=\"breadcrumb\">当前位置：<a href=\"/\">首页</a> &gt; 本地新闻</div>\n\
         <div class=\"article\"><h1>{}</h1>\n<div class=\"info\"><span class=\"time\">{}</span> \
         <span class=\"source\">来源：江城新闻网</span></div>\n<div class=\"content\">\n{}\n</div>\n\
         <div class=\"editor\">（责任编辑：林编）</div></div>\n<div class=\"share\">分享到：微信 微博</div>",
        esc(&r.title),
        site.time(r.published_at, "%Y-%m-%d %H:%M"),
        paragraphs(&r.text, "<p>"),
    );
    let aside = hot_list("热点新闻", site.list("city-news"), |o| {
        format!("/city-news/article/{}.html", o.number)
    });
    layout("utf-8", &esc(&r.title), &CITY, &main, &aside)
}

/// A pager (`attributes` of its `<div>`): numbered links, then `下一页`
/// (on the last page a dead link).
fn pager(attributes: &str, page: usize, pages: usize, href: impl Fn(usize) -> String) -> String {
    let numbers: String = (1..=pages)
        .map(|p| match p == page {
            true => format!("<span class=\"current\">{p}</span>"),
            false => format!("<a href=\"{}\">{p}</a>", esc(&href(p))),
        })
        .collect();
    let next = match page < pages {
        true => format!(
            "<a class=\"next\" href=\"{}\">下一页</a>",
            esc(&href(page + 1))
        ),
        false => "<a class=\"next disabled\" href=\"javascript:;\">下一页</a>".to_string(),
    };
    format!("<div {attributes}><span>共{pages}页</span> {numbers} {next}</div>")
}

/// List page `page` (from 1) of 江城都市报, to be sent as GBK.
pub(super) fn metro_list(site: &Site, page: usize) -> Option<String> {
    let list = site.list("metro-daily");
    let pages = list.len().div_ceil(METRO_PER_PAGE).max(1);
    if page == 0 || page > pages {
        return None;
    }
    let rows: String = list
        .iter()
        .skip((page - 1) * METRO_PER_PAGE)
        .take(METRO_PER_PAGE)
        .map(|r| {
            format!(
                "<li><a href=\"content_{}.htm\" target=\"_blank\">{}</a><span class=\"date\">{}</span></li>\n",
                r.number,
                esc(&r.title),
                site.time(r.published_at, "%Y-%m-%d"),
            )
        })
        .collect();
    let href = |p: usize| match p {
        1 => "index.htm".to_string(),
        p => format!("index_{p}.htm"),
    };
    let main = format!(
        "<div class=\"column-title\">社会新闻</div>\n<ul class=\"news-list\">\n{rows}</ul>\n{}",
        pager("class=\"pager\"", page, pages, href)
    );
    Some(layout("gbk", "社会新闻", &METRO, &main, ""))
}

/// An article page of 江城都市报, to be sent as GBK.
pub(super) fn metro_article(site: &Site, r: &DemoRecord) -> String {
    let main = format!(
        "<div class=\"position\">您现在的位置：<a href=\"index.htm\">社会新闻</a> &gt; 正文</div>\n\
         <div class=\"article\"><h1>{}</h1>\n<div class=\"article-info\">\
         <span class=\"source\">来源：江城都市报</span> <span class=\"pubtime\">{}</span> \
         <span class=\"author\">记者 本报记者</span></div>\n<div class=\"article-content\">\n{}\n</div></div>\n\
         <div class=\"prev-next\">【<a href=\"javascript:window.print()\">打印本页</a>】【<a href=\"javascript:window.close()\">关闭窗口</a>】</div>",
        esc(&r.title),
        site.time(r.published_at, "%Y年%m月%d日 %H:%M"),
        paragraphs(&r.text, "<p style=\"text-indent:2em\">"),
    );
    let aside = hot_list("今日推荐", site.list("metro-daily"), |o| {
        format!("content_{}.htm", o.number)
    });
    layout("gbk", &esc(&r.title), &METRO, &main, &aside)
}

/// A page of the posts API: `count` posts after the one named by `cursor`.
pub(super) fn weibo_api(site: &Site, cursor: Option<&str>, count: usize) -> Value {
    let list = site.list("weibo-public");
    let start = match cursor {
        None => 0,
        Some(c) => list
            .iter()
            .position(|r| r.number == c)
            .map_or(list.len(), |i| i + 1),
    };
    let page: Vec<&DemoRecord> = list.iter().skip(start).take(count).collect();
    let more = start + page.len() < list.len();
    let next = page.last().filter(|_| more).map(|r| r.number.clone());
    let clients = ["iPhone客户端", "Android", "微博 weibo.com"];
    let statuses: Vec<Value> = page
        .iter()
        .map(|r| {
            let n: usize = r.number.parse().unwrap_or_default();
            json!({
                "mid": r.number,
                "idstr": r.number,
                "status_title": r.title,
                "created_at": site.time(r.published_at, "%Y-%m-%d %H:%M:%S"),
                "text": r.text,
                "source": clients[n % clients.len()],
                "user": { "screen_name": r.author, "verified": false },
                "reposts_count": n % 37,
                "comments_count": n % 53,
                "attitudes_count": n % 211,
                "url": format!("/weibo-public/status/{}", r.number),
            })
        })
        .collect();
    json!({ "ok": 1, "data": { "statuses": statuses, "total_number": list.len(), "next_cursor": next } })
}

/// The page of one post (the API's `url`).
pub(super) fn weibo_status(site: &Site, r: &DemoRecord) -> String {
    let main = format!(
        "<div class=\"weibo-detail\"><div class=\"wb-user\">{}</div>\n<div class=\"wb-from\">{}</div>\n\
         <div class=\"wb-text\">{}</div></div>",
        esc(r.author.as_deref().unwrap_or("网友")),
        site.time(r.published_at, "%Y-%m-%d %H:%M"),
        esc(&r.text),
    );
    layout("utf-8", "微博正文", &WEIBO, &main, "")
}

fn tieba_href(pn: usize) -> String {
    format!("/tieba-forum/f?kw={TIEBA_KW}&ie=utf-8&pn={pn}")
}

/// The forum's thread list from offset `pn`.
pub(super) fn tieba_list(site: &Site, pn: usize, now: DateTime<Utc>) -> String {
    let list = site.list("tieba-forum");
    let rows: String = list
        .iter()
        .skip(pn)
        .take(TIEBA_PER_PAGE)
        .map(|r| {
            let summary: String = r.text.chars().take(40).collect();
            format!(
                "<li class=\" j_thread_list clearfix\"><div class=\"threadlist_title\">\
                 <a class=\"j_th_tit\" href=\"/tieba-forum/p/{}\" title=\"{title}\" target=\"_blank\">{title}</a></div>\n\
                 <div class=\"threadlist_abs\">{}…</div><span class=\"tb_icon_author\">{}</span> \
                 <span class=\"threadlist_reply_date\">{}</span></li>\n",
                r.number,
                esc(&summary),
                esc(r.author.as_deref().unwrap_or("匿名")),
                site.forum_time(r.published_at, now),
                title = esc(&r.title),
            )
        })
        .collect();
    let pages = list.len().div_ceil(TIEBA_PER_PAGE).max(1);
    let page = (pn / TIEBA_PER_PAGE + 1).min(pages);
    let main = format!(
        "<div class=\"card_title\">江城吧 <span>关注：12万 贴子：{}</span></div>\n\
         <ul id=\"thread_list\" class=\"threadlist_bright\">\n{rows}</ul>\n{}",
        list.len(),
        pager(
            "id=\"frs_list_pager\" class=\"pagination\"",
            page,
            pages,
            |p| tieba_href((p - 1) * TIEBA_PER_PAGE)
        ),
    );
    layout(
        "utf-8",
        "看贴",
        &TIEBA,
        &main,
        "<div class=\"forum-rules\">本吧吧规：文明发言，禁止广告。</div>",
    )
}

/// A thread page: the first post with its author and time.
pub(super) fn tieba_thread(site: &Site, r: &DemoRecord, now: DateTime<Utc>) -> String {
    let body = r.text.lines().map(esc).collect::<Vec<_>>().join("<br>");
    let main = format!(
        "<div class=\"core_title_wrap\"><h3 class=\"core_title_txt\" title=\"{title}\">{title}</h3>\
         <a class=\"only-lz\" href=\"?see_lz=1\">只看楼主</a></div>\n\
         <div class=\"l_post j_l_post\" data-floor=\"1\"><div class=\"d_author\">\
         <a class=\"p_author_name\" href=\"javascript:;\">{}</a></div>\n\
         <div class=\"d_post_content j_d_post_content\">{body}</div>\n<div class=\"post-tail-wrap\">\
         <span class=\"tail-info\">来自Android客户端</span><span class=\"tail-info\">1楼</span>\
         <span class=\"tail-info post-time\">{}</span></div></div>\n\
         <div class=\"editor-box\">发表回复：<textarea></textarea><button>发表</button></div>",
        esc(r.author.as_deref().unwrap_or("匿名")),
        site.forum_time(r.published_at, now),
        title = esc(&r.title),
    );
    let aside = hot_list("本吧热帖", site.list("tieba-forum"), |o| {
        format!("/tieba-forum/p/{}", o.number)
    });
    layout("utf-8", &esc(&r.title), &TIEBA, &main, &aside)
}

/// Page `page` (from 1) of the 市长信箱 API, `size` letters a page.
pub(super) fn mayor_api(site: &Site, page: usize, size: usize) -> Value {
    let list = site.list("mayor-board");
    let pages = list.len().div_ceil(size).max(1);
    let records: Vec<Value> = list
        .iter()
        .skip(page.saturating_sub(1) * size)
        .take(if page == 0 { 0 } else { size })
        .map(|r| {
            let reply = r.reply.as_ref().map(|reply| {
                json!({
                    "content": reply,
                    "unit": r.reply_unit,
                    "time": r.replied_at.map(|t| site.time(t, "%Y/%m/%d %H:%M")),
                })
            });
            json!({
                "letterId": r.number,
                "subject": r.title,
                "content": r.text,
                "nickname": r.author,
                "createTime": site.time(r.published_at, "%Y/%m/%d %H:%M:%S"),
                "statusName": r.status,
                "reply": reply,
                "detailUrl": format!("/mayor-board/letter/{}", r.number),
            })
        })
        .collect();
    let next = (page < pages).then(|| {
        format!(
            "/mayor-board/api/letters?pageNo={}&pageSize={size}",
            page + 1
        )
    });
    json!({ "code": 200, "msg": "操作成功", "result": {
        "total": list.len(), "pageNo": page, "pageSize": size, "pages": pages,
        "records": records, "nextPage": next,
    } })
}

/// The page of one letter (the API's `detailUrl`).
pub(super) fn mayor_letter(site: &Site, r: &DemoRecord) -> String {
    let reply = match &r.reply {
        Some(reply) => format!(
            "<div class=\"reply\"><h3>{}答复：</h3>{}</div>",
            esc(r.reply_unit.as_deref().unwrap_or("承办单位")),
            paragraphs(reply, "<p>")
        ),
        None => "<div class=\"reply\">暂无答复</div>".to_string(),
    };
    let main = format!(
        "<div class=\"letter\"><h1>{}</h1><p class=\"meta\">{} ｜ {} ｜ {}</p>\n{}\n{reply}</div>",
        esc(&r.title),
        esc(r.author.as_deref().unwrap_or("网友")),
        site.time(r.published_at, "%Y-%m-%d %H:%M"),
        esc(r.status.as_deref().unwrap_or("")),
        paragraphs(&r.text, "<p>"),
    );
    layout("utf-8", &esc(&r.title), &MAYOR, &main, "")
}

fn status_class(status: Option<&str>) -> &'static str {
    match status {
        Some("已回复") => "st-replied",
        Some("办理中") => "st-doing",
        _ => "st-waiting",
    }
}

/// List page `page` (from 1) of the police message board.
pub(super) fn police_list(site: &Site, page: usize) -> Option<String> {
    let list = site.list("police-board");
    let pages = list.len().div_ceil(POLICE_PER_PAGE).max(1);
    if page == 0 || page > pages {
        return None;
    }
    let rows: String = list
        .iter()
        .skip((page - 1) * POLICE_PER_PAGE)
        .take(POLICE_PER_PAGE)
        .map(|r| {
            format!(
                "<tr><td>{n}</td><td class=\"subject\"><a href=\"detail_{n}.html\" title=\"{t}\">{t}</a></td>\
                 <td>{}</td><td>{}</td><td><span class=\"{}\">{}</span></td></tr>\n",
                esc(r.author.as_deref().unwrap_or("网友")),
                site.time(r.published_at, "%Y-%m-%d"),
                status_class(r.status.as_deref()),
                esc(r.status.as_deref().unwrap_or("未回复")),
                n = r.number,
                t = esc(&r.title),
            )
        })
        .collect();
    // Like many boards, the last page's 下一页 points at the page itself.
    let next = |p: usize| format!("list_{}.html", p.min(pages));
    let main = format!(
        "<div class=\"notice\">网上留言不受理报警求助、刑事案件举报，紧急情况请拨打110。</div>\n\
         <table class=\"msg-list\"><tr><th>编号</th><th>留言标题</th><th>留言人</th><th>留言时间</th><th>状态</th></tr>\n\
         {rows}</table>\n<div class=\"pages\"><a href=\"list_1.html\">首页</a> \
         <a href=\"{}\">上一页</a> <a class=\"next\" href=\"{}\">下一页</a> \
         <a href=\"list_{pages}.html\">尾页</a> 第{page}/{pages}页</div>",
        next(page.saturating_sub(1).max(1)),
        next(page + 1),
    );
    Some(layout("utf-8", "网上留言", &POLICE, &main, ""))
}

/// A message page of the police board, with its status and any reply.
pub(super) fn police_detail(site: &Site, r: &DemoRecord) -> String {
    let reply = match &r.reply {
        Some(reply) => format!(
            "<h3>回复内容</h3><p class=\"reply-meta\">回复单位：<span class=\"reply-unit\">{}</span> \
             回复时间：<span class=\"reply-time\">{}</span></p>\n<div class=\"reply-content\">{}</div>",
            esc(r.reply_unit.as_deref().unwrap_or("")),
            r.replied_at
                .map(|t| site.time(t, "%Y-%m-%d %H:%M"))
                .unwrap_or_default(),
            paragraphs(reply, "<p>"),
        ),
        None => "<p class=\"no-reply\">该留言正在办理中，请耐心等待。</p>".to_string(),
    };
    let main = format!(
        "<div class=\"msg-detail\"><h2 class=\"msg-title\">{}</h2>\n<table class=\"msg-info\">\
         <tr><td>留言人：</td><td class=\"msg-author\">{}</td><td>留言时间：</td><td class=\"msg-time\">{}</td></tr>\
         <tr><td>办理状态：</td><td colspan=\"3\"><span class=\"msg-status\">{}</span></td></tr></table>\n\
         <div class=\"msg-content\">{}</div>\n<div class=\"reply-box\">{reply}</div></div>\n\
         <p><a href=\"list_1.html\">返回列表</a></p>",
        esc(&r.title),
        esc(r.author.as_deref().unwrap_or("网友")),
        site.time(r.published_at, "%Y-%m-%d %H:%M:%S"),
        esc(r.status.as_deref().unwrap_or("未回复")),
        paragraphs(&r.text, "<p>"),
    );
    layout("utf-8", &esc(&r.title), &POLICE, &main, "")
}

/// The index page at `/`, linking the sites.
pub(super) fn portal() -> String {
    let links: String = [&CITY, &METRO, &TIEBA, &MAYOR, &POLICE]
        .iter()
        .map(|c| format!("<li><a href=\"{}\">{}</a></li>", esc(c.home), c.brand))
        .chain(std::iter::once(
            "<li><a href=\"/weibo-public/api/statuses?uid=5820713&amp;count=20\">江城微博（接口）</a></li>".to_string(),
        ))
        .collect();
    let main = format!("<h1>江城网站导航</h1><ul class=\"site-list\">{links}</ul>");
    layout("utf-8", "首页", &PORTAL, &main, "")
}
