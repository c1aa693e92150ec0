// The dashboard's only script (progressive enhancement: every page works without it).
// - Live pages (body[data-live]) follow the owner event stream and, on an event they care about, reload their
//   [data-live-region] parts from the server (the server renders; this script only swaps the HTML in).
// - [data-copy] buttons copy a secret shown once; form[data-confirm] asks first; select[data-autosubmit] submits.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const body = document.body;

  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        button.textContent = "Copied";
      } catch {
        const range = document.createRange();
        range.selectNodeContents(source);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        button.textContent = "Selected: press Ctrl+C";
      }
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  const live = (body.dataset.live || "").split(" ").filter(Boolean);
  const workspace = body.dataset.workspace;
  if (live.length === 0 || !workspace || !window.EventSource) return;

  let refreshing = null;
  const refresh = async () => {
    if (refreshing) return;
    refreshing = (async () => {
      const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      document.querySelectorAll("[data-live-region]").forEach((region) => {
        const fresh = page.getElementById(region.id);
        if (fresh && fresh.innerHTML !== region.innerHTML) region.innerHTML = fresh.innerHTML;
      });
      body.dataset.liveUpdated = String(Date.now());
    })().finally(() => { refreshing = null; });
  };

  const events = new EventSource("/dashboard/events?ws=" + encodeURIComponent(workspace));
  events.addEventListener("open", () => { body.dataset.liveConnected = "true"; });
  live.forEach((type) => events.addEventListener(type, refresh));
});
