// yuqing analyst UI: login and case actions through the JSON API, with the
// CSRF token from <meta name="csrf">. Served from /static (the CSP allows
// no inline script).
"use strict";

function csrf() {
  const meta = document.querySelector('meta[name="csrf"]');
  return meta ? meta.getAttribute("content") : "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (_) { data = null; }
  return { status: response.status, data };
}

// Where to go after logging in: a path of this site only. The URL parser
// decides, as the browser will: `/\evil.example` is another site to it,
// though it starts with one slash.
function sameSite(next) {
  try {
    const url = new URL(next || "/", location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : "/";
  } catch (_) {
    return "/";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const login = document.getElementById("login-form");
  if (login) {
    login.addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = document.getElementById("login-error");
      const reply = await post("/api/v1/login", {
        username: login.elements.username.value,
        password: login.elements.password.value,
      });
      if (reply.status === 200) {
        location.href = sameSite(new URLSearchParams(location.search).get("next"));
      } else {
        message.textContent = reply.status === 429
          ? "登录失败次数过多，请稍后再试。"
          : "用户名或密码错误。";
      }
    });
  }
  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async (event) => {
      event.preventDefault();
      await post("/api/v1/logout", {});
      location.href = "/login";
    });
  }
  document.querySelectorAll("form.case-action").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = event.submitter ? event.submitter.value : form.elements.status.value;
      const body = { status, note: form.elements.note.value || null };
      if (status === "dismissed") body.reason = form.elements.reason.value;
      if (form.elements.assignee && form.elements.assignee.value) body.assignee = form.elements.assignee.value;
      const reply = await post(form.getAttribute("data-url"), body);
      const out = form.querySelector(".result");
      if (reply.status === 200) {
        // The page reloads and shows the new status as the server names it.
        out.textContent = "已更新";
        setTimeout(() => location.reload(), 300);
      } else {
        out.textContent = (reply.data && reply.data.error) || ("失败：" + reply.status);
      }
    });
  });
});
