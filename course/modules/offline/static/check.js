/*
 * The offline certificate check's page (/<lang>/check): the data kept on the device and
 * its refresh, the form, the camera, the log of checks and its CSV export. The verdict
 * itself comes from verify.js, which follows the rules of
 * course/modules/certificates/verification.py with no DOM.
 *
 * Nothing is sent anywhere except the two public lists fetched from this site, and a
 * typed code looked up online when the user asks. The log stays in this browser.
 */
import { concat, utf8 } from "./encoding.js";
import { sha256 } from "./proofs.js";
import {
  AMBER,
  FORGED,
  GREEN,
  RED,
  UntrustedList,
  checkLists,
  electionDaysOf,
  freshHoursOn,
  isFresh,
  verifyText,
} from "./verify.js";

const config = JSON.parse(document.getElementById("verifier-config").textContent);
const T = config.texts;
const DATA = "course.verifier.data.v1";
const LOG = "course.verifier.log.v1";
// A typed certificate code (XXXX-XXXX-XXXX-C): looked up online, never checked offline.
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z*~$=U]$/i;

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ the data on this device

function stored() {
  try {
    return JSON.parse(localStorage.getItem(DATA) || "null");
  } catch (error) {
    return null;
  }
}

// The days the page was given and those the kept, root-signed key list names: a key list
// synced after the page was cached may know of an election the page does not.
const freshHours = (now, data) =>
  freshHoursOn(now, { ...config, electionDays: [...config.electionDays, ...electionDaysOf(data && data.keys)] });

async function sync() {
  const get = async (url) => {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error(url);
    return response.json();
  };
  const [keys, status] = await Promise.all([get(config.keysUrl), get(config.statusUrl)]);
  await checkLists(keys, status, config.rootKey); // throws UntrustedList
  const previous = stored();
  // Never go back to older data than the copy already kept.
  if (previous && Date.parse(previous.status.validFrom) > Date.parse(status.validFrom)) return previous;
  const data = { keys, status, syncedAt: new Date().toISOString() };
  localStorage.setItem(DATA, JSON.stringify(data));
  return data;
}

// ------------------------------------------------------------------ the IIN tag

function iinValid(iin) {
  if (!/^\d{12}$/.test(iin)) return false;
  const d = Array.from(iin, Number);
  const sum = (weights) => weights.reduce((s, w, i) => s + w * d[i], 0) % 11;
  let c = sum([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  if (c === 10) c = sum([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
  return c !== 10 && c === d[11];
}

async function iinTag(code, iin) {
  const zero = Uint8Array.of(0);
  const digest = await sha256(concat(utf8("observer-course/iin-tag/v1"), zero, utf8(code), zero, utf8(iin)));
  return ((digest[0] << 8) | digest[1]) >> 6;
}

// ------------------------------------------------------------------ dates and codes shown

// Dates in the page's language with the server's (Babel's) pattern and month names:
// browsers do not all carry Kazakh locale data, and Kazakhstan's time is what counts.
function longDate(year, month, day) {
  return config.dateFormat.pattern.replace(/'([^']*)'|y+|M+|d+/g, (token, literal) => {
    if (literal !== undefined) return literal;
    if (token[0] === "y") return String(year);
    if (token[0] === "d") return String(day);
    return config.dateFormat.months[month - 1];
  });
}

function formatTime(iso) {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Almaty", year: "numeric", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const p = Object.fromEntries(f.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${longDate(p.year, Number(p.month), Number(p.day))}, ${p.hour}:${p.minute}`;
}

function formatDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return longDate(year, month, day);
}

const display = (code) => code.replace(/^(.{4})(.{4})(.{4})(.)$/, "$1-$2-$3-$4");

// ------------------------------------------------------------------ the page

function showData(data) {
  const box = $("data-state");
  if (!data) {
    box.textContent = T.noData;
    box.dataset.state = "none";
    return;
  }
  const now = Date.now();
  box.textContent = T.dataAsOf.replace("%(time)s", formatTime(data.status.validFrom));
  box.dataset.state = isFresh(data.status, now, freshHours(now, data)) ? "fresh" : "stale";
}

async function refresh() {
  if (!navigator.onLine) return showData(stored());
  try {
    showData(await sync());
  } catch (error) {
    showData(stored());
    if (!stored()) $("data-state").textContent = T.syncFailed;
  }
}

function readLog() {
  try {
    return JSON.parse(localStorage.getItem(LOG) || "[]");
  } catch (error) {
    return [];
  }
}

function addLog(code, verdict) {
  const log = readLog();
  log.unshift({ time: new Date().toISOString(), code, verdict });
  localStorage.setItem(LOG, JSON.stringify(log.slice(0, 1000)));
  renderLog();
}

function renderLog() {
  const log = readLog();
  $("log-rows").replaceChildren(
    ...log.slice(0, 20).map((row) => {
      const tr = document.createElement("tr");
      for (const value of [formatTime(row.time), row.code ? display(row.code) : "—", T.verdicts[row.verdict] || row.verdict]) {
        const td = document.createElement("td");
        td.textContent = value;
        tr.append(td);
      }
      return tr;
    })
  );
  $("log-empty").hidden = log.length > 0;
  $("log-actions").hidden = log.length === 0;
}

