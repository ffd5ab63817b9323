/*
 * The encodings the offline verifier reads: base32 (a QR's payload), base64url (keys and
 * the status list's bits), base58btc (Data Integrity proof values), hex (key ids), UTF-8.
 * Pure functions, no DOM; each throws an Error on text it cannot read.
 */

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export const utf8 = (text) => new TextEncoder().encode(text);

/** Strict UTF-8: a malformed byte sequence is an error, not a replacement character. */
export const fromUtf8 = (bytes) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);

export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** RFC 4648 base64url, with or without padding. */
export function fromBase64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** RFC 4648 base32 without padding, in either case. */
export function fromBase32(text) {
  // 1, 3 or 6 symbols past a full group of 8 cannot come from whole bytes; Python's
  // base64.b32decode (the server's verifier) refuses them too.
  if ([1, 3, 6].includes(text.length % 8)) throw new Error("base32: length");
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.toUpperCase()) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new Error("base32: symbol");
    value = ((value << 5) | v) & 0xfff; // the pending bits never exceed 12
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** Bitcoin's base58 (multibase "z" without its prefix): leading 1s are zero bytes. */
export function fromBase58(text) {
  let n = 0n;
  for (const ch of text) {
    const v = BASE58.indexOf(ch);
    if (v < 0) throw new Error("base58: symbol");
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
