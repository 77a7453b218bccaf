// The job log view: loads the log's tail by byte range (never the whole log), earlier windows on
// request, then follows it live over the log's SSE stream. Lines are coloured by ansi_up, which
// escapes everything else, so log text never becomes HTML.
import { AnsiUp } from "/static/vendor/ansi_up.js";

const WINDOW = 256 * 1024;

function startLog(view) {
  const logUrl = view.dataset.logUrl;
  const streamUrl = view.dataset.streamUrl;
  let end = Number(view.dataset.end);
  let start = Math.max(0, end - WINDOW);
  const ansi = new AnsiUp();
  ansi.use_classes = false;
  const state = document.getElementById("log-state");
  const lines = document.createElement("div");
  view.append(lines);
  let follow = true;
  view.addEventListener("scroll", () => {
    follow = view.scrollTop + view.clientHeight >= view.scrollHeight - 4;
  });

  let firstNumber = start === 0 ? 1 : null;
  let nextNumber = firstNumber;

  function lineElement(text, number) {
    const line = document.createElement("div");
    line.className = "line";
    const no = document.createElement("a");
    no.className = "no";
    if (number !== null) {
      line.id = "L" + number;
      no.href = "#L" + number;
      no.textContent = String(number);
    }
    const body = document.createElement("span");
    body.innerHTML = ansi.ansi_to_html(text);
    line.append(no, body);
    return line;
  }

  function append(text) {
    const fragment = document.createDocumentFragment();
    const parts = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
    for (const part of parts) {
      fragment.append(lineElement(part, nextNumber));
      if (nextNumber !== null) nextNumber++;
    }
    lines.append(fragment);
    if (follow) view.scrollTop = view.scrollHeight;
  }

  async function fetchRange(from, to) {
    const response = await fetch(`${logUrl}?offset=${from}`, { headers: { Accept: "text/plain" } });
    const text = await response.text();
    // The log may have grown since: keep only what this window asked for (by UTF-8 bytes).
    const bytes = new TextEncoder().encode(text);
    return new TextDecoder().decode(bytes.slice(0, to - from));
  }

  async function loadTail() {
    let text = end > 0 ? await fetchRange(start, end) : "";
    if (start > 0) {
      // Cut the window to whole lines: drop the part of the first one before the window.
      const newline = text.indexOf("\n");
      start += new TextEncoder().encode(text.slice(0, newline + 1)).length;
      text = text.slice(newline + 1);
      addEarlierButton();
    }
    append(text);
    view.scrollTop = view.scrollHeight;
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView({ block: "center" });
  }

  function addEarlierButton() {
    const more = document.createElement("button");
    more.type = "button";
    more.className = "more";
    more.textContent = `Load earlier lines (${start.toLocaleString()} bytes before)`;
    more.addEventListener("click", async () => {
      const from = Math.max(0, start - WINDOW);
      let text = await fetchRange(from, start);
      if (from > 0) {
        // Whole lines only: the window now starts after the first newline it holds.
        text = text.slice(text.indexOf("\n") + 1);
      }
      start = from > 0 ? start - new TextEncoder().encode(text).length : 0;
      const height = view.scrollHeight;
      const fragment = document.createDocumentFragment();
      for (const part of text.replace(/\n$/, "").split("\n")) fragment.append(lineElement(part, null));
      lines.prepend(fragment);
      view.scrollTop += view.scrollHeight - height;
      if (start === 0) more.remove(); else more.textContent = `Load earlier lines (${start.toLocaleString()} bytes before)`;
    });
    view.prepend(more);
  }

  function followLive() {
    if (view.dataset.finished === "true") {
      state.textContent = "";
      return;
    }
    state.textContent = "following…";
    const source = new EventSource(`${streamUrl}?offset=${end}`);
    source.addEventListener("log", (e) => {
      append(e.data + "\n");
      end = Number(e.lastEventId) || end;
    });
    source.addEventListener("end", (e) => {
      source.close();
      state.textContent = "job " + JSON.parse(e.data).status;
    });
  }

  loadTail().then(followLive);

  const search = document.getElementById("log-search");
  let hits = [];
  let current = -1;
  search?.addEventListener("input", () => {
    for (const hit of hits) hit.classList.remove("hit");
    const needle = search.value.toLowerCase();
    hits = needle ? [...lines.children].filter((l) => l.textContent.toLowerCase().includes(needle)) : [];
    for (const hit of hits) hit.classList.add("hit");
    current = -1;
    state.textContent = needle ? `${hits.length} matching lines` : "";
  });
  search?.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && hits.length) {
      e.preventDefault();
      current = (current + 1) % hits.length;
      follow = false;
      hits[current].scrollIntoView({ block: "center" });
    }
  });
}

const view = document.getElementById("log");
if (view) startLog(view);
