// Live worklists without a reload: refetch the page and swap in the fresh list.
"use strict";
document.querySelectorAll("[data-refresh]").forEach((element) => {
  const every = Number(element.dataset.refresh) || 10000;
  setInterval(async () => {
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser()
        .parseFromString(await response.text(), "text/html")
        .getElementById(element.id);
      if (fresh) element.innerHTML = fresh.innerHTML;
    } catch (_) {
      // The workbench restarting: try again at the next tick.
    }
  }, every);
});
