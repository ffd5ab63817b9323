// An independent check of Data Integrity credentials with Digital Bazaar's widely used
// JavaScript stack (@digitalbazaar/vc, data-integrity, the eddsa-rdfc-2022 and
// eddsa-jcs-2022 cryptosuites, vc-bitstring-status-list). Driven by
// tests/interop/test_standard_verifiers.py; none of our own code is used here.
//
//   node verify.mjs <request.json>
//
// request: {"credential": {...}, "suite": "eddsa-rdfc-2022" | "eddsa-jcs-2022",
//           "contexts": {url: context}, "didWeb": {did: "http://127.0.0.1:…/did.json"},
//           "allowFetch": ["http://127.0.0.1:…/"], "checkStatus": true,
//           "purpose": "credential" (default: a VC whose issuer controls the key) |
//                      "assertion" (any document signed for assertionMethod)}
// Prints one JSON line: {"verified", "proofVerified", "status": {"verified", "bit"},
// "errors"}.
//
// The document loader is offline: contexts come from the npm packages and the request,
// a did:key is read from the key itself, and a did:web document or a status list is
// fetched only from the addresses the request names (the test server on 127.0.0.1).
import {readFile} from 'node:fs/promises';

import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as credentialContexts} from '@digitalbazaar/credentials-context';
import didContext from 'did-context';
import multikeyContext from '@digitalbazaar/multikey-context';

const request = JSON.parse(await readFile(process.argv[2], 'utf8'));

const contexts = new Map([
  ...credentialContexts,
  ...didContext.contexts,
  ...multikeyContext.contexts,
  ...Object.entries(request.contexts || {}),
]);

function didKeyDocument(did) {
  const key = did.slice('did:key:'.length);
  const id = `${did}#${key}`;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{id, type: 'Multikey', controller: did, publicKeyMultibase: key}],
    assertionMethod: [id],
  };
}

async function fetchJson(url) {
  if(!(request.allowFetch || []).some(prefix => url.startsWith(prefix))) {
    throw new Error(`offline document loader: will not fetch ${url}`);
  }
  const response = await fetch(url);
  if(!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.json();
}

async function resolveDid(did) {
  if(did.startsWith('did:key:')) {
    return didKeyDocument(did);
  }
  const location = (request.didWeb || {})[did];
  if(did.startsWith('did:web:') && location) {
    return fetchJson(location);
  }
  throw new Error(`cannot resolve ${did}`);
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:')) {
    const [did, fragment] = url.split('#');
    const document = await resolveDid(did);
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document};
    }
    const method = (document.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`${url} is not in the DID document`);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      document: {'@context': document['@context'], ...method},
    };
  }
  return {contextUrl: null, documentUrl: url, document: await fetchJson(url)};
}

const suites = {
  'eddsa-rdfc-2022': () => new DataIntegrityProof({cryptosuite: rdfc}),
  'eddsa-jcs-2022': () => new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()}),
};

function messages(result) {
  const found = [];
  const visit = value => {
    if(!value) {
      return;
    }
    if(Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if(value.message) {
      found.push(String(value.message));
    }
    visit(value.errors);
    visit(value.cause);
  };
  visit(result.error);
  (result.results || []).forEach(r => visit(r.error));
  return found;
}

// Our status list is signed with eddsa-jcs-2022 only: it is checked with that suite.
const statusSuite = suites['eddsa-jcs-2022']();
let status = null;
async function checkStatus(options) {
  const checked = await checkBitstringStatus({...options, suite: statusSuite});
  const first = (checked.results || [])[0] || {};
  status = {
    verified: checked.verified,
    bit: first.status === undefined ? null : (first.status ? 1 : 0),
    errors: messages(checked),
  };
  return checked;
}

// The W3C test vectors name an issuer that is not their key's controller: they are
// checked as signed documents ("assertion"), ours as credentials.
const result = request.purpose === 'assertion' ?
  await jsigs.verify(request.credential, {
    suite: suites[request.suite](),
    purpose: new jsigs.purposes.AssertionProofPurpose(),
    documentLoader,
  }) :
  await vc.verifyCredential({
    credential: request.credential,
    suite: suites[request.suite](),
    documentLoader,
    ...(request.checkStatus ? {checkStatus} : {}),
  });
const proofVerified = Array.isArray(result.results) && result.results.length > 0 &&
  result.results.every(r => r.verified);
console.log(JSON.stringify({
  verified: result.verified,
  proofVerified,
  status,
  errors: messages(result),
}));
