package dev.streamlens.job.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlens.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A generated telemetry workload, described independently of the job's code: several tenants,
 * routes and models (one unpriced), errors, slow calls, unanswered requests, responses outside
 * the join interval, orphan responses, client retries (duplicates), and delivery out of order
 * within the watermark bound.
 */
public final class Workload {

    public static final String[] TENANTS = {"acme", "globex", "initech"};
    public static final String[] ROUTES = {"chat", "search", "summarize"};
    public static final String[] MODELS = {
        "gpt-4o", "gpt-4o-mini-2024-07-18", "claude-3-5-sonnet-20241022", "in-house-llm"
    };

    /** userId, sessionId and feature (metadata's tag {@code feature}) null: not sent. */
    public record Request(
            String id,
            String tenant,
            String route,
            String model,
            long ts,
            long promptTokens,
            String userId,
            String sessionId,
            String feature) {
        /**
         * A request whose end user, session and feature are chosen from its id ({@link #userOf},
         * {@link #sessionOf}, {@link #featureOf}).
         */
        public Request(String id, String tenant, String route, String model, long ts, long promptTokens) {
            this(id, tenant, route, model, ts, promptTokens, userOf(id), sessionOf(id), featureOf(id));
        }

        /** A request naming this user and session, and no feature. */
        public Request(
                String id,
                String tenant,
                String route,
                String model,
                long ts,
                long promptTokens,
                String userId,
                String sessionId) {
            this(id, tenant, route, model, ts, promptTokens, userId, sessionId, null);
        }
    }

    /**
     * The end user of a request, chosen from its id so the random sequence (and every seeded workload)
     * stays as it was: skewed as real traffic is — three users make a third of the calls, twenty
     * the next third, two hundred the rest — and one call in seven names none.
     */
    static String userOf(String id) {
        int h = Math.floorMod(id.hashCode() * 31 + 7, 1_400);
        if (h < 200) {
            return null;
        }
        int u = h < 600 ? h % 3 : h < 1_000 ? 3 + h % 20 : 23 + h % 200;
        return "user-" + u;
    }

    /** A request's session: one of four of its user's, or none (as its user, and one call in ten more). */
    static String sessionOf(String id) {
        String user = userOf(id);
        int h = Math.floorMod(id.hashCode() * 17 + 3, 40);
        return user == null || h < 4 ? null : user + "/session-" + h % 4;
    }

    /** The product feature a request's metadata names (one in six names none), chosen from its id. */
    public static String featureOf(String id) {
        int h = Math.floorMod(id.hashCode() * 13 + 5, 6);
        return h == 5
                ? null
                : List.of("search", "chat", "summarize", "code", "translate").get(h);
    }

    /**
     * latencyMs null: not sent (the job derives it); error null or a message; ttftMs null: not
     * streamed. Cached and cache-written tokens are parts of the request's prompt tokens,
     * reasoning tokens part of the completion tokens. finishReason as sent (null: not sent).
     */
    public record Response(
            String id,
            long ts,
            Double latencyMs,
            long completionTokens,
            String error,
            long cachedPromptTokens,
            long cacheWriteTokens,
            long reasoningTokens,
            Double ttftMs,
            String finishReason) {
        /** A response that finished normally ("stop"), or "error" when it failed. */
        public Response(
                String id,
                long ts,
                Double latencyMs,
                long completionTokens,
                String error,
                long cachedPromptTokens,
                long cacheWriteTokens,
                long reasoningTokens,
                Double ttftMs) {
            this(
                    id,
                    ts,
                    latencyMs,
                    completionTokens,
                    error,
                    cachedPromptTokens,
                    cacheWriteTokens,
                    reasoningTokens,
                    ttftMs,
                    error == null ? "stop" : "error");
        }

        /** A response without prompt-cache, reasoning or streaming figures. */
        public Response(String id, long ts, Double latencyMs, long completionTokens, String error) {
            this(id, ts, latencyMs, completionTokens, error, 0, 0, 0, null);
        }
    }

    /**
     * Some successful calls stop at the token limit, in each provider's spelling, and a few for
     * another reason; chosen from the id, so the random sequence (and every seeded workload) stays
     * as it was.
     */
    static String finishReason(String id, String error) {
        if (error != null) {
            return "error";
        }
        return switch (Math.floorMod(id.hashCode(), 20)) {
            case 0, 1 -> "length";
            case 2 -> "max_tokens";
            case 3 -> "MAX_TOKENS";
            case 4 -> "content_filter";
            default -> "stop";
        };
    }

    /** One record to produce, in delivery order. */
    public record Delivery(String topic, String key, byte[] value, long deliverAt) {}

