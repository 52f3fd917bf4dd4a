package io.fieldcrypt.internal.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/** The JSON form of an encryption context in the data key table: an object of string members. */
final class Json {

    private Json() {
    }

    /** Writes a map as a JSON object, members sorted by name. */
    static String write(Map<String, String> map) {
        StringBuilder out = new StringBuilder("{");
        new TreeMap<>(map).forEach((name, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, name).append(':');
            quote(out, value);
        });
        return out.append('}').toString();
    }

    /** Reads a JSON object whose members are all strings. */
    static Map<String, String> readStringMap(String json) {
        JsonNode node = JsonNode.parser().parse(json);
        if (!node.isObject()) {
            throw new IllegalArgumentException("encryption context is not a JSON object");
        }
        Map<String, String> map = new LinkedHashMap<>();
        node.asObject().forEach((name, value) -> {
            if (!value.isString()) {
                throw new IllegalArgumentException("encryption context member " + name + " is not a string");
            }
            map.put(name, value.asString());
        });
        return map;
    }

    private static StringBuilder quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
