package dev.streamlens.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.streamlens.ingest.otlp.GenAiSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One call, one count: a LangChain span around the OpenAI client's span of the same call (as
 * OpenInference's two instrumentations emit them: separate traces, the LangChain span a few
 * milliseconds wider) counts once, in one export or in two; spans that are not so stacked all count.
 */
class RecentLayersTest {

    private static final GenAiSpans.Rules RULES = new GenAiSpans.Rules("tenant.id", "default", "streamlens.route");
    private static final String LANGCHAIN = "@arizeai/openinference-instrumentation-langchain";
    private static final String OPENAI = "@arizeai/openinference-instrumentation-openai";
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;

    private final AtomicLong clock = new AtomicLong();
    private final RecentLayers layers = new RecentLayers(clock::get);

    @Test
    void aProviderSpanWithinAFrameworkSpanOfTheSameProcessIsTheSameCall() {
        RecentLayers.Decision decision =
                write(process("chat-app", scope(LANGCHAIN, llm(1, 0, 100)), scope(OPENAI, llm(2, 4, 96))));

        assertThat(decision.kept()).extracting(valid -> valid.call().span()).containsExactly(id(1));
        assertThat(decision.leftOut()).isEqualTo(1);
    }

    @Test
    void aStreamedCallsClientSpanMayEndJustAfterTheFrameworkSpan() {
        RecentLayers.Decision decision =
                write(process("chat-app", scope(LANGCHAIN, llm(1, 0, 150)), scope(OPENAI, llm(2, 0, 153))));

        assertThat(decision.kept()).extracting(valid -> valid.call().span()).containsExactly(id(1));
    }

    @Test
    void spansThatAreNotStackedAllCount() {
        assertThat(write(process("app-a", scope(LANGCHAIN, llm(1, 100, 200)), scope(OPENAI, llm(2, 10, 190))))
                        .kept())
                .as("starts 90 ms before the framework span")
                .hasSize(2);
        assertThat(write(
                                process("app-b", scope(LANGCHAIN, llm(3, 0, 100))),
                                process("batch-job", scope(OPENAI, llm(4, 4, 96))))
                        .kept())
                .as("another process")
                .hasSize(2);
        assertThat(write(process("app-c", scope(LANGCHAIN, llm(5, 0, 100)), scope(OPENAI, llm(6, 200, 300))))
                        .kept())
                .as("later")
                .hasSize(2);
    }

    @Test
    void aFrameworkSpanTakesOneProviderSpanSoADirectCallMadeMeanwhileStillCounts() {
        RecentLayers.Decision decision = write(process(
                "chat-app",
                scope(LANGCHAIN, llm(1, 0, 100)),
                scope(OPENAI, llm(2, 4, 96), llm(3, 20, 50)))); // 3: the client called directly meanwhile

        assertThat(decision.kept()).hasSize(2);
        assertThat(decision.leftOut()).isEqualTo(1);
        // Nor does a framework span paired in its own export take a provider span of a later one.
        assertThat(write(process("chat-app", scope(OPENAI, llm(4, 30, 60)))).kept())
                .hasSize(1);
    }

    @Test
    void twoConcurrentFrameworkCallsEachTakeTheirOwnProviderSpan() {
        RecentLayers.Decision decision = write(process(
                "chat-app",
                scope(LANGCHAIN, llm(1, 0, 100), llm(2, 10, 110)),
                scope(OPENAI, llm(3, 4, 96), llm(4, 14, 106))));

        assertThat(decision.kept()).extracting(valid -> valid.call().span()).containsExactlyInAnyOrder(id(1), id(2));
    }

    @Test
    void theTwoLayersOfACallInTwoExportsCountOnceWhicheverComesFirst() {
        assertThat(write(process("chat-app", scope(OPENAI, llm(1, 4, 96)))).kept())
                .hasSize(1);
        RecentLayers.Decision framework = write(process("chat-app", scope(LANGCHAIN, llm(2, 0, 100))));
        assertThat(framework.kept())
                .as("the provider span already counted the call")
                .isEmpty();
        assertThat(framework.leftOut()).isEqualTo(1);

        assertThat(write(process("chat-app", scope(LANGCHAIN, llm(3, 200, 300))))
                        .kept())
                .hasSize(1);
        assertThat(write(process("chat-app", scope(OPENAI, llm(4, 204, 296)))).kept())
                .as("the framework span already counted the call")
                .isEmpty();
        assertThat(write(process("chat-app", scope(OPENAI, llm(5, 210, 290)))).kept())
                .as("each remembered span pairs once")
                .hasSize(1);
    }

