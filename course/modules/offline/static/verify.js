/*
 * The offline verdict on a certificate's QR text, by the rules of
 * course/modules/certificates/verification.py: the key list is signed by the pinned root
 * key (eddsa-jcs-2022), the status list by a listed key that is not withdrawn; the QR
 * text is a COSE_Sign1 (Ed25519) whose key id is in the list, whose signature holds,
 * whose issue time is inside the key's window, whose key is not withdrawn, and whose
 * revocation bit is not set. Green only when the status list is also fresh enough.
 *
 * Pure: no DOM, no storage, no clock of its own (the caller passes `now`), so the same
 * shared test vectors run here and through the Python verifier (tests/offline).
 */
import { MalformedPayload, parseSign1 } from "./cbor.js";
import { fromBase32, fromBase64url, fromUtf8, hex } from "./encoding.js";
import { ed25519Verify, verifyProof } from "./proofs.js";

// The colours the page shows, and the reasons: the words of verification.py, and STALE.
export const GREEN = "green";
export const AMBER = "amber";
export const RED = "red";
export const VALID = "valid";
export const STALE = "stale";
export const REVOKED = "revoked";
export const REPLACED = "replaced";
export const WITHDRAWN_KEY = "withdrawn_key";
export const FORGED = "forged";
export const UNKNOWN_KEY = "unknown_key";

const WITHDRAWN = "withdrawn"; // a key's status in the key list
const HOUR = 3600 * 1000;
// CWT claim keys (RFC 8392) and our private claim, as in cose.py.
const ISS = 1;
const IAT = 6;
const CTI = 7;
const CERTIFICATE_CLAIM = -70000;

/** A key list or status list whose own signature does not hold (or not the list we publish). */
export class UntrustedList extends Error {
  constructor(which) {
    super(`untrusted ${which}`);
    this.name = "UntrustedList";
    this.list = which; // "key list" or "status list"
  }
}

const millis = (now) => (now instanceof Date ? now.getTime() : Number(now));

