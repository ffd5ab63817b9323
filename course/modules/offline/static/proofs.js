/*
 * Signatures the offline verifier checks: Ed25519, and the W3C Data Integrity proofs
 * (cryptosuite eddsa-jcs-2022) on the key list and the status list, made the way
 * course/modules/certificates/integrity.py makes them: JCS (RFC 8785) of the proof
 * options and of the document, SHA-256 of each, Ed25519 over the two hashes.
 *
 * Ed25519 comes from WebCrypto; a browser without it there gets the small audited
 * noble-ed25519 library kept next to this file (vendor/, with its licence), loaded only
 * then. No DOM.
 */
import { concat, fromBase58, utf8 } from "./encoding.js";

let engineInUse = null;

/** Which implementation answered the last check: "webcrypto", "noble", or null (none yet). */
export const engine = () => engineInUse;

export const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));

/** Whether `signature` is `publicKey`'s (raw, 32 bytes) over `message`; never throws. */
export async function ed25519Verify(publicKey, signature, message) {
  if (engineInUse !== "noble") {
    try {
      const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, [
        "verify",
      ]);
      const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
      engineInUse = "webcrypto";
      return ok;
    } catch (error) {
      // Only a browser without the algorithm falls back; a malformed key is just invalid.
      if (error.name !== "NotSupportedError") return false;
    }
  }
  const noble = await import("./vendor/noble-ed25519.js");
  engineInUse = "noble";
  try {
    return await noble.verifyAsync(signature, message, publicKey);
  } catch (error) {
    return false; // a malformed key or signature
  }
}

/** RFC 8785: sorted keys, ECMAScript number and string forms, which JSON.stringify has. */
export function jcs(value) {
  if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + jcs(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

/** Whether `doc` carries a valid eddsa-jcs-2022 proof by `publicKey` (raw bytes). */
export async function verifyProof(doc, publicKey) {
  const proof = doc && doc.proof;
  if (!proof || typeof proof !== "object" || proof.cryptosuite !== "eddsa-jcs-2022") return false;
  if (typeof proof.proofValue !== "string" || !proof.proofValue.startsWith("z")) return false;
  // As the W3C Recommendation says: the proof minus proofValue is what was signed; when
  // it carries an @context, the document's @context must begin with it.
  const options = { ...proof };
  delete options.proofValue;
  const unsigned = { ...doc };
  delete unsigned.proof;
  if ("@context" in options) {
    const list = (value) => (Array.isArray(value) ? value : [value]);
    const mine = list(options["@context"]);
    const theirs = list(doc["@context"]);
    if (mine.some((entry, i) => JSON.stringify(entry) !== JSON.stringify(theirs[i]))) return false;
    unsigned["@context"] = options["@context"];
  }
  let signature;
  try {
    signature = fromBase58(proof.proofValue.slice(1));
  } catch (error) {
    return false;
  }
  const data = concat(await sha256(utf8(jcs(options))), await sha256(utf8(jcs(unsigned))));
  return ed25519Verify(publicKey, signature, data);
}
