package io.reactiveuring.http.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A route's path pattern: literal segments and {@code {name}} variables, one segment each ({@code /users/{id}}); a
 * pattern without variables matches by string equality.
 *
 * <p>Threading: immutable. Ownership: none.
 */
final class PathTemplate {
    private final String pattern;
    private final String[] segments; // null for a literal pattern
    private final String[] variables; // per segment: the variable's name, or null for a literal segment

    private PathTemplate(String pattern, String[] segments, String[] variables) {
        this.pattern = pattern;
        this.segments = segments;
        this.variables = variables;
    }

    static PathTemplate of(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("a route's path starts with '/': " + pattern);
        }
        if (pattern.indexOf('{') < 0) {
            return new PathTemplate(pattern, null, null);
        }
        String[] parts = split(pattern);
        String[] vars = new String[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("{") && p.endsWith("}") && p.length() > 2) {
                vars[i] = p.substring(1, p.length() - 1);
            } else if (p.indexOf('{') >= 0 || p.indexOf('}') >= 0) {
                throw new IllegalArgumentException("a path variable is a whole segment: " + pattern);
            }
        }
        return new PathTemplate(pattern, parts, vars);
    }

    private static String[] split(String path) {
        List<String> parts = new ArrayList<>();
        int from = 1;
        while (from <= path.length()) {
            int slash = path.indexOf('/', from);
            int end = slash < 0 ? path.length() : slash;
            parts.add(path.substring(from, end));
            from = end + 1;
        }
        return parts.toArray(String[]::new);
    }

    /**
     * @param path a request path
     * @return null if it does not match; else the variables (an empty map for a literal pattern)
     */
    Map<String, String> match(String path) {
        if (segments == null) {
            return pattern.equals(path) ? Map.of() : null;
        }
        if (path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        String[] parts = split(path);
        if (parts.length != segments.length) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            if (variables[i] != null) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                values.put(variables[i], QueryDecoder.decode(parts[i], false));
            } else if (!segments[i].equals(parts[i])) {
                return null;
            }
        }
        return values;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
