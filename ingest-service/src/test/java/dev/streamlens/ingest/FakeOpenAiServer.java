package dev.streamlens.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * An OpenAI-compatible chat completions server ({@code POST /v1/chat/completions}, plain and
 * streamed answers) whose answer each call names in its last user message
 * ({@code scenario:<name>}), and which records every answer it gave: the expectation of a test is
 * computed from these answers, not from the spans.
 */
final class FakeOpenAiServer implements AutoCloseable {

    /** One answer: its HTTP status, whether it streamed, and the usage it reported (if it did). */
    record Answer(
            String scenario,
            int status,
            boolean streamed,
            boolean usageSent,
            long prompt,
            long completion,
            long cached,
            long reasoning,
            String finishReason) {

        boolean failed() {
            return status != 200;
        }
    }

    private record Usage(long prompt, long completion, long cached, long reasoning, String finishReason) {}

    /** What each scenario answers; numbers distinct enough that a wrong sum cannot hide. */
    private static final Map<String, Usage> USAGE = Map.of(
            "plain", new Usage(31, 11, 0, 0, "stop"),
            "cached", new Usage(203, 23, 150, 7, "length"),
            "stream-usage", new Usage(41, 13, 0, 0, "stop"),
            "stream-bare", new Usage(43, 17, 0, 0, "stop"),
            "slow", new Usage(17, 5, 0, 0, "stop"));

    static final long SLOW_MILLIS = 1200;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());

    FakeOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::answer);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    /** The base URL an OpenAI client is given. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The answers given since the last call, and forgets them. */
    List<Answer> takeAnswers() {
        synchronized (answers) {
            List<Answer> taken = List.copyOf(answers);
            answers.clear();
            return taken;
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String scenario = scenario(request);
            boolean streamed = request.path("stream").asBoolean(false);
            if (scenario.equals("rate-limited") || scenario.equals("server-error")) {
                int status = scenario.equals("rate-limited") ? 429 : 500;
                answers.add(new Answer(scenario, status, streamed, false, 0, 0, 0, 0, null));
                send(exchange, status, "{\"error\": {\"message\": \"" + scenario + "\", \"type\": \"fake\"}}");
                return;
            }
            if (scenario.equals("slow")) {
                sleep(SLOW_MILLIS);
            }
            Usage usage = USAGE.get(scenario);
            ObjectNode usageJson = JSON.createObjectNode()
                    .put("prompt_tokens", usage.prompt())
                    .put("completion_tokens", usage.completion())
                    .put("total_tokens", usage.prompt() + usage.completion());
            usageJson.putObject("prompt_tokens_details").put("cached_tokens", usage.cached());
            usageJson.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoning());
            String model = request.path("model").asText();
            if (!streamed) {
                ObjectNode body = JSON.createObjectNode()
                        .put("id", "chatcmpl-fake")
                        .put("object", "chat.completion")
                        .put("created", 1)
                        .put("model", model);
                ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
                choice.putObject("message").put("role", "assistant").put("content", "ok");
                choice.put("finish_reason", usage.finishReason());
                body.set("usage", usageJson);
                answers.add(new Answer(
                        scenario,
                        200,
                        false,
                        true,
                        usage.prompt(),
                        usage.completion(),
                        usage.cached(),
                        usage.reasoning(),
                        usage.finishReason()));
                send(exchange, 200, body.toString());
                return;
            }
            boolean usageAsked =
                    request.path("stream_options").path("include_usage").asBoolean(false);
            answers.add(new Answer(
                    scenario,
                    200,
                    true,
                    usageAsked,
                    usage.prompt(),
                    usage.completion(),
                    usage.cached(),
                    usage.reasoning(),
                    usage.finishReason()));
            stream(exchange, model, usage.finishReason(), usageAsked ? usageJson : null);
        }
    }

    /** Server-sent events as OpenAI streams them: deltas, the finish reason, the usage if asked, [DONE]. */
    private static void stream(HttpExchange exchange, String model, String finishReason, JsonNode usage)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String text : List.of("o", "k")) {
            ObjectNode chunk = chunk(model);
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            choice.putObject("delta").put("role", "assistant").put("content", text);
            choice.putNull("finish_reason");
            event(out, chunk.toString());
            sleep(20);
        }
        ObjectNode last = chunk(model);
        ObjectNode choice = last.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason);
        event(out, last.toString());
        if (usage != null) {
            ObjectNode usageChunk = chunk(model);
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage);
            event(out, usageChunk.toString());
        }
        event(out, "[DONE]");
    }

    private static ObjectNode chunk(String model) {
        return JSON.createObjectNode()
                .put("id", "chatcmpl-fake")
                .put("object", "chat.completion.chunk")
                .put("created", 1)
                .put("model", model);
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** The scenario the last user message names; its content may be a string or text parts. */
    private static String scenario(JsonNode request) {
        JsonNode messages = request.path("messages");
        JsonNode content = messages.get(messages.size() - 1).path("content");
        StringBuilder text = new StringBuilder();
        if (content.isArray()) {
            content.forEach(part -> text.append(part.path("text").asText()));
        } else {
            text.append(content.asText());
        }
        int at = text.indexOf("scenario:");
        if (at < 0) {
            throw new IllegalArgumentException("no scenario in " + text);
        }
        return text.substring(at + "scenario:".length()).trim();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
