package dev.streamlens.ingest.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.streamlens.model.EventParser;
import dev.streamlens.model.LlmRequest;
import dev.streamlens.model.LlmResponse;
import dev.streamlens.model.ParseResult;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Spans shaped as each instrumentation library writes them (attribute names taken from the
 * libraries' published sources, docs/EVENTS.md), read into events and through the JSON API's
 * parser: which spans are calls, and which figure each attribute gives.
 */
class SpanDialectTest {

    private static final GenAiSpans.Rules RULES = new GenAiSpans.Rules("tenant.id", "default", "streamlens.route");
    private static final EventParser JSON_API = new EventParser();
    private static final long START = 1_700_000_000_000_000_000L;
    private static final long END = START + 900_000_000L; // 900 ms

    @Test
    void openInferenceLlmSpansAreCallsAndItsOtherKindsAreNot() {
        Span llm = span(
                1,
                attr("openinference.span.kind", "LLM"),
                attr("llm.model_name", "gpt-4o-mini-2024-07-18"),
                attr("llm.system", "openai"),
                attr("llm.provider", "azure"),
                attr("llm.token_count.prompt", 120),
                attr("llm.token_count.completion", 30),
                attr("llm.token_count.total", 150),
                attr("llm.token_count.prompt_details.cache_read", 100),
                attr("llm.token_count.prompt_details.cache_write", 15),
                attr("llm.token_count.completion_details.reasoning", 12),
                attr("llm.finish_reason", "length"));
        List<String> notCalls = List.of("CHAIN", "TOOL", "RETRIEVER", "EMBEDDING", "AGENT", "RERANKER", "GUARDRAIL");
        Span[] spans = new Span[notCalls.size() + 1];
        spans[0] = llm;
        for (int i = 0; i < notCalls.size(); i++) {
            // An OpenInference embedding span names a model too: its kind alone rules it out.
            spans[i + 1] = span(
                    i + 2, attr("openinference.span.kind", notCalls.get(i)), attr("llm.model_name", "gpt-4o-mini"));
        }
        GenAiSpans.Mapped mapped = GenAiSpans.of(export(spans), RULES, Optional.empty());

        assertThat(mapped.notInference()).isEqualTo(notCalls.size());
        assertThat(mapped.calls()).hasSize(1);
        LlmRequest request = request(mapped.calls().get(0));
        LlmResponse response = response(mapped.calls().get(0));
        assertThat(request.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(request.promptTokens()).isEqualTo(120L);
        assertThat(request.provider()).isEqualTo("azure"); // the host, over the product
        assertThat(request.metadata().get("dialect").asText()).isEqualTo("openinference");
        assertThat(response.completionTokens()).isEqualTo(30L);
        assertThat(response.cachedPromptTokens()).isEqualTo(100L);
        assertThat(response.cacheWriteTokens()).isEqualTo(15L);
        assertThat(response.reasoningTokens()).isEqualTo(12L);
        assertThat(response.finishReason()).isEqualTo("length");
        assertThat(response.latencyMs()).isEqualTo(900.0);
        assertThat(response.isFailure()).isFalse();
    }

    @Test
    void openInferenceErrorsComeFromTheStatusNamedByTheExceptionEventAndFirstTokenFromItsEvent() {
        Span failed = span(1, attr("openinference.span.kind", "LLM"), attr("llm.model_name", "gpt-4o")).toBuilder()
                .setStatus(Status.newBuilder()
                        .setCode(Status.StatusCode.STATUS_CODE_ERROR)
                        .setMessage("429 Rate limit reached"))
                .addEvents(Span.Event.newBuilder()
                        .setName("exception")
                        .setTimeUnixNano(END)
                        .addAttributes(attr("exception.type", "RateLimitError"))
                        .addAttributes(attr("exception.message", "429 Rate limit reached")))
                .build();
        Span recovered = span(2, attr("openinference.span.kind", "LLM"), attr("llm.model_name", "gpt-4o")).toBuilder()
                .addEvents(Span.Event.newBuilder().setName("exception").addAttributes(attr("exception.type", "Retry")))
                .build();
        Span streamed = span(3, attr("openinference.span.kind", "LLM"), attr("llm.model_name", "gpt-4o")).toBuilder()
                .addEvents(Span.Event.newBuilder()
                        .setName("First Token Stream Event")
                        .setTimeUnixNano(START + 250_000_000L))
                .build();
        List<GenAiSpans.SpanCall> calls = GenAiSpans.of(export(failed, recovered, streamed), RULES, Optional.empty())
                .calls();

        assertThat(response(calls.get(0)).error()).isEqualTo("RateLimitError");
        assertThat(response(calls.get(1)).isFailure())
                .as("an exception event without status ERROR")
                .isFalse();
        assertThat(response(calls.get(2)).timeToFirstTokenMs()).isEqualTo(250.0);
    }

    @Test
    void openLlmetryCurrentAndLegacyAttributesGiveTheSameFigures() {
        Span current = span(
                1,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.provider.name", "openai"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("gen_ai.response.model", "gpt-4o-2024-08-06"),
                attr("gen_ai.usage.input_tokens", 40),
                attr("gen_ai.usage.output_tokens", 9),
                attr("gen_ai.usage.total_tokens", 49),
                attrs("gen_ai.response.finish_reasons", "tool_call"));
        Span legacy = span(
                2,
                attr("gen_ai.system", "OpenAI"),
                attr("llm.request.type", "chat"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("gen_ai.response.model", "gpt-4o-2024-08-06"),
                attr("gen_ai.usage.prompt_tokens", 40),
                attr("llm.usage.total_tokens", 49), // no completion count: the difference
                attr("gen_ai.usage.cache_read_input_tokens", 32),
                attr("gen_ai.usage.cache_creation_input_tokens", 8),
                attr("gen_ai.completion.0.finish_reason", "length"));
        Span workflow = span(
                3,
                attr("gen_ai.provider.name", "langchain"),
                attr("traceloop.span.kind", "workflow"),
                attr("traceloop.workflow.name", "RunnableSequence"));
        Span embedding = span(4, attr("gen_ai.system", "OpenAI"), attr("llm.request.type", "embedding"));
        GenAiSpans.Mapped mapped = GenAiSpans.of(export(current, legacy, workflow, embedding), RULES, Optional.empty());

        assertThat(mapped.notInference()).isEqualTo(2);
        assertThat(mapped.calls()).hasSize(2);
        for (GenAiSpans.SpanCall call : mapped.calls()) {
            assertThat(request(call).model()).isEqualTo("gpt-4o-2024-08-06");
            assertThat(request(call).promptTokens()).isEqualTo(40L);
            assertThat(response(call).completionTokens()).isEqualTo(9L);
        }
        assertThat(request(mapped.calls().get(0)).provider()).isEqualTo("openai");
        assertThat(request(mapped.calls().get(1)).provider()).isEqualTo("OpenAI");
        assertThat(response(mapped.calls().get(0)).finishReason()).isEqualTo("tool_call");
        assertThat(response(mapped.calls().get(1)).finishReason()).isEqualTo("length");
        assertThat(response(mapped.calls().get(1)).cachedPromptTokens()).isEqualTo(32L);
        assertThat(response(mapped.calls().get(1)).cacheWriteTokens()).isEqualTo(8L);
        assertThat(mapped.calls().get(1).attributeOf()).containsEntry("completion_tokens", "gen_ai.usage.total_tokens");
    }

    @Test
    void aTotalBelowThePromptOrNotAWholeNumberGivesNoCompletionCount() {
        Span below = span(
                1,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.request.model", "m"),
                attr("gen_ai.usage.input_tokens", 40),
                attr("llm.usage.total_tokens", 39));
        Span fraction = span(
                2,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.request.model", "m"),
                attr("gen_ai.usage.input_tokens", 40),
                KeyValue.newBuilder()
                        .setKey("llm.usage.total_tokens")
                        .setValue(AnyValue.newBuilder().setDoubleValue(49.5))
                        .build());
        for (GenAiSpans.SpanCall call :
                GenAiSpans.of(export(below, fraction), RULES, Optional.empty()).calls()) {
            assertThat(response(call).completionTokens()).isNull();
        }
    }

    @Test
    void theAiSdkCountsItsProviderSpansNotTheirWrappersInEveryVersionsUsageNames() {
        Span wrapper = span(
                1,
                attr("ai.operationId", "ai.generateText"),
                attr("ai.model.id", "gpt-4o-mini"),
                attr("ai.usage.inputTokens", 60), // the sum over its steps
                attr("ai.usage.outputTokens", 14));
        Span v5 = span(
                2,
                attr("ai.operationId", "ai.generateText.doGenerate"),
                attr("operation.name", "ai.generateText.doGenerate"),
                attr("ai.model.id", "gpt-4o-mini"),
                attr("ai.model.provider", "openai.chat"),
                attr("ai.response.model", "gpt-4o-mini-2024-07-18"),
                attr("gen_ai.system", "openai.chat"),
                attr("ai.usage.inputTokens", 20),
                attr("ai.usage.outputTokens", 7),
                attr("ai.usage.totalTokens", 27),
                attr("ai.usage.cachedInputTokens", 8),
                attr("ai.usage.reasoningTokens", 3),
                attr("ai.response.finishReason", "stop"));
        Span v4Stream = span(
                3,
                attr("ai.operationId", "ai.streamText.doStream"),
                attr("ai.model.id", "gpt-4o-mini"),
                attr("ai.model.provider", "openai.chat"),
                attr("ai.usage.promptTokens", 11),
                attr("ai.usage.completionTokens", 4),
                KeyValue.newBuilder()
                        .setKey("ai.response.msToFirstChunk")
                        .setValue(AnyValue.newBuilder().setDoubleValue(123.5))
                        .build(),
                attr("ai.response.finishReason", "length"));
        Span v6 = span(
                4,
                attr("ai.operationId", "ai.generateText.doGenerate"),
                attr("ai.model.id", "claude-sonnet-4"),
                attr("ai.model.provider", "anthropic.messages"),
                attr("ai.usage.inputTokens", 30),
                attr("ai.usage.outputTokens", 5),
                attr("ai.usage.inputTokenDetails.noCacheTokens", 22),
                attr("ai.usage.inputTokenDetails.cacheReadTokens", 6),
                attr("ai.usage.inputTokenDetails.cacheWriteTokens", 2),
                attr("ai.usage.outputTokenDetails.reasoningTokens", 1));
        Span tool = span(5, attr("ai.operationId", "ai.toolCall"), attr("ai.toolCall.name", "weather"));
        GenAiSpans.Mapped mapped = GenAiSpans.of(export(wrapper, v5, v4Stream, v6, tool), RULES, Optional.empty());

        assertThat(mapped.notInference()).isEqualTo(2);
        assertThat(mapped.calls()).hasSize(3);
        GenAiSpans.SpanCall generate = mapped.calls().get(0);
        assertThat(request(generate).model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(request(generate).promptTokens()).isEqualTo(20L);
        assertThat(request(generate).provider()).isEqualTo("openai.chat");
        assertThat(request(generate).metadata().get("operation").asText()).isEqualTo("ai.generateText.doGenerate");
        assertThat(response(generate).completionTokens()).isEqualTo(7L);
        assertThat(response(generate).cachedPromptTokens()).isEqualTo(8L);
        assertThat(response(generate).reasoningTokens()).isEqualTo(3L);
        assertThat(response(generate).finishReason()).isEqualTo("stop");

        GenAiSpans.SpanCall stream = mapped.calls().get(1);
        assertThat(request(stream).model()).isEqualTo("gpt-4o-mini");
        assertThat(request(stream).promptTokens()).isEqualTo(11L);
        assertThat(response(stream).completionTokens()).isEqualTo(4L);
        assertThat(response(stream).timeToFirstTokenMs()).isEqualTo(123.5);
        assertThat(response(stream).finishReason()).isEqualTo("length");

        GenAiSpans.SpanCall details = mapped.calls().get(2);
        assertThat(response(details).cachedPromptTokens()).isEqualTo(6L);
        assertThat(response(details).cacheWriteTokens()).isEqualTo(2L);
        assertThat(response(details).reasoningTokens()).isEqualTo(1L);
    }

    @Test
    void theAiSdkSevenCountsItsChatSpansNotItsAgentAndStepSpans() {
        Span agent = span(
                1,
                attr("gen_ai.operation.name", "invoke_agent"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("gen_ai.usage.input_tokens", 90));
        Span step = span(2, attr("gen_ai.operation.name", "agent_step"));
        Span chat = span(
                3,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.provider.name", "openai"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("gen_ai.usage.input_tokens", 45),
                attr("gen_ai.usage.output_tokens", 6),
                attr("gen_ai.usage.cache_read.input_tokens", 40),
                KeyValue.newBuilder()
                        .setKey("gen_ai.client.operation.time_to_first_chunk")
                        .setValue(AnyValue.newBuilder().setDoubleValue(0.2))
                        .build(),
                attrs("gen_ai.response.finish_reasons", "tool-calls"));
        GenAiSpans.Mapped mapped = GenAiSpans.of(export(agent, step, chat), RULES, Optional.empty());

        assertThat(mapped.notInference()).isEqualTo(2);
        assertThat(mapped.calls()).hasSize(1);
        GenAiSpans.SpanCall call = mapped.calls().get(0);
        assertThat(request(call).promptTokens()).isEqualTo(45L);
        assertThat(response(call).cachedPromptTokens()).isEqualTo(40L);
        assertThat(response(call).timeToFirstTokenMs()).isEqualTo(200.0);
        assertThat(response(call).finishReason()).isEqualTo("tool-calls");
    }

    @Test
    void theEndUserAndTheSessionComeFromEachDialectsSpellingAndABadOneIsLeftOutNotTheCall() {
        Span openInference = span(
                1,
                attr("openinference.span.kind", "LLM"),
                attr("llm.model_name", "gpt-4o"),
                attr("user.id", "u-1"),
                attr("session.id", "s-1"));
        Span langfuse = span(
                2,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("langfuse.user.id", "u-2"),
                attr("langfuse.session.id", "s-2"));
        Span semconv = span(
                3,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("enduser.id", "u-3"),
                attr("gen_ai.conversation.id", "conv-3"));
        Span tooLong = span(
                4,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("user.id", "u".repeat(256)),
                attr("session.id", "line\nbreak"));
        GenAiSpans.Mapped mapped =
                GenAiSpans.of(export(openInference, langfuse, semconv, tooLong), RULES, Optional.empty());

        assertThat(mapped.calls()).hasSize(4);
        assertThat(mapped.calls().stream().map(SpanDialectTest::request))
                .extracting(LlmRequest::userIdHash, LlmRequest::sessionId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("u-1", "s-1"),
                        org.assertj.core.groups.Tuple.tuple("u-2", "s-2"),
                        org.assertj.core.groups.Tuple.tuple("u-3", "conv-3"),
                        org.assertj.core.groups.Tuple.tuple(null, null));
    }

    private static LlmRequest request(GenAiSpans.SpanCall call) {
        ParseResult<LlmRequest> parsed = JSON_API.parseRequest(call.request());
        assertThat(parsed.errors()).as("request of %s", call.span()).isEmpty();
        return parsed.event();
    }

    private static LlmResponse response(GenAiSpans.SpanCall call) {
        ParseResult<LlmResponse> parsed = JSON_API.parseResponse(call.response());
        assertThat(parsed.errors()).as("response of %s", call.span()).isEmpty();
        return parsed.event();
    }

    private static ExportTraceServiceRequest export(Span... spans) {
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(Resource.getDefaultInstance())
                        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(Arrays.asList(spans))))
                .build();
    }

    private static Span span(int n, KeyValue... attributes) {
        return Span.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(GenAiSpansTest.TRACE)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex("%016x".formatted(n))))
                .setStartTimeUnixNano(START)
                .setEndTimeUnixNano(END)
                .addAllAttributes(Arrays.asList(attributes))
                .build();
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    private static KeyValue attr(String key, long value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setIntValue(value))
                .build();
    }

    private static KeyValue attrs(String key, String... values) {
        ArrayValue.Builder array = ArrayValue.newBuilder();
        for (String value : values) {
            array.addValues(AnyValue.newBuilder().setStringValue(value));
        }
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setArrayValue(array))
                .build();
    }
}
