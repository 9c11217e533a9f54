"""Open Badges 3.0 credentials signed with eddsa-rdfc-2022: the W3C test vector, verification, tampering."""

import base64
import copy
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import credentials, keys

# W3C "Data Integrity EdDSA Cryptosuites v1.0", test vectors for eddsa-rdfc-2022 (TestVectors/).
W3C_KEY = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"  # multibase of 0x8026 + 32-byte seed
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_UNSIGNED = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
W3C_PROOF_VALUE = "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9"
W3C_PROOF_CANON = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2023-02-24T23:36:38Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"^^<https://w3id.org/security#cryptosuiteString> .\n'
    "_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .\n"
    "_:c14n0 <https://w3id.org/security#verificationMethod> "
    "<https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2> .\n"
)


@pytest.fixture
def examples_context(monkeypatch, tmp_path):
    """The W3C examples context, for the test vector only (not part of the app's contexts)."""
    url = "https://www.w3.org/ns/credentials/examples/v2"
    (tmp_path / "examples-v2.jsonld").write_text(
        json.dumps({"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}})
    )
    monkeypatch.setattr(credentials, "CONTEXTS_DIR", tmp_path)
    for name in list(credentials.CONTEXT_FILES.values()):
        (tmp_path / name).write_text((credentials.Path(credentials.__file__).parent / "contexts" / name).read_text())
    monkeypatch.setitem(credentials.CONTEXT_FILES, url, "examples-v2.jsonld")
    credentials._context.cache_clear()
    yield
    credentials._context.cache_clear()


def test_w3c_test_vector_is_reproduced(examples_context):
    raw = keys.multibase_decode(W3C_KEY)
    assert raw[:2] == b"\x80\x26"
    key = Ed25519PrivateKey.from_private_bytes(raw[2:])
    assert keys.public_multikey(key.public_key()) == W3C_PUBLIC
    proof_config = {
        "@context": W3C_UNSIGNED["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": f"https://vc.example/issuers/5678#{W3C_PUBLIC}",
        "proofPurpose": "assertionMethod",
    }
    assert credentials.canonicalize(proof_config) == W3C_PROOF_CANON
    signature = key.sign(credentials._hash_data(W3C_UNSIGNED, proof_config))
    assert keys.multibase_encode(signature) == W3C_PROOF_VALUE


@pytest.fixture
def signed(certificate):
    return certificate.credential


def test_issued_credential_is_an_open_badge_and_verifies(signed):
    assert signed["@context"] == [credentials.VC_V2, credentials.OB_V3]
    assert signed["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert signed["issuer"]["id"].startswith("did:key:z6Mk")
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["proofValue"].startswith("z")
    assert signed["credentialSubject"]["identifier"][0]["identityHash"] == "张三"
    assert credentials.verify_credential(signed)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="李四"),
        lambda d: d["credentialSubject"]["achievement"].update(name="另一门课程"),
        lambda d: d["credentialSubject"]["achievement"].update(achievementType="Award"),
        lambda d: d["credentialSubject"]["achievement"]["criteria"].update(narrative="无需考核"),
        lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
        lambda d: d["issuer"].update(name="冒名机构"),
        lambda d: d.update(name=d["name"] + "（修改）"),
        lambda d: d.update(description="改过的描述"),
        lambda d: d.update(id="http://evil.example/verify/X.json"),
        lambda d: d.update(validUntil="2030-01-01T00:00:00Z"),
        lambda d: d.update(extra="任意新字段"),
        lambda d: d["proof"].update(created="2020-01-01T00:00:00Z"),
    ],
)
def test_changing_any_field_breaks_the_signature(signed, change):
    tampered = copy.deepcopy(signed)
    change(tampered)
    assert tampered != signed
    assert not credentials.verify_credential(tampered)


def test_a_credential_signed_with_another_key_is_not_ours(signed):
    other = Ed25519PrivateKey.generate()
    forged = copy.deepcopy(signed)
    forged["issuer"]["id"] = keys.did_key(other.public_key())
    forged = credentials.sign(forged, key=other)
    assert credentials.verify_credential(forged, trusted_only=False)  # a valid signature …
    assert not credentials.verify_credential(forged)  # … but not by our key


def test_issuer_must_be_the_signing_key(signed):
    swapped = copy.deepcopy(signed)
    swapped["issuer"]["id"] = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert not credentials.verify_credential(swapped)


def test_contexts_are_local_and_nothing_else_is_loaded():
    assert credentials.document_loader(credentials.VC_V2)["document"]["@context"]["@protected"] is True
    assert "Achievement" in credentials.document_loader(credentials.OB_V3)["document"]["@context"]
    with pytest.raises(credentials.jsonld.JsonLdError):
        credentials.document_loader("https://example.com/context.jsonld")
    # pyld's default loader is ours too: no other code path reaches the network.
    with pytest.raises(credentials.jsonld.JsonLdError):
        credentials.jsonld.expand({"@context": "https://example.com/other.jsonld", "name": "x"})


def test_did_key_round_trip():
    key = Ed25519PrivateKey.generate()
    did = keys.did_key(key.public_key())
    assert did.startswith("did:key:z6Mk")
    assert keys.public_key_from_did(did + "#frag").public_bytes_raw() == key.public_key().public_bytes_raw()
    assert keys.b58decode(keys.b58encode(b"\0\0abc")) == b"\0\0abc"


def test_signing_key_from_base64_pem_and_generated_file(settings, tmp_path):
    key = Ed25519PrivateKey.generate()
    seed = base64.b64encode(key.private_bytes_raw()).decode()
    assert keys.parse_private_key(seed).private_bytes_raw() == key.private_bytes_raw()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    assert keys.parse_private_key(pem.decode()).private_bytes_raw() == key.private_bytes_raw()
    with pytest.raises(ValueError):
        keys.parse_private_key("not a key")
    path = tmp_path / ".keys" / "k.pem"
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_SIGNING_KEY_FILE = path
    keys.signing_key.cache_clear()
    try:
        first = keys.signing_key()
        assert path.exists() and oct(path.stat().st_mode)[-3:] == "600"
        keys.signing_key.cache_clear()
        assert keys.signing_key().private_bytes_raw() == first.private_bytes_raw()  # loaded, not regenerated
    finally:
        keys.signing_key.cache_clear()
