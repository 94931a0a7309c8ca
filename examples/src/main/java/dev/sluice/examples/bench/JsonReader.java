package dev.sluice.examples.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON the benchmarks print ({@link BenchReport.Json}): objects, arrays, strings without
 * escapes other than {@code \"} and {@code \\}, numbers (as {@code Double}), {@code true},
 * {@code false} and {@code null}. Enough for the suite to read its runs' lines back.
 */
final class JsonReader {
    private final String text;
    private int pos;

    private JsonReader(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON object.
     *
     * @throws IllegalArgumentException naming the position if {@code line} is not such an object
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String line) {
        JsonReader r = new JsonReader(line.strip());
        Object v = r.value();
        r.skipSpace();
        if (!(v instanceof Map) || r.pos != r.text.length()) {
            throw r.error("a single JSON object");
        }
        return (Map<String, Object>) v;
    }

    private Object value() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return readObject();
            case '[':
                return readArray();
            case '"':
                return readString();
            default:
                return readLiteral();
        }
    }

    private Map<String, Object> readObject() {
        Map<String, Object> out = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            String key = readString();
            skipSpace();
            expect(':');
            out.put(key, value());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else {
                expect('}');
                return out;
            }
        }
    }

    private List<Object> readArray() {
        List<Object> out = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return out;
        }
        while (true) {
            out.add(value());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else {
                expect(']');
                return out;
            }
        }
    }

    private String readString() {
        expect('"');
        StringBuilder s = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != '"') {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            s.append(c);
        }
        expect('"');
        return s.toString();
    }

    private Object readLiteral() {
        int start = pos;
        while (pos < text.length() && ",}] \t".indexOf(text.charAt(pos)) < 0) {
            pos++;
        }
        String word = text.substring(start, pos);
        switch (word) {
            case "true":
                return Boolean.TRUE;
            case "false":
                return Boolean.FALSE;
            case "null":
                return null;
            default:
                try {
                    return Double.parseDouble(word);
                } catch (NumberFormatException e) {
                    pos = start;
                    throw error("a number, true, false or null");
                }
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String wanted) {
        return new IllegalArgumentException("expected " + wanted + " at character " + pos + " of: " + text);
    }
}
