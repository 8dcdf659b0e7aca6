package dev.streamlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of valid events, within the default limits and before {@link #NOW}. */
final class EventArbitraries {

    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private EventArbitraries() {}

    /** Printable identifiers, including non-ASCII letters, never blank, never control characters. */
    static Arbitrary<String> identifiers() {
        return Arbitraries.strings()
                .withCharRange('!', '~')
                .withCharRange('À', 'ÿ')
                .withCharRange('一', '龥')
                .withChars(' ')
                .ofMinLength(1)
                .ofMaxLength(ValidationLimits.DEFAULTS.maxIdentifierLength())
                .filter(s -> !s.isBlank());
    }

    static Arbitrary<Instant> timestamps() {
        return Arbitraries.longs()
                .between(Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(), NOW.toEpochMilli())
                .map(Instant::ofEpochMilli);
    }

    static Arbitrary<Long> tokens() {
        return Arbitraries.longs()
                .between(0, ValidationLimits.DEFAULTS.maxTokens())
                .injectNull(0.2);
    }

    static Arbitrary<Double> durations() {
        return Arbitraries.doubles()
                .between(0, ValidationLimits.DEFAULTS.maxLatencyMs())
                .ofScale(3)
                .injectNull(0.2);
    }

    /** Flat or one-level-nested objects of mixed JSON values. */
    static Arbitrary<JsonNode> metadata() {
        Arbitrary<JsonNode> scalars = Arbitraries.oneOf(
                Arbitraries.strings().alpha().ofMaxLength(20).map(JsonNodeFactory.instance::textNode),
                Arbitraries.integers().map(JsonNodeFactory.instance::numberNode),
                // JSON reads a number into the smallest type that holds it: generate longs beyond int
                Arbitraries.longs()
                        .greaterOrEqual((long) Integer.MAX_VALUE + 1)
                        .map(JsonNodeFactory.instance::numberNode),
                Arbitraries.doubles().between(-1e9, 1e9).map(JsonNodeFactory.instance::numberNode),
                Arbitraries.of(true, false).map(JsonNodeFactory.instance::booleanNode),
                Arbitraries.just(JsonNodeFactory.instance.nullNode()));
        Arbitrary<JsonNode> inner = Arbitraries.maps(
                        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8), scalars)
                .ofMaxSize(4)
                .map(EventArbitraries::object);
        Arbitrary<JsonNode> values =
                Arbitraries.oneOf(scalars, inner, scalars.list().ofMaxSize(4).map(list ->
                        (JsonNode) JsonNodeFactory.instance.arrayNode().addAll(list)));
        return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12), values)
                .ofMaxSize(8)
                .map(EventArbitraries::object)
                .injectNull(0.3);
    }

    static Arbitrary<LlmRequest> requests() {
        // jqwik combines at most eight values: the provider and the session are drawn beside the other eight.
        Arbitrary<LlmRequest> withoutProvider = Combinators.combine(
                        identifiers(),
                        identifiers(),
                        identifiers(),
                        identifiers(),
                        timestamps(),
                        tokens(),
                        identifiers().injectNull(0.5),
                        metadata())
                .as((id, tenant, route, model, timestamp, tokens, user, metadata) ->
                        new LlmRequest(id, tenant, route, model, null, timestamp, tokens, user, null, metadata));
        return Combinators.combine(
                        withoutProvider,
                        identifiers().injectNull(0.5),
                        identifiers().injectNull(0.5))
                .as((r, provider, session) -> new LlmRequest(
                        r.requestId(),
                        r.tenantId(),
                        r.route(),
                        r.model(),
                        provider,
                        r.timestamp(),
                        r.promptTokens(),
                        r.userIdHash(),
                        session,
                        r.metadata()));
    }

    static Arbitrary<LlmResponse> responses() {
        Arbitrary<String> errors = Arbitraries.oneOf(
                        Arbitraries.just(""),
                        Arbitraries.strings()
                                .withCharRange(' ', '~')
                                .withChars('\n', '\t', 'é')
                                .ofMaxLength(200))
                .injectNull(0.5);
        // Valid by the rules between fields too: time to first token within the latency, reasoning
        // tokens within the completion tokens.
        return Combinators.combine(
                        identifiers(),
                        timestamps(),
                        durations(),
                        tokens(),
                        identifiers().injectNull(0.3),
                        errors,
                        durations(),
                        identifiers().injectNull(0.7))
                .as((id, at, latency, completion, finish, error, ttft, tenant) -> new LlmResponse(
                        id,
                        at,
                        latency,
                        completion,
                        finish,
                        error,
                        ttft != null && latency != null ? (Double) Math.min(ttft, latency) : ttft,
                        tenant,
                        null,
                        null,
                        null))
                .flatMap(r -> Combinators.combine(tokens(), tokens(), tokens())
                        .as((cached, written, reasoning) -> new LlmResponse(
                                r.requestId(),
                                r.timestamp(),
                                r.latencyMs(),
                                r.completionTokens(),
                                r.finishReason(),
                                r.error(),
                                r.timeToFirstTokenMs(),
                                r.tenantId(),
                                cached,
                                written,
                                reasoning == null ? null : Math.min(reasoning, r.completionTokensOrZero()))));
    }

    private static JsonNode object(java.util.Map<String, JsonNode> fields) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        fields.forEach(node::set);
        return node;
    }
}
