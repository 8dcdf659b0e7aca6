package dev.streamlens.bench.capacity;

import dev.streamlens.job.it.Workload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * LLM calls at a set rate, sent to the ingest service as applications send them: a request event
 * when a call starts and a response event when it ends (latency 0.2–4 s), mostly in NDJSON batches
 * of up to 500 events (an SDK-style batcher that also sends every 200 ms), a share as OTLP/JSON
 * trace exports (one span per call, exported when it ends) and a share as single events. Tenants,
 * routes and models spread as real traffic does (20 × 20 × 10, the tenants skewed); some calls
 * fail, some never get a response (the job counts them as timeouts), some events are delivered
 * twice (a client retrying a POST whose answer it lost).
 *
 * <p>Calls of the {@link #sampled sampled tenants} are remembered, once their events were
 * acknowledged, so that the figures the stack reports for them can be compared with an exact
 * computation ({@link dev.streamlens.job.it.ExpectedMetrics}).
 */
final class CallTraffic {

    static final int TENANTS = 20;
    static final int ROUTES = 20;
    /**
     * Nine models the stack's catalog (genai-prices) and the exact computation's table
     * (default-prices.json) price alike, and one neither knows (unpriced).
     */
    static final String[] MODELS = {
        "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3-mini",
        "claude-sonnet-4", "claude-3-5-haiku", "gemini-2.5-flash", "gpt-4.1-nano", "in-house-llm"
    };

    private static final String[] TENANT_NAMES = new String[TENANTS];
    private static final String[] ROUTE_NAMES = new String[ROUTES];

    static {
        for (int i = 0; i < TENANTS; i++) {
            TENANT_NAMES[i] = String.format("cap-tenant-%02d", i);
        }
        for (int i = 0; i < ROUTES; i++) {
            ROUTE_NAMES[i] = String.format("route-%02d", i);
        }
    }

    private static final int BATCH_EVENTS = 500;
    private static final int EXPORT_SPANS = 512;
    private static final long LINGER_MS = 200;
    private static final int MAX_IN_FLIGHT = 96;

    /** What one step of traffic did. */
    record StepTotals(long started, long acknowledgedEvents, long refusedEvents, List<Long> postMillis) {}

    private enum Channel {
        BATCH,
        OTLP,
        SINGLE
    }

    private record Call(
            String id,
            String tenant,
            String route,
            String model,
            long start,
            long latencyMs,
            long promptTokens,
            long completionTokens,
            String error,
            boolean answered,
            String user,
            Channel channel) {}

    private record Due(long at, Call call) {}

    private final String ingest;
    private final Set<String> sampled;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Random random = new Random(20261207);
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    private final PriorityQueue<Due> endings = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    private final double[] tenantWeights = new double[TENANTS];

    private final StringBuilder batch = new StringBuilder(BATCH_EVENTS * 300);
    private final List<Runnable> batchAcks = new ArrayList<>();
    private int batchEvents;
    private long batchSince;
    private final List<Call> export = new ArrayList<>();
    private long exportSince;

    private long sequence;
    private final AtomicLong acknowledgedEvents = new AtomicLong();
    private final AtomicLong refusedEvents = new AtomicLong();
    private final AtomicLong refusalsShown = new AtomicLong();
    private final List<Long> postMillis = new ArrayList<>();

    /** The sampled tenants' acknowledged calls, for the exact computation. */
    final List<Workload.Request> sampledRequests = new ArrayList<>();

    final List<Workload.Response> sampledResponses = new ArrayList<>();

    CallTraffic(String ingest, Set<String> sampled) {
        this.ingest = ingest;
        this.sampled = sampled;
        double sum = 0;
        for (int t = 0; t < TENANTS; t++) {
            tenantWeights[t] = 1 / Math.pow(t + 1, 0.8); // Zipf-like: the largest tenant ~ 14 %, the smallest ~ 1.3 %
            sum += tenantWeights[t];
        }
        for (int t = 0; t < TENANTS; t++) {
            tenantWeights[t] /= sum;
        }
    }

    static String tenant(int t) {
        return TENANT_NAMES[t];
    }

    /**
     * Sends calls at this rate until the end (wall clock, ms), then returns what the step did;
     * calls begun in the step may end, and be sent, in the next one ({@link #drain} sends the rest).
     */
    StepTotals run(double callsPerSecond, long until) throws InterruptedException {
        long stepStart = System.currentTimeMillis();
        long stepStarted = 0;
        long acknowledgedBefore = acknowledgedEvents.get();
        long refusedBefore = refusedEvents.get();
        synchronized (postMillis) {
            postMillis.clear();
        }
        long now;
        while ((now = System.currentTimeMillis()) < until) {
            long due = (long) ((now - stepStart) * callsPerSecond / 1000) - stepStarted;
            for (long i = 0; i < due; i++) {
                begin(newCall(now));
                stepStarted++;
            }
            endDue(now);
            flushIfDue(now);
            Thread.sleep(5);
        }
        List<Long> posts;
        synchronized (postMillis) {
            posts = new ArrayList<>(postMillis);
        }
        return new StepTotals(
                stepStarted, acknowledgedEvents.get() - acknowledgedBefore, refusedEvents.get() - refusedBefore, posts);
    }

    /** Ends every call still open (at its own time) and sends what is buffered; waits for the answers. */
    void drain() throws InterruptedException {
        while (!endings.isEmpty()) {
            long now = System.currentTimeMillis();
            endDue(now);
            flushIfDue(now);
            Thread.sleep(5);
        }
        flushBatch();
        flushExport();
        inFlight.acquire(MAX_IN_FLIGHT);
        inFlight.release(MAX_IN_FLIGHT);
    }

    private Call newCall(long now) {
        String tenant = TENANT_NAMES[pickTenant()];
        String route = ROUTE_NAMES[random.nextInt(ROUTES)];
        String model = MODELS[random.nextInt(MODELS.length)];
        double kind = random.nextDouble();
        Channel channel = kind < 0.88 ? Channel.BATCH : kind < 0.98 ? Channel.OTLP : Channel.SINGLE;
        // a span always ends (an unanswered call is an event-API thing: the request sent, no response)
        boolean answered = channel == Channel.OTLP || random.nextDouble() >= 0.01;
        String error = random.nextDouble() < 0.03 ? "rate_limit_exceeded" : null;
        long latency = 200 + (long) (Math.min(1.0, -Math.log(1 - random.nextDouble()) / 3) * 3_800);
        String id = channel == Channel.OTLP
                ? String.format("%032x-%016x", random.nextLong() & Long.MAX_VALUE, random.nextLong() & Long.MAX_VALUE)
                : "cap-" + run + "-" + sequence++;
        // 1,000 end users per tenant, a few of them making most of the calls
        String user = channel == Channel.OTLP ? null : "user-" + (int) (1_000 * Math.pow(random.nextDouble(), 3));
        return new Call(
                id,
                tenant,
                route,
                model,
                now,
                latency,
                50 + random.nextInt(2_000),
                random.nextInt(800),
                error,
                answered,
                user,
                channel);
    }

    private int pickTenant() {
        double r = random.nextDouble();
        for (int t = 0; t < TENANTS - 1; t++) {
            r -= tenantWeights[t];
            if (r < 0) {
                return t;
            }
        }
        return TENANTS - 1;
    }

    private void begin(Call call) throws InterruptedException {
        switch (call.channel) {
            case BATCH -> addToBatch(requestEvent(call), call, true);
            case SINGLE -> postSingle("/v1/llm/request", requestEvent(call), requestAck(call));
            case OTLP -> {} // exported when it ends
        }
        if (call.answered) {
            endings.add(new Due(call.start + call.latencyMs, call));
        }
    }

    private void endDue(long now) throws InterruptedException {
        while (!endings.isEmpty() && endings.peek().at <= now) {
            Call call = endings.poll().call;
            switch (call.channel) {
                case BATCH -> addToBatch(responseEvent(call), call, false);
                case SINGLE -> postSingle("/v1/llm/response", responseEvent(call), responseAck(call));
                case OTLP -> {
                    if (export.isEmpty()) {
                        exportSince = now;
                    }
                    export.add(call);
                    if (export.size() >= EXPORT_SPANS) {
                        flushExport();
                    }
                }
            }
        }
    }

    private void addToBatch(String event, Call call, boolean isRequest) throws InterruptedException {
        if (batchEvents == 0) {
            batchSince = System.currentTimeMillis();
        }
        batch.append(event).append('\n');
        batchEvents++;
        batchAcks.add(isRequest ? requestAck(call) : responseAck(call));
        // one delivery in a hundred is sent twice, as a client does that retries a POST whose answer it lost
        if (random.nextInt(100) == 0) {
            batch.append(event).append('\n');
            batchEvents++;
        }
        if (batchEvents >= BATCH_EVENTS) {
            flushBatch();
        }
    }

    private void flushIfDue(long now) throws InterruptedException {
        if (batchEvents > 0 && now - batchSince >= LINGER_MS) {
            flushBatch();
        }
        if (!export.isEmpty() && now - exportSince >= LINGER_MS) {
            flushExport();
        }
    }

    private void flushBatch() throws InterruptedException {
        if (batchEvents == 0) {
            return;
        }
        post("/v1/llm/events", "application/x-ndjson", batch.toString(), batchEvents, new ArrayList<>(batchAcks));
        batch.setLength(0);
        batchAcks.clear();
        batchEvents = 0;
    }

    private void flushExport() throws InterruptedException {
        if (export.isEmpty()) {
            return;
        }
        StringBuilder spans = new StringBuilder(export.size() * 700);
        List<Runnable> acks = new ArrayList<>();
        // one export per tenant and route (a service's SDK exports for itself): grouped here
        export.sort((a, b) -> (a.tenant + a.route).compareTo(b.tenant + b.route));
        spans.append("{\"resourceSpans\":[");
        String resource = null;
        for (Call call : export) {
            String thisResource = call.tenant + "/" + call.route;
            if (!thisResource.equals(resource)) {
                if (resource != null) {
                    spans.append("]}]},");
                }
                resource = thisResource;
                spans.append("{\"resource\":{\"attributes\":[")
                        .append(stringAttribute("service.name", call.route))
                        .append(',')
                        .append(stringAttribute("tenant.id", call.tenant))
                        .append("]},\"scopeSpans\":[{\"scope\":{\"name\":\"capacity\"},\"spans\":[");
            } else {
                spans.append(',');
            }
            appendSpan(spans, call);
            acks.add(requestAck(call));
            acks.add(responseAck(call));
        }
        spans.append("]}]}]}");
        post("/v1/traces", "application/json", spans.toString(), 2 * export.size(), acks);
        export.clear();
    }

    private static void appendSpan(StringBuilder out, Call call) {
        String[] ids = call.id.split("-");
        long startNanos = call.start * 1_000_000;
        out.append("{\"traceId\":\"")
                .append(ids[0])
                .append("\",\"spanId\":\"")
                .append(ids[1])
                .append("\",\"name\":\"chat ")
                .append(call.model)
                .append("\",\"kind\":3,\"startTimeUnixNano\":\"")
                .append(startNanos)
                .append("\",\"endTimeUnixNano\":\"")
                .append(startNanos + call.latencyMs * 1_000_000)
                .append("\",\"attributes\":[")
                .append(stringAttribute("gen_ai.operation.name", "chat"))
                .append(',')
                .append(stringAttribute("gen_ai.request.model", call.model))
                .append(",{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"")
                .append(call.promptTokens)
                .append("\"}},{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":\"")
                .append(call.completionTokens)
                .append("\"}}],\"status\":")
                .append(call.error == null ? "{}" : "{\"code\":2,\"message\":\"" + call.error + "\"}")
                .append('}');
    }

    private static String stringAttribute(String key, String value) {
        return "{\"key\":\"" + key + "\",\"value\":{\"stringValue\":\"" + value + "\"}}";
    }

    /** Sends one event to a single-event endpoint: a batch's event without its type. */
    private void postSingle(String path, String batchEvent, Runnable ack) throws InterruptedException {
        String event = "{" + batchEvent.substring(batchEvent.indexOf(',') + 1);
        post(path, "application/json", event, 1, Collections.singletonList(ack));
    }

    private static String requestEvent(Call call) {
        return "{\"type\":\"request\",\"request_id\":\"" + call.id + "\",\"tenant_id\":\"" + call.tenant
                + "\",\"route\":\"" + call.route + "\",\"model\":\"" + call.model + "\",\"timestamp\":\""
                + Instant.ofEpochMilli(call.start) + "\",\"prompt_tokens\":" + call.promptTokens
                + ",\"user_id_hash\":\"" + call.user + "\"}";
    }

    private static String responseEvent(Call call) {
        return "{\"type\":\"response\",\"request_id\":\"" + call.id + "\",\"timestamp\":\""
                + Instant.ofEpochMilli(call.start + call.latencyMs) + "\",\"latency_ms\":" + call.latencyMs
                + ",\"completion_tokens\":" + call.completionTokens + ",\"finish_reason\":\""
                + (call.error == null ? "stop" : "error") + "\",\"error\":"
                + (call.error == null ? "null" : "\"" + call.error + "\"") + "}";
    }

    /** Remembers a sampled tenant's request once the ingest service acknowledged it. */
    private Runnable requestAck(Call call) {
        if (!sampled.contains(call.tenant)) {
            return null;
        }
        return () -> {
            synchronized (sampledRequests) {
                sampledRequests.add(new Workload.Request(
                        call.id,
                        call.tenant,
                        call.route,
                        call.model,
                        call.start,
                        call.promptTokens,
                        call.user,
                        null,
                        null));
            }
        };
    }

    private Runnable responseAck(Call call) {
        if (!sampled.contains(call.tenant)) {
            return null;
        }
        return () -> {
            synchronized (sampledResponses) {
                sampledResponses.add(new Workload.Response(
                        call.id,
                        call.start + call.latencyMs,
                        (double) call.latencyMs,
                        call.completionTokens,
                        call.error));
            }
        };
    }

    /** POSTs a body, at most {@link #MAX_IN_FLIGHT} at a time; on a 2xx the events' acks run. */
    private void post(String path, String contentType, String body, int events, List<Runnable> acks)
            throws InterruptedException {
        inFlight.acquire();
        long sent = System.nanoTime();
        http.sendAsync(
                        HttpRequest.newBuilder(URI.create(ingest + path))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", contentType)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .whenComplete((answer, failure) -> {
                    inFlight.release();
                    long millis = (System.nanoTime() - sent) / 1_000_000;
                    synchronized (postMillis) {
                        postMillis.add(millis);
                    }
                    if (failure == null && answer.statusCode() / 100 == 2) {
                        acknowledgedEvents.addAndGet(events);
                        for (Runnable ack : acks) {
                            if (ack != null) {
                                ack.run();
                            }
                        }
                    } else {
                        if (refusedEvents.getAndAdd(events) == 0 || refusalsShown.incrementAndGet() <= 5) {
                            System.err.println("refused: " + path + " "
                                    + (failure != null
                                            ? failure
                                            : answer.statusCode() + " "
                                                    + answer.body()
                                                            .substring(
                                                                    0,
                                                                    Math.min(
                                                                            300,
                                                                            answer.body()
                                                                                    .length()))));
                        }
                    }
                });
    }
}