/** The key list is signed by its root, and that root is the one pinned (base64url). */
export async function trustedKeyList(list, rootKey) {
  if (!list || typeof list.root_key !== "string" || !Array.isArray(list.keys)) return false;
  if (list.root_key !== rootKey) return false;
  let root;
  try {
    root = fromBase64url(list.root_key);
  } catch (error) {
    return false;
  }
  return verifyProof(list, root);
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// A Bitstring Status List's bits: multibase base64url ("u…") of gzip.
async function bitsOf(encoded) {
  if (typeof encoded !== "string" || !encoded.startsWith("u")) throw new Error("not multibase");
  return gunzip(fromBase64url(encoded.slice(1)));
}

/** The revocation (and replacement) bits of a status list signed by a listed key. */
export async function statusBits(status, keyList) {
  const proof = (status && status.proof) || {};
  const kid = String(proof.verificationMethod || "").split("#").pop();
  const entry = keyList.keys.find((k) => k.kid === kid && k.status !== WITHDRAWN);
  let key = null;
  try {
    key = entry ? fromBase64url(entry.public_key) : null;
  } catch (error) {
    key = null;
  }
  if (!key || !(await verifyProof(status, key))) throw new UntrustedList("status list");
  const subject = status.credentialSubject || {};
  const before = subject.supersededBefore;
  try {
    return {
      revoked: await bitsOf(subject.encodedList),
      replaced: subject.replacedList ? await bitsOf(subject.replacedList) : null,
      // Editions below this one are superseded (0: none are).
      supersededBefore: Number.isSafeInteger(before) ? before : 0,
    };
  } catch (error) {
    throw new UntrustedList("status list"); // signed, but not a list we could have written
  }
}

/** Both lists, as a sync receives them: throws UntrustedList unless both are genuine. */
export async function checkLists(keyList, status, rootKey) {
  if (!(await trustedKeyList(keyList, rootKey))) throw new UntrustedList("key list");
  await statusBits(status, keyList);
}

// Index 0 is the left-most bit (statuslist.py); past the end of the list is not set.
const bitSet = (bits, index) =>
  index < bits.length * 8 && (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;

/** The status list is at most `freshHours` old at `now` (a Date or milliseconds). */
export function isFresh(status, now, freshHours) {
  const signed = Date.parse(status && status.validFrom);
  if (Number.isNaN(signed)) return false; // no signed time: nothing says it is recent
  return (millis(now) - signed) / HOUR <= freshHours;
}

/**
 * How old the data may be at `now`: `freshDays` days, or `electionDayHours` on a day
 * (YYYY-MM-DD, Kazakhstan's date) in `electionDays`.
 */
export function freshHoursOn(now, { electionDays, freshDays, electionDayHours }) {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Almaty" }).format(millis(now));
  return electionDays.includes(day) ? electionDayHours : freshDays * 24;
}

/**
 * The election days a key list names (`election_days`, under the root's signature): the
 * well-formed ones only. Call it on a list `trustedKeyList` accepted.
 */
export function electionDaysOf(keyList) {
  const days = keyList && Array.isArray(keyList.election_days) ? keyList.election_days : [];
  return days.filter((day) => typeof day === "string" && /^\d{4}-\d{2}-\d{2}$/.test(day));
}

// The base32 payload of a QR text: the part after /V1/ of our link, or bare base32.
function payloadOf(text) {
  const match = text.match(/\/V1\/([A-Z2-7]+)/i) || text.match(/^([A-Z2-7]{40,})$/i);
  if (!match) throw new MalformedPayload("no payload");
  return match[1];
}

function readClaims(raw) {
  const own = raw.get(CERTIFICATE_CLAIM);
  const cti = raw.get(CTI);
  if (!(own instanceof Map) || !(cti instanceof Uint8Array)) throw new MalformedPayload("claims");
  const integer = (value) => {
    if (!Number.isSafeInteger(value)) throw new MalformedPayload("claims");
    return value;
  };
  const text = (value) => {
    if (value === undefined) throw new MalformedPayload("claims");
    return String(value);
  };
  const completed = text(own.get("d"));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(completed)) throw new MalformedPayload("claims");
  return {
    issuer: text(raw.get(ISS)),
    issuedAt: integer(raw.get(IAT)), // seconds
    code: fromUtf8(cti),
    name: text(own.get("n")),
    edition: integer(own.get("e")),
    completed,
    index: integer(own.get("s")),
    tag: own.has("t") ? integer(own.get("t")) : null,
  };
}

// A signing key's window: from not_before to not_after (open while the key is active).
function covers(entry, seconds) {
  const at = seconds * 1000;
  return Date.parse(entry.not_before) <= at && (!entry.not_after || at <= Date.parse(entry.not_after));
}

/**
 * The verdict on `text` (a QR's text) given `data` ({keys, status}: the two signed lists):
 * {verdict: GREEN | AMBER | RED, reason, claims?, kid?, superseded?}. `now` (a Date or milliseconds)
 * and `freshHours` judge the data's age; `rootKey` (base64url) is the pinned root.
 * Throws UntrustedList when a list is not genuine: that is about the data, not the
 * certificate, so there is no verdict.
 */
export async function verifyText(text, data, { now, freshHours, rootKey } = {}) {
  if (Number.isNaN(millis(now)) || typeof freshHours !== "number" || typeof rootKey !== "string") {
    throw new TypeError("verifyText needs now, freshHours and rootKey");
  }
  if (!(await trustedKeyList(data.keys, rootKey))) throw new UntrustedList("key list");
  let signed;
  let claims;
  try {
    signed = parseSign1(fromBase32(payloadOf(String(text).trim())));
    claims = readClaims(signed.claims);
  } catch (error) {
    // Whatever cannot be read (bad base32, CBOR, claims) is not a certificate of ours.
    return { verdict: RED, reason: FORGED };
  }
  const kid = hex(signed.kid);
  const candidates = data.keys.keys.filter((k) => k.kid === kid);
  if (!candidates.length) return { verdict: RED, reason: UNKNOWN_KEY, kid };
  let entry = null;
  for (const candidate of candidates) {
    let key;
    try {
      key = fromBase64url(candidate.public_key);
    } catch (error) {
      continue;
    }
    if (await ed25519Verify(key, signed.signature, signed.toBeSigned)) {
      entry = candidate;
      break;
    }
  }
  if (!entry) return { verdict: RED, reason: FORGED, kid };
  if (entry.status === WITHDRAWN) return { verdict: RED, reason: WITHDRAWN_KEY, claims, kid };
  if (!covers(entry, claims.issuedAt)) return { verdict: RED, reason: FORGED, kid };
  const bits = await statusBits(data.status, data.keys);
  if (claims.index < 0 || claims.index >= bits.revoked.length * 8) {
    // Every index we give lies inside our list: one beyond it is not our list's.
    throw new UntrustedList("status list");
  }
  if (bitSet(bits.revoked, claims.index)) {
    const replaced = bits.replaced !== null && bitSet(bits.replaced, claims.index);
    return { verdict: RED, reason: replaced ? REPLACED : REVOKED, claims, kid };
  }
  // Valid, but earned on an edition a later one superseded: a refresher is recommended.
  const superseded = claims.edition < bits.supersededBefore;
  if (!isFresh(data.status, now, freshHours)) {
    return { verdict: AMBER, reason: STALE, claims, kid, superseded };
  }
  return { verdict: GREEN, reason: VALID, claims, kid, superseded };
}
