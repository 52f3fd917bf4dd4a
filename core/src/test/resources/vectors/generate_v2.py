#!/usr/bin/env python3
"""Writes envelope-v2.json and envelope-v2-cross.json: known-answer vectors for version 2 of the envelope
(docs/FORMAT.md), computed with Python's `cryptography` package, independently of the Java implementation.
Vectors change only with a format version bump: rerunning this script (from any directory) must reproduce both
files byte for byte (all inputs are fixed).

envelope-v2.json is a top-level array, one object per vector, shaped as envelope-v1.json's plus two fields:

    {"name", "version": 2, "key" (hex), "dataKeyId" (JSON number, exact: read its text, it may exceed 2^53),
     "entity", "table", "column", "id", "plaintext" (hex), "nonce" (hex), "envelope" (hex), "text"}

    AAD = envelope[0:11] || lp(entity) || lp(table) || lp(column) || lp(id),  lp(s) = u32be(len(utf8(s))) || utf8(s)

envelope-v2-cross.json is a top-level array of negative cases, each naming two vectors of envelope-v2.json:

    {"envelopeOf": <name>, "contextOf": <name>}

Opening the envelope of vector `envelopeOf` (with its key) under the entity, table, column and id of vector
`contextOf` must fail authentication. The pairs are the JOINED-inheritance vectors: same key, data key id, nonce,
entity, column, id and plaintext, tables `clinician` and `person`. Their ciphertexts are equal (same key and nonce:
acceptable in fixed test vectors only) and their tags differ, because the table is in the associated data; under
version 1 either would open as the other.
"""
import base64, json, os, struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 2


def lp(s):
    b = s.encode("utf-8")
    return struct.pack(">I", len(b)) + b


def vector(name, key, data_key_id, entity, table, column, row_id, plaintext, nonce):
    header = bytes([0xFC, VERSION, 0x01]) + struct.pack(">q", data_key_id)
    aad = header + lp(entity) + lp(table) + lp(column) + lp(row_id)
    envelope = header + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)
    assert len(envelope) == 39 + len(plaintext)
    return {
        "name": name, "version": VERSION, "key": key.hex(), "dataKeyId": data_key_id,
        "entity": entity, "table": table, "column": column, "id": row_id,
        "plaintext": plaintext.hex(), "nonce": nonce.hex(),
        "envelope": envelope.hex(),
        "text": "fc1:" + base64.urlsafe_b64encode(envelope).decode().rstrip("="),
    }


key_a = bytes(range(32))
key_b = bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
key_c = bytes.fromhex("c0ffee00" * 8)
joined_note = "On call Tuesdays; pager 4471".encode("utf-8")
joined_nonce = bytes.fromhex("0f0e0d0c0b0a090807060504")
long_text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit \u2014 \u00e9t\u00e9 \u5065\u5eb7 "
             * 20).encode("utf-8")

vectors = [
    vector("empty plaintext", key_a, 1, "Customer", "customer", "ssn", "1", b"", bytes(12)),
    vector("ascii ssn", key_a, 42, "Customer", "customer", "ssn", "42", b"123-45-6789", bytes(range(12))),
    vector("utf-8 note, composite id", key_b, 9007199254740993, "Visit", "visit", "notes", "[\"clinic-7\",1024]",
           "Patient reports \u00e9vanouissement \u2014 \u5065\u5eb7".encode("utf-8"),
           bytes.fromhex("cafebabefacedbaddecaf888")),
    vector("joined: clinician table", key_c, 77, "Person", "clinician", "notes", "7", joined_note, joined_nonce),
    vector("joined: person table", key_c, 77, "Person", "person", "notes", "7", joined_note, joined_nonce),
    vector("long plaintext, uuid id", key_b, 7, "Document", "document", "body",
           "3f2504e0-4f89-11d3-9a0c-0305e82c3301", long_text, bytes.fromhex("000102030405060708090a0b")),
    vector("large data key id", key_a, 9223372036854775807, "Account", "account", "iban", "-5",
           b"DE89370400440532013000", bytes.fromhex("ffffffffffffffffffffffff")),
]
assert len(long_text) >= 1000

cross = [
    {"envelopeOf": "joined: clinician table", "contextOf": "joined: person table"},
    {"envelopeOf": "joined: person table", "contextOf": "joined: clinician table"},
]
by_name = {v["name"]: v for v in vectors}
for pair in cross:
    a, b = by_name[pair["envelopeOf"]], by_name[pair["contextOf"]]
    assert a["envelope"] != b["envelope"]
    assert all(a[f] == b[f] for f in ("key", "dataKeyId", "entity", "column", "id", "plaintext", "nonce"))


def write(file_name, data):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, file_name), "w", encoding="utf-8", newline="\n") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")


write("envelope-v2.json", vectors)
write("envelope-v2-cross.json", cross)