    public final List<Request> requests = new ArrayList<>();
    public final List<Response> responses = new ArrayList<>();
    public final List<Delivery> deliveries = new ArrayList<>();

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param count        requests to generate
     * @param start        event time of the first request
     * @param spanMs       event-time span the requests are spread over
     * @param joinTimeout  the job's join timeout, to place unanswerable responses beyond it
     * @param maxDelayMs   delivery delay of each record behind its timestamp (keep it under the
     *                     watermark's out-of-orderness bound)
     */
    public static Workload generate(long seed, int count, long start, long spanMs, long joinTimeout, long maxDelayMs) {
        return generate(seed, count, start, spanMs, joinTimeout, maxDelayMs, 20_000, 120_000);
    }

    /** As above, with slow calls taking between {@code slowMinMs} and {@code slowMaxMs}. */
    public static Workload generate(
            long seed,
            int count,
            long start,
            long spanMs,
            long joinTimeout,
            long maxDelayMs,
            long slowMinMs,
            long slowMaxMs) {
        Random random = new Random(seed);
        Workload w = new Workload();
        for (int i = 0; i < count; i++) {
            String id = "req-" + seed + "-" + i;
            long ts = start + (spanMs * i) / count + random.nextInt(50);
            Request request = new Request(
                    id, pick(random, TENANTS), pick(random, ROUTES), pick(random, MODELS), ts, random.nextInt(4000));
            w.requests.add(request);
            w.deliver(random, Topics.REQUESTS, id, requestJson(request), ts, maxDelayMs);
            if (random.nextInt(100) < 5) {
                w.deliver(random, Topics.REQUESTS, id, requestJson(request), ts, maxDelayMs); // client retry
            }

            int fate = random.nextInt(100);
            if (fate < 6) {
                continue; // unanswered: a timeout
            }
            long latency;
            if (fate < 8) {
                latency = joinTimeout + 1000 + random.nextInt(5000); // answered too late: orphan + timeout
            } else if (fate < 15) {
                latency = slowMinMs + random.nextLong(slowMaxMs - slowMinMs); // slow calls
            } else {
                latency = 50 + random.nextInt(3000);
            }
            boolean sendLatency = random.nextInt(100) >= 5;
            String error = random.nextInt(100) < 8 ? (random.nextBoolean() ? "rate_limit_exceeded" : "timeout") : null;
            long completion = random.nextInt(2000);
            // Some calls hit the prompt cache, write to it, reason, or stream (then their first token came
            // before the end); a few clients report more cached tokens than the prompt held.
            long cached = random.nextInt(100) < 30 ? random.nextLong(request.promptTokens() + 50) : 0;
            long written = random.nextInt(100) < 10 ? random.nextLong(request.promptTokens() + 1) : 0;
            long reasoning = random.nextInt(100) < 20 ? random.nextLong(completion + 1) : 0;
            Double ttft = random.nextInt(100) < 50 ? (double) random.nextLong(latency + 1) : null;
            Response response = new Response(
                    id,
                    ts + latency,
                    sendLatency ? (double) latency : null,
                    completion,
                    error,
                    cached,
                    written,
                    reasoning,
                    ttft,
                    finishReason(id, error));
            w.responses.add(response);
            w.deliver(random, Topics.RESPONSES, id, responseJson(response), response.ts(), maxDelayMs);
            if (random.nextInt(100) < 5) {
                w.deliver(random, Topics.RESPONSES, id, responseJson(response), response.ts(), maxDelayMs); // retry
            }
        }
        // Orphans in the first half of the span: their dead letters are written while the rest settles.
        for (int i = 0; i < count / 50; i++) {
            String id = "orphan-" + seed + "-" + i;
            Response orphan = new Response(id, start + random.nextLong(Math.max(1, spanMs / 2)), 100.0, 10, null);
            w.responses.add(orphan);
            w.deliver(random, Topics.RESPONSES, id, responseJson(orphan), orphan.ts(), maxDelayMs);
        }
        w.deliveries.sort(Comparator.comparingLong(Delivery::deliverAt));
        return w;
    }

    /** The part of a workload that was delivered: what an independent expectation is computed from. */
    public static Workload of(List<Request> requests, List<Response> responses) {
        Workload w = new Workload();
        w.requests.addAll(requests);
        w.responses.addAll(responses);
        return w;
    }

    private void deliver(Random random, String topic, String key, byte[] value, long ts, long maxDelayMs) {
        deliveries.add(new Delivery(topic, key, value, ts + (maxDelayMs == 0 ? 0 : random.nextLong(maxDelayMs))));
    }

    public static byte[] requestJson(Request r) {
        ObjectNode node = JSON.createObjectNode()
                .put("request_id", r.id())
                .put("tenant_id", r.tenant())
                .put("route", r.route())
                .put("model", r.model())
                .put("timestamp", Instant.ofEpochMilli(r.ts()).toString())
                .put("prompt_tokens", r.promptTokens());
        if (r.userId() != null) {
            node.put("user_id_hash", r.userId());
        }
        if (r.sessionId() != null) {
            node.put("session_id", r.sessionId());
        }
        ObjectNode metadata =
                node.putObject("metadata").put("experiment", "prompt_v3").put("test", true);
        if (r.feature() != null) {
            metadata.put("feature", r.feature()); // a custom dimension, when the job declares it
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] responseJson(Response r) {
        ObjectNode node = JSON.createObjectNode()
                .put("request_id", r.id())
                .put("timestamp", Instant.ofEpochMilli(r.ts()).toString())
                .put("completion_tokens", r.completionTokens())
                .put("finish_reason", r.finishReason());
        if (r.latencyMs() != null) {
            node.put("latency_ms", r.latencyMs());
        }
        if (r.cachedPromptTokens() > 0) {
            node.put("cached_prompt_tokens", r.cachedPromptTokens());
        }
        if (r.cacheWriteTokens() > 0) {
            node.put("cache_write_tokens", r.cacheWriteTokens());
        }
        if (r.reasoningTokens() > 0) {
            node.put("reasoning_tokens", r.reasoningTokens());
        }
        if (r.ttftMs() != null && (r.latencyMs() == null || r.ttftMs() <= r.latencyMs())) {
            node.put("time_to_first_token_ms", r.ttftMs());
        }
        if (r.error() == null) {
            node.putNull("error");
        } else {
            node.put("error", r.error());
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
