/*
 * The offline certificate verifier (/<lang>/check).
 *
 * It follows the same rules as course/modules/certificates/verification.py:
 * the key list is signed by the pinned root key (eddsa-jcs-2022), the status list by a
 * listed key; a certificate's QR text is a COSE_Sign1 (Ed25519) whose key id is in the
 * list, whose signature holds, whose issue time is inside the key's window, whose key is
 * not withdrawn, and whose revocation bit is not set. The verdict is green only when the
 * status list is fresh (7 days; 24 hours on an election day the operator configured).
 *
 * Nothing is sent anywhere except the two public lists fetched from this site, and a
 * typed code looked up online when the user asks. The log stays in this browser.
 */
const config = JSON.parse(document.getElementById("verifier-config").textContent);
const T = config.texts;
const DATA = "course.verifier.data.v1";
const LOG = "course.verifier.log.v1";
const enc = new TextEncoder();

// ------------------------------------------------------------------ encodings

function b64urlDecode(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function b32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error("base32");
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function b58Decode(text) {
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let n = 0n;
  for (const ch of text) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error("base58");
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  const zeros = text.length - text.replace(/^1+/, "").length;
  return Uint8Array.from([...new Array(zeros).fill(0), ...bytes]);
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ------------------------------------------------------------------ CBOR (what COSE_Sign1 of ours uses)

function cborDecode(bytes) {
  let pos = 0;
  const need = (n) => {
    if (pos + n > bytes.length) throw new Error("cbor: truncated");
  };
  function length(info) {
    if (info < 24) return info;
    const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!size) throw new Error("cbor: length");
    need(size);
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + bytes[pos++];
    return n;
  }
  function item() {
    need(1);
    const first = bytes[pos++];
    const major = first >> 5;
    const n = length(first & 31);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        need(n);
        pos += n;
        return bytes.slice(pos - n, pos);
      case 3:
        need(n);
        pos += n;
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes.slice(pos - n, pos));
      case 4:
        return Array.from({ length: n }, item);
      case 5: {
        const map = new Map();
        for (let i = 0; i < n; i++) map.set(item(), item());
        return map;
      }
      case 6:
        return { tag: n, value: item() };
      default:
        throw new Error("cbor: type");
    }
  }
  const value = item();
  if (pos !== bytes.length) throw new Error("cbor: trailing bytes");
  return value;
}

function cborHead(major, n) {
  if (n < 24) return Uint8Array.of((major << 5) | n);
  if (n < 256) return Uint8Array.of((major << 5) | 24, n);
  return Uint8Array.of((major << 5) | 25, n >> 8, n & 0xff);
}

// ["Signature1", protected, b"", payload]: what the Ed25519 signature covers.
function sigStructure(protectedBytes, payload) {
  const label = enc.encode("Signature1");
  return concat(
    Uint8Array.of(0x84),
    cborHead(3, label.length),
    label,
    cborHead(2, protectedBytes.length),
    protectedBytes,
    Uint8Array.of(0x40),
    cborHead(2, payload.length),
    payload
  );
}

// ------------------------------------------------------------------ signatures

let engine = null; // "webcrypto" or "noble", for the page's footnote

async function ed25519Verify(publicKey, signature, message) {
  if (engine !== "noble") {
    try {
      const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, [
        "verify",
      ]);
      const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
      engine = "webcrypto";
      return ok;
    } catch (error) {
      // Only a browser without the algorithm falls back; a malformed key is just invalid.
      if (error.name !== "NotSupportedError") return false;
    }
  }
  // A browser without Ed25519 in WebCrypto: the small audited noble-ed25519 library.
  const noble = await import(config.fallbackUrl);
  engine = "noble";
  try {
    return await noble.verifyAsync(signature, message, publicKey);
  } catch (error) {
    return false;
  }
}
window.courseVerifierEngine = () => engine;
// For tests: behave as a browser without Ed25519 in WebCrypto would.
window.courseVerifierUseFallback = () => {
  engine = "noble";
};

const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));

