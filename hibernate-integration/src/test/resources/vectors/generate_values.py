#!/usr/bin/env python3
"""Writes the Hibernate integration's known-answer vectors for docs/FORMAT.md, computed in Python, independently of
the Java implementation. All inputs are fixed: rerunning this script (from any directory) must reproduce the three
files byte for byte. It reads the envelopes of ../../../../../core/src/test/resources/vectors/envelope-v1.json and
envelope-v2.json (run core's generate_v2.py first if those change).

plaintext-encodings.json: a top-level array of

    {"type": "String" | "byte[]" | "Short" | "Integer" | "Long" | "Boolean" | "BigInteger" | "BigDecimal" | "UUID"
             | "LocalDate" | "LocalDateTime" | "LocalTime" | "Instant" | "OffsetDateTime" | "Enum",
     "value": <text>, "bytes": <hex of the plaintext bytes>}

  `value` is text that Java parses into the attribute value: String the string itself; byte[] hex; Short, Integer,
  Long, BigInteger decimal (Short.valueOf, ...); Boolean "true"/"false" (Boolean.parseBoolean, case-insensitive);
  BigDecimal its toString() form (new BigDecimal(value)); UUID.fromString; LocalDate/LocalDateTime/LocalTime/Instant/
  OffsetDateTime their parse(); Enum the constant name of io.fieldcrypt.hibernate.model.Status (ACTIVE, SUSPENDED,
  CLOSED). `value` is NOT always the canonical text: some vectors give a form that parse() accepts but toString()
  prints differently (LocalTime "10:15:00" is encoded as "10:15", OffsetDateTime "+00:00" as "Z", Instant ".000Z"
  without a fraction, an upper-case UUID, "TRUE"); so compare the parsed values or the bytes, never `value` with
  the decoded value's toString(). Encoding parse(value) must give `bytes`; decoding `bytes` must give parse(value).
  The temporal encodings are computed here from the rules written in docs/FORMAT.md (not with a date library), with
  years restricted to 0001..9999.

canonical-ids.json: a top-level array of

    {"kind": "single" | "composite",
     "parts": [{"type": "Long" | "Integer" | "Short" | "String" | "UUID", "value": <text>}, ...],
     "canonical": <the canonical id>}

  A single id has exactly one part. Each part's `value` is parsed as Java does (Long.parseLong, Integer.parseInt,
  Short.parseShort, UUID.fromString, a String as is), so "+42" and upper-case UUIDs appear as inputs whose
  canonical text differs. Composite parts are in the mapping's column order.

stored-values.json: a top-level array of

    {"name": <description, for test names>, "storage": "BINARY" | "TEXT",
     "value": <BINARY: hex of the bytea; TEXT: the text>,
     "dataKeyId": <JSON number if |id| < 2^53, else a JSON string of the decimal id, or null>,
     "version": 1 | 2 | null}

  The expected results of the SQL that reads an envelope's data key id and version out of a stored value
  (docs/FORMAT.md, "Reading the data key id in SQL"). dataKeyId is signed: bytes ff..ff read as -1. Values taken from
  real envelopes say so in their name; the others are headers built here (their tags do not verify: the SQL does not
  authenticate). Two vectors pin choices of that section: the algorithm byte is not examined, and of a text value
  only `fc1:` and the next 16 characters are (a truncated text envelope still gives its data key id).
"""
import base64, json, os, re, struct
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
CORE_VECTORS = os.path.join(HERE, "..", "..", "..", "..", "..", "core", "src", "test", "resources", "vectors")


# ---------------------------------------------------------------- plaintext encodings

def twos_complement(n):
    """Minimal big-endian two's complement, as Java's BigInteger.toByteArray() (zero is one byte 00)."""
    length = (n + 1 if n < 0 else n).bit_length() // 8 + 1
    return n.to_bytes(length, "big", signed=True)


def big_decimal(text):
    """Java's new BigDecimal(text) as (unscaled, scale); encoded as i32be(scale) || twos_complement(unscaled)."""
    sign, digits, exponent = Decimal(text).as_tuple()
    unscaled = int("".join(map(str, digits))) * (-1 if sign else 1)
    return struct.pack(">i", -exponent) + twos_complement(unscaled)