    @Test
    void theClosestFrameworkSpanIsTheCallsEvenWhenADirectCallStartsFirst() {
        RecentLayers.Decision decision = write(process(
                "chat-app",
                scope(LANGCHAIN, llm(1, 0, 100)),
                scope(OPENAI, llm(2, 2, 50), llm(3, 4, 96)))); // 2: a direct call, started first

        assertThat(decision.kept()).extracting(valid -> valid.call().span()).containsExactlyInAnyOrder(id(1), id(2));
    }

    @Test
    void aLeftOutLayerSentAgainIsLeftOutAgain() {
        write(process("chat-app", scope(OPENAI, llm(1, 4, 96))));
        ExportTraceServiceRequest framework = export(process("chat-app", scope(LANGCHAIN, llm(2, 0, 100))));
        assertThat(write(framework).kept()).isEmpty();

        RecentLayers.Decision again = write(framework); // its answer was lost: the exporter retries
        assertThat(again.kept()).as("still the other layer of a counted call").isEmpty();
        assertThat(again.leftOut()).isEqualTo(1);
    }

    @Test
    void anExportSentAgainIsNotItsOwnOtherLayer() {
        ExportTraceServiceRequest export =
                export(process("chat-app", scope(LANGCHAIN, llm(1, 0, 100)), scope(OPENAI, llm(2, 4, 96))));
        write(export);
        RecentLayers.Decision again = write(export);

        assertThat(again.kept())
                .as("the same span again (the job drops the duplicate)")
                .extracting(valid -> valid.call().span())
                .containsExactly(id(1));
    }

    @Test
    void aWrittenSpanIsRememberedForTwoMinutesOnly() {
        write(process("chat-app", scope(OPENAI, llm(1, 4, 96))));
        clock.addAndGet(RecentLayers.REMEMBER_NANOS + 1);

        assertThat(write(process("chat-app", scope(LANGCHAIN, llm(2, 0, 100)))).kept())
                .hasSize(1);
    }

    @Test
    void anExportInFlightIsSeenByTheNextAndOneThatWasNotWrittenIsForgotten() {
        RecentLayers.Decision inFlight = write(process("chat-app", scope(OPENAI, llm(1, 4, 96))));
        RecentLayers.Decision meanwhile = write(process("chat-app", scope(LANGCHAIN, llm(2, 0, 100))));
        assertThat(meanwhile.kept()).as("the other layer is being written").isEmpty();

        layers.forget(inFlight); // Kafka did not acknowledge it: the client sends it again
        assertThat(write(process("chat-app", scope(OPENAI, llm(1, 4, 96)))).kept())
                .as("sent again, it counts the call")
                .hasSize(1);
    }

    private RecentLayers.Decision write(ResourceSpans... processes) {
        return write(export(processes));
    }

    /** Decides an export (its spans all valid) that is then written. */
    private RecentLayers.Decision write(ExportTraceServiceRequest export) {
        return layers.decide(GenAiSpans.of(export, RULES, Optional.empty()).calls().stream()
                .map(call -> new CheckedSpans.Valid(call, null, null))
                .toList());
    }

    private static ExportTraceServiceRequest export(ResourceSpans... processes) {
        return ExportTraceServiceRequest.newBuilder()
                .addAllResourceSpans(List.of(processes))
                .build();
    }

    private static ResourceSpans process(String service, ScopeSpans... scopes) {
        return ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
                .addAllScopeSpans(List.of(scopes))
                .build();
    }

    private static ScopeSpans scope(String name, Span... spans) {
        return ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName(name))
                .addAllSpans(List.of(spans))
                .build();
    }

    /** An OpenInference LLM span, each in its own trace as the two instrumentations make them. */
    private static Span llm(int n, long startMs, long endMs) {
        return Span.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex("%032x".formatted(n))))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex("%016x".formatted(n))))
                .setStartTimeUnixNano(T0 + startMs * MS)
                .setEndTimeUnixNano(T0 + endMs * MS)
                .addAttributes(attr("openinference.span.kind", "LLM"))
                .addAttributes(attr("llm.model_name", "gpt-4o-mini"))
                .build();
    }

    private static String id(int n) {
        return "%032x-%016x".formatted(n, n);
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }
}