// RFC 8785: sorted keys, ECMAScript number and string forms, which JSON.stringify has.
function jcs(value) {
  if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + jcs(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

async function verifyProof(doc, publicKey) {
  const proof = doc && doc.proof;
  if (!proof || proof.cryptosuite !== "eddsa-jcs-2022") return false;
  if (typeof proof.proofValue !== "string" || !proof.proofValue.startsWith("z")) return false;
  const options = { ...proof };
  delete options.proofValue;
  if (doc["@context"]) options["@context"] = doc["@context"];
  const unsigned = { ...doc };
  delete unsigned.proof;
  const data = concat(await sha256(enc.encode(jcs(options))), await sha256(enc.encode(jcs(unsigned))));
  try {
    return await ed25519Verify(publicKey, b58Decode(proof.proofValue.slice(1)), data);
  } catch (error) {
    return false;
  }
}

// ------------------------------------------------------------------ the lists

async function trustedKeyList(list) {
  if (!list || list.root_key !== config.rootKey) return false;
  return verifyProof(list, b64urlDecode(config.rootKey));
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function statusBits(status, keyList) {
  const kid = String((status.proof || {}).verificationMethod || "").split("#").pop();
  const entry = keyList.keys.find((k) => k.kid === kid && k.status !== "withdrawn");
  if (!entry || !(await verifyProof(status, b64urlDecode(entry.public_key)))) {
    throw new Error("untrusted status list");
  }
  const subject = status.credentialSubject || {};
  const decode = async (text) => (text ? gunzip(b64urlDecode(text.slice(1))) : null);
  return { revoked: await decode(subject.encodedList), replaced: await decode(subject.replacedList) };
}

const bitSet = (bits, index) => !!bits && index >= 0 && index < bits.length * 8 && (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;

function stored() {
  try {
    return JSON.parse(localStorage.getItem(DATA) || "null");
  } catch (error) {
    return null;
  }
}

async function sync() {
  const get = async (url) => {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error(url);
    return response.json();
  };
  const [keys, status] = await Promise.all([get(config.keysUrl), get(config.statusUrl)]);
  if (!(await trustedKeyList(keys))) throw new Error("untrusted key list");
  await statusBits(status, keys); // throws unless signed by a listed key
  const previous = stored();
  // Never go back to older data than the copy already kept.
  if (previous && Date.parse(previous.status.validFrom) > Date.parse(status.validFrom)) return previous;
  const data = { keys, status, syncedAt: new Date().toISOString() };
  localStorage.setItem(DATA, JSON.stringify(data));
  return data;
}

function freshnessLimitHours() {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Almaty" }).format(new Date());
  return config.electionDays.includes(today) ? config.electionDayHours : config.freshDays * 24;
}

// ------------------------------------------------------------------ verifying a QR text

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z*~$=U]$/i;

async function verifyText(text, data) {
  const match = text.match(/\/V1\/([A-Z2-7]+)/i) || text.match(/^([A-Z2-7]{40,})$/i);
  if (!match) return { verdict: "red", reason: "forged" };
  let claims;
  let kid;
  let signed;
  try {
    const message = cborDecode(b32Decode(match[1]));
    if (message.tag !== 18 || !Array.isArray(message.value) || message.value.length !== 4) throw 0;
    const [protectedBytes, unprotected, payload, signature] = message.value;
    // The unprotected header is outside the signature: ours is always an empty map, so
    // anything else was added by someone else (the server's parser refuses it too).
    if (!(unprotected instanceof Map) || unprotected.size !== 0) throw 0;
    if (![protectedBytes, payload, signature].every((part) => part instanceof Uint8Array)) throw 0;
    const header = cborDecode(protectedBytes);
    if (header.get(1) !== -8 || !(header.get(4) instanceof Uint8Array)) throw 0;
    kid = hex(header.get(4));
    const raw = cborDecode(payload);
    const own = raw.get(-70000);
    claims = {
      issuer: String(raw.get(1)),
      issuedAt: Number(raw.get(6)),
      code: new TextDecoder().decode(raw.get(7)),
      name: String(own.get("n")),
      edition: Number(own.get("e")),
      completed: String(own.get("d")),
      index: Number(own.get("s")),
      tag: own.has("t") ? Number(own.get("t")) : null,
    };
    signed = { signature, message: sigStructure(protectedBytes, payload) };
  } catch (error) {
    return { verdict: "red", reason: "forged" };
  }
  const candidates = data.keys.keys.filter((k) => k.kid === kid);
  if (!candidates.length) return { verdict: "red", reason: "unknown_key" };
  let entry = null;
  for (const candidate of candidates) {
    if (await ed25519Verify(b64urlDecode(candidate.public_key), signed.signature, signed.message)) {
      entry = candidate;
      break;
    }
  }
  if (!entry) return { verdict: "red", reason: "forged" };
  if (entry.status === "withdrawn") return { verdict: "red", reason: "withdrawn", claims };
  const issued = claims.issuedAt * 1000;
  if (issued < Date.parse(entry.not_before) || (entry.not_after && issued > Date.parse(entry.not_after))) {
    return { verdict: "red", reason: "forged" };
  }
  const bits = await statusBits(data.status, data.keys);
  if (bitSet(bits.revoked, claims.index)) {
    return { verdict: "red", reason: bitSet(bits.replaced, claims.index) ? "replaced" : "revoked", claims };
  }
  const ageHours = (Date.now() - Date.parse(data.status.validFrom)) / 3600000;
  if (ageHours > freshnessLimitHours()) return { verdict: "amber", reason: "stale", claims };
  return { verdict: "green", reason: "valid", claims };
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
  const digest = await sha256(concat(enc.encode("observer-course/iin-tag/v1"), Uint8Array.of(0), enc.encode(code), Uint8Array.of(0), enc.encode(iin)));
  return ((digest[0] << 8) | digest[1]) >> 6;
}

// ------------------------------------------------------------------ the page

const $ = (id) => document.getElementById(id);
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

function showData(data) {
  const box = $("data-state");
  if (!data) {
    box.textContent = T.noData;
    box.dataset.state = "none";
    return;
  }
  const age = (Date.now() - Date.parse(data.status.validFrom)) / 3600000;
  box.textContent = T.dataAsOf.replace("%(time)s", formatTime(data.status.validFrom));
  box.dataset.state = age > freshnessLimitHours() ? "stale" : "fresh";
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

function addLog(code, verdict) {
  const log = JSON.parse(localStorage.getItem(LOG) || "[]");
  log.unshift({ time: new Date().toISOString(), code, verdict });
  localStorage.setItem(LOG, JSON.stringify(log.slice(0, 1000)));
  renderLog();
}

function renderLog() {
  const log = JSON.parse(localStorage.getItem(LOG) || "[]");
  const body = $("log-rows");
  body.replaceChildren(
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
  const log = JSON.parse(localStorage.getItem(LOG) || "[]");
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
    show("amber", T.typedOffline, [T.typedOfflineHint]);
    addLog(normal, "offline_code");
    return;
  }
  try {
    const response = await fetch(config.apiUrl.replace("CODE", encodeURIComponent(normal)) + "?lang=" + config.lang);
    const result = await response.json();
    if (result.status === "valid") {
      show("green", T.onlineValid, [result.holder && T.holder.replace("%(name)s", result.holder), T.compareName]);
    } else {
      show("red", T.onlineNotValid, [T.verdicts[result.status] || (result.error && result.error.message) || ""]);
    }
    addLog(normal, result.status === "valid" ? "green" : "red");
  } catch (error) {
    show("amber", T.typedOffline, [T.typedOfflineHint]);
  }
}

async function check(event) {
  if (event) event.preventDefault();
  const text = $("qr-text").value.trim();
  if (!text) return;
  if (CODE.test(text)) return checkTyped(text);
  const data = stored();
  if (!data) {
    show("amber", T.noData, [T.noDataHint]);
    return;
  }
  const result = await verifyText(text, data);
  const c = result.claims;
  const lines = [];
  if (c && result.reason !== "forged") {
    lines.push(T.holder.replace("%(name)s", c.name));
    lines.push(T.course.replace("%(course)s", config.courseTitle).replace("%(edition)s", c.edition));
    lines.push(T.completed.replace("%(date)s", formatDate(c.completed)));
    lines.push(T.code.replace("%(code)s", display(c.code)));
  }
  if (result.verdict !== "red") {
    lines.push(T.compareName);
    lines.push(await identityLine(c));
  }
  if (result.verdict === "amber") lines.unshift(T.staleHint);
  show(result.verdict, T.headlines[result.reason], lines);
  addLog(c ? c.code : "", result.verdict === "red" ? result.reason : result.verdict);
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

$("check-form").addEventListener("submit", check);
$("sync").addEventListener("click", refresh);
$("export-log").addEventListener("click", exportLog);
$("clear-log").addEventListener("click", () => {
  localStorage.removeItem(LOG);
  renderLog();
});
if ("BarcodeDetector" in window && navigator.mediaDevices) {
  $("scan").hidden = false;
  $("scan").addEventListener("click", () => scan().catch(() => show("amber", T.cameraFailed, [])));
}
window.addEventListener("online", refresh);
showData(stored());
renderLog();
refresh();
window.courseVerifierReady = true;