function exportLog() {
  const log = readLog();
  // A cell starting with = + - @ tab or CR would be a formula in a spreadsheet (OWASP's
  // CSV injection); a leading apostrophe keeps it text, as in the server's CSV files.
  const cell = (v) => (/^[=+\-@\t\r]/.test(String(v)) ? "'" + String(v) : String(v));
  const quote = (v) => `"${cell(v).replace(/"/g, '""')}"`;
  const lines = [["time", "code", "verdict"].join(","), ...log.map((r) => [r.time, r.code ? display(r.code) : "", r.verdict].map(quote).join(","))];
  const url = URL.createObjectURL(new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "certificate-checks.csv";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function show(kind, headline, lines) {
  const box = $("verdict");
  box.hidden = false;
  box.className = "verdict " + kind;
  box.dataset.verdict = kind;
  $("verdict-headline").textContent = headline;
  $("verdict-details").replaceChildren(
    ...lines.filter(Boolean).map((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      return p;
    })
  );
  box.focus();
}

async function identityLine(claims) {
  const typed = $("iin").value.replace(/\s/g, "");
  if (!typed) return null;
  if (!iinValid(typed)) return T.iinInvalid;
  if (claims.tag === null) return T.iinNoTag;
  return (await iinTag(claims.code, typed)) === claims.tag ? T.iinConsistent : T.iinInconsistent;
}

async function checkTyped(code) {
  const normal = code.toUpperCase().replace(/[\s-]/g, "");
  if (!navigator.onLine) {
    show(AMBER, T.typedOffline, [T.typedOfflineHint]);
    addLog(normal, "offline_code");
    return;
  }
  try {
    const response = await fetch(config.apiUrl.replace("CODE", encodeURIComponent(normal)) + "?lang=" + config.lang);
    const result = await response.json();
    if (result.status === "valid") {
      show(GREEN, T.onlineValid, [result.holder && T.holder.replace("%(name)s", result.holder), T.compareName]);
    } else {
      show(RED, T.onlineNotValid, [T.verdicts[result.status] || (result.error && result.error.message) || ""]);
    }
    addLog(normal, result.status === "valid" ? GREEN : RED);
  } catch (error) {
    show(AMBER, T.typedOffline, [T.typedOfflineHint]);
  }
}

async function check(event) {
  if (event) event.preventDefault();
  const text = $("qr-text").value.trim();
  if (!text) return;
  if (CODE.test(text)) return checkTyped(text);
  const data = stored();
  if (!data) {
    show(AMBER, T.noData, [T.noDataHint]);
    return;
  }
  const now = Date.now();
  let result;
  try {
    result = await verifyText(text, data, { now, freshHours: freshHours(now, data), rootKey: config.rootKey });
  } catch (error) {
    if (!(error instanceof UntrustedList)) throw error;
    // The kept lists no longer verify (changed on the device): as good as no data.
    show(AMBER, T.noData, [T.noDataHint]);
    return;
  }
  const c = result.claims;
  const lines = [];
  if (c && result.reason !== FORGED) {
    lines.push(T.holder.replace("%(name)s", c.name));
    lines.push(T.course.replace("%(course)s", config.courseTitle).replace("%(edition)s", c.edition));
    lines.push(T.completed.replace("%(date)s", formatDate(c.completed)));
    lines.push(T.code.replace("%(code)s", display(c.code)));
  }
  if (result.verdict !== RED) {
    lines.push(T.compareName);
    lines.push(await identityLine(c));
  }
  if (result.superseded) lines.unshift(T.superseded);
  if (result.verdict === AMBER) lines.unshift(T.staleHint);
  show(result.verdict, T.headlines[result.reason], lines);
  addLog(c ? c.code : "", result.verdict === RED ? result.reason : result.verdict);
}

async function scan() {
  const detector = new BarcodeDetector({ formats: ["qr_code"] });
  const video = $("camera");
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.hidden = false;
  video.srcObject = stream;
  await video.play();
  const stop = () => {
    stream.getTracks().forEach((t) => t.stop());
    video.hidden = true;
  };
  const tick = async () => {
    if (video.hidden) return;
    try {
      const found = await detector.detect(video);
      if (found.length) {
        stop();
        $("qr-text").value = found[0].rawValue;
        return check();
      }
    } catch (error) {
      /* a frame that could not be read: try the next */
    }
    setTimeout(tick, 250);
  };
  tick();
}

// The handlers first: once the data state below is shown, the form answers.
$("check-form").addEventListener("submit", check);
$("sync").addEventListener("click", refresh);
$("export-log").addEventListener("click", exportLog);
$("clear-log").addEventListener("click", () => {
  localStorage.removeItem(LOG);
  renderLog();
});
if ("BarcodeDetector" in window && navigator.mediaDevices) {
  $("scan").hidden = false;
  $("scan").addEventListener("click", () => scan().catch(() => show(AMBER, T.cameraFailed, [])));
}
window.addEventListener("online", refresh);
showData(stored());
renderLog();
refresh();
