// Verifies an Open Badges 3.0 credential with Digital Bazaar's implementations (not ours):
// @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, and the Bitstring Status List check.
// Input on stdin: {"credential": {...}, "didDocument": {...}, "statusLists": {url: vc},
// "contexts": {url: document}}. Nothing is fetched from the network: the document loader only
// knows what it is given. Output on stdout: {"verified": bool, "error": str|null,
// "status": {"verified": bool, "revoked": bool|null, "error": str|null}|null}.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const input = JSON.parse(readFileSync(0, 'utf8'));
const did = input.didDocument;
const documents = new Map(Object.entries(input.contexts || {}));
for(const [url, list] of Object.entries(input.statusLists || {})) {
  documents.set(url, list);
}
documents.set(did.id, did);
for(const method of did.verificationMethod) {
  documents.set(method.id, {'@context': 'https://w3id.org/security/multikey/v1', ...method});
}

async function documentLoader(url) {
  if(documents.has(url)) {
    return {contextUrl: null, documentUrl: url, document: documents.get(url)};
  }
  throw new Error(`document not available offline: ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const message = error => error ? String(error.message || error).slice(0, 500) : null;
const out = {verified: false, error: null, status: null};
try {
  const result = await vc.verifyCredential({
    credential: input.credential, suite, documentLoader,
    // the proof alone here; the status is read below with the status-list reader
    checkStatus: async () => ({verified: true})
  });
  out.verified = result.verified;
  if(!result.verified) {
    const errors = result.error?.errors || [result.error];
    out.error = errors.map(message).join('; ');
  }
} catch(error) {
  out.error = message(error);
}
if(input.credential.credentialStatus && input.statusLists) {
  const result = await checkStatus({
    credential: input.credential, documentLoader, suite,
    verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true
  });
  const first = Array.isArray(result.results) ? result.results[0] : result;
  out.status = {
    verified: Boolean(result.verified),
    revoked: first && typeof first.status === 'boolean' ? first.status : null,
    error: message(result.error || first?.error)
  };
}
process.stdout.write(JSON.stringify(out));
