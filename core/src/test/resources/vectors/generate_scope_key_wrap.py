#!/usr/bin/env python3
"""Writes scope-key-wrap.json: known-answer vectors for a data key wrapped under a scope key (docs/FORMAT.md, "Data
keys"), computed with Python's `cryptography` package, independently of the Java implementation. Rerunning this
script (from any directory) must reproduce the file byte for byte (all inputs are fixed).

A top-level array, one object per vector:

    {"name", "scopeKey" (hex, 32 bytes), "scopeKeyId" (JSON number), "scope", "dataKey" (hex, 32 bytes),
     "nonce" (hex, 12 bytes), "wrapped" (hex, 61 bytes)}

    wrapped = 0x01 || nonce || AES-256-GCM(scopeKey, nonce, dataKey, AAD)   (ciphertext, then the 16-byte tag)
    AAD     = "fieldcrypt scope key wrap v1" || u32be(len(utf8(scope))) || utf8(scope) || i64be(scopeKeyId)
"""
import json, os, struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

LABEL = b"fieldcrypt scope key wrap v1"


def vector(name, scope_key, scope_key_id, scope, data_key, nonce):
    scope_bytes = scope.encode("utf-8")
    aad = LABEL + struct.pack(">I", len(scope_bytes)) + scope_bytes + struct.pack(">q", scope_key_id)
    wrapped = b"\x01" + nonce + AESGCM(scope_key).encrypt(nonce, data_key, aad)
    assert len(wrapped) == 61
    return {
        "name": name, "scopeKey": scope_key.hex(), "scopeKeyId": scope_key_id, "scope": scope,
        "dataKey": data_key.hex(), "nonce": nonce.hex(), "wrapped": wrapped.hex(),
    }


vectors = [
    vector("default scope", bytes(range(32)), 1, "customer.ssn", bytes(range(32, 64)), bytes(range(12))),
    vector("explicit scope, large id", bytes.fromhex("c0ffee00" * 8), 9007199254740993, "pii-v2",
           bytes.fromhex("feffe9928665731c6d6a8f9467308308" * 2), bytes.fromhex("0f0e0d0c0b0a090807060504")),
    vector("utf-8 scope", bytes([0xAB] * 32), 4242, "\u00e9t\u00e9.\u5065\u5eb7", bytes(32), bytes([0xFF] * 12)),
]

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scope-key-wrap.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(vectors, f, indent=2, ensure_ascii=False)
    f.write("\n")
