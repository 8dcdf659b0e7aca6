package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every invalid variant of a valid event is rejected, and the errors name exactly the fields
 * that were broken: one or several at once.
 */
class InvalidEventProperties {

    /** One way to break one field of an event's JSON object. */
    record Mutation(String field, String description, Consumer<ObjectNode> apply) {
        @Override
        public String toString() {
            return field + " " + description;
        }
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final EventParser parser =
            new EventParser(ValidationLimits.DEFAULTS, Clock.fixed(EventArbitraries.NOW, ZoneOffset.UTC));

    @Property(tries = 1000)
    void brokenRequestsNameEveryBrokenField(
            @ForAll("requests") LlmRequest valid, @ForAll("requestMutations") List<Mutation> mutations) {
        ObjectNode json = EventJson.mapper().valueToTree(valid);
        mutations.forEach(m -> m.apply().accept(json));

        ParseResult<LlmRequest> result = parser.parseRequest(bytes(json));

        assertThat(result.isValid()).isFalse();
        assertThat(fields(result))
                .isEqualTo(mutations.stream().map(Mutation::field).collect(Collectors.toSet()));
    }

    @Property(tries = 1000)
    void brokenResponsesNameEveryBrokenField(
            @ForAll("responses") LlmResponse valid, @ForAll("responseMutations") List<Mutation> mutations) {
        ObjectNode json = EventJson.mapper().valueToTree(valid);
        mutations.forEach(m -> m.apply().accept(json));

        ParseResult<LlmResponse> result = parser.parseResponse(bytes(json));

        assertThat(result.isValid()).isFalse();
        assertThat(fields(result))
                .isEqualTo(mutations.stream().map(Mutation::field).collect(Collectors.toSet()));
    }

    @Provide
    Arbitrary<LlmRequest> requests() {
        return EventArbitraries.requests();
    }

    @Provide
    Arbitrary<LlmResponse> responses() {
        return EventArbitraries.responses();
    }

    @Provide
    Arbitrary<List<Mutation>> requestMutations() {
        List<Mutation> all = new java.util.ArrayList<>();
        for (String id : List.of("request_id", "tenant_id", "route", "model")) {
            all.addAll(requiredIdentifierMutations(id));
        }
        all.addAll(timestampMutations("timestamp"));
        all.addAll(countMutations("prompt_tokens"));
        all.addAll(optionalIdentifierMutations("user_id_hash"));
        all.add(set("metadata", "is a string", JSON.textNode("experiment=1")));
        all.add(set("metadata", "is an array", JSON.arrayNode().add(1)));
        all.add(set("metadata", "nests too deep", nested(ValidationLimits.DEFAULTS.maxMetadataDepth() + 1)));
        all.add(set("metadata", "has too many keys", manyKeys(ValidationLimits.DEFAULTS.maxMetadataKeys() + 1)));
        all.add(set(
                "metadata",
                "is too large",
                JSON.objectNode().put("blob", "x".repeat(ValidationLimits.DEFAULTS.maxMetadataBytes()))));
        return oneMutationPerField(all);
    }

    @Provide
    Arbitrary<List<Mutation>> responseMutations() {
        List<Mutation> all = new java.util.ArrayList<>(requiredIdentifierMutations("request_id"));
        all.addAll(timestampMutations("timestamp"));
        all.addAll(durationMutations("latency_ms"));
        all.addAll(durationMutations("time_to_first_token_ms"));
        all.addAll(countMutations("completion_tokens"));
        all.addAll(optionalIdentifierMutations("finish_reason"));
        all.addAll(optionalIdentifierMutations("tenant_id"));
        all.add(set("error", "is a number", JSON.numberNode(500)));
        all.add(set("error", "is an object", JSON.objectNode().put("code", 500)));
        all.add(set("error", "is too long", JSON.textNode("e".repeat(ValidationLimits.DEFAULTS.maxErrorLength() + 1))));
        return oneMutationPerField(all);
    }

    private static Arbitrary<List<Mutation>> oneMutationPerField(List<Mutation> all) {
        return Arbitraries.of(all).list().ofMinSize(1).ofMaxSize(4).uniqueElements(Mutation::field);
    }

    private static List<Mutation> requiredIdentifierMutations(String field) {
        List<Mutation> list = new java.util.ArrayList<>(optionalIdentifierMutations(field));
        list.add(new Mutation(field, "is missing", json -> json.remove(field)));
        list.add(set(field, "is null", JSON.nullNode()));
        return list;
    }

    private static List<Mutation> optionalIdentifierMutations(String field) {
        int max = ValidationLimits.DEFAULTS.maxIdentifierLength();
        return List.of(
                set(field, "is a number", JSON.numberNode(42)),
                set(field, "is a boolean", JSON.booleanNode(true)),
                set(field, "is empty", JSON.textNode("")),
                set(field, "is blank", JSON.textNode("   ")),
                set(field, "is too long", JSON.textNode("a".repeat(max + 1))),
                set(field, "holds a NUL", JSON.textNode("a\u0000b")),
                set(field, "holds a newline", JSON.textNode("line\nbreak")),
                set(field, "holds an escape", JSON.textNode("\u001b[31mred")));
    }

    private static List<Mutation> timestampMutations(String field) {
        return List.of(
                new Mutation(field, "is missing", json -> json.remove(field)),
                set(field, "is null", JSON.nullNode()),
                set(field, "has no offset", JSON.textNode("2025-11-20T10:00:30.000")),
                set(field, "is a date", JSON.textNode("2025-11-20")),
                set(field, "is epoch millis", JSON.numberNode(1763632830000L)),
                set(field, "is words", JSON.textNode("now")),
                set(field, "is far in the future", JSON.textNode("2030-01-01T01:00:00Z")));
    }

    private static List<Mutation> countMutations(String field) {
        return List.of(
                set(field, "is negative", JSON.numberNode(-1)),
                set(field, "is a fraction", JSON.numberNode(1.5)),
                set(field, "is a numeric string", JSON.textNode("100")),
                set(field, "is a boolean", JSON.booleanNode(false)),
                set(field, "is huge", JSON.numberNode(new java.math.BigInteger("1000000000000000000000"))),
                set(field, "is above the limit", JSON.numberNode(ValidationLimits.DEFAULTS.maxTokens() + 1)));
    }

    private static List<Mutation> durationMutations(String field) {
        return List.of(
                set(field, "is negative", JSON.numberNode(-0.5)),
                set(field, "is a string", JSON.textNode("fast")),
                set(field, "is an array", JSON.arrayNode().add(1)),
                set(field, "is above the limit", JSON.numberNode(ValidationLimits.DEFAULTS.maxLatencyMs() + 1)));
    }

    private static Mutation set(String field, String description, JsonNode value) {
        return new Mutation(field, description, json -> json.set(field, value));
    }

    private static JsonNode nested(int depth) {
        ObjectNode root = JSON.objectNode();
        ObjectNode current = root;
        for (int level = 1; level < depth; level++) {
            current = current.putObject("level" + level);
        }
        return root;
    }

    private static JsonNode manyKeys(int keys) {
        ObjectNode node = JSON.objectNode();
        for (int i = 0; i < keys; i++) {
            node.put("k" + i, i);
        }
        return node;
    }

    private static byte[] bytes(JsonNode json) {
        return json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Set<String> fields(ParseResult<?> result) {
        return result.errors().stream().map(FieldError::field).collect(Collectors.toSet());
    }
}
