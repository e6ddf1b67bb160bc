// The door list (registrations/door.py): search as you type, tap to mark present, and stay in
// step with the other devices at the same door. A tap is shown as saved only once the server
// has answered that it is; until then it says "Sparar …", and after a lost answer
// "Inte sparat – försöker igen" while it is sent again. A file of its own: the content
// security policy forbids inline scripts.
"use strict";
(() => {
  const root = document.querySelector("[data-door]");
  if (!root) return;
  const texts = root.dataset;
  const search = document.getElementById("door-q");
  const count = document.getElementById("door-count");
  const message = document.getElementById("door-message");
  const TIMEOUT_MS = 8000;
  const MAX_RETRY_MS = 30000;
  // Taps the server has not confirmed, by registration id: {present, attempt, failed, busy}.
  const pending = new Map();

  const fold = (text) =>
    text.normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase("sv").replace(/\s+/g, " ").trim();

  function filter() {
    const query = fold(search.value);
    for (const item of root.querySelectorAll("[data-search]")) {
      const match = item.dataset.search.includes(query);
      // People of other rooms only from two letters on: otherwise the whole pass shows.
      item.hidden = item.closest("#door-here") ? !match : query.length < 2 || !match;
    }
    for (const letter of root.querySelectorAll("[data-letter]")) letter.hidden = query !== "";
    const index = root.querySelector("[data-door-index]");
    if (index) index.hidden = query !== "";
    const elsewhere = root.querySelector("[data-door-elsewhere]");
    elsewhere.hidden = !elsewhere.querySelector("li:not([hidden])");
    // Said when a search finds no one, so an empty list is not taken for one still loading.
    const found = root.querySelector("#door-here [data-person]:not([hidden])") || !elsewhere.hidden;
    root.querySelector("[data-door-no-match]").hidden = query === "" || Boolean(found);
  }

  function show(id) {
    const item = document.getElementById(`person-${id}`);
    if (!item || !item.dataset.person) return;
    const saved = item.dataset.present === "true";
    const entry = pending.get(id);
    item.classList.toggle("is-present", saved && !entry);
    item.classList.toggle("is-saving", Boolean(entry) && !entry.failed);
    item.classList.toggle("is-unsaved", Boolean(entry) && entry.failed);
    item.querySelector("button").setAttribute("aria-pressed", String(saved));
    item.querySelector("input[name=present]").value = saved ? "0" : "1";
    let state = saved ? texts.textPresent : texts.textAbsent;
    if (entry) state = entry.failed ? entry.failedText || texts.textUnsaved : texts.textSaving;
    item.querySelector("[data-state]").textContent = state;
  }

  function apply(state) {
    count.textContent = state.count;
    const present = new Set(state.present.map(String));
    for (const item of root.querySelectorAll("[data-person]")) {
      item.dataset.present = String(present.has(item.dataset.person));
      show(item.dataset.person);
    }
  }

  async function post(form, present) {
    const body = new FormData(form);
    body.set("present", present ? "1" : "0");
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      return await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json", "X-CSRFToken": body.get("csrfmiddlewaretoken") },
        credentials: "same-origin",
        signal: abort.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function send(id) {
    const entry = pending.get(id);
    const item = document.getElementById(`person-${id}`);
    if (!entry || entry.busy || !item) return;
    entry.busy = true;
    const wanted = entry.present;
    let response = null;
    let answer = null;
    try {
      response = await post(item.querySelector("form"), wanted);
      answer = await response.json();
    } catch {
      // No answer (offline, timed out, not JSON): not saved, so sent again below.
    }
    entry.busy = false;
    if (response && response.ok && answer && answer.ok) {
      item.dataset.present = String(answer.saved);
      if (entry.present === wanted) pending.delete(id);
      apply(answer);
      if (pending.has(id)) send(id); // tapped again while this one was on its way
      return;
    }
    if (response && response.status === 409 && answer) {
      // Refused by a rule (the seat is elsewhere now): saying so, not retrying.
      pending.delete(id);
      message.textContent = answer.message;
      show(id);
      return;
    }
    entry.failed = true;
    if (response && (response.status === 403 || response.redirected)) {
      // Logged out, or the CSRF cookie is gone: sending again will not help.
      entry.failedText = texts.textLogin;
      show(id);
      return;
    }
    entry.attempt += 1;
    show(id);
    setTimeout(() => send(id), Math.min(MAX_RETRY_MS, 1000 * 2 ** entry.attempt));
  }

  root.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-door-mark]");
    if (!form) return;
    event.preventDefault();
    const item = form.closest("[data-person]");
    const id = item.dataset.person;
    // Each tap asks for the opposite of what the list shows; what is asked is sent even when
    // it is the saved state again, since a lost answer may hide what the server did.
    const entry = pending.get(id);
    if (entry) {
      entry.present = !entry.present;
      entry.failed = false;
      entry.failedText = "";
    } else {
      const saved = item.dataset.present === "true";
      pending.set(id, { present: !saved, attempt: 0, failed: false, busy: false });
    }
    message.textContent = "";
    show(id);
    send(id);
  });

  search.form.addEventListener("submit", (event) => {
    event.preventDefault();
    filter();
    search.blur(); // closes the phone's keyboard, so the list shows
  });
  search.addEventListener("input", filter);

  async function reload() {
    // Someone was added or moved: the lists themselves changed, not only the ticks.
    const response = await fetch(window.location.pathname, { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const lists = fresh.querySelector("[data-door]");
    if (!lists) return;
    root.innerHTML = lists.innerHTML;
    root.dataset.members = lists.dataset.members;
    count.textContent = fresh.getElementById("door-count").textContent;
    for (const id of pending.keys()) show(id);
    filter();
  }

  async function poll() {
    try {
      const response = await fetch(root.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        cache: "no-store",
        credentials: "same-origin",
      });
      if (response.ok) {
        const state = await response.json();
        if (state.members !== root.dataset.members) await reload();
        else apply(state);
      }
    } catch {
      // Offline for a moment: the next poll tries again.
    }
    setTimeout(poll, Number(root.dataset.poll) * 1000);
  }

  filter();
  setTimeout(poll, Number(root.dataset.poll) * 1000);
})();
