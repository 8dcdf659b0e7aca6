package dev.streamlens.ingest.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The attribute vocabularies GenAI instrumentation libraries write, and which of their spans are
 * one call to a model (docs/EVENTS.md, one table per dialect). A span is read in the first dialect
 * whose marker it carries: OpenInference ({@code openinference.span.kind}), the Vercel AI SDK's
 * {@code ai.*} format ({@code ai.operationId}), else the OpenTelemetry GenAI conventions (which
 * OpenLLMetry, the official instrumentations and the AI SDK 7's {@code @ai-sdk/otel} write).
 * Each list of attribute names is read in order: the first one present wins.
 */
public enum SpanDialect {
    OTEL_GENAI(
            "gen_ai",
            List.of("gen_ai.response.model", "gen_ai.request.model"),
            List.of("gen_ai.provider.name", "gen_ai.system"),
            Map.of(
                    "prompt_tokens", List.of("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
                    "completion_tokens", List.of("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
                    "cached_prompt_tokens",
                            List.of("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"),
                    "cache_write_tokens",
                            List.of(
                                    "gen_ai.usage.cache_write.input_tokens",
                                    "gen_ai.usage.cache_creation.input_tokens",
                                    "gen_ai.usage.cache_creation_input_tokens"),
                    "reasoning_tokens",
                            List.of("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens")),
            List.of("gen_ai.usage.total_tokens", "llm.usage.total_tokens"),
            List.of("gen_ai.response.finish_reasons", "gen_ai.completion.0.finish_reason"),
            List.of(
                    "gen_ai.response.time_to_first_chunk",
                    "gen_ai.client.operation.time_to_first_chunk",
                    "gen_ai.server.time_to_first_token"),
            List.of()),
    OPENINFERENCE(
            "openinference",
            List.of("llm.response.model_name", "llm.model_name", "llm.request.model_name"),
            List.of("llm.provider", "llm.system"),
            Map.of(
                    "prompt_tokens", List.of("llm.token_count.prompt"),
                    "completion_tokens", List.of("llm.token_count.completion"),
                    "cached_prompt_tokens", List.of("llm.token_count.prompt_details.cache_read"),
                    "cache_write_tokens", List.of("llm.token_count.prompt_details.cache_write"),
                    "reasoning_tokens", List.of("llm.token_count.completion_details.reasoning")),
            List.of("llm.token_count.total"),
            List.of("llm.finish_reason"),
            List.of(),
            List.of()),
    AI_SDK(
            "ai_sdk",
            List.of("ai.response.model", "gen_ai.response.model", "ai.model.id", "gen_ai.request.model"),
            List.of("ai.model.provider", "gen_ai.system"),
            Map.of(
                    "prompt_tokens",
                            List.of("ai.usage.inputTokens", "ai.usage.promptTokens", "gen_ai.usage.input_tokens"),
                    "completion_tokens",
                            List.of("ai.usage.outputTokens", "ai.usage.completionTokens", "gen_ai.usage.output_tokens"),
                    "cached_prompt_tokens",
                            List.of("ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"),
                    "cache_write_tokens", List.of("ai.usage.inputTokenDetails.cacheWriteTokens"),
                    "reasoning_tokens",
                            List.of("ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens")),
            List.of("ai.usage.totalTokens"),
            List.of("ai.response.finishReason", "gen_ai.response.finish_reasons"),
            List.of(),
            List.of("ai.response.msToFirstChunk"));

    /** Operations that are one call to a model; embeddings, tools and agents are not counted. */
    static final Set<String> INFERENCE_OPERATIONS = Set.of("chat", "text_completion", "generate_content", "completion");

    /** OpenLLMetry before 0.23 names the operation in {@code llm.request.type}. */
    static final Set<String> INFERENCE_REQUEST_TYPES = Set.of("chat", "completion");

    /**
     * The AI SDK's provider-level spans; their wrappers ({@code ai.generateText}, ...) carry the
     * same usage summed over every step, and tool and embedding spans are not calls.
     */
    static final Set<String> AI_SDK_CALLS = Set.of(
            "ai.generateText.doGenerate",
            "ai.streamText.doStream",
            "ai.generateObject.doGenerate",
            "ai.streamObject.doStream");

    /** The span event whose time is the first token (OpenInference's Python instrumentations). */
    static final Set<String> FIRST_TOKEN_EVENTS = Set.of("First Token Stream Event", "ai.stream.firstChunk");

    private final String label;
    private final List<String> model;
    private final List<String> provider;
    private final Map<String, List<String>> tokenCounts;
    private final List<String> totalTokens;
    private final List<String> finishReason;
    private final List<String> firstTokenSeconds;
    private final List<String> firstTokenMillis;

    SpanDialect(
            String label,
            List<String> model,
            List<String> provider,
            Map<String, List<String>> tokenCounts,
            List<String> totalTokens,
            List<String> finishReason,
            List<String> firstTokenSeconds,
            List<String> firstTokenMillis) {
        this.label = label;
        this.model = model;
        this.provider = provider;
        this.tokenCounts = tokenCounts;
        this.totalTokens = totalTokens;
        this.finishReason = finishReason;
        this.firstTokenSeconds = firstTokenSeconds;
        this.firstTokenMillis = firstTokenMillis;
    }

    /**
     * The dialect of a span that is one call to a model, or empty for every other span (a framework
     * wrapper, an agent, a tool, an embedding, a span that is not GenAI at all).
     */
    static Optional<SpanDialect> ofCall(Map<String, AnyValue> attributes) {
        Optional<String> openInferenceKind = text(attributes, "openinference.span.kind");
        if (openInferenceKind.isPresent()) {
            return openInferenceKind.get().equalsIgnoreCase("LLM") ? Optional.of(OPENINFERENCE) : Optional.empty();
        }
        Optional<String> aiOperation = text(attributes, "ai.operationId");
        if (aiOperation.isPresent()) {
            return AI_SDK_CALLS.contains(aiOperation.get()) ? Optional.of(AI_SDK) : Optional.empty();
        }
        Optional<String> operation = text(attributes, "gen_ai.operation.name");
        if (operation.isPresent()) {
            return INFERENCE_OPERATIONS.contains(operation.get()) ? Optional.of(OTEL_GENAI) : Optional.empty();
        }
        if (attributes.containsKey("traceloop.span.kind")) {
            return Optional.empty(); // OpenLLMetry's workflow, task, agent and tool spans
        }
        Optional<String> requestType = text(attributes, "llm.request.type");
        if (requestType.isPresent()) {
            return INFERENCE_REQUEST_TYPES.contains(requestType.get().toLowerCase(Locale.ROOT))
                    ? Optional.of(OTEL_GENAI)
                    : Optional.empty();
        }
        boolean namesAModelProvider =
                attributes.containsKey("gen_ai.system") || attributes.containsKey("gen_ai.provider.name");
        return namesAModelProvider ? Optional.of(OTEL_GENAI) : Optional.empty();
    }

    /** The name written to the request's metadata ({@code "dialect"}). */
    String label() {
        return label;
    }

    List<String> model() {
        return model;
    }

    List<String> provider() {
        return provider;
    }

    /** The attributes of one of the token-count fields of the events, in order. */
    List<String> tokenCount(String field) {
        return tokenCounts.getOrDefault(field, List.of());
    }

    /** The total, read only to give the completion tokens when a sender wrote just the total and the prompt. */
    List<String> totalTokens() {
        return totalTokens;
    }

    List<String> finishReason() {
        return finishReason;
    }

    List<String> firstTokenSeconds() {
        return firstTokenSeconds;
    }

    List<String> firstTokenMillis() {
        return firstTokenMillis;
    }

    static Optional<String> text(Map<String, AnyValue> attributes, String key) {
        AnyValue value = attributes.get(key);
        return value != null
                        && value.hasStringValue()
                        && !value.getStringValue().isBlank()
                ? Optional.of(value.getStringValue())
                : Optional.empty();
    }
}
