#!/usr/bin/env python3
"""Writes envelope-v1.json: known-answer vectors for docs/FORMAT.md, computed with Python's `cryptography`
package, independently of the Java implementation. Vectors change only with a format version bump:
rerunning this script must reproduce the file byte for byte (all inputs are fixed)."""
import base64, json, struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def lp(s):
    b = s.encode("utf-8")
    return struct.pack(">I", len(b)) + b

def vector(name, key, data_key_id, entity, column, row_id, plaintext, nonce):
    header = bytes([0xFC, 0x01, 0x01]) + struct.pack(">q", data_key_id)
    aad = header + lp(entity) + lp(column) + lp(row_id)
    envelope = header + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)
    return {
        "name": name, "key": key.hex(), "dataKeyId": data_key_id,
        "entity": entity, "column": column, "id": row_id,
        "plaintext": plaintext.hex(), "nonce": nonce.hex(),
        "envelope": envelope.hex(),
        "text": "fc1:" + base64.urlsafe_b64encode(envelope).decode().rstrip("="),
    }

key_a = bytes(range(32))
key_b = bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
vectors = [
    vector("empty plaintext", key_a, 1, "Customer", "ssn", "1", b"", bytes(12)),
    vector("ascii ssn", key_a, 42, "Customer", "ssn", "42", b"123-45-6789", bytes(range(12))),
    vector("utf-8 note, composite id", key_b, 9007199254740993, "Visit", "notes", "[\"clinic-7\",1024]",
           "Patient reports \u00e9vanouissement \u2014 \u5065\u5eb7".encode("utf-8"), bytes.fromhex("cafebabefacedbaddecaf888")),
    vector("256 bytes", key_b, 7, "Document", "body", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
           bytes(i % 251 for i in range(256)), bytes.fromhex("000102030405060708090a0b")),
]
with open("envelope-v1.json", "w") as out:
    json.dump(vectors, out, indent=2, ensure_ascii=False)
    out.write("\n")
