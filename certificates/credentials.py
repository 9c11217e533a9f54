"""Open Badges 3.0 credentials for certificates, signed with a Data Integrity proof (eddsa-rdfc-2022).

Signing follows the W3C "Data Integrity EdDSA Cryptosuites v1.0" spec: canonicalise the proof
configuration and the credential with RDFC-1.0 (URDNA2015 in pyld), hash each with SHA-256, sign
proofConfigHash ‖ documentHash with Ed25519, and store the signature as multibase base58btc. The key
is named by a did:key. JSON-LD contexts come from local copies in `certificates/contexts/`; the
document loader refuses every other URL, so nothing is ever fetched from the network.
"""

import copy
import datetime as dt
import hashlib
import json
import uuid
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from pyld import jsonld

from django.conf import settings
from django.utils import timezone

from . import keys

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT_FILES = {VC_V2: "credentials-v2.jsonld", OB_V3: "ob-context-3.0.3.json"}
CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
CRYPTOSUITE = "eddsa-rdfc-2022"
ACHIEVEMENT_TYPES = {
    "completion": "CertificateOfCompletion",
    "skill_level": "Certification",
    "award": "Award",
    "study_hours": "Certificate",
    "training": "Certificate",
    "path": "LearningProgram",
}


class ContextNotAvailable(Exception):
    pass


@lru_cache(maxsize=8)
def _context(url: str) -> dict:
    return json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options=None) -> dict:
    """Serve the vendored contexts; refuse anything else rather than going to the network."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"JSON-LD context {url} is not available locally",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    # "static": pyld may keep the processed context by URL for the life of the process. Without a
    # tag it re-resolves both contexts for every canonicalisation, serialising the ~25 KB of context
    # JSON to compute its cache keys: a third of the signing time.
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": _context(url),
        "contentType": "application/ld+json",
        "tag": "static",
    }


# Nothing in this process may fetch a context from the network, whoever calls pyld.
jsonld.set_document_loader(document_loader)


def canonicalize(document: dict) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0 / URDNA2015) as N-Quads."""
    return jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader}
    )


@lru_cache(maxsize=256)
def _config_hash(proof_config_json: str) -> bytes:
    """A bulk run signs many credentials in the same second with the same key: one canonicalisation."""
    return hashlib.sha256(canonicalize(json.loads(proof_config_json)).encode()).digest()


def _hash_data(document: dict, proof_config: dict) -> bytes:
    config_hash = _config_hash(json.dumps(proof_config, sort_keys=True, ensure_ascii=False))
    document_hash = hashlib.sha256(canonicalize(document).encode()).digest()
    return config_hash + document_hash


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(document: dict, *, key=None, created: dt.datetime | None = None) -> dict:
    """A copy of `document` with a DataIntegrityProof (eddsa-rdfc-2022) added."""
    key = key or keys.signing_key()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": iso(created or timezone.now()),
        "verificationMethod": keys.verification_method(key.public_key()),
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsigned, {**proof, "@context": unsigned["@context"]}))
    return {**unsigned, "proof": {**proof, "proofValue": keys.multibase_encode(signature)}}


def trusted_methods() -> set[str]:
    """Our current key, plus earlier keys listed in CERTIFICATE_TRUSTED_DIDS after a rotation."""
    current = keys.verification_method(keys.signing_key().public_key())
    extra = set()
    for did in getattr(settings, "CERTIFICATE_TRUSTED_DIDS", []):
        multikey = did.removeprefix("did:key:").split("#")[0]
        extra.add(f"did:key:{multikey}#{multikey}")
    return {current, *extra}


def verify_credential(document: dict, *, trusted_only: bool = True) -> bool:
    """True when the proof verifies over the whole credential (and, by default, was made with our key)."""
    try:
        document = copy.deepcopy(document)
        proof = document.pop("proof")
        if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof":
            return False
        if proof.get("cryptosuite") != CRYPTOSUITE or proof.get("proofPurpose") != "assertionMethod":
            return False
        method = proof["verificationMethod"]
        if trusted_only and method not in trusted_methods():
            return False
        issuer = document.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if issuer_id != method.split("#")[0]:
            return False
        signature = keys.multibase_decode(proof.pop("proofValue"))
        public = keys.public_key_from_did(method)
        public.verify(signature, _hash_data(document, {**proof, "@context": document["@context"]}))
        return True
    except (InvalidSignature, KeyError, TypeError, ValueError, AttributeError, jsonld.JsonLdError):
        return False


# ------------------------------------------------------------------ building


def _achievement(snapshot: dict) -> dict:
    kind = snapshot["kind"]
    key = snapshot.get("achievement_key") or snapshot["achievement"]
    achievement = {
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'skills-achievement:{kind}:{key}')}",
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[kind],
        "name": snapshot["achievement"],
        "description": snapshot["description"],
        "criteria": {"narrative": snapshot["criteria"]},
        "inLanguage": "zh-CN",
    }
    if kind == "completion":
        achievement["humanCode"] = snapshot["course"]["code"]
    elif kind == "skill_level":
        achievement["fieldOfStudy"] = snapshot["occupation"]
    elif kind == "training":
        achievement["humanCode"] = f"training-{snapshot['programme']['class_id']}"
    return achievement


def credential_build(*, snapshot: dict, code: str, number: str, issued_at, expires_at=None, base_url: str) -> dict:
    """The unsigned OpenBadgeCredential of a certificate, from its frozen snapshot."""
    base_url = base_url.rstrip("/")
    document = {
        "@context": [VC_V2, OB_V3],
        "id": f"{base_url}/verify/{code}.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": keys.issuer_did(),
            "type": ["Profile"],
            "name": snapshot["issuer"],
            "url": f"{base_url}/",
        },
        "validFrom": iso(issued_at),
        "name": f"{snapshot['title']}：{snapshot['achievement']}",
        "description": f"{snapshot['title']} {number}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": snapshot["holder"]["name"],
                }
            ],
            "achievement": _achievement(snapshot),
        },
    }
    if expires_at:
        document["validUntil"] = iso(expires_at)
    return document