DATE = r"(\d{4})-(\d{2})-(\d{2})"
TIME = r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
OFFSET = r"(Z|[+-]\d{2}:\d{2}(?::\d{2})?)"


def fmt_date(y, m, d):
    assert 1 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= 31
    return "%04d-%02d-%02d" % (y, m, d)


def fmt_time(h, mi, s, nanos, always_seconds=False):
    """HH:mm, then :ss if seconds or nanos are non-zero (always for Instant), then the fraction if nanos are
    non-zero: 3 digits if nanos % 1_000_000 == 0, else 6 if nanos % 1000 == 0, else 9."""
    out = "%02d:%02d" % (h, mi)
    if s or nanos or always_seconds:
        out += ":%02d" % s
    if nanos:
        if nanos % 1_000_000 == 0:
            out += ".%03d" % (nanos // 1_000_000)
        elif nanos % 1000 == 0:
            out += ".%06d" % (nanos // 1000)
        else:
            out += ".%09d" % nanos
    return out


def fmt_offset(text):
    """Z for a zero offset, else +HH:MM or -HH:MM, then :SS if the offset has seconds."""
    if text == "Z":
        return "Z"
    sign, hh, mm, ss = text[0], int(text[1:3]), int(text[4:6]), int(text[7:9]) if len(text) > 6 else 0
    if hh == mm == ss == 0:
        return "Z"
    return "%s%02d:%02d" % (sign, hh, mm) + (":%02d" % ss if ss else "")


def parse_date(groups):
    return fmt_date(*(int(g) for g in groups))


def parse_time(groups, always_seconds=False):
    h, mi, s, frac = groups
    nanos = int((frac or "").ljust(9, "0"))
    return fmt_time(int(h), int(mi), int(s or 0), nanos, always_seconds)


def temporal(type_name, value):
    if type_name == "LocalDate":
        return parse_date(re.fullmatch(DATE, value).groups())
    if type_name == "LocalTime":
        return parse_time(re.fullmatch(TIME, value).groups())
    if type_name == "LocalDateTime":
        g = re.fullmatch(DATE + "T" + TIME, value).groups()
        return parse_date(g[:3]) + "T" + parse_time(g[3:])
    if type_name == "Instant":
        g = re.fullmatch(DATE + "T" + TIME + "Z", value).groups()
        return parse_date(g[:3]) + "T" + parse_time(g[3:], always_seconds=True) + "Z"
    if type_name == "OffsetDateTime":
        g = re.fullmatch(DATE + "T" + TIME + OFFSET, value).groups()
        return parse_date(g[:3]) + "T" + parse_time(g[3:7]) + fmt_offset(g[7])
    raise ValueError(type_name)


FIXED = {"Short": ">h", "Integer": ">i", "Long": ">q"}
UUID_TEXT = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def encode(type_name, value):
    if type_name in ("String", "Enum"):
        return value.encode("utf-8")
    if type_name == "byte[]":
        return bytes.fromhex(value)
    if type_name in FIXED:
        return struct.pack(FIXED[type_name], int(value))
    if type_name == "Boolean":
        return bytes([1 if value.lower() == "true" else 0])
    if type_name == "BigInteger":
        return twos_complement(int(value))
    if type_name == "BigDecimal":
        return big_decimal(value)
    if type_name == "UUID":
        assert re.fullmatch(UUID_TEXT, value)
        return bytes.fromhex(value.replace("-", ""))
    return temporal(type_name, value).encode("utf-8")


ENCODINGS = {
    "String": ["", "123-45-6789", "caf\u00e9 \u00e0 l'\u00e9t\u00e9", "\u5065\u5eb7", "\U0001F600 emoji",
               "tab\there, nul\u0000, del\u007f", "quote \" backslash \\ slash /"],
    "byte[]": ["", "00", "deadbeef", "ff00ff00fc0201", bytes(range(256)).hex()],
    "Short": ["0", "1", "-1", "32767", "-32768", "256"],
    "Integer": ["0", "1", "-1", "2147483647", "-2147483648", "1000000"],
    "Long": ["0", "42", "-1", "9223372036854775807", "-9223372036854775808", "4294967296"],
    "Boolean": ["true", "false", "TRUE"],
    "BigInteger": ["0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "-32769",
                   "18446744073709551616", "-123456789012345678901234567890"],
    "BigDecimal": ["0", "0.00", "-12.50", "12.5", "1E+3", "-1.23E+5", "0.001", "1E-7",
                   "123456789012345678901234567890.123456789", "-1E-7"],
    "UUID": ["00000000-0000-0000-0000-000000000000", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
             "3F2504E0-4F89-11D3-9A0C-0305E82C3301", "ffffffff-ffff-ffff-ffff-ffffffffffff",
             "80000000-0000-0000-8000-000000000000"],
    "LocalDate": ["2024-02-29", "0001-01-01", "9999-12-31", "1970-01-01"],
    "LocalTime": ["00:00", "10:15", "10:15:00", "10:15:30", "10:15:00.001", "10:15:30.120", "10:15:30.5",
                  "10:15:30.000123", "10:15:30.123456", "10:15:30.000000001", "10:15:30.123456789",
                  "23:59:59.999999999"],
    "LocalDateTime": ["2024-02-29T00:00", "2024-02-29T10:15:00", "2024-02-29T10:15:30", "2024-02-29T10:15:30.001",
                      "2024-02-29T10:15:30.000001", "2024-02-29T10:15:30.000000001", "0001-01-01T00:00:00.5"],
    "Instant": ["2024-01-01T10:15:00Z", "2024-01-01T10:15:00.000Z", "1970-01-01T00:00:00Z",
                "2024-01-01T10:15:30.100Z", "2024-01-01T10:15:30.000001Z", "2024-01-01T10:15:30.123456780Z",
                "1969-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59Z"],
    "OffsetDateTime": ["2024-02-29T10:15:30Z", "2024-02-29T10:15:30+00:00", "2024-02-29T10:15:30+05:30",
                       "2024-02-29T10:15+05:30", "2024-02-29T10:15:00-08:00", "2024-02-29T10:15:30.250+01:00",
                       "2024-02-29T10:15:30.123456789-03:00", "2024-02-29T10:15:30+01:02:03"],
    "Enum": ["ACTIVE", "SUSPENDED", "CLOSED"],
}


def plaintext_encodings():
    out = []
    for type_name, values in ENCODINGS.items():
        assert len(values) >= 3, type_name
        for value in values:
            out.append({"type": type_name, "value": value, "bytes": encode(type_name, value).hex()})
    return out


# ---------------------------------------------------------------- canonical ids

INTEGER_RANGES = {"Short": 16, "Integer": 32, "Long": 64}


def json_string(s):
    """A JSON string in which only ", \\ and characters below U+0020 (as \\u00xx, lower-case hex) are escaped."""
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def canonical_part(part, composite):
    type_name, value = part["type"], part["value"]
    if type_name in INTEGER_RANGES:
        n, bits = int(value), INTEGER_RANGES[type_name]
        assert -(1 << (bits - 1)) <= n < (1 << (bits - 1)), value
        return str(n)
    if type_name == "UUID":
        assert re.fullmatch(UUID_TEXT, value)
        text = value.lower()
    elif type_name == "String":
        text = value
    else:
        raise ValueError(type_name)
    return json_string(text) if composite else text


def ids(kind, *parts):
    parts = [{"type": t, "value": v} for t, v in parts]
    composite = kind == "composite"
    assert composite or len(parts) == 1
    texts = [canonical_part(p, composite) for p in parts]
    return {"kind": kind, "parts": parts, "canonical": "[" + ",".join(texts) + "]" if composite else texts[0]}


def canonical_ids():
    return [
        ids("single", ("Long", "42")),
        ids("single", ("Long", "0")),
        ids("single", ("Long", "-5")),
        ids("single", ("Long", "9223372036854775807")),
        ids("single", ("Long", "-9223372036854775808")),
        ids("single", ("Integer", "+42")),
        ids("single", ("Integer", "-2147483648")),
        ids("single", ("Short", "-32768")),
        ids("single", ("Short", "7")),
        ids("single", ("String", "clinic-7")),
        ids("single", ("String", "")),
        ids("single", ("String", "a \"quoted\" \\ back/slash")),
        ids("single", ("String", "tab\tnewline\n")),
        ids("single", ("String", "caf\u00e9 \u5065\u5eb7 \U0001F600")),
        ids("single", ("UUID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")),
        ids("single", ("UUID", "3F2504E0-4F89-11D3-9A0C-0305E82C3301")),
        ids("single", ("UUID", "00000000-0000-0000-0000-000000000000")),
        ids("composite", ("String", "clinic-7"), ("Long", "1024")),
        ids("composite", ("Long", "-1"), ("Integer", "0"), ("Short", "-32768")),
        ids("composite", ("String", "a\"b\\c/d"), ("Integer", "2147483647")),
        ids("composite", ("String", "nul\u0000 bell\u0007 esc\u001b us\u001f del\u007f"), ("Short", "-3")),
        ids("composite", ("String", "\u00e9t\u00e9 \u2014 \u5065\u5eb7 \U0001F600"), ("UUID",
                                                                                   "3F2504E0-4F89-11D3-9A0C-0305E82C3301")),
        ids("composite", ("String", "north"), ("Long", "-42"), ("UUID", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")),
        ids("composite", ("String", ""), ("String", "x")),
        ids("composite", ("UUID", "ffffffff-ffff-ffff-ffff-ffffffffffff"), ("Integer", "-2147483648")),
    ]


# ---------------------------------------------------------------- stored values

def load(file_name):
    with open(os.path.join(CORE_VECTORS, file_name), encoding="utf-8") as f:
        return {v["name"]: v for v in json.load(f)}


def key_id_json(n):
    return n if n is None or abs(n) < (1 << 53) else str(n)


def text_form(envelope):
    return "fc1:" + base64.urlsafe_b64encode(envelope).decode().rstrip("=")


def stored(name, storage, value, data_key_id, version):
    return {"name": name, "storage": storage, "value": value.hex() if storage == "BINARY" else value,
            "dataKeyId": key_id_json(data_key_id), "version": version}


def built(version_byte, data_key_id, size=39, magic=0xFC, algorithm=0x01):
    """An envelope-shaped value (header, then a fixed filler), whose tag does not verify."""
    header = bytes([magic, version_byte, algorithm]) + struct.pack(">q", data_key_id)
    return header + bytes((0xA5 + i) % 256 for i in range(size - len(header)))


def stored_values():
    v1, v2 = load("envelope-v1.json"), load("envelope-v2.json")
    v1_ssn = bytes.fromhex(v1["ascii ssn"]["envelope"])
    v1_big = bytes.fromhex(v1["utf-8 note, composite id"]["envelope"])
    v2_ssn = bytes.fromhex(v2["ascii ssn"]["envelope"])
    v2_empty = bytes.fromhex(v2["empty plaintext"]["envelope"])
    v2_max = bytes.fromhex(v2["large data key id"]["envelope"])
    v2_ssn_text = v2["ascii ssn"]["text"]
    assert text_form(v2_ssn) == v2_ssn_text and len(v2_empty) == 39

    def patched(envelope, offset, byte):
        b = bytearray(envelope)
        b[offset] = byte
        return bytes(b)

    out = [
        # bytea
        stored("v1 envelope (real)", "BINARY", v1_ssn, 42, 1),
        stored("v2 envelope (real)", "BINARY", v2_ssn, 42, 2),
        stored("v2 envelope of 39 bytes, empty plaintext (real)", "BINARY", v2_empty, 1, 2),
        stored("v1 envelope, data key id above 2^53 (real)", "BINARY", v1_big, 9007199254740993, 1),
        stored("v2 envelope, data key id max long (real)", "BINARY", v2_max, 9223372036854775807, 2),
        stored("data key id max long - 1", "BINARY", built(2, 0x7FFFFFFFFFFFFFFE), 9223372036854775806, 2),
        stored("data key id with the top bit set reads negative", "BINARY", built(2, -0x8000000000000000),
               -9223372036854775808, 2),
        stored("data key id bytes all ff reads -1", "BINARY", built(1, -1), -1, 1),
        stored("data key id 0", "BINARY", built(2, 0), 0, 2),
        stored("algorithm byte is not examined", "BINARY", built(2, 5, algorithm=0x7F), 5, 2),
        stored("38 bytes: v2 envelope of 39 bytes less its last byte", "BINARY", v2_empty[:38], None, None),
        stored("38 bytes with a valid header", "BINARY", built(2, 42, size=38), None, None),
        stored("empty", "BINARY", b"", None, None),
        stored("wrong magic 0xfd", "BINARY", patched(v2_ssn, 0, 0xFD), None, None),
        stored("wrong magic 0x00", "BINARY", patched(v2_ssn, 0, 0x00), None, None),
        stored("version 3", "BINARY", patched(v2_ssn, 1, 0x03), None, None),
        stored("version 0", "BINARY", patched(v2_ssn, 1, 0x00), None, None),
        stored("version 0xff", "BINARY", patched(v2_ssn, 1, 0xFF), None, None),
        stored("UTF-8 of a text envelope (no magic)", "BINARY", v2_ssn_text.encode("ascii"), None, None),
        stored("plaintext-looking bytes", "BINARY", b"123-45-6789 and some more text to pass 39 bytes", None, None),
        # text
        stored("v1 text envelope (real)", "TEXT", v1["ascii ssn"]["text"], 42, 1),
        stored("v2 text envelope (real)", "TEXT", v2_ssn_text, 42, 2),
        stored("v2 text envelope of the empty plaintext (real)", "TEXT", v2["empty plaintext"]["text"], 1, 2),
        stored("v2 text envelope, data key id max long (real)", "TEXT", v2["large data key id"]["text"],
               9223372036854775807, 2),
        stored("v1 text envelope, data key id above 2^53 (real)", "TEXT", v1["utf-8 note, composite id"]["text"],
               9007199254740993, 1),
        stored("text, data key id with the top bit set reads negative", "TEXT",
               text_form(built(2, -0x8000000000000000)), -9223372036854775808, 2),
        stored("only fc1: and 16 characters are examined: a truncated v2 text envelope", "TEXT",
               v2_ssn_text[:4 + 16], 42, 2),
        stored("only fc1: and 16 characters are examined: garbage after them", "TEXT",
               v2_ssn_text[:4 + 16] + "!!! not base64 ===", 42, 2),
        stored("plaintext-looking text", "TEXT", "hello", None, None),
        stored("empty text", "TEXT", "", None, None),
        stored("fc1: alone", "TEXT", "fc1:", None, None),
        stored("fc1: and garbage", "TEXT", "fc1:garbage!", None, None),
        stored("fc1: and 15 characters", "TEXT", v2_ssn_text[:4 + 15], None, None),
        stored("fc1: and a non-base64url character among the first 16", "TEXT",
               v2_ssn_text[:4 + 8] + "!" + v2_ssn_text[4 + 9:], None, None),
        stored("fc1: and a space among the first 16", "TEXT", v2_ssn_text[:4 + 8] + " " + v2_ssn_text[4 + 9:],
               None, None),
        stored("standard base64 alphabet (/ for _) instead of base64url", "TEXT",
               "fc1:" + base64.b64encode(v2_ssn).decode().rstrip("="), None, None),
        stored("upper-case prefix FC1:", "TEXT", "FC1:" + v2_ssn_text[4:], None, None),
        stored("leading space", "TEXT", " " + v2_ssn_text, None, None),
        stored("hex of a binary envelope, not the text form", "TEXT", v2_ssn.hex(), None, None),
        stored("text whose bytes have the wrong magic", "TEXT", text_form(patched(v2_ssn, 0, 0xFD)), None, None),
        stored("text whose bytes have version 3", "TEXT", text_form(patched(v2_ssn, 1, 0x03)), None, None),
        stored("text whose bytes have version 0", "TEXT", text_form(patched(v2_ssn, 1, 0x00)), None, None),
    ]
    assert "/" in base64.b64encode(v2_ssn).decode()[:16]
    return out


def write(file_name, data):
    with open(os.path.join(HERE, file_name), "w", encoding="utf-8", newline="\n") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")


write("plaintext-encodings.json", plaintext_encodings())
write("canonical-ids.json", canonical_ids())
write("stored-values.json", stored_values())
