package dev.streamlens.model.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A match rule of the genai-prices catalog: {@code equals}, {@code starts_with}, {@code ends_with},
 * {@code contains} (case-insensitive, as the catalog's own calculator compares), {@code regex} (found
 * anywhere in the lower-cased id, as JavaScript's {@code RegExp.test}), {@code or}, {@code and}.
 */
public sealed interface MatchRule {

    /** @param id lower-cased and trimmed */
    boolean matches(String id);

    record Equals(String text) implements MatchRule {
        public boolean matches(String id) {
            return id.equals(text);
        }
    }

    record StartsWith(String text) implements MatchRule {
        public boolean matches(String id) {
            return id.startsWith(text);
        }
    }

    record EndsWith(String text) implements MatchRule {
        public boolean matches(String id) {
            return id.endsWith(text);
        }
    }

    record Contains(String text) implements MatchRule {
        public boolean matches(String id) {
            return id.contains(text);
        }
    }

    record Regex(Pattern pattern) implements MatchRule {
        public boolean matches(String id) {
            return pattern.matcher(id).find();
        }
    }

    record AnyOf(List<MatchRule> rules) implements MatchRule {
        public boolean matches(String id) {
            return rules.stream().anyMatch(rule -> rule.matches(id));
        }
    }

    record AllOf(List<MatchRule> rules) implements MatchRule {
        public boolean matches(String id) {
            return rules.stream().allMatch(rule -> rule.matches(id));
        }
    }

    /** The rule a catalog clause holds: an object with exactly one of the keys above. */
    static MatchRule of(JsonNode clause, String where) {
        if (clause == null || !clause.isObject() || clause.size() != 1) {
            throw new IllegalArgumentException(where + ": a match rule is an object with one key");
        }
        String kind = clause.fieldNames().next();
        JsonNode value = clause.get(kind);
        return switch (kind) {
            case "equals" -> new Equals(lower(value, where));
            case "starts_with" -> new StartsWith(lower(value, where));
            case "ends_with" -> new EndsWith(lower(value, where));
            case "contains" -> new Contains(lower(value, where));
            case "regex" -> new Regex(Pattern.compile(text(value, where)));
            case "or" -> new AnyOf(rules(value, where));
            case "and" -> new AllOf(rules(value, where));
            default -> throw new IllegalArgumentException(where + ": unknown match rule " + kind);
        };
    }

    private static List<MatchRule> rules(JsonNode value, String where) {
        if (!value.isArray() || value.isEmpty()) {
            throw new IllegalArgumentException(where + ": or/and holds a list of rules");
        }
        List<MatchRule> rules = new ArrayList<>();
        value.forEach(rule -> rules.add(of(rule, where)));
        return List.copyOf(rules);
    }

    private static String lower(JsonNode value, String where) {
        return text(value, where).toLowerCase(Locale.ROOT);
    }

    private static String text(JsonNode value, String where) {
        if (!value.isTextual()) {
            throw new IllegalArgumentException(where + ": a match rule's value is a string");
        }
        return value.asText();
    }
}
