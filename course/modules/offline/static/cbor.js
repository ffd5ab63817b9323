/*
 * The little CBOR (RFC 8949) a certificate's COSE_Sign1 (RFC 9052) uses, and that message
 * read as strictly as course/modules/certificates/cose.py reads it: tag 18, exactly four
 * elements, an empty unprotected map, byte strings for the protected header, payload
 * and signature, and nothing after the message. Pure functions, no DOM.
 */
import { concat, fromUtf8, utf8 } from "./encoding.js";

export const COSE_SIGN1_TAG = 18;
const ALG = 1;
const KID = 4;
const EDDSA = -8;

/** Not a COSE_Sign1 of ours (garbled, truncated, or another format). */
export class MalformedPayload extends Error {
  constructor(message) {
    super(message);
    this.name = "MalformedPayload";
  }
}

/** A tagged item (major type 6): a map or an array is never mistaken for one. */
export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

/**
 * The one CBOR item that `bytes` is, with nothing after it. Maps come back as Map,
 * byte strings as Uint8Array; floats, simple values and indefinite lengths are refused
 * (a certificate of ours has none). Throws MalformedPayload.
 */
export function decode(bytes) {
  let pos = 0;
  const need = (n) => {
    if (pos + n > bytes.length) throw new MalformedPayload("cbor: truncated");
  };
  function length(info) {
    if (info < 24) return info;
    const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!size) throw new MalformedPayload("cbor: length");
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
        try {
          return fromUtf8(bytes.slice(pos - n, pos));
        } catch (error) {
          throw new MalformedPayload("cbor: text");
        }
      case 4:
        need(n); // each element takes a byte at least: a huge count is refused up front
        return Array.from({ length: n }, item);
      case 5: {
        need(2 * n);
        const map = new Map();
        for (let i = 0; i < n; i++) map.set(item(), item());
        return map;
      }
      case 6:
        return new Tagged(n, item());
      default:
        throw new MalformedPayload("cbor: type");
    }
  }
  const value = item();
  if (pos !== bytes.length) throw new MalformedPayload("cbor: trailing bytes");
  return value;
}

/** The head of an item of `major` type with length or value `n` (below 65,536). */
export function head(major, n) {
  if (n < 24) return Uint8Array.of((major << 5) | n);
  if (n < 256) return Uint8Array.of((major << 5) | 24, n);
  return Uint8Array.of((major << 5) | 25, n >> 8, n & 0xff);
}

/** ["Signature1", protected, b"", payload]: what the Ed25519 signature covers. */
export function sigStructure(protectedBytes, payload) {
  const label = utf8("Signature1");
  return concat(
    Uint8Array.of(0x84),
    head(3, label.length),
    label,
    head(2, protectedBytes.length),
    protectedBytes,
    Uint8Array.of(0x40),
    head(2, payload.length),
    payload
  );
}

/**
 * A COSE_Sign1 of ours: its key id, its claims (a Map) and what its signature covers.
 * The unprotected header is outside the signature, so anything in it could have been put
 * there by anyone: ours is always empty, and a message with more is refused.
 * Throws MalformedPayload.
 */
export function parseSign1(bytes) {
  const message = decode(bytes);
  if (!(message instanceof Tagged) || message.tag !== COSE_SIGN1_TAG) {
    throw new MalformedPayload("tag");
  }
  if (!Array.isArray(message.value) || message.value.length !== 4) {
    throw new MalformedPayload("structure");
  }
  const [protectedBytes, unprotected, payload, signature] = message.value;
  if (
    !(protectedBytes instanceof Uint8Array) ||
    !(unprotected instanceof Map) ||
    unprotected.size !== 0 ||
    !(payload instanceof Uint8Array) ||
    !(signature instanceof Uint8Array)
  ) {
    throw new MalformedPayload("structure");
  }
  const header = decode(protectedBytes);
  const claims = decode(payload);
  if (
    !(header instanceof Map) ||
    header.get(ALG) !== EDDSA ||
    !(header.get(KID) instanceof Uint8Array) ||
    !(claims instanceof Map)
  ) {
    throw new MalformedPayload("header");
  }
  return {
    kid: header.get(KID),
    claims,
    signature,
    toBeSigned: sigStructure(protectedBytes, payload),
  };
}
