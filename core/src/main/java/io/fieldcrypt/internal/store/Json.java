package io.fieldcrypt.internal.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/** Minimal JSON for fieldcrypt's own small documents: string maps and quoted strings. Internal. */
public final class Json {

    private Json() {}

    /**
     * @param map string members
     * @return the map as a JSON object, members sorted by name
     */
    public static String write(Map<String, String> map) {
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

    /**
     * @param json text that should be a JSON object whose members are all strings
     * @return its members, or {@code null} if it is not such an object (the text is not trusted, so no parser
     *     message about it is passed on)
     */
    public static Map<String, String> readStringMap(String json) {
        JsonNode node;
        try {
            node = JsonNode.parser().parse(json);
        } catch (RuntimeException e) {
            return null;
        }
        if (!node.isObject()) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> member : node.asObject().entrySet()) {
            if (!member.getValue().isString()) {
                return null;
            }
            map.put(member.getKey(), member.getValue().asString());
        }
        return map;
    }

    /**
     * Appends {@code text} as a JSON string.
     *
     * @param out where to append
     * @param text the string
     * @return {@code out}
     */
    public static StringBuilder quote(StringBuilder out, String text) {
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
