package dev.streamlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The instrumentation libraries apps install, nobody here wrote, around the real clients
 * (src/test/js/instrumented-apps, pinned versions installed by the build): each app calls
 * {@link FakeOpenAiServer} (plain and streamed answers, with and without usage, cached and reasoning
 * tokens, 429 and 500, a slow call) and exports its spans to the service, over OTLP/HTTP protobuf
 * or OTLP/gRPC. The expectation is computed from what the server answered, through what each
 * library can see (its {@link Stack} row, also in docs/EVENTS.md); the events on the topics must
 * match it exactly.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class InstrumentationLibrariesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path APPS = Path.of("target", "instrumented-apps");
    private static final List<String> SCENARIOS = List.of(
            "plain",
            "cached",
            "stream-usage",
            "stream-bare",
            "rate-limited",
            "server-error",
            "slow",
            "plain",
            "cached",
            "stream-usage");

    /**
     * What a library's spans show of the calls. {@code failures}: a failed call has a span (the
     * OpenInference and OpenLLMetry OpenAI instrumentations never end the span of a rejected
     * call); {@code streamUsage}: a stream's usage (when the server sent it); {@code cached},
     * {@code reasoning}: those token counts.
     */
    enum Stack {
        OTEL_OPENAI("otel-openai", "http", true, true, false, false),
        OPENINFERENCE_OPENAI("openinference-openai", "grpc", false, false, true, true),
        TRACELOOP_OPENAI("traceloop-openai", "http", false, false, false, false),
        AI_SDK("ai-sdk", "grpc", true, true, true, false),
        AI_SDK_LEGACY("ai-sdk-legacy", "http", true, true, true, true),
        /**
         * LangChain's tracer and the OpenAI instrumentation, both OpenInference: two spans per call,
         * in one export; the LangChain span counts (it sees failures and a stream's usage).
         */
        LANGCHAIN_OVER_OPENAI("langchain-openinference", "http", true, true, true, true),
        /**
         * The same with every span in an export of its own: the OpenAI span, which ends first, counts
         * and the LangChain span is left out; a failed call has only the LangChain span. Plain
         * calls only, where both layers see the same figures.
         */
        LANGCHAIN_OVER_OPENAI_SPAN_BY_SPAN(
                "langchain-openinference",
                "grpc",
                true,
                false,
                true,
                true,
                1,
                List.of("plain", "cached", "rate-limited", "server-error", "slow", "cached"));

        final String app;
        final String protocol;
        final boolean failures;
        final boolean streamUsage;
        final boolean cached;
        final boolean reasoning;
        final int spansPerExport;
        final List<String> scenarios;

        Stack(String app, String protocol, boolean failures, boolean streamUsage, boolean cached, boolean reasoning) {
            this(app, protocol, failures, streamUsage, cached, reasoning, 0, SCENARIOS);
        }

        Stack(
                String app,
                String protocol,
                boolean failures,
                boolean streamUsage,
                boolean cached,
                boolean reasoning,
                int spansPerExport,
                List<String> scenarios) {
            this.app = app;
            this.protocol = protocol;
            this.failures = failures;
            this.streamUsage = streamUsage;
            this.cached = cached;
            this.reasoning = reasoning;
            this.spansPerExport = spansPerExport;
            this.scenarios = scenarios;
        }

        /** The figures these answers should give, as this library sees them. */
        Figures expected(List<FakeOpenAiServer.Answer> answers) {
            Figures figures = new Figures();
            for (FakeOpenAiServer.Answer answer : answers) {
                if (answer.failed()) {
                    if (failures) {
                        figures.calls++;
                        figures.errors++;
                    }
                    continue;
                }
                figures.calls++;
                figures.truncated += "length".equals(answer.finishReason()) ? 1 : 0;
                boolean usageSeen = !answer.streamed() || (answer.usageSent() && streamUsage);
                if (usageSeen) {
                    figures.prompt += answer.prompt();
                    figures.completion += answer.completion();
                    figures.cached += cached ? answer.cached() : 0;
                    figures.reasoning += reasoning ? answer.reasoning() : 0;
                }
            }
            return figures;
        }
    }

    /** Calls, errors, truncated answers and token sums of one tenant. */
    static final class Figures {
        long calls;
        long errors;
        long truncated;
        long prompt;
        long completion;
        long cached;
        long reasoning;

        @Override
        public String toString() {
            return "calls=%d errors=%d truncated=%d prompt=%d completion=%d cached=%d reasoning=%d"
                    .formatted(calls, errors, truncated, prompt, completion, cached, reasoning);
        }
    }

    private static FakeOpenAiServer llm;

    @TestHTTPResource("/")
    URL ingest;

    @BeforeAll
    static void startTheModelServer() throws IOException {
        llm = new FakeOpenAiServer();
    }

    @AfterAll
    static void stopTheModelServer() {
        llm.close();
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void everyCallTheLibrarySeesIsCountedOnceWithTheFiguresTheServerAnswered(Stack stack) throws Exception {
        assertThat(APPS.resolve("node_modules"))
                .as("installed by the build (npm ci)")
                .isDirectory();
        String tenant = "lib-" + UUID.randomUUID();
        llm.takeAnswers();
        JsonNode report = run(stack, tenant);
        List<FakeOpenAiServer.Answer> answers = llm.takeAnswers();

        assertThat(answers).as("the server answered every call").hasSize(stack.scenarios.size());
        List<Boolean> appSaw = new ArrayList<>();
        report.get("calls").forEach(call -> appSaw.add(call.get("ok").asBoolean()));
        assertThat(appSaw)
                .as("the app saw each call as the server answered it")
                .isEqualTo(answers.stream().map(answer -> !answer.failed()).toList());
        assertThat(report.get("exports")).as("exports").isNotEmpty();
        report.get("exports")
                .forEach(export -> assertThat(export.get("code").asInt())
                        .as("every export succeeded: %s", export)
                        .isZero());
        Figures counted = counted(tenant, stack.app);
        Figures expected = stack.expected(answers);
        assertThat(counted)
                .usingRecursiveComparison()
                .as("%s: %s", stack, counted)
                .isEqualTo(expected);
        assertThat(maxLatency(tenant))
                .as("the slow call's latency")
                .isGreaterThanOrEqualTo(FakeOpenAiServer.SLOW_MILLIS);
    }

    private JsonNode run(Stack stack, String tenant) throws Exception {
        String endpoint = stack.protocol.equals("grpc")
                ? "http://127.0.0.1:" + GrpcExportClient.servicePort()
                : ingest.toString().replaceAll("/$", "");
        List<String> command =
                new ArrayList<>(List.of("node", "app.mjs", stack.app, llm.baseUrl(), endpoint, stack.protocol, tenant));
        command.addAll(stack.scenarios);
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(APPS.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (stack.spansPerExport > 0) {
            builder.environment().put("SPANS_PER_EXPORT", Integer.toString(stack.spansPerExport));
        }
        Process node = builder.start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        return JSON.readTree(out);
    }

    /** The tenant's calls as the events on the topics say: each request, and its response. */
    private static Figures counted(String tenant, String route) {
        Map<String, JsonNode> requests = new HashMap<>();
        for (TopicReader.Entry entry : TopicReader.readAll(Topics.REQUESTS)) {
            JsonNode request = read(entry);
            if (request.path("tenant_id").asText().equals(tenant)) {
                assertThat(request.get("route").asText()).isEqualTo(route);
                assertThat(requests.put(entry.key(), request))
                        .as("%s written once", entry.key())
                        .isNull();
            }
        }
        Figures figures = new Figures();
        figures.calls = requests.size();
        requests.values()
                .forEach(request ->
                        figures.prompt += request.path("prompt_tokens").asLong(0));
        Map<String, JsonNode> responses = new HashMap<>();
        for (TopicReader.Entry entry : TopicReader.readAll(Topics.RESPONSES)) {
            if (requests.containsKey(entry.key())) {
                responses.put(entry.key(), read(entry));
            }
        }
        assertThat(responses.keySet()).as("a response for every request").isEqualTo(requests.keySet());
        for (JsonNode response : responses.values()) {
            figures.errors += response.hasNonNull("error") ? 1 : 0;
            figures.truncated += "length".equals(response.path("finish_reason").asText()) ? 1 : 0;
            figures.completion += response.path("completion_tokens").asLong(0);
            figures.cached += response.path("cached_prompt_tokens").asLong(0);
            figures.reasoning += response.path("reasoning_tokens").asLong(0);
        }
        return figures;
    }

    private static double maxLatency(String tenant) {
        List<String> ids = TopicReader.readAll(Topics.REQUESTS).stream()
                .filter(entry -> read(entry).path("tenant_id").asText().equals(tenant))
                .map(TopicReader.Entry::key)
                .toList();
        return TopicReader.readAll(Topics.RESPONSES).stream()
                .filter(entry -> ids.contains(entry.key()))
                .mapToDouble(entry -> read(entry).path("latency_ms").asDouble())
                .max()
                .orElse(0);
    }

    private static JsonNode read(TopicReader.Entry entry) {
        try {
            return JSON.readTree(entry.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
